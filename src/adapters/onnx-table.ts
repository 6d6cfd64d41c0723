/**
 * Reads the token table out of a static-embedding ONNX model: a graph whose only node is
 * `Gather(table, input_ids)` over a float32 initializer `[vocab, dims]` (the bundled
 * `engram-glove-30k`, built by scripts/build-model.mjs; model2vec-style models have the same shape).
 *
 * A minimal protocol-buffer walk over the fields ONNX defines (onnx.proto3): ModelProto.graph = 7;
 * GraphProto.node = 1, .initializer = 5; NodeProto.input = 1, .op_type = 4; TensorProto.dims = 1,
 * .data_type = 2, .float_data = 4, .name = 8, .raw_data = 9. Anything else, or a graph that is not
 * a single Gather, is refused with a clear error: such a model needs the ONNX runtime.
 */

export interface TokenTable {
  rows: number;
  dims: number;
  /** Row-major, `rows × dims`. */
  data: Float32Array;
}

const FLOAT = 1;

interface Field {
  no: number;
  wire: number;
  /** Varint value (wire type 0). */
  value: bigint;
  /** Bytes (wire type 2). */
  bytes: Uint8Array | null;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('ONNX model: truncated varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('ONNX model: varint too long');
    }
  }

  field(): Field {
    const key = Number(this.varint());
    const no = key >>> 3;
    const wire = key & 7;
    switch (wire) {
      case 0:
        return { no, wire, value: this.varint(), bytes: null };
      case 1:
        return { no, wire, value: 0n, bytes: this.take(8) };
      case 2:
        return { no, wire, value: 0n, bytes: this.take(Number(this.varint())) };
      case 5:
        return { no, wire, value: 0n, bytes: this.take(4) };
      default:
        throw new Error(`ONNX model: unsupported wire type ${wire}`);
    }
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw new Error('ONNX model: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function fields(buf: Uint8Array): Field[] {
  const reader = new Reader(buf);
  const out: Field[] = [];
  while (!reader.done) out.push(reader.field());
  return out;
}

const text = (bytes: Uint8Array | null): string => new TextDecoder().decode(bytes ?? new Uint8Array(0));

/** The Gather table of a static-embedding ONNX model; throws when the model is anything else. */
export function readTokenTable(model: Uint8Array): TokenTable {
  const graph = fields(model).find((f) => f.no === 7 && f.wire === 2)?.bytes;
  if (!graph) throw new Error('ONNX model: no graph');
  const graphFields = fields(graph);
  const nodes = graphFields.filter((f) => f.no === 1 && f.wire === 2);
  if (nodes.length !== 1) throw new Error(`ONNX model: ${nodes.length} nodes; a static-embedding model has one Gather`);
  const node = fields(nodes[0]!.bytes!);
  const opType = text(node.find((f) => f.no === 4)?.bytes ?? null);
  const inputs = node.filter((f) => f.no === 1).map((f) => text(f.bytes));
  if (opType !== 'Gather' || inputs.length !== 2) throw new Error(`ONNX model: its node is ${opType || 'unnamed'}, not Gather(table, ids)`);
  const axis = node.filter((f) => f.no === 5).map((f) => fields(f.bytes!)).find((a) => text(a.find((x) => x.no === 1)?.bytes ?? null) === 'axis');
  const axisValue = axis?.find((x) => x.no === 3)?.value ?? 0n;
  if (axisValue !== 0n) throw new Error('ONNX model: Gather must be on axis 0');
  for (const init of graphFields.filter((f) => f.no === 5 && f.wire === 2)) {
    const tensor = fields(init.bytes!);
    if (text(tensor.find((f) => f.no === 8)?.bytes ?? null) !== inputs[0]) continue;
    const dims: number[] = [];
    for (const f of tensor.filter((x) => x.no === 1)) {
      if (f.wire === 0) dims.push(Number(f.value));
      else for (const r = new Reader(f.bytes!); !r.done; ) dims.push(Number(r.varint()));
    }
    const type = Number(tensor.find((f) => f.no === 2)?.value ?? 0n);
    if (type !== FLOAT || dims.length !== 2) throw new Error(`ONNX model: the table must be float32 [vocab, dims] (type ${type}, dims [${dims.join(', ')}])`);
    const [rows, width] = dims as [number, number];
    const raw = tensor.find((f) => f.no === 9)?.bytes ?? tensor.find((f) => f.no === 4)?.bytes;
    if (raw?.byteLength !== rows * width * 4) throw new Error(`ONNX model: the table holds ${raw?.byteLength ?? 0} bytes, expected ${rows * width * 4}`);
    // Little-endian float32 (as ONNX stores it); copied so it is aligned and owns its memory.
    const data = new Float32Array(rows * width);
    new Uint8Array(data.buffer).set(raw);
    return { rows, dims: width, data };
  }
  throw new Error(`ONNX model: no initializer named ${inputs[0]}`);
}

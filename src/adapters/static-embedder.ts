import { Tokenizer } from '@huggingface/tokenizers';
import { timed } from '../core/timings';
import type { Embedder } from '../ports/embedder';
import { readTokenTable, type TokenTable } from './onnx-table';

export interface StaticEmbedderOptions {
  /** Folder name of the model under `localModelPath`, e.g. `engram-glove-30k`. */
  modelId: string;
  /** Where model folders live: a URL inside the extension, or a directory in Node. */
  localModelPath: string;
  /** Reads a file of the model folder (default: `fetch`, for the extension's own URLs). */
  readFile?: (url: string) => Promise<ArrayBuffer>;
  queryPrefix?: string;
}

/**
 * A static-embedding model (a token table: the bundled GloVe/SIF model, or a model2vec-style
 * one) without the ONNX runtime. The tokenizer is @huggingface/tokenizers (the library
 * transformers.js itself tokenizes with, without the rest of transformers.js: the service worker
 * evaluates less at every start), from the model's tokenizer.json; the table is read once from the model's ONNX file (its only node is a Gather),
 * and each text's vector is the mean of its tokens' rows, L2-normalised: exactly what
 * transformers.js's feature-extraction pipeline computes with `pooling: 'mean', normalize: true`
 * (test/unit/static-embedder.test.ts compares the two on the same texts).
 *
 * Why: a service worker woken by the user's Enter must answer in a few hundred milliseconds; the
 * ONNX runtime's 14 MB WebAssembly compile and session set-up took about 0.5 s of every cold start,
 * for a graph that is one table lookup. Models with real layers still go through the runtime
 * (TransformersEmbedder).
 */
interface Loaded {
  tokenizer: Tokenizer;
  /** tokenizer_config.json's `model_max_length`. */
  maxLength: number;
  /** The rows of the tokens a batch needs (read from the table's files as first needed, or from the ONNX file at once). */
  rows: (ids: Iterable<number>) => Promise<RowSource>;
}

/** Rows of a token table, by token id. */
export interface RowSource {
  rows: number;
  dims: number;
  /** Row `id` (`dims` floats); only ids asked for are guaranteed. */
  row(id: number): Float32Array;
}

/** config.json's `engram.table`: the table as raw little-endian float32 files of `chunk_rows` rows (scripts/build-model.mjs). */
interface ChunkedTableSpec {
  dir: string;
  chunk_rows: number;
  chunks: number;
  rows: number;
  dims: number;
}

function chunkedSpec(config: Record<string, unknown>): ChunkedTableSpec | null {
  const engram = config.engram;
  const table = typeof engram === 'object' && engram !== null ? (engram as Record<string, unknown>).table : undefined;
  if (typeof table !== 'object' || table === null) return null;
  const t = table as Record<string, unknown>;
  const positive = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;
  if (typeof t.dir !== 'string' || !/^[\w-]+\/$/.test(t.dir) || !positive(t.chunk_rows) || !positive(t.chunks) || !positive(t.rows) || !positive(t.dims)) return null;
  if (t.dtype !== 'float32' || t.byte_order !== 'little-endian' || Math.ceil(t.rows / t.chunk_rows) !== t.chunks) return null;
  return { dir: t.dir, chunk_rows: t.chunk_rows, chunks: t.chunks, rows: t.rows, dims: t.dims };
}

/**
 * A table read file by file, each the first time one of its tokens is met: a cold start's query
 * reads a few files of 50 KB instead of the whole 12 MB table (which took about 200 ms to arrive
 * through the extension's URL loader, the longest wait of a cold start).
 */
class ChunkedTable implements RowSource {
  readonly rows: number;
  readonly dims: number;
  readonly #chunks = new Map<number, Promise<Float32Array>>();
  readonly #loaded = new Map<number, Float32Array>();

  constructor(
    private readonly spec: ChunkedTableSpec,
    private readonly read: (file: string) => Promise<ArrayBuffer>,
  ) {
    this.rows = spec.rows;
    this.dims = spec.dims;
  }

  async ensure(ids: Iterable<number>): Promise<this> {
    const needed = new Set<number>();
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.rows) throw new Error(`Engram: token id ${id} outside the model's table`);
      const c = Math.floor(id / this.spec.chunk_rows);
      if (!this.#loaded.has(c)) needed.add(c);
    }
    await Promise.all([...needed].map((c) => this.#chunk(c)));
    return this;
  }

  #chunk(c: number): Promise<Float32Array> {
    let loading = this.#chunks.get(c);
    if (!loading) {
      const expected = Math.min(this.spec.chunk_rows, this.rows - c * this.spec.chunk_rows) * this.dims;
      loading = this.read(`${this.spec.dir}${c}.bin`).then((buffer) => {
        if (buffer.byteLength !== expected * 4) throw new Error(`table file ${c}.bin holds ${buffer.byteLength} bytes, expected ${expected * 4}`);
        const data = littleEndian ? new Float32Array(buffer) : Float32Array.from({ length: expected }, (_, i) => new DataView(buffer).getFloat32(i * 4, true));
        this.#loaded.set(c, data);
        return data;
      });
      loading.catch(() => this.#chunks.delete(c)); // a later batch tries again
      this.#chunks.set(c, loading);
    }
    return loading;
  }

  row(id: number): Float32Array {
    const c = Math.floor(id / this.spec.chunk_rows);
    const data = this.#loaded.get(c);
    if (!data) throw new Error(`Engram: token ${id}'s row was not read`);
    const at = (id - c * this.spec.chunk_rows) * this.dims;
    return data.subarray(at, at + this.dims);
  }
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** A whole table as a RowSource. */
function wholeTable(table: TokenTable): RowSource {
  return {
    rows: table.rows,
    dims: table.dims,
    row: (id) => table.data.subarray(id * table.dims, (id + 1) * table.dims),
  };
}

/** What load() reads besides the table (config.json says how the table is stored). */
const SMALL_FILES = ['tokenizer.json', 'tokenizer_config.json', 'config.json'] as const;

export class StaticEmbedder implements Embedder {
  readonly modelId: string;
  #loading: Promise<Loaded> | null = null;
  /** The model's small files being read, by name (before load() parses them: prefetch()). */
  readonly #files = new Map<string, Promise<ArrayBuffer>>();

  constructor(private readonly options: StaticEmbedderOptions) {
    this.modelId = options.modelId;
  }

  /**
   * Start reading the tokenizer's and the model's small files, without parsing them: a worker
   * woken by a recall reads them while it opens its database, and parses them (load()) once the
   * database reads that recall waits on are under way, not before them.
   */
  prefetch(): void {
    for (const file of SMALL_FILES) void this.#file(file).catch(() => undefined); // load() reports it
  }

  #file(name: string): Promise<ArrayBuffer> {
    let reading = this.#files.get(name);
    if (!reading) {
      const read = this.options.readFile ?? fetchBytes;
      reading = read(`${this.options.localModelPath}${this.modelId}/${name}`);
      this.#files.set(name, reading);
      // A failed read is tried again by the next load().
      reading.catch(() => {
        if (this.#files.get(name) === reading) this.#files.delete(name);
      });
    }
    return reading;
  }

  /** Load the tokenizer and the table now (idempotent, in parallel). */
  load(): Promise<Loaded> {
    this.#loading ??= timed('embedder', () => this.#load()).catch((error: unknown) => {
      this.#loading = null; // a later call tries again
      throw new Error(`Engram could not load the embedding model "${this.modelId}": ${String(error)}`, { cause: error });
    });
    return this.#loading;
  }

  async #load(): Promise<Loaded> {
    const read = this.options.readFile ?? fetchBytes;
    const folder = `${this.options.localModelPath}${this.modelId}/`;
    const json = async (file: (typeof SMALL_FILES)[number]): Promise<Record<string, unknown>> => JSON.parse(new TextDecoder().decode(await this.#file(file))) as Record<string, unknown>;
    // config.json says whether the table comes in files of rows (the bundled model) or only in the ONNX file.
    const modelConfig = json('config.json').catch(() => ({}));
    const [tokenizerJson, config, spec] = await Promise.all([json('tokenizer.json'), json('tokenizer_config.json'), modelConfig.then(chunkedSpec)]);
    const maxLength = typeof config.model_max_length === 'number' && config.model_max_length > 0 ? config.model_max_length : Infinity;
    let rows: Loaded['rows'];
    if (spec) {
      const table = new ChunkedTable(spec, (file) => read(folder + file));
      rows = (ids) => table.ensure(ids);
    } else {
      const table = read(`${folder}onnx/model.onnx`).then((bytes) => wholeTable(readTokenTable(new Uint8Array(bytes))));
      rows = () => table;
    }
    return { tokenizer: new Tokenizer(tokenizerJson, config), maxLength, rows };
  }

  async embed(text: string): Promise<Float32Array> {
    const [vector] = await this.embedBatch([text]);
    if (!vector) throw new Error('Engram: the embedding model returned nothing');
    return vector;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    return this.embed((this.options.queryPrefix ?? '') + text);
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { tokenizer, maxLength, rows } = await this.load();
    // As transformers.js's `truncation: true`: at most the model's `model_max_length` tokens.
    const ids = texts.map((text) => tokenizer.encode(text).ids.slice(0, maxLength));
    const table = await rows(ids.flat());
    return ids.map((tokens) => pool(table, tokens));
  }
}

/**
 * Mean of the rows of `ids`, then divided by its L2 norm, with transformers.js's arithmetic
 * (sums in double precision, results stored as float32), so the vectors are the pipeline's.
 * A text of no known tokens gets the zero vector, similar to nothing.
 */
export function pool(table: TokenTable | RowSource, ids: readonly number[]): Float32Array {
  const source = 'data' in table ? wholeTable(table) : table;
  const { dims, rows } = source;
  const sums = new Float64Array(dims);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= rows) throw new Error(`Engram: token id ${id} outside the model's table`);
    const row = source.row(id);
    for (let k = 0; k < dims; k++) sums[k]! += row[k]!;
  }
  const out = new Float32Array(dims);
  for (let k = 0; k < dims; k++) out[k] = sums[k]! / ids.length;
  let squares = 0;
  for (let k = 0; k < dims; k++) squares += out[k]! ** 2;
  const norm = Math.fround(squares ** 0.5);
  for (let k = 0; k < dims; k++) out[k] = out[k]! / norm;
  if (out.some((x) => !Number.isFinite(x))) out.fill(0);
  return out;
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.arrayBuffer();
}

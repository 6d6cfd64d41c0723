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
  table: TokenTable;
}

export class StaticEmbedder implements Embedder {
  readonly modelId: string;
  #loading: Promise<Loaded> | null = null;

  constructor(private readonly options: StaticEmbedderOptions) {
    this.modelId = options.modelId;
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
    const json = async (file: string): Promise<Record<string, unknown>> => JSON.parse(new TextDecoder().decode(await read(folder + file))) as Record<string, unknown>;
    const [tokenizerJson, config, bytes] = await Promise.all([json('tokenizer.json'), json('tokenizer_config.json'), read(`${folder}onnx/model.onnx`)]);
    const maxLength = typeof config.model_max_length === 'number' && config.model_max_length > 0 ? config.model_max_length : Infinity;
    return { tokenizer: new Tokenizer(tokenizerJson, config), maxLength, table: readTokenTable(new Uint8Array(bytes)) };
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
    const { tokenizer, maxLength, table } = await this.load();
    // As transformers.js's `truncation: true`: at most the model's `model_max_length` tokens.
    return texts.map((text) => pool(table, tokenizer.encode(text).ids.slice(0, maxLength)));
  }
}

/**
 * Mean of the rows of `ids`, then divided by its L2 norm, with transformers.js's arithmetic
 * (sums in double precision, results stored as float32), so the vectors are the pipeline's.
 * A text of no known tokens gets the zero vector, similar to nothing.
 */
export function pool(table: TokenTable, ids: readonly number[]): Float32Array {
  const { dims, data, rows } = table;
  const sums = new Float64Array(dims);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= rows) throw new Error(`Engram: token id ${id} outside the model's table`);
    const at = id * dims;
    for (let k = 0; k < dims; k++) sums[k]! += data[at + k]!;
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

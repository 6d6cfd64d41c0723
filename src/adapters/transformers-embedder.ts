import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import { transformers } from '../vendor/lazy-transformers.cjs';
import type { Embedder } from '../ports/embedder';
import { timed } from '../core/timings';

export interface TransformersEmbedderOptions {
  /** Folder name of the model under `localModelPath`, e.g. `engram-glove-30k`. */
  modelId: string;
  /** Where model folders live: a URL inside the extension, or a directory in Node. */
  localModelPath: string;
  /**
   * In the browser: the URL of onnxruntime-web's WASM shipped with the extension. Its bytes are
   * handed to the runtime directly, so nothing is ever fetched from a CDN and no dynamic import
   * is needed (dynamic `import()` is forbidden in service workers).
   */
  wasmUrl?: string;
  dtype?: 'fp32' | 'fp16' | 'q8';
  /** Prefix for queries where the model wants one (e.g. bge's "Represent this sentence…"). */
  queryPrefix?: string;
  /**
   * Where to download the model from when it is not on this device (a hub such as
   * https://huggingface.co/). Unset: never download. Only set after the user agreed.
   */
  remoteHost?: string;
  /** Download progress, 0–100, per file. */
  onProgress?: (progress: { file: string; percent: number; loaded: number; total: number }) => void;
}

/**
 * Embeds text with transformers.js feature extraction (mean pooling, unit length), from model
 * files on this device only. The model loads lazily, once; calls are serialised.
 *
 * @example
 * const embedder = new TransformersEmbedder({ modelId: 'engram-glove-30k', localModelPath: '/models/' });
 * const v = await embedder.embed('I live in Berlin'); // Float32Array(100), |v| = 1
 */
export class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  #pipe: Promise<FeatureExtractionPipeline> | null = null;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: TransformersEmbedderOptions) {
    this.modelId = options.modelId;
  }

  /** Load the model now (idempotent). Rejects with a clear error when the files are missing. */
  load(): Promise<FeatureExtractionPipeline> {
    this.#pipe ??= timed('embedder', () => this.#load()).catch((error: unknown) => {
      this.#pipe = null; // let a later call try again
      throw new Error(`Engram could not load the embedding model "${this.modelId}": ${String(error)}`, {
        cause: error,
      });
    });
    return this.#pipe;
  }

  async #load(): Promise<FeatureExtractionPipeline> {
    const { remoteHost } = this.options;
    const { env, pipeline } = transformers();
    env.allowRemoteModels = remoteHost !== undefined;
    if (remoteHost) env.remoteHost = remoteHost;
    env.allowLocalModels = true;
    env.localModelPath = this.options.localModelPath;
    // Downloaded files are kept in the browser's Cache API (transformers.js never caches the
    // extension's own chrome-extension:// files, which need no cache).
    env.useBrowserCache = remoteHost !== undefined && typeof caches !== 'undefined';
    env.useWasmCache = false;
    const wasm = env.backends.onnx.wasm;
    if (this.options.wasmUrl && wasm) {
      const response = await fetch(this.options.wasmUrl);
      if (!response.ok) throw new Error(`ONNX runtime WASM missing at ${this.options.wasmUrl}`);
      wasm.wasmBinary = await response.arrayBuffer();
      wasm.numThreads = 1; // no cross-origin isolation in an extension worker
      // In a document (Chrome's offscreen document, Firefox's event page; not in a service worker)
      // transformers.js points the runtime at a CDN on import, which would fetch its JS glue from
      // there (forbidden by the CSP, and never wanted): the glue bundled with the runtime is used,
      // and the WASM is the extension's own.
      wasm.wasmPaths = { wasm: this.options.wasmUrl };
    }
    const { onProgress } = this.options;
    return pipeline('feature-extraction', this.modelId, {
      dtype: this.options.dtype ?? 'fp32',
      ...(onProgress
        ? {
            progress_callback: (info: { status: string; file?: string; progress?: number; loaded?: number; total?: number }) => {
              if (info.status === 'progress' && info.file) {
                onProgress({ file: info.file, percent: info.progress ?? 0, loaded: info.loaded ?? 0, total: info.total ?? 0 });
              }
            },
          }
        : {}),
    });
  }

  async embed(text: string): Promise<Float32Array> {
    const [vector] = await this.embedBatch([text]);
    if (!vector) throw new Error('Engram: the embedding model returned nothing');
    return vector;
  }

  async embedQuery(text: string): Promise<Float32Array> {
    const [vector] = await this.#enqueue([(this.options.queryPrefix ?? '') + text]);
    if (!vector) throw new Error('Engram: the embedding model returned nothing');
    return vector;
  }

  embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    return this.#enqueue(texts);
  }

  #enqueue(texts: readonly string[]): Promise<Float32Array[]> {
    const run = this.#chain.then(() => this.#embedBatch(texts));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const extract = await this.load();
    const output = await extract([...texts], { pooling: 'mean', normalize: true });
    const [rows, dims] = output.dims as [number, number];
    const data = output.data as Float32Array;
    const vectors: Float32Array[] = [];
    for (let r = 0; r < rows; r++) {
      const v = data.slice(r * dims, (r + 1) * dims);
      // A text of only unknown words has no direction: give it the zero vector, similar to nothing.
      if (v.some((x) => !Number.isFinite(x))) v.fill(0);
      vectors.push(v);
    }
    return vectors;
  }
}

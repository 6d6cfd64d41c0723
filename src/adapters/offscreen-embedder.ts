import type { Embedder } from '../ports/embedder';
import { isOffscreenEmbedProgress, type OffscreenEmbedModel, type OffscreenRequests } from '../messaging/offscreen-protocol';

type EmbedRequests = Pick<OffscreenRequests, 'embedLoad' | 'embed'>;

/** How the worker reaches the offscreen document (chrome.runtime in the extension; a fake in tests). */
export interface OffscreenEmbedderTransport {
  /** Send a request to the offscreen document (creating it if need be); rejects with its error. */
  call<K extends keyof EmbedRequests>(type: K, data: EmbedRequests[K]['data']): Promise<EmbedRequests[K]['reply']>;
  /** Listen to messages sent to the worker; returns the function that stops listening. */
  listen(listener: (message: unknown, sender: chrome.runtime.MessageSender) => void): () => void;
  /** The extension's own id: progress is taken only from its own offscreen document. */
  runtimeId: string;
  /** Called every 20 s while a model downloads: an extension API call keeps the worker alive. */
  keepAlive?: () => void;
}

export interface OffscreenEmbedderOptions extends OffscreenEmbedModel {
  /** Prefix for queries where the model wants one (e.g. bge's "Represent this sentence…"). */
  queryPrefix?: string;
  /** Download progress, 0–100, per file (as TransformersEmbedder reports it). */
  onProgress?: (progress: { file: string; percent: number; loaded: number; total: number }) => void;
}

const KEEP_ALIVE_MS = 20_000;

/**
 * TransformersEmbedder as Chrome's service worker sees it: the model runs in the offscreen
 * document (src/offscreen/embedder-host.ts), so the worker carries no transformers.js. Same
 * interface and errors as TransformersEmbedder; vectors cross as number arrays and come back as
 * Float32Array.
 *
 * @example
 * const embedder = new OffscreenEmbedder({ modelId: 'Xenova/bge-small-en-v1.5', dtype: 'q8' }, transport);
 * await embedder.load(); // downloads in the offscreen document, progress via onProgress
 * const v = await embedder.embedQuery('where do I live?'); // Float32Array(384)
 */
export class OffscreenEmbedder implements Embedder {
  readonly modelId: string;
  readonly #model: OffscreenEmbedModel;
  #loading: Promise<void> | null = null;

  constructor(
    private readonly options: OffscreenEmbedderOptions,
    private readonly transport: OffscreenEmbedderTransport,
  ) {
    this.modelId = options.modelId;
    this.#model = { modelId: options.modelId, dtype: options.dtype, ...(options.remoteHost ? { remoteHost: options.remoteHost } : {}) };
  }

  /** Load the model in the offscreen document now (idempotent). Rejects with a clear error. */
  load(): Promise<void> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      this.#loading = null; // let a later call try again
      throw new Error(`Engram could not load the embedding model "${this.modelId}": ${errorText(error)}`, { cause: error });
    });
    return this.#loading;
  }

  async #load(): Promise<void> {
    const { onProgress } = this.options;
    const stop = onProgress
      ? this.transport.listen((message, sender) => {
          // Progress comes from the extension's own offscreen document only, never from a tab.
          if (!isOffscreenEmbedProgress(message) || message.modelId !== this.modelId) return;
          if (sender.id !== this.transport.runtimeId || sender.tab !== undefined) return;
          onProgress({ file: message.file, percent: message.percent, loaded: message.loaded, total: message.total });
        })
      : () => undefined;
    const { keepAlive } = this.transport;
    const timer = keepAlive ? setInterval(keepAlive, KEEP_ALIVE_MS) : undefined;
    try {
      await this.transport.call('embedLoad', { model: this.#model });
    } finally {
      clearInterval(timer);
      stop();
    }
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
    await this.load();
    let vectors: number[][];
    try {
      ({ vectors } = await this.transport.call('embed', { model: this.#model, texts: [...texts] }));
    } catch (error) {
      throw new Error(`Engram could not embed with the model "${this.modelId}": ${errorText(error)}`, { cause: error });
    }
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      throw new Error(`Engram: the embedding model "${this.modelId}" returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${texts.length} texts`);
    }
    return vectors.map((v) => Float32Array.from(v));
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Mem0's configuration (`embedder`, `vectorStore`, `llm`, each `{ provider, config }`) mapped to
 * Engram's on-device parts. Nothing here reaches a remote host: an embedder runs on the device
 * (transformers.js), the store is in memory or IndexedDB, and a language model is the rule-based
 * extractor, a local OpenAI-compatible server (localhost), or a chat model the caller passes
 * (WebLLM's MLCEngine). Anything else is refused with an error that says what is possible.
 */
import { DexieMemoryStore } from '../adapters/dexie-store';
import { exactIndexFactory } from '../adapters/exact-index';
import { hnswIndexFactory } from '../adapters/hnsw-index';
import { InMemoryStore } from '../adapters/in-memory-store';
import { LlmDecider } from '../adapters/llm/llm-decider';
import { LlmExtractor } from '../adapters/llm/llm-extractor';
import { openAiCompatibleChatModel } from '../adapters/llm/openai-compatible';
import { RuleBasedExtractor } from '../adapters/rule-based-extractor';
// Chrome's build swaps in library-embedder.chrome.ts (no transformers.js in the worker): wxt.config.ts.
import { libraryEmbedder } from './library-embedder';
import { EngramDatabase } from '../db/schema';
import type { ChatModel } from '../ports/chat-model';
import type { Decider } from '../ports/decider';
import type { Embedder } from '../ports/embedder';
import type { Extractor } from '../ports/extractor';
import type { MemoryStore } from '../ports/memory-store';
import type { EngineParts } from './context';
import { BUNDLED_MODEL, modelInfo } from './models';
import { VectorSearch } from './vector-search';

/** From this many memories on, HNSW searches faster than an exact scan (`npm run bench`, "crossover"). */
export const HNSW_CROSSOVER = 300;

export interface ProviderConfig<C> {
  provider: string;
  config?: C;
}

export interface MemoryConfig {
  /** Accepted for Mem0 compatibility; Engram has one algorithm. */
  version?: string;
  /**
   * `engram` | `transformers` | `huggingface` (default `engram`): a transformers.js model on the
   * device. `config.model`: a model id (default the bundled `engram-glove-30k`) or any object with
   * Engram's Embedder interface; `config.modelPath`: where model folders are (default
   * `public/models/` of the working directory in Node).
   */
  embedder?: ProviderConfig<{ model?: string | Embedder; modelPath?: string; embeddingDims?: number }>;
  /**
   * `memory` (default): kept in memory. `indexeddb` | `dexie`: IndexedDB, in the database
   * `config.collectionName` (default `engram`).
   */
  vectorStore?: ProviderConfig<{ collectionName?: string; dimension?: number; indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange }>;
  /**
   * `engram` | `rules` (default): Engram's rule-based extractor. `openai` | `ollama` | `lmstudio` |
   * `openai-compatible`: a local server at `config.baseURL` (localhost only) with `config.model`.
   * `webllm` or any provider with `config.engine`: a chat model object (WebLLM's MLCEngine).
   */
  llm?: ProviderConfig<{ baseURL?: string; model?: string; apiKey?: string; engine?: ChatModel }>;
  /** true: `history()` returns nothing (Engram still keeps what forgetting needs). */
  disableHistory?: boolean;
  historyStore?: unknown;
  historyDbPath?: string;
  customInstructions?: string;
  /** Engram: ready-made parts (the extension and `createEngine` use this); the fields above are then ignored. */
  engine?: EngineParts;
}

const EMBEDDERS = ['engram', 'transformers', 'huggingface'];
const STORES = ['memory', 'indexeddb', 'dexie'];
const LOCAL_LLMS = ['openai', 'ollama', 'lmstudio', 'openai-compatible'];

const isEmbedder = (x: unknown): x is Embedder =>
  typeof x === 'object' && x !== null && typeof (x as Embedder).embedBatch === 'function' && typeof (x as Embedder).embedQuery === 'function';

/** Where the bundled model is in Node: the working directory's `public/models/`. */
function defaultModelPath(): string {
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  if (!cwd) throw new Error('Engram: embedder.config.modelPath is required outside Node (the URL of the model folders)');
  return `${cwd}/public/models/`;
}

function embedderOf(config: MemoryConfig['embedder']): Embedder {
  const provider = config?.provider ?? 'engram';
  const model = config?.config?.model;
  if (isEmbedder(model)) return model;
  if (!EMBEDDERS.includes(provider)) {
    throw new Error(`Engram: embedder provider "${provider}" is not available; Engram embeds on the device: use one of ${EMBEDDERS.join(', ')}`);
  }
  const info = modelInfo(typeof model === 'string' ? model : BUNDLED_MODEL);
  return libraryEmbedder({
    modelId: info.id,
    localModelPath: config?.config?.modelPath ?? defaultModelPath(),
    dtype: info.dtype,
    ...(info.queryPrefix ? { queryPrefix: info.queryPrefix } : {}),
  });
}

function storeOf(config: MemoryConfig['vectorStore']): MemoryStore {
  const provider = config?.provider ?? 'memory';
  if (!STORES.includes(provider)) {
    throw new Error(`Engram: vectorStore provider "${provider}" is not available; Engram stores on the device: use one of ${STORES.join(', ')}`);
  }
  if (provider === 'memory') return new InMemoryStore();
  const c = config?.config ?? {};
  const idb = c.indexedDB && c.IDBKeyRange ? { indexedDB: c.indexedDB, IDBKeyRange: c.IDBKeyRange } : undefined;
  return new DexieMemoryStore(new EngramDatabase(c.collectionName ?? 'engram', idb));
}

function extractionOf(config: MemoryConfig['llm']): { extractor: Extractor; decider?: Decider } {
  const rules = new RuleBasedExtractor();
  const provider = config?.provider ?? 'engram';
  const c = config?.config ?? {};
  let model: ChatModel;
  if (c.engine) model = c.engine;
  else if (provider === 'engram' || provider === 'rules') return { extractor: rules };
  else if (LOCAL_LLMS.includes(provider)) {
    if (!c.baseURL || !c.model) {
      throw new Error(`Engram: llm provider "${provider}" needs config.baseURL (a server on localhost or 127.0.0.1) and config.model; Engram sends nothing off the device`);
    }
    model = openAiCompatibleChatModel({ baseUrl: c.baseURL, model: c.model, ...(c.apiKey ? { apiKey: c.apiKey } : {}) });
  } else {
    throw new Error(`Engram: llm provider "${provider}" is not available; use rules, a local server (${LOCAL_LLMS.join(', ')} with a localhost baseURL) or config.engine`);
  }
  const name = `${provider}:${c.model ?? 'model'}`;
  return { extractor: new LlmExtractor({ model, name, fallback: rules }), decider: new LlmDecider({ model, name }) };
}

/** Engram's parts for a Mem0 configuration. */
export function partsOf(config: MemoryConfig): EngineParts {
  if (config.engine) return config.engine;
  const store = storeOf(config.vectorStore);
  const vectors = new VectorSearch(store, { exact: exactIndexFactory, hnsw: hnswIndexFactory, crossover: HNSW_CROSSOVER });
  return { store, vectors, embedder: embedderOf(config.embedder), ...extractionOf(config.llm) };
}

/**
 * What the popup is shown of the models: the embedding model and its switch, WebGPU support and
 * the local AI models. A leaf module: types only.
 */

/** The local AI model sizes the popup offers (adapters/llm/webllm-tiers.ts). */
export type WebLlmTierId = 'small' | 'default' | 'quality';

export type WebGpuSupport =
  | {
      supported: true;
      /** q4f16 builds need it; without it use the q4f32 ones (`modelIdFor`). */
      shaderF16: boolean;
      maxBufferSize: number;
      maxStorageBufferBindingSize: number;
      /** e.g. "nvidia ampere", for the diagnostics. */
      adapter: string;
    }
  | { supported: false; reason: string };

export interface LlmTierView {
  tier: WebLlmTierId;
  label: string;
  modelId: string;
  vramMB: number | null;
  downloadMB: number;
  cached: boolean;
}

export type LlmJob =
  | { phase: 'downloading'; modelId: string; percent: number; text: string }
  | { phase: 'ready'; modelId: string }
  | { phase: 'cancelled'; modelId: string }
  | { phase: 'error'; modelId: string; error: string };

export interface LlmStatus {
  webgpu: WebGpuSupport;
  tiers: LlmTierView[];
  /** The extractor in use: "rule-based", "webllm:<model>" or "local-server:<model>". */
  extractor: string;
  job: LlmJob | null;
  /** Why Engram is on its rule-based extractor when a model was chosen. */
  note: string | null;
}

export interface EmbeddingModelInfo {
  /** Folder name (bundled) or Hugging Face repository id (hub). */
  id: string;
  label: string;
  source: 'bundled' | 'hub';
  dimensions: number;
  /** Download size of the weights Engram fetches, in MB (0 for the bundled model). */
  downloadMB: number;
  /** MTEB English retrieval average (nDCG@10), as published by the model's authors. */
  mtebRetrieval: number | null;
  dtype: 'fp32' | 'q8';
  /** Prepended to queries (not to memories), as the model card asks. */
  queryPrefix?: string;
  license: string;
  /**
   * The model is a token table (its ONNX graph one Gather, pooled by mean): it is read and pooled
   * without the ONNX runtime (adapters/static-embedder.ts), which keeps a cold start short.
   */
  staticTable?: boolean;
}

export type ModelJob =
  | { model: string; phase: 'downloading'; percent: number }
  | { model: string; phase: 'reembedding'; done: number; total: number }
  | { model: string; phase: 'done' }
  | { model: string; phase: 'error'; error: string };

export interface ModelStatus {
  active: string;
  models: readonly EmbeddingModelInfo[];
  job: ModelJob | null;
}

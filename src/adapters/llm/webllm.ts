/**
 * The WebLLM path: a chat model on the GPU (WebGPU), in the context that imports this module: the
 * background service worker (WebGPU there since Chrome 124) or an offscreen document (which keeps
 * WebLLM's 6 MB of JavaScript out of the worker's start-up). Nothing runs at import time: the
 * engine is made by `loadWebLlm`, the GPU is probed by `webGpuSupport`, and WebLLM's model list is
 * read when asked.
 *
 * The model tiers, their sizes and the WebGPU check are in webllm-tiers.ts (no WebLLM import, so
 * any context can show them); this module re-exports them.
 *
 * Downloads come from huggingface.co (weights, tokenizer, config; redirected to its CDNs) and
 * raw.githubusercontent.com (the compiled WebGPU model library): see WEBLLM_HOST_ORIGINS in
 * hosts.ts. WebLLM keeps every fetched file in the Cache API, file by file, so an interrupted
 * download resumes with the files it already has.
 */
import {
  MLCEngine,
  deleteModelAllInfoInCache,
  hasModelInCache,
  prebuiltAppConfig,
  type ChatOptions,
  type InitProgressCallback,
  type ModelRecord,
} from '@mlc-ai/web-llm';
import type { ChatModel } from '../../ports/chat-model';
import { WEBLLM_TIERS } from './webllm-tiers';

export * from './webllm-tiers';

export interface WebLlmModelInfo {
  modelId: string;
  /** WebLLM's estimate of the GPU memory the model needs, in MB. */
  vramMB: number | null;
  /** Marked by WebLLM as fit for low-resource devices (phones, integrated GPUs). */
  lowResource: boolean;
  /** WebGPU features it needs, e.g. `shader-f16`. */
  requiredFeatures: string[];
  /** Where the weights and the WebGPU library come from. */
  weightsUrl: string;
  libraryUrl: string;
}

/** WebLLM's record of a model, or null for a model it does not know. */
export function webLlmModelInfo(modelId: string): WebLlmModelInfo | null {
  const record: ModelRecord | undefined = prebuiltAppConfig.model_list.find((m) => m.model_id === modelId);
  if (!record) return null;
  return {
    modelId,
    vramMB: record.vram_required_MB ?? null,
    lowResource: record.low_resource_required ?? false,
    requiredFeatures: record.required_features ?? [],
    weightsUrl: record.model,
    libraryUrl: record.model_lib,
  };
}

/** What Engram uses of a WebLLM engine: a ChatModel that loads and unloads. `MLCEngine` is one. */
export interface WebLlmEngine extends ChatModel {
  setInitProgressCallback(callback: InitProgressCallback): void;
  reload(modelId: string, chatOpts?: ChatOptions): Promise<void>;
  unload(): Promise<void>;
}

export interface WebLlmProgress {
  /** 0..1. */
  progress: number;
  /** WebLLM's words, e.g. "Fetching param cache[12/22]: 400MB fetched. 55% completed, 30 secs elapsed." */
  text: string;
  timeElapsed: number;
}

export interface LoadWebLlmOptions {
  onProgress?: (progress: WebLlmProgress) => void;
  /** Abort to cancel: the engine is unloaded; the files fetched so far stay cached for a resume. */
  signal?: AbortSignal;
  /** Per-model overrides, e.g. `{ context_window_size: 2048 }` for less VRAM. */
  chatOptions?: ChatOptions;
  /** Makes the engine; tests pass a double. Default `new MLCEngine()`. */
  createEngine?: () => WebLlmEngine;
  /**
   * Called every 20 s while loading, to keep the extension's service worker alive through a long
   * download (an extension API call resets its idle timer). Default: `chrome.runtime.getPlatformInfo`
   * when there is a `chrome` global.
   */
  keepAlive?: () => void;
}

/**
 * Create a WebLLM engine and load `modelId` into it (downloading what is not cached yet). Resolves
 * with the loaded engine, ready for LlmExtractor / LlmDecider; rejects with an AbortError when
 * cancelled, or with WebLLM's error (no WebGPU, shader-f16 missing, device lost, network).
 */
export async function loadWebLlm(modelId: string, options: LoadWebLlmOptions = {}): Promise<WebLlmEngine> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  if (!webLlmModelInfo(modelId)) throw new Error(`WebLLM does not know the model "${modelId}"`);
  const engine = options.createEngine ? options.createEngine() : new MLCEngine();
  engine.setInitProgressCallback((report) => {
    if (!signal?.aborted) onProgress?.({ progress: report.progress, text: report.text, timeElapsed: report.timeElapsed });
  });
  const cancel = (): void => {
    void engine.unload().catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel, { once: true });
  const keepAlive = options.keepAlive ?? chromeKeepAlive();
  const timer = keepAlive ? setInterval(keepAlive, 20_000) : undefined;
  try {
    await engine.reload(modelId, options.chatOptions);
    // WebLLM's reload() returns quietly when unload() aborted it.
    signal?.throwIfAborted();
    return engine;
  } catch (error) {
    if (!signal?.aborted) await engine.unload().catch(() => undefined);
    throw signal?.aborted ? abortError(signal) : error;
  } finally {
    signal?.removeEventListener('abort', cancel);
    clearInterval(timer);
  }
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The model download was cancelled', 'AbortError');
}

function chromeKeepAlive(): (() => void) | undefined {
  const runtime = (globalThis as { chrome?: { runtime?: { getPlatformInfo?: () => Promise<unknown> } } }).chrome?.runtime;
  const ping = runtime?.getPlatformInfo;
  return ping ? () => void ping.call(runtime).catch(() => undefined) : undefined;
}

/** Which of `modelIds` (default: every tier's builds) are fully in WebLLM's cache. */
export async function cachedModels(modelIds: readonly string[] = WEBLLM_TIERS.flatMap((t) => [t.modelId, t.f32ModelId])): Promise<string[]> {
  const cached = await Promise.all(modelIds.map((id) => hasModelInCache(id).catch(() => false)));
  return modelIds.filter((_, i) => cached[i]);
}

/** Remove a model's weights, tokenizer, config and library from WebLLM's cache. */
export async function deleteCachedModel(modelId: string): Promise<void> {
  await deleteModelAllInfoInCache(modelId);
}

/**
 * Messages between the service worker and the offscreen document that hosts WebLLM and, in
 * Chrome, a downloaded embedding model. WebLLM (6 MB of JavaScript) lives there, not in the
 * service worker: loaded in the worker it tripled the worker's wake-up time on every send
 * (measured: ~320 ms against ~115 ms), while the offscreen document starts only when a local AI
 * model is used. transformers.js (~540 KB with onnxruntime-web's JS) lives there too, for the same
 * reason: the worker parsed it at every start though only a downloaded model uses it.
 */
import type { WebGpuSupport } from '../core/status';
import type { ChatModelRequest, ChatModelResponse } from '../ports/chat-model';

/**
 * A downloaded (or non-static) embedding model, as the offscreen document loads it with
 * TransformersEmbedder. Its files' URLs inside the extension are the document's own to work out.
 */
export interface OffscreenEmbedModel {
  modelId: string;
  dtype: 'fp32' | 'fp16' | 'q8';
  /** Where to download from: set only for a hub model, after the user agreed. */
  remoteHost?: string;
}

export interface OffscreenRequests {
  webgpu: { data: undefined; reply: WebGpuSupport };
  load: { data: { modelId: string }; reply: { loaded: true } };
  cancel: { data: undefined; reply: { cancelled: boolean } };
  unload: { data: undefined; reply: { unloaded: true } };
  complete: { data: ChatModelRequest; reply: ChatModelResponse };
  interrupt: { data: undefined; reply: { interrupted: true } };
  cached: { data: { modelIds: string[] }; reply: { cached: string[] } };
  deleteCached: { data: { modelId: string }; reply: { deleted: true } };
  /** Load (downloading if need be) an embedding model; progress comes as `embedProgress`. */
  embedLoad: { data: { model: OffscreenEmbedModel }; reply: { loaded: true } };
  /** Embed texts (a query's prefix is already on it). Vectors cross as plain number arrays. */
  embed: { data: { model: OffscreenEmbedModel; texts: string[] }; reply: { vectors: number[][] } };
}

export type OffscreenRequest = {
  [K in keyof OffscreenRequests]: { target: 'engram-offscreen'; type: K; data: OffscreenRequests[K]['data'] };
}[keyof OffscreenRequests];

export type OffscreenReply<K extends keyof OffscreenRequests> = { ok: true; value: OffscreenRequests[K]['reply'] } | { ok: false; error: string };

/** Progress of a model load, sent by the offscreen document to the service worker. */
export interface OffscreenProgress {
  target: 'engram-background';
  type: 'llmProgress';
  progress: number;
  text: string;
  timeElapsed: number;
}

/** Download progress of an embedding model's file, 0–100, sent by the offscreen document. */
export interface OffscreenEmbedProgress {
  target: 'engram-background';
  type: 'embedProgress';
  modelId: string;
  file: string;
  percent: number;
  loaded: number;
  total: number;
}

export function isOffscreenRequest(message: unknown): message is OffscreenRequest {
  return typeof message === 'object' && message !== null && (message as { target?: unknown }).target === 'engram-offscreen';
}

function toBackground(message: unknown): message is { target: 'engram-background'; type?: unknown } {
  return typeof message === 'object' && message !== null && (message as { target?: unknown }).target === 'engram-background';
}

export function isOffscreenProgress(message: unknown): message is OffscreenProgress {
  return toBackground(message) && message.type === 'llmProgress';
}

export function isOffscreenEmbedProgress(message: unknown): message is OffscreenEmbedProgress {
  return toBackground(message) && message.type === 'embedProgress';
}

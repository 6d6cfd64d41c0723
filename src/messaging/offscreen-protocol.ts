/**
 * Messages between the service worker and the offscreen document that hosts WebLLM. WebLLM
 * (6 MB of JavaScript) lives there, not in the service worker: loaded in the worker it tripled
 * the worker's wake-up time on every send (measured: ~320 ms against ~115 ms), while the
 * offscreen document starts only when a local AI model is used.
 */
import type { WebGpuSupport } from '../core/status';
import type { ChatModelRequest, ChatModelResponse } from '../ports/chat-model';

export interface OffscreenRequests {
  webgpu: { data: undefined; reply: WebGpuSupport };
  load: { data: { modelId: string }; reply: { loaded: true } };
  cancel: { data: undefined; reply: { cancelled: boolean } };
  unload: { data: undefined; reply: { unloaded: true } };
  complete: { data: ChatModelRequest; reply: ChatModelResponse };
  interrupt: { data: undefined; reply: { interrupted: true } };
  cached: { data: { modelIds: string[] }; reply: { cached: string[] } };
  deleteCached: { data: { modelId: string }; reply: { deleted: true } };
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

export function isOffscreenRequest(message: unknown): message is OffscreenRequest {
  return typeof message === 'object' && message !== null && (message as { target?: unknown }).target === 'engram-offscreen';
}

export function isOffscreenProgress(message: unknown): message is OffscreenProgress {
  return typeof message === 'object' && message !== null && (message as { target?: unknown }).target === 'engram-background';
}

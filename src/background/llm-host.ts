/**
 * Where WebLLM runs: the one place that knows the browsers differ here.
 *
 * - Chrome's background is a service worker. WebLLM (6 MB of JavaScript) runs in an offscreen
 *   document, created when a local AI model is first used (offscreen-llm-client.ts), so the worker
 *   stays small and quick to wake.
 * - Firefox has no offscreen documents, and needs none: its background is an event page, a
 *   document that can import modules, use WebGPU (where Firefox offers it), WASM and the Cache API.
 *   WebLLM is imported into it on first use (`import()`), so the page's start-up does not pay for it.
 *
 * The choice is made by capability (`chrome.offscreen`, else a document to import into). Each build
 * also leaves out the host its browser cannot use: Chrome's has no in-page host (a service worker
 * may not `import()`), Firefox's has no offscreen client (AMO's linter rejects calls to an API
 * Firefox lacks). Elsewhere Firefox differs only where an API is missing, checked where it is used
 * (storage.session.setAccessLevel, in lock/extension-lock.ts).
 */
import { webGpuSupport, type WebGpuSupport } from '../adapters/llm/webllm-tiers';
import type { ExtractionManagerDeps } from './extraction-manager';
import { offscreenWebLlm } from './offscreen-llm-client';

/** What the ExtractionManager needs of a WebLLM host. */
export type WebLlmHost = Pick<ExtractionManagerDeps, 'webgpu' | 'loadWebLlm' | 'cachedModels' | 'deleteCachedModel'>;

/** What a context offers to host WebLLM (read from the running browser by `detectCapabilities`). */
export interface LlmHostCapabilities {
  /** chrome.offscreen.createDocument exists (Chrome's service worker). */
  offscreen: boolean;
  /** The background is a document (Firefox's event page): modules can be imported into it. */
  document: boolean;
  /** navigator.gpu exists in this context. */
  webgpu: boolean;
}

export function detectCapabilities(scope: object = globalThis): LlmHostCapabilities {
  const g = scope as {
    chrome?: { offscreen?: { createDocument?: unknown } };
    document?: unknown;
    navigator?: { gpu?: unknown };
  };
  return {
    offscreen: typeof g.chrome?.offscreen?.createDocument === 'function',
    document: typeof g.document === 'object' && g.document !== null,
    webgpu: g.navigator?.gpu !== undefined,
  };
}

/** The WebLLM module, imported on first use. */
type WebLlmModule = typeof import('../adapters/llm/webllm');

/**
 * Said when the browser offers no WebGPU to the background page (Firefox turns it on system by
 * system). The popup adds that the built-in rules are in use (src/ui/llm-panel.tsx).
 */
export const NO_WEBGPU_IN_PAGE =
  'WebGPU is not available to Engram in this browser (Firefox turns it on system by system); a local model server (Ollama, LM Studio) works instead';

/** Said where the browser has neither an offscreen document nor a background page to run WebLLM in. */
export const NO_WEBLLM_HOST = 'this browser gives extensions no place to run a local AI model; a local model server (Ollama, LM Studio) works instead';

/**
 * WebLLM in the background page itself (Firefox). `load` imports the module the first time any
 * WebLLM call needs it; the WebGPU check never does.
 */
export function inPageWebLlm(load: () => Promise<WebLlmModule> = () => import('../adapters/llm/webllm'), gpu: () => boolean = () => detectCapabilities().webgpu): WebLlmHost {
  let module: Promise<WebLlmModule> | null = null;
  const webllm = (): Promise<WebLlmModule> =>
    (module ??= load().catch((error: unknown) => {
      module = null; // a later call tries again
      throw error;
    }));
  return {
    webgpu: async (): Promise<WebGpuSupport> => (gpu() ? webGpuSupport() : { supported: false, reason: NO_WEBGPU_IN_PAGE }),
    cachedModels: async () => (await webllm()).cachedModels(),
    deleteCachedModel: async (modelId) => {
      await (await webllm()).deleteCachedModel(modelId);
    },
    loadWebLlm: async (modelId, options) => (await webllm()).loadWebLlm(modelId, options),
  };
}

/** No context to run WebLLM in: the status says so, and the rules (or a local server) extract. */
export function noWebLlm(reason: string): WebLlmHost {
  return {
    webgpu: () => Promise.resolve({ supported: false, reason }),
    cachedModels: () => Promise.resolve([]),
    deleteCachedModel: () => Promise.resolve(),
    loadWebLlm: () => Promise.reject(new Error(reason)),
  };
}

/** The hosts this build carries (see the top of this file); null: left out of this browser's build. */
export interface LlmHosts {
  offscreen: (() => WebLlmHost) | null;
  inPage: (() => WebLlmHost) | null;
}

const BUILT_HOSTS: LlmHosts = {
  offscreen: import.meta.env.FIREFOX ? null : offscreenWebLlm,
  inPage: import.meta.env.FIREFOX ? () => inPageWebLlm() : null,
};

/**
 * The WebLLM host for this browser: the offscreen document where there is one, else the
 * background page itself, else none (the status says why).
 *
 * @example
 * new ExtractionManager({ ...deps, ...webLlmHost() }); // extension-engine.ts
 */
export function webLlmHost(capabilities: LlmHostCapabilities = detectCapabilities(), hosts: LlmHosts = BUILT_HOSTS): WebLlmHost {
  if (capabilities.offscreen && hosts.offscreen) return hosts.offscreen();
  if (capabilities.document && hosts.inPage) return hosts.inPage();
  return noWebLlm(NO_WEBLLM_HOST);
}

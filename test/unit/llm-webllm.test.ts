// @vitest-environment node
/**
 * The WebLLM path without a GPU: the tiers against WebLLM's own model list, the download hosts
 * against its URLs, the WebGPU capability check on fake adapters, and loading and cancelling on
 * an engine double. (A real model cannot be downloaded here.)
 */
import { prebuiltAppConfig, type InitProgressCallback } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WEBLLM_TIER,
  WEBLLM_HOST_ORIGINS,
  WEBLLM_TIERS,
  loadWebLlm,
  modelIdFor,
  tierOf,
  vramOf,
  webGpuSupport,
  webLlmModelInfo,
  type GpuAdapterLike,
  type WebLlmEngine,
} from '../../src/adapters/llm/webllm';

const matches = (pattern: string, url: string): boolean => {
  const [, scheme, host, path] = /^(\w+):\/\/([^/]+)(\/.*)$/.exec(pattern)!;
  const u = new URL(url);
  const hostRe = new RegExp(`^${host!.replace(/\./g, '\\.').replace('*\\.', '(?:[^.]+\\.)*')}$`);
  return u.protocol === `${scheme!}:` && hostRe.test(u.hostname) && u.pathname.startsWith(path!.replace(/\*$/, ''));
};

describe('model tiers', () => {
  it('are all WebLLM prebuilt models, and the default fits in about 1 GB of VRAM', () => {
    for (const tier of WEBLLM_TIERS) {
      expect(webLlmModelInfo(tier.modelId), tier.modelId).not.toBeNull();
      expect(webLlmModelInfo(tier.f32ModelId), tier.f32ModelId).not.toBeNull();
    }
    const byId = Object.fromEntries(WEBLLM_TIERS.map((t) => [t.id, webLlmModelInfo(t.modelId)?.vramMB]));
    expect(byId).toEqual({ small: 944.62, default: 879.04, quality: 1629.75 }); // the numbers in webllm-tiers.ts's comment
    for (const tier of WEBLLM_TIERS) {
      // webllm-tiers.ts holds WebLLM's numbers without importing WebLLM: they must agree.
      expect(tier.vramMB, tier.modelId).toBe(webLlmModelInfo(tier.modelId)?.vramMB);
      expect(tier.f32VramMB, tier.f32ModelId).toBe(webLlmModelInfo(tier.f32ModelId)?.vramMB);
      expect(tierOf(tier.f32ModelId)).toEqual({ tier, vramMB: tier.f32VramMB });
    }
    expect(tierOf('GPT-5')).toBeNull();
    expect(vramOf('Llama-3.2-1B-Instruct-q4f32_1-MLC')).toBe(1128.82);
    const defaultTier = WEBLLM_TIERS.find((t) => t.id === DEFAULT_WEBLLM_TIER)!;
    expect(webLlmModelInfo(defaultTier.modelId)!.vramMB).toBeLessThan(1024);
    expect(webLlmModelInfo(defaultTier.modelId)!.lowResource).toBe(true);
  });

  it('are light: webllm-tiers.ts does not import WebLLM', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(new URL('../../src/adapters/llm/webllm-tiers.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^import\b/m);
    expect(await readFile(new URL('../../src/adapters/llm/hosts.ts', import.meta.url), 'utf8')).not.toMatch(/^import /m);
  });

  it('use the q4f32 build on GPUs without shader-f16', () => {
    expect(modelIdFor('default', { shaderF16: true })).toBe('Llama-3.2-1B-Instruct-q4f16_1-MLC');
    expect(modelIdFor('default', { shaderF16: false })).toBe('Llama-3.2-1B-Instruct-q4f32_1-MLC');
    expect(modelIdFor('small', { shaderF16: true })).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
  });

  it('download only from the hosts the manifest may ask for', () => {
    const urls = WEBLLM_TIERS.flatMap((t) => [t.modelId, t.f32ModelId]).flatMap((id) => {
      const info = webLlmModelInfo(id)!;
      return [info.weightsUrl, info.libraryUrl];
    });
    for (const url of urls) expect(WEBLLM_HOST_ORIGINS.some((p) => matches(p, url)), url).toBe(true);
    // …and WebLLM's whole list uses no other host.
    const hosts = new Set(prebuiltAppConfig.model_list.flatMap((m) => [new URL(m.model).host, new URL(m.model_lib).host]));
    expect([...hosts].sort()).toEqual(['huggingface.co', 'raw.githubusercontent.com']);
  });
});

const adapter = (overrides: Partial<GpuAdapterLike['limits']> = {}, features: string[] = ['shader-f16']): GpuAdapterLike => ({
  features: new Set(features),
  limits: {
    maxBufferSize: 2 ** 31,
    maxStorageBufferBindingSize: 2 ** 30,
    maxComputeWorkgroupStorageSize: 32768,
    maxStorageBuffersPerShaderStage: 10,
    ...overrides,
  },
  info: { vendor: 'nvidia', architecture: 'ampere' },
});

describe('webGpuSupport', () => {
  it('reports a capable GPU and whether it has shader-f16', async () => {
    expect(await webGpuSupport({ requestAdapter: () => Promise.resolve(adapter()) })).toEqual({
      supported: true,
      shaderF16: true,
      maxBufferSize: 2 ** 31,
      maxStorageBufferBindingSize: 2 ** 30,
      adapter: 'nvidia ampere',
    });
    expect(await webGpuSupport({ requestAdapter: () => Promise.resolve(adapter({}, [])) })).toMatchObject({ supported: true, shaderF16: false });
  });

  it('says why when it cannot run a model', async () => {
    expect(await webGpuSupport(undefined)).toEqual({ supported: false, reason: expect.stringMatching(/WebGPU is not available/) as unknown });
    expect(await webGpuSupport({ requestAdapter: () => Promise.resolve(null) })).toMatchObject({ supported: false, reason: expect.stringMatching(/no usable GPU/) as unknown });
    expect(await webGpuSupport({ requestAdapter: () => Promise.reject(new Error('GPU process crashed')) })).toMatchObject({
      supported: false,
      reason: expect.stringMatching(/GPU process crashed/) as unknown,
    });
    expect(await webGpuSupport({ requestAdapter: () => Promise.resolve(adapter({ maxStorageBufferBindingSize: 2 ** 26 })) })).toMatchObject({
      supported: false,
      reason: expect.stringMatching(/maxStorageBufferBindingSize/) as unknown,
    });
  });
});

/** Loads slowly, in steps, until unloaded (as WebLLM's reload returns quietly when aborted). */
class SlowEngine implements WebLlmEngine {
  unloads = 0;
  #progress: InitProgressCallback | undefined;
  #abort: (() => void) | null = null;
  readonly chat = { completions: { create: () => Promise.reject(new Error('not loaded')) } };
  constructor(private readonly fail?: Error) {}
  setInitProgressCallback(callback: InitProgressCallback): void {
    this.#progress = callback;
  }
  reload(modelId: string): Promise<void> {
    this.#progress?.({ progress: 0.1, timeElapsed: 1, text: `Fetching ${modelId}` });
    if (this.fail) return Promise.reject(this.fail);
    return new Promise((resolve) => (this.#abort = resolve));
  }
  unload(): Promise<void> {
    this.unloads++;
    this.#abort?.();
    return Promise.resolve();
  }
}

describe('loadWebLlm', () => {
  it('cancels a download: the engine is unloaded and the load rejects with an AbortError', async () => {
    const engine = new SlowEngine();
    const controller = new AbortController();
    const texts: string[] = [];
    const loading = loadWebLlm('Llama-3.2-1B-Instruct-q4f16_1-MLC', {
      createEngine: () => engine,
      signal: controller.signal,
      onProgress: (p) => texts.push(p.text),
      keepAlive: () => undefined,
    });
    await Promise.resolve();
    controller.abort();
    await expect(loading).rejects.toMatchObject({ name: 'AbortError' });
    expect(engine.unloads).toBe(1);
    expect(texts).toEqual(['Fetching Llama-3.2-1B-Instruct-q4f16_1-MLC']);
  });

  it('does not start when already cancelled, nor for a model WebLLM does not know', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(loadWebLlm('Llama-3.2-1B-Instruct-q4f16_1-MLC', { signal: controller.signal, createEngine: () => new SlowEngine() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(loadWebLlm('GPT-5-q4f16_1-MLC', { createEngine: () => new SlowEngine() })).rejects.toThrow(/does not know the model/);
  });

  it("passes WebLLM's error on and frees the engine", async () => {
    const engine = new SlowEngine(new Error('This model requires WebGPU extension shader-f16'));
    await expect(loadWebLlm('Llama-3.2-1B-Instruct-q4f16_1-MLC', { createEngine: () => engine, keepAlive: () => undefined })).rejects.toThrow(/shader-f16/);
    expect(engine.unloads).toBe(1);
  });
});

// @vitest-environment node
/**
 * Choosing the extractor: the rule-based one by default; WebLLM (here an engine double that
 * speaks WebLLM's interface, driven through the real loader) after consent, with progress,
 * cancel and resume; a fallback to the rules, said out loud, when the model fails.
 */
import { describe, expect, it } from 'vitest';
import { loadWebLlm } from '../../src/adapters/llm/webllm';
import type { WebGpuSupport } from '../../src/adapters/llm/webllm-tiers';
import { createEngine } from '../../src/engine/create-engine';
import { ExtractionManager } from '../../src/background/extraction-manager';
import type { ChatModelRequest } from '../../src/ports/chat-model';
import { HashingEmbedder } from '../support/fake-embedder';
import { InMemoryStore } from '../../src/adapters/in-memory-store';

const GPU: WebGpuSupport = { supported: true, shaderF16: true, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, adapter: 'test gpu' };

/** A WebLLM engine double: reload reports progress; completions answer from a script. */
function engineDouble(answer: (req: ChatModelRequest) => Promise<string>, reloadMs = 0) {
  let progress: ((r: { progress: number; text: string; timeElapsed: number }) => void) | null = null;
  const engine = {
    reloads: [] as string[],
    unloaded: 0,
    setInitProgressCallback(cb: typeof progress) {
      progress = cb;
    },
    async reload(modelId: string) {
      engine.reloads.push(modelId);
      progress?.({ progress: 0.5, text: 'Fetching param cache[1/2]', timeElapsed: 1 });
      await new Promise((r) => setTimeout(r, reloadMs));
      progress?.({ progress: 1, text: 'Finish loading', timeElapsed: 2 });
    },
    unload() {
      engine.unloaded++;
      return Promise.resolve();
    },
    chat: {
      completions: {
        create: async (req: ChatModelRequest) => ({
          choices: [{ index: 0, message: { role: 'assistant' as const, content: await answer(req) }, finish_reason: 'stop' as const }],
        }),
      },
    },
  };
  return engine;
}

function setup(options: { consent?: boolean; gpu?: WebGpuSupport; engine?: ReturnType<typeof engineDouble>; timeoutMs?: number } = {}) {
  const store = new InMemoryStore();
  const { memory } = createEngine({ store, embedder: new HashingEmbedder(), hnsw: null });
  const engine =
    options.engine ??
    engineDouble((req) =>
      Promise.resolve(
        JSON.stringify(
          req.response_format?.schema?.includes('"facts"') ?? JSON.stringify(req.messages).includes('facts')
            ? { facts: [{ text: 'User is vegetarian', category: 'food' }] }
            : { event: 'ADD' },
        ),
      ),
    );
  const progress: number[] = [];
  const manager = new ExtractionManager({
    memory,
    store,
    consent: { granted: () => Promise.resolve(options.consent ?? true) },
    webllmOrigins: ['https://huggingface.co/*'],
    localOrigins: ['http://localhost/*'],
    webgpu: () => Promise.resolve(options.gpu ?? GPU),
    loadWebLlm: (modelId, opts) =>
      loadWebLlm(modelId, {
        ...opts,
        createEngine: () => engine,
        keepAlive: () => undefined,
        onProgress: (p) => {
          progress.push(p.progress);
          opts.onProgress?.(p);
        },
      }),
    cachedModels: () => Promise.resolve(engine.reloads),
    deleteCachedModel: () => Promise.resolve(),
    localServer: () => engine,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { manager, memory, store, engine, progress };
}

describe('ExtractionManager', () => {
  it('uses the rule-based extractor until the user chooses a model', async () => {
    const { manager } = setup();
    const status = await manager.status();
    expect(status.extractor).toBe('rule-based');
    expect(status.tiers.map((t) => t.tier)).toEqual(['small', 'default', 'quality']);
    expect(status.tiers.every((t) => (t.vramMB ?? 0) > 0 && t.downloadMB > 0 && !t.cached)).toBe(true);
  });

  it('downloads nothing without consent, or without WebGPU', async () => {
    const refused = setup({ consent: false });
    await expect(refused.manager.enableWebLlm('default')).rejects.toThrow(/until you allow it/);
    expect(refused.engine.reloads).toEqual([]);
    const noGpu = setup({ gpu: { supported: false, reason: 'WebGPU found no usable GPU' } });
    await expect(noGpu.manager.enableWebLlm('default')).rejects.toThrow(/no usable GPU/);
    expect(noGpu.engine.reloads).toEqual([]);
  });

  it('loads the model with progress, then extracts with it, and brings it back after a restart', async () => {
    const { manager, memory, store, engine, progress } = setup();
    await manager.enableWebLlm('default');
    expect(progress).toEqual([0.5, 1]);
    const status = await manager.status();
    expect(status.extractor).toBe('webllm:Llama-3.2-1B-Instruct-q4f16_1-MLC');
    expect(status.job).toEqual({ phase: 'ready', modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' });
    expect(status.tiers.find((t) => t.tier === 'default')?.cached).toBe(true);
    const { results } = await memory.add('I never eat meat, you know', { userId: 'me' });
    expect(results.map((r) => r.memory)).toEqual(['User is vegetarian']);

    const restarted = setup({ engine });
    await restarted.store.setSetting('extractionChoice', (await store.getSetting('extractionChoice')) ?? null);
    await restarted.manager.restore();
    expect(restarted.memory.extractorName).toBe('webllm:Llama-3.2-1B-Instruct-q4f16_1-MLC');
  });

  it('cancels a download: stays on the rules; enabling again resumes', async () => {
    const engine = engineDouble(() => Promise.resolve('{"facts": []}'), 200);
    const { manager, memory } = setup({ engine });
    const enabling = manager.enableWebLlm('small');
    await new Promise((r) => setTimeout(r, 20));
    manager.cancel();
    await expect(enabling).rejects.toThrow();
    expect((await manager.status()).job).toMatchObject({ phase: 'cancelled' });
    expect(memory.extractorName).toBe('rule-based');
    await manager.enableWebLlm('small');
    expect(memory.extractorName).toBe('webllm:Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
  });

  it('falls back to the rules when the model hangs, says so, and loses no turn', async () => {
    const hanging = engineDouble(() => new Promise<string>(() => undefined));
    const { manager, memory } = setup({ engine: hanging, timeoutMs: 50 });
    await manager.enableWebLlm('default');
    const { results } = await memory.add("I'm vegetarian and I live in Berlin", { userId: 'me' });
    expect(results.map((r) => r.memory).sort()).toEqual(['I live in Berlin', "I'm vegetarian"]);
    expect((await manager.status()).note).toMatch(/built-in rules/);
  });

  it('stays on the rules and explains why when the chosen model cannot load at start-up', async () => {
    const broken = engineDouble(() => Promise.resolve('{}'));
    broken.reload = () => Promise.reject(new Error('Device lost'));
    const { manager, memory, store } = setup({ engine: broken });
    await store.setSetting('extractionChoice', { kind: 'webllm', modelId: 'Llama-3.2-1B-Instruct-q4f16_1-MLC' });
    await manager.restore();
    expect(memory.extractorName).toBe('rule-based');
    expect((await manager.status()).note).toMatch(/could not load \(Device lost\)/);
  });

  it('switches back to the rules on disable', async () => {
    const { manager, memory, engine } = setup();
    await manager.enableWebLlm('default');
    await manager.disable();
    expect(memory.extractorName).toBe('rule-based');
    expect(engine.unloaded).toBeGreaterThan(0);
  });
});

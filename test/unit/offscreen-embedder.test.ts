// @vitest-environment node
/**
 * Chrome's downloaded embedding model runs in the offscreen document (src/adapters/offscreen-embedder.ts
 * in the worker, src/offscreen/embedder-host.ts in the document): the requests the worker sends, its
 * errors, download progress taken only from the extension's own document, vectors back as
 * Float32Array, and the same vectors as TransformersEmbedder run directly.
 */
import { describe, expect, it, vi } from 'vitest';
import { OffscreenEmbedder, type OffscreenEmbedderOptions, type OffscreenEmbedderTransport } from '../../src/adapters/offscreen-embedder';
import { TransformersEmbedder } from '../../src/adapters/transformers-embedder';
import { embedderHost } from '../../src/offscreen/embedder-host';
import type { OffscreenEmbedProgress, OffscreenRequests } from '../../src/messaging/offscreen-protocol';
import { BUNDLED_MODEL } from '../../src/engine/models';
import { ensureBundledModel, MODELS_DIR } from '../support/model';

const RUNTIME_ID = 'engram-extension-id';
const HUB = 'https://huggingface.co/';
const MODEL: OffscreenEmbedderOptions = { modelId: 'Xenova/bge-small-en-v1.5', dtype: 'q8', remoteHost: HUB, queryPrefix: 'Represent: ' };

type Listener = (message: unknown, sender: chrome.runtime.MessageSender) => void;
type Call = { type: keyof OffscreenRequests; data: unknown };

/** chrome.runtime as the worker sees it, with the offscreen document answered by `answer`. */
function fakeRuntime(answer: (type: string, data: unknown, runtime: { emit: (message: unknown, sender: chrome.runtime.MessageSender) => void }) => Promise<unknown>) {
  const calls: Call[] = [];
  const listeners = new Set<Listener>();
  const runtime = {
    emit(message: unknown, sender: chrome.runtime.MessageSender) {
      for (const listener of listeners) listener(message, sender);
    },
  };
  const transport: OffscreenEmbedderTransport = {
    runtimeId: RUNTIME_ID,
    call: (async (type: keyof OffscreenRequests, data: unknown) => {
      // Messages are cloned on their way (JSON here: what crosses must be plain data).
      calls.push({ type, data: JSON.parse(JSON.stringify(data)) as unknown });
      return JSON.parse(JSON.stringify(await answer(type, data, runtime))) as unknown;
    }) as OffscreenEmbedderTransport['call'],
    listen(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { calls, transport, runtime, listeners };
}

const fromDocument: chrome.runtime.MessageSender = { id: RUNTIME_ID, url: `chrome-extension://${RUNTIME_ID}/offscreen.html` };
const progress = (p: Partial<OffscreenEmbedProgress>): OffscreenEmbedProgress => ({
  target: 'engram-background',
  type: 'embedProgress',
  modelId: MODEL.modelId,
  file: 'onnx/model_quantized.onnx',
  percent: 50,
  loaded: 5,
  total: 10,
  ...p,
});

describe('OffscreenEmbedder (the worker side)', () => {
  it('loads the model once, naming it, its dtype and the hub it may download from', async () => {
    const { calls, transport } = fakeRuntime(() => Promise.resolve({ loaded: true }));
    const embedder = new OffscreenEmbedder(MODEL, transport);
    expect(embedder.modelId).toBe(MODEL.modelId);
    await Promise.all([embedder.load(), embedder.load()]);
    await embedder.load();
    expect(calls).toEqual([{ type: 'embedLoad', data: { model: { modelId: MODEL.modelId, dtype: 'q8', remoteHost: HUB } } }]);
  });

  it('never names a host for a model that is not downloaded', async () => {
    const { calls, transport } = fakeRuntime(() => Promise.resolve({ loaded: true }));
    await new OffscreenEmbedder({ modelId: 'local-model', dtype: 'fp32' }, transport).load();
    expect(calls[0]?.data).toEqual({ model: { modelId: 'local-model', dtype: 'fp32' } });
  });

  it('sends texts as they are, queries with the model’s prefix, and gives Float32Arrays back', async () => {
    const { calls, transport } = fakeRuntime((type, data) => {
      if (type === 'embedLoad') return Promise.resolve({ loaded: true });
      const { texts } = data as OffscreenRequests['embed']['data'];
      return Promise.resolve({ vectors: texts.map((_, i) => [i, 0.5, -0.25]) });
    });
    const embedder = new OffscreenEmbedder(MODEL, transport);
    const batch = await embedder.embedBatch(['I live in Berlin', 'I like tea']);
    expect(batch.every((v) => v instanceof Float32Array)).toBe(true);
    expect(batch.map((v) => [...v])).toEqual([
      [0, 0.5, -0.25],
      [1, 0.5, -0.25],
    ]);
    const one = await embedder.embed('hello');
    expect(one).toBeInstanceOf(Float32Array);
    await embedder.embedQuery('where do I live?');
    expect(await embedder.embedBatch([])).toEqual([]);
    const model = { modelId: MODEL.modelId, dtype: 'q8', remoteHost: HUB };
    expect(calls).toEqual([
      { type: 'embedLoad', data: { model } },
      { type: 'embed', data: { model, texts: ['I live in Berlin', 'I like tea'] } },
      { type: 'embed', data: { model, texts: ['hello'] } },
      { type: 'embed', data: { model, texts: ['Represent: where do I live?'] } },
    ]);
  });

  it('surfaces a failed load clearly, and tries again on the next call', async () => {
    let fail = true;
    const { calls, transport } = fakeRuntime(() => (fail ? Promise.reject(new Error('Failed to fetch')) : Promise.resolve({ loaded: true })));
    const embedder = new OffscreenEmbedder(MODEL, transport);
    await expect(embedder.load()).rejects.toThrow(`Engram could not load the embedding model "${MODEL.modelId}": Failed to fetch`);
    await expect(embedder.embed('x')).rejects.toThrow('Failed to fetch');
    fail = false;
    await expect(embedder.load()).resolves.toBeUndefined();
    expect(calls.map((c) => c.type)).toEqual(['embedLoad', 'embedLoad', 'embedLoad']);
  });

  it('surfaces a failed embedding, and a reply with the wrong number of vectors', async () => {
    let reply: () => Promise<unknown> = () => Promise.reject(new Error('session run failed'));
    const { transport } = fakeRuntime((type) => (type === 'embedLoad' ? Promise.resolve({ loaded: true }) : reply()));
    const embedder = new OffscreenEmbedder(MODEL, transport);
    await expect(embedder.embed('x')).rejects.toThrow(`Engram could not embed with the model "${MODEL.modelId}": session run failed`);
    reply = () => Promise.resolve({ vectors: [[1]] });
    await expect(embedder.embedBatch(['a', 'b'])).rejects.toThrow('returned 1 vectors for 2 texts');
  });

  it('reports download progress from its own offscreen document only, and stops listening once loaded', async () => {
    const percents: { file: string; percent: number; loaded: number; total: number }[] = [];
    const { transport, listeners } = fakeRuntime((_type, _data, runtime) => {
      runtime.emit(progress({ percent: 10 }), fromDocument);
      runtime.emit(progress({ percent: 99 }), { ...fromDocument, tab: { id: 3 } as chrome.tabs.Tab }); // a page
      runtime.emit(progress({ percent: 98 }), { ...fromDocument, id: 'another-extension' });
      runtime.emit(progress({ percent: 97, modelId: 'another/model' }), fromDocument);
      runtime.emit({ target: 'engram-background', type: 'llmProgress', progress: 0.5, text: '', timeElapsed: 0 }, fromDocument);
      runtime.emit(progress({ percent: 100, loaded: 10 }), fromDocument);
      return Promise.resolve({ loaded: true });
    });
    const embedder = new OffscreenEmbedder({ ...MODEL, onProgress: (p) => percents.push(p) }, transport);
    await embedder.load();
    expect(percents).toEqual([
      { file: 'onnx/model_quantized.onnx', percent: 10, loaded: 5, total: 10 },
      { file: 'onnx/model_quantized.onnx', percent: 100, loaded: 10, total: 10 },
    ]);
    expect(listeners.size).toBe(0);
  });

  it('keeps the worker alive while the model downloads', async () => {
    vi.useFakeTimers();
    try {
      let finish: () => void = () => undefined;
      const keepAlive = vi.fn();
      const { transport } = fakeRuntime(
        () =>
          new Promise((resolve) => {
            finish = () => {
              resolve({ loaded: true });
            };
          }),
      );
      const loading = new OffscreenEmbedder(MODEL, { ...transport, keepAlive }).load();
      await vi.advanceTimersByTimeAsync(65_000);
      expect(keepAlive).toHaveBeenCalledTimes(3);
      finish();
      await loading;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(keepAlive).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('embedderHost (the offscreen document side)', () => {
  it('builds TransformersEmbedder with the extension’s model path and WASM, a host only for a hub model, forwards progress, keeps two models loaded', async () => {
    const made: unknown[] = [];
    const sent: OffscreenEmbedProgress[] = [];
    const host = embedderHost({
      localModelPath: 'chrome-extension://x/models/',
      wasmUrl: 'chrome-extension://x/ort/ort-wasm-simd-threaded.wasm',
      send: (m) => sent.push(m),
      create: (options) => {
        made.push({ ...options, onProgress: typeof options.onProgress });
        return {
          modelId: options.modelId,
          load: () => {
            options.onProgress?.({ file: 'a.onnx', percent: 42, loaded: 42, total: 100 });
            return Promise.resolve();
          },
          embedBatch: (texts) => Promise.resolve(texts.map(() => Float32Array.of(0.1, 0.2))),
          embed: () => Promise.reject(new Error('unused')),
          embedQuery: () => Promise.reject(new Error('unused')),
        };
      },
    });
    const model = { modelId: 'Xenova/bge-small-en-v1.5', dtype: 'q8' as const, remoteHost: HUB };
    expect(await host.embedLoad({ model })).toEqual({ loaded: true });
    const { vectors } = await host.embed({ model, texts: ['a'] });
    expect(vectors).toEqual([[Math.fround(0.1), Math.fround(0.2)]]);
    expect(Array.isArray(vectors[0])).toBe(true); // plain numbers: a Float32Array would not survive the message
    await host.embedLoad({ model: { modelId: 'local', dtype: 'fp32' } }); // a switch builds the next one
    expect(made).toEqual([
      { modelId: model.modelId, localModelPath: 'chrome-extension://x/models/', wasmUrl: 'chrome-extension://x/ort/ort-wasm-simd-threaded.wasm', dtype: 'q8', remoteHost: HUB, onProgress: 'function' },
      { modelId: 'local', localModelPath: 'chrome-extension://x/models/', wasmUrl: 'chrome-extension://x/ort/ort-wasm-simd-threaded.wasm', dtype: 'fp32', onProgress: 'function' },
    ]);
    expect(sent[0]).toEqual({ target: 'engram-background', type: 'embedProgress', modelId: model.modelId, file: 'a.onnx', percent: 42, loaded: 42, total: 100 });
    // During a switch the old model answers recalls while the new one re-embeds: both stay loaded;
    // a third drops the least recently used.
    await host.embed({ model, texts: ['b'] });
    expect(made).toHaveLength(2);
    await host.embedLoad({ model: { modelId: 'third', dtype: 'fp32' } });
    await host.embed({ model, texts: ['c'] });
    expect(made).toHaveLength(3);
    await host.embed({ model: { modelId: 'local', dtype: 'fp32' }, texts: ['d'] });
    expect(made).toHaveLength(4);
  });

  it('gives the worker the vectors TransformersEmbedder gives directly (the bundled model, through the message round trip)', async () => {
    ensureBundledModel();
    const direct = new TransformersEmbedder({ modelId: BUNDLED_MODEL, localModelPath: MODELS_DIR, queryPrefix: 'Represent: ' });
    const host = embedderHost({
      send: () => undefined,
      // Node: no chrome-extension:// URLs; the model from disk, onnxruntime-node's own runtime.
      create: ({ wasmUrl: _wasmUrl, ...options }) => new TransformersEmbedder({ ...options, localModelPath: MODELS_DIR }),
      localModelPath: MODELS_DIR,
      wasmUrl: 'unused',
    });
    const { transport } = fakeRuntime((type, data) =>
      type === 'embedLoad' ? host.embedLoad(data as OffscreenRequests['embedLoad']['data']) : host.embed(data as OffscreenRequests['embed']['data']),
    );
    const remote = new OffscreenEmbedder({ modelId: BUNDLED_MODEL, dtype: 'fp32', queryPrefix: 'Represent: ' }, transport);
    const texts = ['I live in Berlin', 'My sister is called Anna'];
    const [viaDocument, viaDirect] = await Promise.all([remote.embedBatch(texts), direct.embedBatch(texts)]);
    expect(viaDocument).toEqual(viaDirect);
    expect(await remote.embedQuery('where do I live?')).toEqual(await direct.embedQuery('where do I live?'));
  });
});

describe('the offscreen document’s listener', () => {
  it('answers embedding requests from the extension’s own worker only, errors as text', async () => {
    const { hostOffscreen } = await import('../../src/offscreen/offscreen-host');
    let listener: ((message: unknown, sender: chrome.runtime.MessageSender, reply: (r: unknown) => void) => boolean) | undefined;
    vi.stubGlobal('chrome', {
      runtime: {
        id: RUNTIME_ID,
        getURL: (p: string) => `chrome-extension://${RUNTIME_ID}${p}`,
        onMessage: { addListener: (l: typeof listener) => (listener = l) },
        sendMessage: () => Promise.resolve(),
      },
    });
    try {
      const embed = vi.fn((data: OffscreenRequests['embed']['data']) =>
        data.texts[0] === 'boom' ? Promise.reject(new Error('model exploded')) : Promise.resolve({ vectors: [[1, 2]] }),
      );
      hostOffscreen({ embedLoad: () => Promise.resolve({ loaded: true }), embed });
      const ask = (texts: string[], sender: chrome.runtime.MessageSender) =>
        new Promise<{ handled: boolean; reply?: unknown }>((resolve) => {
          const request = { target: 'engram-offscreen', type: 'embed', data: { model: { modelId: 'm', dtype: 'q8' }, texts } };
          const handled =
            listener?.(request, sender, (reply) => {
              resolve({ handled: true, reply });
            }) ?? false;
          if (!handled) resolve({ handled });
        });
      const worker: chrome.runtime.MessageSender = { id: RUNTIME_ID, url: `chrome-extension://${RUNTIME_ID}/background.js` };
      expect(await ask(['a'], { ...worker, tab: { id: 1 } as chrome.tabs.Tab, url: 'https://chatgpt.com/' })).toEqual({ handled: false });
      expect(await ask(['a'], { ...worker, id: 'another-extension' })).toEqual({ handled: false });
      expect(embed).not.toHaveBeenCalled();
      expect(await ask(['a'], worker)).toEqual({ handled: true, reply: { ok: true, value: { vectors: [[1, 2]] } } });
      expect(await ask(['boom'], worker)).toEqual({ handled: true, reply: { ok: false, error: 'model exploded' } });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

/**
 * Where WebLLM runs (src/background/llm-host.ts): chosen by what the browser offers, the offscreen
 * document (Chrome) or the background page itself (Firefox); WebLLM imported there on first use
 * only; without WebGPU the reason is given without importing it.
 */
import { describe, expect, it, vi } from 'vitest';
import { detectCapabilities, inPageWebLlm, NO_WEBGPU_IN_PAGE, NO_WEBLLM_HOST, webLlmHost, type WebLlmHost } from '../../src/background/llm-host';

type WebLlmModule = typeof import('../../src/adapters/llm/webllm');

const host = (name: string): WebLlmHost => ({
  webgpu: () => Promise.resolve({ supported: false, reason: name }),
  cachedModels: () => Promise.resolve([]),
  deleteCachedModel: () => Promise.resolve(),
  loadWebLlm: () => Promise.reject(new Error(name)),
});
const hosts = { offscreen: () => host('offscreen'), inPage: () => host('in-page') };
const reasonOf = async (h: WebLlmHost): Promise<string | undefined> => {
  const support = await h.webgpu();
  return support.supported ? undefined : support.reason;
};

describe('detectCapabilities', () => {
  it("reads Chrome's service worker: the offscreen API, no document", () => {
    const worker = { chrome: { offscreen: { createDocument: () => undefined } }, navigator: { gpu: {} } };
    expect(detectCapabilities(worker)).toEqual({ offscreen: true, document: false, webgpu: true });
  });

  it("reads Firefox's event page: a document, no offscreen API, WebGPU where Firefox has it", () => {
    expect(detectCapabilities({ chrome: {}, document: {}, navigator: {} })).toEqual({ offscreen: false, document: true, webgpu: false });
  });
});

describe('webLlmHost', () => {
  it('uses the offscreen document where the browser has one', async () => {
    expect(await reasonOf(webLlmHost({ offscreen: true, document: false, webgpu: true }, hosts))).toBe('offscreen');
  });

  it('runs WebLLM in the background page where there is no offscreen document but a document', async () => {
    expect(await reasonOf(webLlmHost({ offscreen: false, document: true, webgpu: false }, hosts))).toBe('in-page');
  });

  it('uses what the build carries: a build without the offscreen client runs it in the page', async () => {
    expect(await reasonOf(webLlmHost({ offscreen: true, document: true, webgpu: true }, { ...hosts, offscreen: null }))).toBe('in-page');
  });

  it('says so when there is nowhere to run it, and loads nothing', async () => {
    const none = webLlmHost({ offscreen: false, document: false, webgpu: false }, hosts);
    expect(await reasonOf(none)).toBe(NO_WEBLLM_HOST);
    expect(await none.cachedModels()).toEqual([]);
    await expect(none.loadWebLlm('m', {})).rejects.toThrow(NO_WEBLLM_HOST);
  });
});

describe('inPageWebLlm', () => {
  const fakeModule = (): WebLlmModule =>
    ({
      cachedModels: vi.fn(() => Promise.resolve(['m'])),
      deleteCachedModel: vi.fn(() => Promise.resolve()),
      loadWebLlm: vi.fn(() => Promise.reject(new Error('no GPU here'))),
    }) as unknown as WebLlmModule;

  it('gives the reason without WebGPU, without importing WebLLM', async () => {
    const load = vi.fn(() => Promise.resolve(fakeModule()));
    const page = inPageWebLlm(load, () => false);
    expect(await page.webgpu()).toEqual({ supported: false, reason: NO_WEBGPU_IN_PAGE });
    expect(load).not.toHaveBeenCalled();
  });

  it('imports WebLLM on first use, once', async () => {
    const module = fakeModule();
    const load = vi.fn(() => Promise.resolve(module));
    const page = inPageWebLlm(load, () => false);
    expect(await page.cachedModels()).toEqual(['m']);
    await page.deleteCachedModel('m');
    await expect(page.loadWebLlm('m', {})).rejects.toThrow('no GPU here');
    expect(load).toHaveBeenCalledTimes(1);
    expect(module.deleteCachedModel).toHaveBeenCalledWith('m');
  });

  it('tries the import again after it failed', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('chunk missing')).mockResolvedValue(fakeModule());
    const page = inPageWebLlm(load as () => Promise<WebLlmModule>, () => false);
    await expect(page.cachedModels()).rejects.toThrow('chunk missing');
    expect(await page.cachedModels()).toEqual(['m']);
  });
});

/**
 * A downloaded embedding model in Chrome runs in the offscreen document (issue 12: the service
 * worker carries no transformers.js): the worker asks it to load a hub model, which downloads from
 * a hub (a local server in the hub's URL layout serving the bundled model's own files under a hub
 * id, as test/unit/model-manager.test.ts does) with progress, and embeds with it.
 *
 * Two stand-ins, because a test reaches neither: Playwright's routing does not see the offscreen
 * document's requests (so the hub is a local server, which the extension's CSP allows as it allows
 * local model servers), and the model switch needs the hub's host permission, granted only through
 * the browser's prompt. The worker drives the document with the messages OffscreenEmbedder sends.
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { BrowserContext } from '@playwright/test';
import { expect, test } from './fixtures';

const HUB_ID = 'Snowflake/snowflake-arctic-embed-xs';
const MODEL_DIR = path.resolve('public/models/engram-glove-30k');

test('a hub model downloads and embeds in the offscreen document, driven by the service worker', async ({ context }) => {
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    // The hub's layout: /{repo}/resolve/{revision}/{file}
    const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
    const file = match && match[1] === HUB_ID ? path.join(MODEL_DIR, match[2]!.replace('model_quantized', 'model')) : '';
    const cors = { 'access-control-allow-origin': '*' };
    try {
      const body = readFileSync(file);
      served.push(match![2]!);
      res.writeHead(200, { ...cors, 'content-length': String(statSync(file).size) }).end(body);
    } catch {
      res.writeHead(404, cors).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const hubUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  try {
    await driveOffscreen(context, hubUrl, served);
  } finally {
    server.close();
  }
});

async function driveOffscreen(context: BrowserContext, hubUrl: string, served: string[]): Promise<void> {
  const [worker] = context.serviceWorkers();
  if (!worker) throw new Error('no service worker');
  expect(await worker.evaluate(() => chrome.offscreen.hasDocument())).toBe(false);

  const result = await worker.evaluate(async ({ hubId, hubUrl }) => {
    await chrome.offscreen.createDocument({ url: 'offscreen.html', reasons: [chrome.offscreen.Reason.WORKERS], justification: 'test' });
    const progress: number[] = [];
    chrome.runtime.onMessage.addListener((message: { target?: string; type?: string; percent?: number }) => {
      if (message.target === 'engram-background' && message.type === 'embedProgress') progress.push(message.percent ?? -1);
    });
    const send = (type: string, data: unknown) => chrome.runtime.sendMessage({ target: 'engram-offscreen', type, data });
    const hub = { modelId: hubId, dtype: 'q8', remoteHost: hubUrl };
    const local = { modelId: 'engram-glove-30k', dtype: 'fp32' };
    const load = (await send('embedLoad', { model: hub })) as unknown;
    const viaHub = (await send('embed', { model: hub, texts: ['I live in Berlin', 'My sister is Anna'] })) as { ok: boolean; value?: { vectors: number[][] }; error?: string };
    const viaLocal = (await send('embed', { model: local, texts: ['I live in Berlin', 'My sister is Anna'] })) as { ok: boolean; value?: { vectors: number[][] }; error?: string };
    return { load, viaHub, viaLocal, progress };
  }, { hubId: HUB_ID, hubUrl });

  expect(result.load).toEqual({ ok: true, value: { loaded: true } });
  expect(result.viaHub.error).toBeUndefined();
  const vectors = result.viaHub.value?.vectors ?? [];
  expect(vectors).toHaveLength(2);
  expect(vectors[0]).toHaveLength(100);
  expect(Math.hypot(...vectors[0]!)).toBeCloseTo(1, 4);
  // The hub's copy is the bundled model's files: the same vectors as the model shipped in the extension.
  expect(result.viaLocal.value?.vectors).toEqual(vectors);
  expect(served).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'onnx/model_quantized.onnx']));
  expect(result.progress.length).toBeGreaterThan(0);
}

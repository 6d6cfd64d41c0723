/**
 * "Your chats and memories are never sent anywhere": every request made while Engram captures a
 * fact, injects it into the next chat and searches it in the popup, with the bundled model, is
 * recorded and checked. Two recorders, so that neither's blind spot hides a request:
 *
 * - Playwright's network events of every page (the chat pages, the popup and, attached as a page,
 *   the offscreen document) and of the service worker, plus a catch-all route;
 * - Chromium's own NetLog (`--log-net-log`) of the whole browser, where every request that reaches
 *   the network stack is listed with the origin that made it.
 *
 * A canary request from the service worker to a local server proves, first, that both recorders see
 * what the worker sends; it is the one request the checks then leave out.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Request, Worker } from '@playwright/test';
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import {
  EXTENSION_DIR,
  expect,
  extensionIdOf,
  launchWithExtension,
  openNewChat,
  sendPrompt,
  SITES,
  test,
  type ReceivedPrompt,
} from './fixtures';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Any restaurant ideas near me?';

type EngramGlobal = { engram: { memory: { getAll(options: { filters: { user_id: string }; topK: number }): Promise<{ results: { memory: string }[] }> } } };

/** One request, and which context made it. */
interface Recorded {
  url: string;
  /** `service worker`, or the URL of the page (document) that made it. */
  by: string;
  /** Playwright's resource type (`document` for a navigation, `fetch`, `script`…). */
  type: string;
  how: string;
}

/** The page or worker a request came from, as Recorded.by. */
function madeBy(request: Request): string {
  if (request.serviceWorker()) return 'service worker';
  try {
    return request.frame().url();
  } catch {
    return 'unknown';
  }
}

/**
 * The origin of a URL, seen through blob: (`blob:https://chatgpt.com/…` → `https://chatgpt.com`);
 * `chrome-extension://<id>` for the extension (Node's URL gives such schemes an opaque origin).
 */
function originOf(url: string): string {
  if (url.startsWith('data:')) return 'data:';
  const parsed = new URL(url.startsWith('blob:') ? url.slice('blob:'.length) : url);
  return parsed.origin !== 'null' ? parsed.origin : parsed.host ? `${parsed.protocol}//${parsed.host}` : parsed.href;
}

/** The running service worker (it may have been stopped and started again since the last call). */
async function currentWorker(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

/** URL_REQUEST_START_JOB events of a NetLog file: each request that reached the network stack. */
function netLogRequests(file: string): { url: string; initiator: string }[] {
  let text = readFileSync(file, 'utf8').trimEnd();
  // Chromium closes the JSON on a clean exit; tolerate a log cut short all the same.
  if (!text.endsWith('}')) text = `${text.replace(/,$/, '')}]}`;
  const log = JSON.parse(text) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { url?: string; initiator?: string } }[];
  };
  const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  return log.events
    .filter((e) => e.type === start && typeof e.params?.url === 'string')
    .map((e) => ({ url: e.params!.url!, initiator: e.params!.initiator ?? 'none' }));
}

let canaryServer: Server | undefined;
test.afterEach(async () => {
  await new Promise<void>((resolve) => {
    if (canaryServer) canaryServer.close(() => { resolve(); });
    else resolve();
  });
  canaryServer = undefined;
});

test('capture, injection and popup search make no request outside the chat site and the extension', async ({ profileDir }) => {
  const [site] = SITES;
  if (!site) throw new Error('no site');
  const netLog = test.info().outputPath('netlog.json');

  const canaryHits: string[] = [];
  canaryServer = createServer((req, res) => {
    canaryHits.push(req.url ?? '');
    res.setHeader('access-control-allow-origin', '*');
    res.end('canary');
  });
  await new Promise<void>((resolve) => canaryServer!.listen(0, '127.0.0.1', resolve));
  // Allowed by the CSP (a local model server), so it reaches the network like any leak would.
  const canaryUrl = `http://127.0.0.1:${(canaryServer.address() as AddressInfo).port}/engram-network-canary`;

  const received: ReceivedPrompt[] = [];
  // Playwright leaves "other" targets alone; this makes it attach to the offscreen document too.
  const attachToOther = process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
  process.env.PW_CHROMIUM_ATTACH_TO_OTHER = '1';
  const context = await launchWithExtension(profileDir, received, [], [`--log-net-log=${netLog}`, '--net-log-capture-mode=Default']);
  const recorded: Recorded[] = [];
  const cspRefusals: string[] = [];
  try {
    const record = (r: Request, how: string) => recorded.push({ url: r.url(), by: madeBy(r), type: r.resourceType(), how });
    context.on('request', (r) => record(r, r.method()));
    context.on('requestfailed', (r) => record(r, `failed: ${r.failure()?.errorText ?? ''}`));
    context.on('page', (page) => {
      page.on('websocket', (ws) => recorded.push({ url: ws.url(), by: page.url(), type: 'websocket', how: 'websocket' }));
    });
    context.on('console', (message) => {
      // An attempt the CSP stopped never becomes a request: it must not go unnoticed either.
      if (/Content Security Policy/i.test(message.text())) cspRefusals.push(message.text());
    });
    // Everything any page or the worker sends passes here first (then to the chat sites' routes).
    await context.route('**/*', (route) => {
      record(route.request(), 'routed');
      return route.fallback();
    });
    const extensionId = await extensionIdOf(context);
    const extensionOrigin = `chrome-extension://${extensionId}`;

    // Both recorders see what the service worker sends.
    const canaryStatus = await (await currentWorker(context)).evaluate(async (url) => (await fetch(url)).status, canaryUrl);
    expect(canaryStatus).toBe(200);
    expect(canaryHits).toEqual(['/engram-network-canary']);
    expect(recorded).toContainEqual(expect.objectContaining({ url: canaryUrl, by: 'service worker' }));

    // The worker starts again under observation (its cold start is recorded too).
    const chat = await openNewChat(context, site);
    const cdp = await context.newCDPSession(chat);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');

    // Capture.
    await sendPrompt(chat, site, FACT);
    await expect
      .poll(
        async () => {
          // The worker that was just stopped may still be listed for a moment: ask again then.
          const worker = context.serviceWorkers()[0];
          const memories = await worker
            ?.evaluate(async () => (await (globalThis as unknown as EngramGlobal).engram.memory.getAll({ filters: { user_id: 'me' }, topK: 1000 })).results.map((m) => m.memory))
            .catch(() => null);
          return memories?.sort() ?? null;
        },
        { timeout: 30_000 },
      )
      .toEqual(['I live in Berlin', "I'm vegetarian"]);

    // Injection.
    const next = await openNewChat(context, site);
    await sendPrompt(next, site, QUESTION);
    const prompt = received.at(-1)?.prompt ?? '';
    expect(prompt.startsWith(BLOCK_HEADER), prompt).toBe(true);
    expect(prompt).toContain('vegetarian');
    expect(prompt).toContain('Berlin');
    expect(prompt.endsWith(QUESTION)).toBe(true);

    // Popup and search.
    const popup = await context.newPage();
    await popup.goto(`${extensionOrigin}/popup.html`);
    await expect(popup.getByTestId('memory')).toHaveCount(2);
    await popup.getByRole('searchbox', { name: 'Search memories' }).fill('Which city do I live in?');
    await expect(popup.getByTestId('memory-count')).toContainText('for “Which city do I live in?”');
    await expect(popup.getByTestId('memory').first()).toContainText('I live in Berlin');

    // Every extension document that existed was attached, so its requests were recorded.
    const documents = await (await currentWorker(context)).evaluate(async () =>
      (await chrome.runtime.getContexts({})).flatMap((c) => (c.documentUrl ? [c.documentUrl] : [])),
    );
    const attached = context.pages().map((p) => p.url());
    for (const url of documents) expect(attached, `an extension document Playwright did not record: ${url}`).toContain(url);

    await context.close(); // flushes the NetLog
    const checked = recorded.filter((r) => r.url !== canaryUrl);
    await test.info().attach('requests.json', { body: JSON.stringify(checked, null, 2), contentType: 'application/json' });

    const chatOrigins = new Set(SITES.map((s) => s.origin));
    const ownOrigins = new Set([extensionOrigin, 'data:']);
    expect(checked.some((r) => r.by.startsWith(extensionOrigin))).toBe(true); // the popup's own files, at least
    for (const r of checked) {
      const to = originOf(r.url);
      let allowed: boolean;
      if (r.type === 'document') {
        allowed = chatOrigins.has(to) || to === extensionOrigin; // the pages this test opens
      } else if (r.by === 'service worker' || originOf(r.by) === extensionOrigin) {
        allowed = ownOrigins.has(to); // the worker, popup and offscreen document: the extension itself only
      } else {
        allowed = chatOrigins.has(originOf(r.by)) && (to === originOf(r.by) || ownOrigins.has(to)); // a chat page
      }
      expect(allowed, `${r.how} ${r.url} (made by ${r.by})`).toBe(true);
    }
    expect(cspRefusals, 'connections the CSP refused').toEqual([]);

    // NetLog: whatever reached the network on behalf of a page, the worker or the offscreen
    // document (requests with an initiator; the browser's own traffic has none).
    const network = netLogRequests(netLog);
    expect(network.some((r) => r.url === canaryUrl && r.initiator === extensionOrigin), 'the canary in the NetLog').toBe(true);
    const fromContent = network.filter((r) => r.url !== canaryUrl && r.initiator !== 'not an origin' && r.initiator !== 'none');
    await test.info().attach('netlog-requests.json', { body: JSON.stringify(network, null, 2), contentType: 'application/json' });
    for (const r of fromContent) {
      expect(chatOrigins.has(r.initiator) && originOf(r.url) === r.initiator, `${r.url} (initiator ${r.initiator})`).toBe(true);
    }
  } finally {
    if (attachToOther === undefined) delete process.env.PW_CHROMIUM_ATTACH_TO_OTHER;
    else process.env.PW_CHROMIUM_ATTACH_TO_OTHER = attachToOther;
    await context.close();
  }
});

test('the end-to-end build carries the demo site content script (the store build does not)', () => {
  const manifest = JSON.parse(readFileSync(`${EXTENSION_DIR}/manifest.json`, 'utf8')) as {
    content_scripts: { matches: string[]; js: string[] }[];
  };
  const demo = manifest.content_scripts.find((c) => c.js.includes('content-scripts/demo.js'));
  expect(demo?.matches.sort()).toEqual(['http://127.0.0.1/engram-demo/*', 'http://localhost/engram-demo/*']);
});

/**
 * The memory manager as the user feels it, at 100,000 memories, in the built extension
 * (.output/chrome-mv3-dev) in Debian's Chromium:
 *
 *   npx tsx bench/memory-manager.ts [--quick] [--n 100000] [--out bench/results.json]
 *
 * The store is filled through the worker's engine (`memory.addMany`, verbatim, in batches of
 * 10,000: sites, spaces, an assistant's memories, pinned ones, dates over two years), then, in the
 * popup (popup.html in a tab of the popup's size), each measure is taken on the page's own clock:
 *
 * - `open`: from the popup's navigation start to the first memory in the DOM (`worker: "warm"`:
 *   the worker answered the popup before; `"stopped"`: the worker was stopped, as Chrome does after
 *   30 idle seconds, so it starts and reads its saved rows; `"first"`: the first popup after the
 *   import, which reads every memory once). Target ≤ 200 ms.
 * - `filter`: from the Site filter's change event to the list showing that site's memories (the
 *   count and the first row changed), then the next frame. Target ≤ 100 ms.
 * - `search`: from the search box's input event (a whole word, as pasted) to the list showing its
 *   matches, words marked, then the next frame. Target ≤ 100 ms.
 * - `forget`: from the click on a row's Forget to the row leaving the list, then the next frame.
 *   Target ≤ 50 ms. `forget_confirmed`: until the background answered (the Undo offer shows).
 *
 * Results go to bench/results.json under `memory_manager` (other keys kept) and bench/results.md.
 */
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { extensionIdOf, launchWithExtension, stopServiceWorkers, type ReceivedPrompt } from '../test/e2e/fixtures';
import type { Memory } from '../src/engine/memory';
import { mergeResults, writeMarkdownSection } from './results-file';
import { statements } from './statements';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const argOf = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const outPath = argOf('--out') ?? 'bench/results.json';
const N = Number(argOf('--n') ?? (quick ? 10_000 : 100_000));
const BATCH = 10_000;
const SAMPLES = quick ? 5 : 15;
/** The longest wait for the store to settle after the import (relations, the HNSW index), s. */
const SETTLE_MAX_S = Number(argOf('--settle-max') ?? 180);
const TARGETS = { open: 200, filter: 100, search: 100, forget: 50 } as const;

type EngramGlobal = { engram: { memory: Memory } };

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const round = (x: number): number => Math.round(x * 10) / 10;

interface Measure {
  measure: string;
  condition: string;
  samples: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  target_ms: number | null;
  met: boolean | null;
}

function measure(name: string, condition: string, ms: readonly number[], target: number | null): Measure {
  const p95 = round(percentile(ms, 95));
  return {
    measure: name,
    condition,
    samples: ms.length,
    p50_ms: round(percentile(ms, 50)),
    p95_ms: p95,
    max_ms: round(Math.max(...ms)),
    target_ms: target,
    met: target === null ? null : p95 <= target,
  };
}

/** The extension's service worker, started if it was stopped (an extension page wakes it). */
async function liveWorker(context: BrowserContext, extensionId: string): Promise<Worker> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const worker = context.serviceWorkers().at(-1);
    if (worker) {
      try {
        await worker.evaluate(() => 1);
        return worker;
      } catch {
        // stopped: wake it below
      }
    }
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/popup.html`);
    await page.waitForTimeout(300);
    await page.close();
  }
  throw new Error('the service worker did not start');
}

const SITE_IDS = ['chatgpt', 'claude', 'gemini', 'perplexity', 'deepseek', 'grok'] as const;
const SPACES = [null, 'work', 'home', 'work/atlas', null, 'health', null, 'home/garden', 'travel', null];

/** Store `n` memories in batches; returns the seconds it took. */
async function fill(worker: Worker, n: number): Promise<number> {
  const texts = statements(n);
  const started = Date.now();
  const now = Date.now();
  for (let start = 0; start < n; start += BATCH) {
    const batch = start / BATCH;
    const items = texts.slice(start, start + BATCH).map((text, j) => {
      const i = start + j;
      const site = i % 7 === 6 ? null : SITE_IDS[i % 7]!;
      return {
        messages: text,
        ...(site ? { site, conversationId: `conv-${i % 997}` } : {}),
        // Two years, newest last (said every ~10 minutes).
        saidAt: now - (n - i) * 630_000,
        ...(i % 1000 === 0 ? { metadata: { pinned: true } } : {}),
      };
    });
    const space = SPACES[batch % SPACES.length];
    await worker.evaluate(
      async ({ items, space, agent }) => {
        const { memory } = (globalThis as unknown as EngramGlobal).engram;
        const keepAlive = setInterval(() => {
          void chrome.runtime.getPlatformInfo();
        }, 5000);
        try {
          const { added } = await memory.addMany(items, { userId: 'me', infer: false, chunkSize: 1000, ...(space ? { space } : {}), ...(agent ? { agentId: 'coach' } : {}) });
          if (added !== items.length) throw new Error(`${added} of ${items.length} stored`);
        } finally {
          clearInterval(keepAlive);
        }
      },
      { items, space, agent: batch === 5 },
    );
    console.log(`  ${Math.min(n, start + BATCH).toLocaleString('en')} memories stored (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  return (Date.now() - started) / 1000;
}

/** When the first memory row enters the popup's DOM, on the page's clock (from its navigation start). */
const FIRST_MEMORY = `(() => {
  const seen = () => document.querySelector('[data-testid="memory"]');
  const observer = new MutationObserver(() => {
    if (seen() && window.__firstMemoryAt === undefined) {
      window.__firstMemoryAt = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
})();`;

/** Open the popup; ms from its navigation start to the first memory shown. */
async function openPopup(context: BrowserContext, extensionId: string): Promise<{ page: Page; ms: number }> {
  const page = await context.newPage();
  await page.addInitScript(FIRST_MEMORY);
  await page.setViewportSize({ width: 420, height: 600 });
  await page.goto(`chrome-extension://${extensionId}/popup.html`);
  await page.waitForFunction(() => (window as unknown as { __firstMemoryAt?: number }).__firstMemoryAt !== undefined, null, { timeout: 120_000 });
  const ms = await page.evaluate(() => (window as unknown as { __firstMemoryAt: number }).__firstMemoryAt);
  return { page, ms };
}

/** Wait until the popup has read what it reads after its first page (the filters' values, the spaces). */
async function settledPopup(page: Page): Promise<void> {
  await page.locator('fieldset.filters:not([disabled])').waitFor({ timeout: 120_000 });
  await page.waitForTimeout(500);
}

/**
 * The measures, in the page (a string: the bundler's helpers do not exist there). `timed(act, done)`
 * runs `act`, waits until `done()` holds (checked on every DOM change), then for the next frame:
 * [ms until done, ms until the frame after it].
 */
const IN_PAGE = `(() => {
  const timed = (act, done) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    let finished = false;
    const observer = new MutationObserver(() => check());
    const check = () => {
      if (finished || !done()) return;
      finished = true;
      observer.disconnect();
      const t1 = performance.now();
      requestAnimationFrame(() => resolve([t1 - t0, performance.now() - t0]));
    };
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    setTimeout(() => { if (!finished) { observer.disconnect(); reject(new Error('timed out: ' + heading() + ' | ' + firstMeta() + ' | ' + siteSelect()?.value + ' | ' + [...(siteSelect()?.options ?? [])].map((o) => o.value).join(','))); } }, 60000);
    act();
    check();
  });
  const heading = () => document.querySelector('[data-testid="memory-count"]')?.textContent ?? '';
  const siteSelect = () => [...document.querySelectorAll('select')].find((s) => s.labels?.[0]?.textContent === 'Site');
  const firstMeta = () => document.querySelector('[data-testid="memory"] .memory-meta')?.textContent ?? '';
  window.__bench = {
    /** The Site filter set to value: until that site's memories are listed. */
    changeSite(value, name) {
      const select = siteSelect();
      return timed(() => {
        select.value = value;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }, () => /match these filters/.test(heading()) && firstMeta().includes(name + ' ·'));
    },
    /** The search box given q at once: until its matches are listed, marked. */
    search(q) {
      const input = document.querySelector('input[type="search"]');
      return timed(() => {
        input.value = q;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, () => heading().includes('“' + q + '”') && document.querySelector('[data-testid="memory"] mark') !== null);
    },
    /** Forget on the first row: until it left the list; then until the Undo offer (the background answered). */
    async forgetFirst() {
      const row = document.querySelector('[data-testid="memory"]');
      const text = row.querySelector('.memory-text').textContent;
      const button = [...row.querySelectorAll('button')].find((b) => b.textContent === 'Forget');
      const gone = () => ![...document.querySelectorAll('[data-testid="memory"] .memory-text')].some((el) => el.textContent === text);
      const toast = () => document.querySelector('[data-testid="toast"]');
      const offer = () => [...toast().querySelectorAll('button')].some((b) => b.textContent === 'Undo') && toast().textContent.includes(text);
      const t0 = performance.now();
      let offered = 0;
      const confirmed = new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (!offer()) return;
          offered = performance.now() - t0;
          observer.disconnect();
          resolve();
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      });
      const [left, frame] = await timed(() => button.click(), gone);
      await confirmed;
      return [left, frame, offered];
    },
    /** Every site again, no search. */
    reset() {
      const select = siteSelect();
      select.value = 'any';
      select.dispatchEvent(new Event('change', { bubbles: true }));
      const input = document.querySelector('input[type="search"]');
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
  };
})();`;

type Bench = {
  __bench: {
    changeSite(value: string, name: string): Promise<[number, number]>;
    search(q: string): Promise<[number, number]>;
    forgetFirst(): Promise<[number, number, number]>;
    reset(): void;
  };
};

const SITE_NAMES: Record<(typeof SITE_IDS)[number], string> = {
  chatgpt: 'ChatGPT',
  claude: 'Claude',
  gemini: 'Gemini',
  perplexity: 'Perplexity',
  deepseek: 'DeepSeek',
  grok: 'Grok',
};

/** Change the Site filter to `site`; [ms until its memories are listed, ms to the next frame]. */
function changeSite(page: Page, site: (typeof SITE_IDS)[number]): Promise<[number, number]> {
  return page.evaluate(([value, name]) => (window as unknown as Bench).__bench.changeSite(value, name), [`v:${site}`, SITE_NAMES[site]] as const);
}

/** Type `query` in the search box at once; [ms until its matches are listed, marked; ms to the next frame]. */
function search(page: Page, query: string): Promise<[number, number]> {
  return page.evaluate((q) => (window as unknown as Bench).__bench.search(q), query);
}

/** Click the first row's Forget; [ms until the row left the list, ms to the next frame, ms until the Undo offer]. */
function forgetFirst(page: Page): Promise<[number, number, number]> {
  return page.evaluate(() => (window as unknown as Bench).__bench.forgetFirst());
}

const QUERIES = ['Lisbon', 'sushi', 'pottery', 'Kyoto', 'Priya', 'sailing', 'Dublin', 'ramen', 'chess', 'Vienna', 'Lukas', 'tapas', 'Bergen', 'guitar', 'Omar', 'Seville', 'baking', 'Aisha', 'Ghent', 'falafel'];

async function main(): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'engram-bench-manager-'));
  const received: ReceivedPrompt[] = [];
  const context = await launchWithExtension(profile, received);
  try {
    const extensionId = await extensionIdOf(context);
    let worker = await liveWorker(context, extensionId);
    console.log(`Filling ${N.toLocaleString('en')} memories…`);
    const fillSeconds = await fill(worker, N);
    // What follows an import (relations, the HNSW build) is waited for, up to SETTLE_MAX_S: at
    // 100,000 the HNSW build takes many minutes, in slices that let the worker answer meanwhile (a
    // user who just imported that much is in this state). Chrome stops a worker that calls no
    // extension API for 30 s: a call every few seconds keeps it while it works.
    const settleStarted = Date.now();
    const settled = await worker.evaluate(async (maxMs) => {
      const keepAlive = setInterval(() => {
        void chrome.runtime.getPlatformInfo();
      }, 5000);
      try {
        const done = (globalThis as unknown as EngramGlobal).engram.memory.settled().then(() => true);
        return await Promise.race([done, new Promise<boolean>((resolve) => setTimeout(() => {
          resolve(false);
        }, maxMs))]);
      } finally {
        clearInterval(keepAlive);
      }
    }, SETTLE_MAX_S * 1000);
    const settleSeconds = (Date.now() - settleStarted) / 1000;
    console.log(`Stored in ${Math.round(fillSeconds)} s; ${settled ? `settled in ${Math.round(settleSeconds)} s` : `still settling (the HNSW build) after ${SETTLE_MAX_S} s: measured meanwhile`}.`);

    // The first popup after the import: the manager reads every memory once.
    const first = await openPopup(context, extensionId);
    console.log(`first popup after the import: ${round(first.ms)} ms`);
    await settledPopup(first.page);
    await first.page.close();

    // Warm: the worker holds the rows.
    const warm: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const { page, ms } = await openPopup(context, extensionId);
      warm.push(ms);
      await settledPopup(page);
      await page.close();
    }
    console.log('open, warm worker:', warm.map(round));

    // Stopped: the worker starts again, from its saved rows.
    const stopped: number[] = [];
    const blank = await context.newPage();
    await blank.waitForTimeout(2500); // the rows are saved 2 s after the last write
    for (let i = 0; i < Math.max(3, Math.round(SAMPLES / 2)); i++) {
      await stopServiceWorkers(blank);
      await blank.waitForTimeout(500);
      const { page, ms } = await openPopup(context, extensionId);
      stopped.push(ms);
      await settledPopup(page);
      await page.close();
    }
    console.log('open, stopped worker:', stopped.map(round));
    worker = await liveWorker(context, extensionId);

    // Filters, searches and forgets in one popup, as a user would.
    const { page } = await openPopup(context, extensionId);
    await page.bringToFront();
    await settledPopup(page);
    await page.evaluate(IN_PAGE);
    const filterMs: number[] = [];
    const filterFrame: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const [dom, frame] = await changeSite(page, SITE_IDS[(i + 1) % SITE_IDS.length]!);
      filterMs.push(dom);
      filterFrame.push(frame);
      await page.waitForTimeout(200);
    }
    console.log('filter:', filterFrame.map(round));
    // Back to every site for the searches and forgets.
    await page.evaluate(() => {
      (window as unknown as Bench).__bench.reset();
    });
    await page.waitForFunction(() => /^[\d,.\s]+ memories$/i.test(document.querySelector('[data-testid="memory-count"]')?.textContent ?? ''));

    const searchMs: number[] = [];
    const searchFrame: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const [dom, frame] = await search(page, QUERIES[i % QUERIES.length]!);
      searchMs.push(dom);
      searchFrame.push(frame);
      await page.waitForTimeout(200);
    }
    console.log('search:', searchFrame.map(round));
    await page.evaluate(() => {
      (window as unknown as Bench).__bench.reset();
    });
    await page.waitForFunction(() => /^[\d,.\s]+ memories$/i.test(document.querySelector('[data-testid="memory-count"]')?.textContent ?? ''));
    await page.waitForTimeout(300);

    const forgetMs: number[] = [];
    const forgetFrame: number[] = [];
    const confirmedMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const [left, frame, offered] = await forgetFirst(page);
      forgetMs.push(left);
      forgetFrame.push(frame);
      confirmedMs.push(offered);
      await page.waitForTimeout(300);
    }
    console.log('forget:', forgetFrame.map(round), 'confirmed:', confirmedMs.map(round));
    await page.close();

    const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), browser: 'Debian Chromium (headless)', at: new Date().toISOString() };
    const measures = [
      measure('open', 'first memory shown after opening the popup, worker warm', warm, TARGETS.open),
      measure('open', 'first memory shown after opening the popup, worker stopped (starts from its saved rows)', stopped, TARGETS.open),
      measure('open', 'first popup after the import (every memory read once)', [first.ms], null),
      measure('filter', 'Site filter changed → that site’s memories listed, next frame', filterFrame, TARGETS.filter),
      measure('search', 'a word typed (pasted) in the search → its matches listed and marked, next frame', searchFrame, TARGETS.search),
      measure('forget', 'Forget clicked → the row left the list, next frame', forgetFrame, TARGETS.forget),
      measure('forget_confirmed', 'Forget clicked → the background answered (Undo offered)', confirmedMs, null),
    ];
    mergeResults(outPath, {
      memory_manager: {
        n: N,
        fill_seconds: round(fillSeconds),
        settled_before_measuring: settled,
        settle_seconds: round(settleSeconds),
        measures,
        dom_only_ms: {
          filter: { p50: round(percentile(filterMs, 50)), p95: round(percentile(filterMs, 95)) },
          search: { p50: round(percentile(searchMs, 50)), p95: round(percentile(searchMs, 95)) },
          forget: { p50: round(percentile(forgetMs, 50)), p95: round(percentile(forgetMs, 95)) },
        },
        machine,
      },
    });
    const md = [
      `## Memory manager (built extension, Chromium, ${N.toLocaleString('en')} memories)`,
      '',
      `Machine: ${machine.cpus} × ${machine.cpu}, ${machine.memory_gb} GB, ${machine.browser}, ${machine.at}. ${N.toLocaleString('en')} memories stored through the worker (addMany, verbatim) in ${round(fillSeconds)} s; ${settled ? `settled (relations, HNSW index) in ${round(settleSeconds)} s before measuring` : `measured while the worker still built its HNSW index in the background (not settled after ${SETTLE_MAX_S} s)`}. Times on the popup page's clock.`,
      '',
      '| measure | condition | samples | p50 ms | p95 ms | max ms | target (p95) |',
      '|---|---|---|---|---|---|---|',
      ...measures.map((m) => `| ${m.measure} | ${m.condition} | ${m.samples} | ${m.p50_ms} | ${m.p95_ms} | ${m.max_ms} | ${m.target_ms === null ? '—' : `≤ ${m.target_ms} ms ${m.met ? '✓' : '✗'}`} |`),
    ].join('\n');
    writeMarkdownSection(outPath, 'memory_manager', md);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

await main();

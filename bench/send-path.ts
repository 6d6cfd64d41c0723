/**
 * The send path as the user feels it, in the built extension (.output/chrome-mv3-dev) in Debian's
 * Chromium on the ChatGPT fixture page (served at https://chatgpt.com/):
 *
 *   npx tsx bench/send-path.ts [--quick] [--out bench/results.json]
 *
 * - `send_path`: from the user's trusted Enter keydown (its event time stamp) to the page's send
 *   handler running (demo/scripted-chat.js notes `performance.now()` there), both on the page's
 *   clock, for prompts typed at a fast human pace (100 ms a character, 120 words a minute). `worker: "warm"`: sent one after
 *   another; `worker: "stopped"`: the service worker is stopped (as Chrome does after 30 s idle)
 *   before the user starts typing.
 * - `cold_start_ms`: the same, with the worker stopped and the prompt pasted and sent at once, so
 *   nothing was loaded before Enter (the worst case), and the worker's own phases.
 * - Each size is measured once the store is settled after its import (relations backfilled, the
 *   HNSW index built); `worker: "importing"`: sends while 2,000 more memories are imported;
 *   `worker: "consolidating"`: sends while the worker consolidates every memory.
 * - `bulk_add`: memories per second stored through the worker's engine (`memory.addMany`).
 * A send "without memories" is one whose prompt got no memory block although the same recall,
 * made afterwards, finds some: Engram was busy or late.
 */
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { launchWithExtension, SITES, stopServiceWorkers, type ReceivedPrompt } from '../test/e2e/fixtures';
import { BLOCK_HEADER } from '../src/inject/memory-block';
import type { Memory } from '../src/engine/memory';
import { mergeResults, writeMarkdownSection } from './results-file';
import { statements } from './statements';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** Only the cold start (worker stopped, prompt pasted and sent): for comparing start-up changes quickly. */
const coldOnly = args.includes('--cold-only');
const outIndex = args.indexOf('--out');
const outPath = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : 'bench/results.json';
const sizesArg = args.indexOf('--sizes');
const SIZES = sizesArg >= 0 ? args[sizesArg + 1]!.split(',').map(Number) : quick ? [1000] : [1000, 10_000];
const WARM_SENDS = quick ? 6 : 20;
const STOPPED_SENDS = quick ? 3 : 8;
const COLD_SENDS = quick ? 2 : 5;
const TYPING_DELAY_MS = 100;

/** Prompts about the user's own life, as people send them (each gets memories from the store below). */
const PROMPTS = [
  'Can you suggest a restaurant near me for tonight?',
  'What should I get my sister for her birthday this year?',
  'Help me plan a weekend trip with my friend',
  'Any ideas for dinner tonight that I would like?',
  'What could I cook for my colleague who is visiting?',
  'Where should I take my cousin when he visits me?',
  'Remind me where my brother lives these days',
  'What was that place I liked for sushi?',
  'Help me write a birthday message for my neighbour',
  'Which of my friends lives in Lisbon?',
  'Suggest a hobby I could pick up with my mentor',
  'What should I pack for my trip to Porto next month?',
];

type EngramGlobal = {
  engram: {
    memory: Memory;
    timings?: () => Record<string, number>;
  };
};

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
const round = (x: number): number => Math.round(x * 10) / 10;

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


/** Records each trusted Enter keydown's time stamp, before any other listener (page clock). */
const RECORD_ENTER = `(() => {
  window.__enterAt = [];
  window.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.isTrusted) window.__enterAt.push(e.timeStamp); }, true);
})();`;

interface Sent {
  prompt: string;
  ms: number;
  withMemories: boolean;
}

/** Type (or paste) `prompt`, press Enter, and measure Enter → the page's send handler. */
async function send(page: Page, prompt: string, how: 'type' | 'paste', received: ReceivedPrompt[]): Promise<Sent> {
  const before = received.length;
  const sends = await page.evaluate(() => (window as unknown as { __scriptedChat: { sends: number[] } }).__scriptedChat.sends.length);
  await page.locator('#prompt-textarea').click();
  if (how === 'type') await page.keyboard.type(prompt, { delay: TYPING_DELAY_MS });
  else await page.keyboard.insertText(prompt);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (n) => (window as unknown as { __scriptedChat: { sends: number[] } }).__scriptedChat.sends.length > n,
    sends,
    { timeout: 30_000 },
  );
  const ms = await page.evaluate(() => {
    const w = window as unknown as { __enterAt: number[]; __scriptedChat: { sends: number[] } };
    return w.__scriptedChat.sends.at(-1)! - w.__enterAt.at(-1)!;
  });
  for (let i = 0; i < 100 && received.length === before; i++) await page.waitForTimeout(50);
  const last = received.at(-1);
  return { prompt, ms, withMemories: !!last && last.prompt.includes(BLOCK_HEADER) };
}

/** Sends that went out without memories although recall (made now, at leisure) finds some. */
async function missing(worker: Worker, sent: readonly Sent[]): Promise<number> {
  const expected = await worker.evaluate(async (prompts) => {
    const { memory } = (globalThis as unknown as EngramGlobal).engram;
    const out: boolean[] = [];
    for (const p of prompts) out.push((await memory.recall(p, { filters: { user_id: 'me' }, noteUse: false })).memories.length > 0);
    return out;
  }, sent.map((s) => s.prompt));
  return sent.filter((s, i) => expected[i] && !s.withMemories).length;
}

interface SendRow {
  n: number;
  mode: 'typed' | 'pasted';
  worker: 'warm' | 'stopped' | 'importing' | 'consolidating';
  samples: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
  without_memories: number;
}

function row(n: number, mode: SendRow['mode'], worker: SendRow['worker'], sent: readonly Sent[], without: number): SendRow {
  const ms = sent.map((s) => s.ms);
  return { n, mode, worker, samples: ms.length, p50_ms: round(percentile(ms, 50)), p95_ms: round(percentile(ms, 95)), max_ms: round(Math.max(...ms)), without_memories: without };
}

async function fill(worker: Worker, n: number): Promise<{ seconds: number; per_second: number; method: string }> {
  const texts = statements(n);
  return worker.evaluate(async (items) => {
    const { memory } = (globalThis as unknown as EngramGlobal).engram;
    const started = performance.now();
    const method = 'addMany';
    await memory.addMany(items.map((text) => ({ messages: text })), { userId: 'me', infer: false });
    const seconds = (performance.now() - started) / 1000;
    return { seconds: Math.round(seconds * 100) / 100, per_second: Math.round(items.length / seconds), method };
  }, texts);
}

async function main(): Promise<void> {
  const rows: SendRow[] = [];
  const cold: { n: number; p50_ms: number; max_ms: number; samples: number; worker_phases: Record<string, number> | null }[] = [];
  const bulk: { n: number; seconds: number; per_second: number; method: string }[] = [];
  let consolidation: { n: number; consolidate_ms: number; sends: SendRow } | null = null;
  const site = SITES[0]!;
  for (const n of SIZES) {
    const profile = mkdtempSync(join(tmpdir(), 'engram-bench-'));
    const received: ReceivedPrompt[] = [];
    const context = await launchWithExtension(profile, received);
    try {
      await context.addInitScript(RECORD_ENTER);
      const first = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
      const extensionId = new URL(first.url()).host;
      let worker = await liveWorker(context, extensionId);
      const filled = await fill(worker, n);
      bulk.push({ n, ...filled });
      console.log(`${n} memories stored in ${filled.seconds} s (${filled.per_second}/s, ${filled.method})`);
      // What follows an import in the background (relations, the HNSW build) is done: a user's usual state.
      await worker.evaluate(() => (globalThis as unknown as EngramGlobal).engram.memory.settled());
      const page = await context.newPage();
      await page.goto(site.newChatUrl);
      await page.locator(site.composer).waitFor();

      // Warm: one prompt after another, typed.
      if (!coldOnly) {
      const warm: Sent[] = [];
      await send(page, 'Hello there, what can you do for me?', 'type', received); // the page's first send
      for (let i = 0; i < WARM_SENDS; i++) warm.push(await send(page, PROMPTS[i % PROMPTS.length]!, 'type', received));
      worker = await liveWorker(context, extensionId);
      rows.push(row(n, 'typed', 'warm', warm, await missing(worker, warm)));
      console.log(rows.at(-1));

      // The worker stopped while the user read the answer; then they type the next prompt.
      const stopped: Sent[] = [];
      for (let i = 0; i < STOPPED_SENDS; i++) {
        await stopServiceWorkers(page);
        await page.waitForTimeout(500);
        stopped.push(await send(page, PROMPTS[(i + 3) % PROMPTS.length]!, 'type', received));
      }
      worker = await liveWorker(context, extensionId);
      rows.push(row(n, 'typed', 'stopped', stopped, await missing(worker, stopped)));
      console.log(rows.at(-1));
      } else {
        await send(page, 'Hello there, what can you do for me?', 'type', received); // the page's first send
      }

      // Cold: stopped, the prompt pasted and sent at once.
      const pasted: Sent[] = [];
      let phases: Record<string, number> | null = null;
      for (let i = 0; i < COLD_SENDS; i++) {
        await stopServiceWorkers(page);
        await page.waitForTimeout(500);
        pasted.push(await send(page, PROMPTS[(i + 5) % PROMPTS.length]!, 'paste', received));
        worker = await liveWorker(context, extensionId);
        phases = await worker.evaluate(() => (globalThis as unknown as EngramGlobal).engram.timings?.() ?? null);
      }
      rows.push(row(n, 'pasted', 'stopped', pasted, await missing(worker, pasted)));
      cold.push({ n, p50_ms: round(percentile(pasted.map((s) => s.ms), 50)), max_ms: round(Math.max(...pasted.map((s) => s.ms))), samples: pasted.length, worker_phases: phases });
      console.log(rows.at(-1), phases);

      if (n === SIZES.at(-1) && !coldOnly) {
        // Sends while an import of 2,000 more memories runs, and its background work after it.
        worker = await liveWorker(context, extensionId);
        await worker.evaluate((items) => {
          const g = globalThis as unknown as EngramGlobal & { __import?: Promise<unknown> };
          g.__import = g.engram.memory.addMany(items.map((text) => ({ messages: `${text}, as I said in my notes` })), { userId: 'me', infer: false });
        }, statements(2000));
        const importing: Sent[] = [];
        for (let i = 0; i < (quick ? 3 : 6); i++) importing.push(await send(page, PROMPTS[(i + 2) % PROMPTS.length]!, 'type', received));
        await worker.evaluate(async () => {
          const g = globalThis as unknown as EngramGlobal & { __import?: Promise<unknown> };
          await g.__import;
          await g.engram.memory.settled();
        });
        rows.push(row(n, 'typed', 'importing', importing, await missing(worker, importing)));
        console.log(rows.at(-1));

        // Sends while the worker consolidates every memory.
        worker = await liveWorker(context, extensionId);
        await worker.evaluate(() => {
          const g = globalThis as unknown as EngramGlobal & { __consolidation?: Promise<number> };
          const started = performance.now();
          g.__consolidation = g.engram.memory.consolidate().then(() => performance.now() - started);
        });
        const during: Sent[] = [];
        for (let i = 0; i < (quick ? 3 : 6); i++) during.push(await send(page, PROMPTS[(i + 7) % PROMPTS.length]!, 'type', received));
        const ms = await worker.evaluate(() => (globalThis as unknown as { __consolidation: Promise<number> }).__consolidation);
        const r = row(n, 'typed', 'consolidating', during, await missing(worker, during));
        rows.push(r);
        consolidation = { n, consolidate_ms: Math.round(ms), sends: r };
        console.log(consolidation);
      }
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }

  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memory_gb: Math.round(totalmem() / 2 ** 30), browser: 'Debian Chromium (headless)', at: new Date().toISOString() };
  const warm10k = rows.find((r) => r.n === SIZES.at(-1) && r.worker === 'warm' && r.mode === 'typed');
  const coldest = cold.at(-1);
  mergeResults(outPath, {
    send_path: rows,
    cold_start_ms: coldest?.p50_ms ?? null,
    cold_start: cold,
    recall_during_consolidation: consolidation,
    bulk_add_extension: bulk,
    send_path_machine: machine,
  });
  const md = [
    '## Send path (built extension, Chromium, ChatGPT fixture)',
    '',
    `Machine: ${machine.cpus} × ${machine.cpu}, ${machine.memory_gb} GB, ${machine.browser}, ${machine.at}. Enter keydown → the page's send handler; prompts typed at ${TYPING_DELAY_MS} ms a character.`,
    '',
    '| memories | prompt | worker | samples | p50 ms | p95 ms | max ms | sent without memories |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.n.toLocaleString('en')} | ${r.mode} | ${r.worker} | ${r.samples} | ${r.p50_ms} | ${r.p95_ms} | ${r.max_ms} | ${r.without_memories} |`),
    '',
    `Cold start (worker stopped, prompt pasted and sent at once): ${cold.map((c) => `${c.n.toLocaleString('en')}: p50 ${c.p50_ms} ms (max ${c.max_ms})`).join('; ')}.`,
    consolidation ? `Consolidation of ${consolidation.n.toLocaleString('en')} memories took ${consolidation.consolidate_ms} ms on the worker; sends meanwhile: p95 ${consolidation.sends.p95_ms} ms, ${consolidation.sends.without_memories} without memories.` : '',
    `Bulk add through the worker: ${bulk.map((b) => `${b.n.toLocaleString('en')} in ${b.seconds} s (${b.per_second}/s, ${b.method})`).join('; ')}.`,
    warm10k ? `\nAt ${warm10k.n.toLocaleString('en')} memories a warm send waits p95 ${warm10k.p95_ms} ms.` : '',
  ].join('\n');
  writeMarkdownSection(outPath, 'send_path', md);
}

await main();

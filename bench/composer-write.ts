/**
 * The composer write, per editor kind, in Debian's Chromium: Engram's own `replaceEditorText`
 * (src/sites/dom.ts, bundled as the content script bundles it) putting a block of 8 memories ahead
 * of a typed prompt, on each fixture page's editor, checked to have reached the editor's state.
 *
 *   npx tsx bench/composer-write.ts [--quick] [--out bench/results.json]
 */
import { chromium } from '@playwright/test';
import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withMemoryBlock } from '../src/inject/memory-block';
import { mergeResults, writeMarkdownSection } from './results-file';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outPath = outIndex >= 0 && args[outIndex + 1] ? args[outIndex + 1]! : 'bench/results.json';
const ROUNDS = quick ? 10 : 40;
const PROMPT = 'Can you suggest a restaurant near me for tonight?';
const BLOCK = withMemoryBlock(
  Array.from({ length: 8 }, (_, i) => `My sister Priya${i} lives in Lisbon and works near the sushi place (said 3 Nov 2026)`),
  PROMPT,
);

/** A plain textarea editor whose state follows input events, as React's controlled textareas do. */
const TEXTAREA_PAGE = `<!doctype html><html><body><textarea id="composer" rows="4"></textarea><script>
  window.__state = '';
  document.getElementById('composer').addEventListener('input', (e) => { window.__state = e.target.value; });
</script></body></html>`;

const EDITORS = [
  { editor: 'contenteditable, ProseMirror-like (ChatGPT fixture)', host: 'https://chatgpt.com/', fixture: 'chatgpt.html', composer: '#prompt-textarea', state: '__scriptedChat.state' },
  { editor: 'contenteditable, ProseMirror-like (Claude fixture)', host: 'https://claude.ai/new', fixture: 'claude.html', composer: '#live-chat-input', state: '__scriptedChat.state' },
  { editor: 'textarea (React-controlled)', host: 'https://example.com/', fixture: null, composer: '#composer', state: '__state' },
] as const;

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function main(): Promise<void> {
  const dom = buildSync({ entryPoints: [resolve('src/sites/dom.ts')], bundle: true, write: false, format: 'iife', globalName: 'EngramDom' }).outputFiles[0]!.text;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking'] });
  const rows: { editor: string; samples: number; p50_ms: number; p95_ms: number; reached_editor_state: boolean }[] = [];
  try {
    for (const e of EDITORS) {
      const page = await browser.newPage();
      await page.route(`${new URL(e.host).origin}/**`, (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === '/__engram/scripted-chat.js') return route.fulfill({ contentType: 'text/javascript', body: readFileSync('demo/scripted-chat.js', 'utf8') });
        const body = e.fixture ? readFileSync(join('test/fixtures/sites', e.fixture), 'utf8') : TEXTAREA_PAGE;
        return route.fulfill({ contentType: 'text/html', body });
      });
      await page.goto(e.host);
      await page.addScriptTag({ content: dom });
      const times: number[] = [];
      let reached = true;
      for (let i = 0; i < ROUNDS; i++) {
        await page.locator(e.composer).click();
        await page.keyboard.press('ControlOrMeta+a');
        await page.keyboard.press('Backspace');
        await page.keyboard.type(PROMPT);
        const r = await page.evaluate(
          ({ selector, block, statePath }) => {
            const el = document.querySelector(selector) as HTMLElement;
            const t = performance.now();
            (window as unknown as { EngramDom: { replaceEditorText(el: HTMLElement, text: string): void } }).EngramDom.replaceEditorText(el, block);
            const ms = performance.now() - t;
            const state = statePath.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], window) as string;
            return { ms, ok: state.replace(/\s+/g, ' ').trim() === block.replace(/\s+/g, ' ').trim() };
          },
          { selector: e.composer, block: BLOCK, statePath: e.state },
        );
        times.push(r.ms);
        reached &&= r.ok;
      }
      rows.push({ editor: e.editor, samples: times.length, p50_ms: Math.round(percentile(times, 50) * 10) / 10, p95_ms: Math.round(percentile(times, 95) * 10) / 10, reached_editor_state: reached });
      console.log(rows.at(-1));
      await page.close();
    }
  } finally {
    await browser.close();
  }
  mergeResults(outPath, { composer_write: rows });
  writeMarkdownSection(
    outPath,
    'composer_write',
    [
      '## Composer write per editor kind (Chromium)',
      '',
      `A block of 8 memories written ahead of a typed prompt by \`replaceEditorText\` (${BLOCK.length} characters).`,
      '',
      '| editor | samples | p50 ms | p95 ms | reached the editor state |',
      '|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.editor} | ${r.samples} | ${r.p50_ms} | ${r.p95_ms} | ${r.reached_editor_state ? 'yes' : 'NO'} |`),
    ].join('\n'),
  );
}

await main();

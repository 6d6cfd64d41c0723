/**
 * The in-page panel's accessibility, checked by axe-core (WCAG 2.1 A and AA) on the ChatGPT fixture
 * page. On a chat page the panel lives in a closed shadow root, which axe cannot enter (that is the
 * point: neither can the page); so the test bundles the same module (src/inject/review-panel.ts)
 * and mounts it with an open root, the only difference, in each of its views.
 */
import AxeBuilder from '@axe-core/playwright';
import { build } from 'esbuild';
import { expect, SITES, test } from './fixtures';

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

test('the review panel, the manual bar and the indicator pass axe-core’s WCAG 2.1 AA checks', async ({ context }) => {
  const bundle = await build({
    stdin: {
      contents: `import { createPanel } from './src/inject/review-panel';
        window.__panel = createPanel(() => document.querySelector('#prompt-textarea'), {
          sendWithout() {}, insert() {}, openLog() {}, focusComposer() {},
        }, document, { shadowMode: 'open' });`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
  });
  const [site] = SITES;
  if (!site) throw new Error('no site');
  const page = await context.newPage();
  await page.goto(site.newChatUrl);
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  type Panel = { review(m: { id: string; text: string }[]): void; manual(): void; indicate(n: number): void };
  const audit = async (): Promise<string[]> => {
    const result = await new AxeBuilder({ page }).include('#engram-panel-host').withTags(WCAG).analyze();
    expect(result.passes.length).toBeGreaterThan(0); // the rules really ran on the panel
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  };

  await page.evaluate(() => {
    (window as unknown as { __panel: Panel }).__panel.review([
      { id: 'm1', text: 'I live in Berlin (said 30 Nov 2026)' },
      { id: 'm2', text: "I'm vegetarian (said 30 Nov 2026)" },
    ]);
  });
  expect(await audit()).toEqual([]);
  await page.evaluate(() => {
    (window as unknown as { __panel: Panel }).__panel.review([]);
  });
  expect(await audit()).toEqual([]);
  await page.evaluate(() => {
    (window as unknown as { __panel: Panel }).__panel.manual();
  });
  expect(await audit()).toEqual([]);
  await page.evaluate(() => {
    (window as unknown as { __panel: Panel }).__panel.indicate(2);
  });
  expect(await audit()).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.evaluate(() => {
    (window as unknown as { __panel: Panel }).__panel.review([{ id: 'm1', text: 'I live in Berlin (said 30 Nov 2026)' }]);
  });
  expect(await audit()).toEqual([]);
});

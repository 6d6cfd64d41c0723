/**
 * Review mode in Firefox: while the user types, the panel above the composer (in a closed shadow
 * root, read through WebDriver BiDi: panel.ts) lists the memories that would go with the message,
 * before the send; the page's own scripts see none of them; one removed with the mouse stays out of
 * the prompt the site receives.
 */
import { afterEach, expect, it } from 'vitest';
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { CHATGPT, CLAUDE, FirefoxEngram, waitFor, type ChatSite } from './firefox';
import { clickPanelButton, readPanel } from './panel';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';

let firefox: FirefoxEngram | null = null;
afterEach(async () => {
  await firefox?.close();
  firefox = null;
});

/** Tell the fact in automatic mode, wait for its two memories, then turn review mode on. */
async function rememberedThenReview(site: ChatSite): Promise<FirefoxEngram> {
  const engram = (firefox = await FirefoxEngram.launch());
  await engram.send(await engram.openChat(site), site, FACT);
  await engram.waitForMemories(2);
  await engram.setControl({ mode: 'review' });
  return engram;
}

it('the panel lists the memories while the user types, unseen by the page; one removed by mouse is not sent', async () => {
  const engram = await rememberedThenReview(CHATGPT);
  const page = await engram.openChat(CHATGPT);
  await page.click(CHATGPT.composer);
  await page.keyboard.type(QUESTION, { delay: 40 });
  await waitFor(async () => (await readPanel(page)).memories.length === 2, 'the review panel to list 2 memories');

  const panel = await readPanel(page);
  expect(panel.shadowRootType).toBe('closed');
  expect(panel.visible).toBe(true);
  expect(panel.memories.join(' ')).toContain('vegetarian');
  expect(panel.memories.join(' ')).toContain('Berlin');
  expect(panel.announced).toMatch(/Engram will add 2 memories/);
  // Before the send, the page's world holds no memory: not its DOM, not the composer, not the host.
  const pageSees = await page.evaluate(() => {
    const host = document.getElementById('engram-panel-host');
    return { text: document.documentElement.outerHTML + document.body.innerText, shadow: host?.shadowRoot ?? null, composer: document.querySelector('#prompt-textarea')?.textContent };
  });
  expect(pageSees.shadow).toBeNull(); // closed: the page cannot open it
  expect(pageSees.text).not.toContain('vegetarian');
  expect(pageSees.text).not.toContain('Berlin');
  expect(pageSees.composer).toBe(QUESTION);
  expect(engram.received).toHaveLength(1); // only the first chat's message has left

  await clickPanelButton(page, /^Remove: .*vegetarian/);
  await waitFor(async () => {
    const { memories } = await readPanel(page);
    return memories.length === 1 && memories[0]!.includes('Berlin');
  }, 'the panel to list only the Berlin memory');
  // The click gave the composer its focus back: Enter sends, with the memory the user kept.
  const before = engram.received.length;
  await page.keyboard.press('Enter');
  await waitFor(() => engram.received.length > before, 'the site to receive the prompt');
  const prompt = engram.received.at(-1)!.prompt;
  expect(prompt.startsWith(BLOCK_HEADER)).toBe(true);
  expect(prompt).toContain('Berlin');
  expect(prompt).not.toContain('vegetarian');
  expect(prompt.endsWith(QUESTION)).toBe(true);
  // The quiet indicator says how many went.
  await waitFor(async () => (await readPanel(page)).text.includes('Engram added 1 memory to your message'), 'the indicator');
});

it('on Claude, "Send without memories" sends the message as typed', async () => {
  const engram = await rememberedThenReview(CLAUDE);
  const page = await engram.openChat(CLAUDE);
  await page.click(CLAUDE.composer);
  await page.keyboard.type(QUESTION, { delay: 40 });
  await waitFor(async () => (await readPanel(page)).memories.length === 2, 'the review panel to list 2 memories');
  const before = engram.received.length;
  await clickPanelButton(page, 'Send without memories');
  await waitFor(() => engram.received.length > before, 'the site to receive the prompt');
  expect(engram.received.at(-1)!.prompt).toBe(QUESTION);
});

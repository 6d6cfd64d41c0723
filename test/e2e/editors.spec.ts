/**
 * The fixture pages' editors behave like the real ones where Engram's write could be lost, so that
 * a test fails when it would be lost on the site: ProseMirror (ChatGPT, Claude) takes only what
 * comes with an input event; Lexical (Perplexity) keeps its own state and draws over a direct DOM
 * write, and takes a paste; Quill (Gemini) follows its editor's DOM, never its paste buffer.
 */
import type { Page } from '@playwright/test';
import { expect, openNewChat, SITES, test, type ChatSite } from './fixtures';

const site = (name: ChatSite['name']): ChatSite => SITES.find((s) => s.name === name)!;
const state = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { __scriptedChat: { state: string } }).__scriptedChat.state);

test('ProseMirror: a DOM write without an input event is not in the editor state', async ({ context }) => {
  const page = await openNewChat(context, site('ChatGPT'));
  await page.evaluate(() => {
    document.querySelector('#prompt-textarea')!.innerHTML = '<p>written into the DOM</p>';
  });
  expect(await state(page)).toBe('');
});

test('Lexical: a direct DOM write is drawn over and lost; a paste is taken whole, lines and all', async ({ context }) => {
  const page = await openNewChat(context, site('Perplexity'));
  await page.evaluate(() => {
    const editor = document.querySelector<HTMLElement>('#ask-input')!;
    editor.innerHTML = '<p>written into the DOM</p>';
    editor.dispatchEvent(new InputEvent('input', { bubbles: true })); // no data: nothing to take
  });
  await expect.poll(() => page.locator('#ask-input').textContent()).toBe('');
  expect(await state(page)).toBe('');
  await page.evaluate(() => {
    const editor = document.querySelector<HTMLElement>('#ask-input')!;
    const data = new DataTransfer();
    data.setData('text/plain', 'first line\nsecond line');
    editor.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  expect(await state(page)).toBe('first line\nsecond line');
  await expect(page.locator('#ask-input p')).toHaveCount(2);
});

test('Quill: the editor follows its DOM; its paste buffer is not the composer', async ({ context }) => {
  const page = await openNewChat(context, site('Gemini'));
  await page.evaluate(() => {
    document.querySelector('.ql-clipboard')!.textContent = 'in the paste buffer';
  });
  await page.waitForTimeout(100);
  expect(await state(page)).toBe('');
  await page.evaluate(() => {
    document.querySelector('rich-textarea .ql-editor')!.innerHTML = '<p>written into the editor</p>';
  });
  await expect.poll(() => state(page)).toBe('written into the editor');
});

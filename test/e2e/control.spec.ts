/**
 * The user in control of every prompt, in the built extension on the ChatGPT and Claude fixture
 * pages, each as a user does it: the review panel (fed by the prefetch, before Enter), removing a
 * memory by mouse and by keyboard, sending without memories, manual insertion, pause and per-site
 * off, temporary chats, "don't remember this message", the consent inbox and the injection log. A
 * page-world recorder proves the page's scripts see no memory before the user sends.
 */
import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from '@playwright/test';
import { BLOCK_HEADER } from '../../src/inject/memory-block';
import { expect, openNewChat, popupMemories, sendPrompt, setControl, SITES, test, type ChatSite } from './fixtures';
import { clickNode, clickPanelButton, focusedName, readPanel } from './panel';

const FACT = "I'm vegetarian and I live in Berlin";
const QUESTION = 'Can you suggest a restaurant near me for tonight?';
const SHOTS = 'test-results/screenshots';

const [chatgpt, claude] = SITES as [ChatSite, ChatSite];

/** Tell the fact in automatic mode and wait until both memories are stored. */
async function remembered(context: BrowserContext, extensionId: string, site: ChatSite): Promise<void> {
  await sendPrompt(await openNewChat(context, site), site, FACT);
  await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(2);
}

/** Type at a human pace, then wait for the review panel to list `count` memories. */
async function typeAndReview(page: Page, site: ChatSite, text: string, count: number): Promise<void> {
  await page.locator(site.composer).click();
  await page.keyboard.type(text, { delay: 40 });
  await expect.poll(async () => (await readPanel(page)).memories.length, { timeout: 10_000 }).toBe(count);
}

async function sendAndReceive(page: Page, received: { prompt: string }[], key = 'Enter'): Promise<string> {
  const before = received.length;
  await page.keyboard.press(key);
  await expect.poll(() => received.length).toBe(before + 1);
  return received.at(-1)?.prompt ?? '';
}

/**
 * A recorder in the page's own world, installed before any script of the page: everything the page
 * could read of the DOM (mutations, its text, the composer on every event, the selection), kept
 * until the test asks.
 */
async function recordPageWorld(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    const note = (s: string | null | undefined): void => {
      if (s) seen.push(s);
    };
    new MutationObserver((records) => {
      for (const r of records) {
        note(r.target.textContent);
        for (const n of r.addedNodes) note(n.textContent);
      }
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    for (const type of ['input', 'keydown', 'keyup', 'focusin', 'click', 'beforeinput']) {
      window.addEventListener(type, () => {
        note(document.body.innerText);
        note(document.documentElement.outerHTML);
        const host = document.getElementById('engram-panel-host');
        note(host?.shadowRoot?.textContent);
      }, true);
    }
    (window as unknown as { __pageSaw: () => string }).__pageSaw = () => {
      // What a select-all would copy, with the user's selection put back.
      const selection = window.getSelection();
      const ranges = selection ? Array.from({ length: selection.rangeCount }, (_, i) => selection.getRangeAt(i)) : [];
      selection?.selectAllChildren(document.body);
      note(selection?.toString());
      selection?.removeAllRanges();
      for (const range of ranges) selection?.addRange(range);
      return seen.join('\n');
    };
  });
}

const pageSaw = (page: Page): Promise<string> => page.evaluate(() => (window as unknown as { __pageSaw: () => string }).__pageSaw());

test.describe('review mode', () => {
  test('the panel lists the memories while the user types; one removed by mouse; the page saw none before the send', async ({
    context,
    extensionId,
    received,
  }) => {
    await remembered(context, extensionId, chatgpt);
    await setControl(context, { mode: 'review' });
    const page = await context.newPage();
    await recordPageWorld(page);
    await page.goto(chatgpt.newChatUrl);
    await typeAndReview(page, chatgpt, QUESTION, 2);

    const panel = await readPanel(page);
    expect(panel.shadowRootType).toBe('closed');
    expect(panel.memories.join(' ')).toContain('vegetarian');
    expect(panel.memories.join(' ')).toContain('Berlin');
    expect(panel.announced).toMatch(/Engram will add 2 memories/);
    // The panel never took the focus: the user is still in the composer.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('prompt-textarea');
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/review-panel.png` });

    // Nothing in the page's world holds a memory: not the DOM, the composer, the selection, the host.
    expect(await page.locator(chatgpt.composer).textContent()).toBe(QUESTION);
    const before = await pageSaw(page);
    expect(before).not.toContain('vegetarian');
    expect(before).not.toContain('Berlin');

    const vegetarian = panel.buttons.find((b) => /^Remove: .*vegetarian/.test(b.name));
    if (!vegetarian) throw new Error('no remove button for the vegetarian memory');
    await clickNode(page, vegetarian.backendNodeId);
    await expect.poll(async () => (await readPanel(page)).memories).toEqual([expect.stringContaining('Berlin')]);
    expect(await pageSaw(page)).not.toContain('Berlin'); // still nothing, after the click
    // The click gave the composer back its focus: Enter sends.
    const prompt = await sendAndReceive(page, received);
    expect(prompt.startsWith(BLOCK_HEADER)).toBe(true);
    expect(prompt).toContain('Berlin');
    expect(prompt).not.toContain('vegetarian');
    expect(prompt.endsWith(QUESTION)).toBe(true);
    // The quiet indicator says how many went.
    await expect.poll(async () => (await readPanel(page)).text).toContain('Engram added 1 memory to your message');
    // …and links to the injection log, which lists what went.
    const opened = context.waitForEvent('page');
    await clickPanelButton(page, 'See what was sent');
    const log = await opened;
    await log.waitForURL(/popup\.html#log$/);
    await expect(log.getByTestId('injection')).toHaveCount(1);
    await expect(log.getByTestId('injection')).toContainText('Berlin');
    await expect(log.getByTestId('injection')).not.toContainText('vegetarian');
  });

  test('on Claude, one memory removed with the keyboard, and the rest sent with Enter', async ({ context, extensionId, received }) => {
    await remembered(context, extensionId, claude);
    await setControl(context, { mode: 'review' });
    const page = await openNewChat(context, claude);
    await typeAndReview(page, claude, QUESTION, 2);
    const first = (await readPanel(page)).memories[0]!;
    const second = (await readPanel(page)).memories[1]!;

    await page.keyboard.press('Alt+ArrowUp'); // into the list, on the user's request
    expect(await focusedName(page)).toBe(`Remove: ${first}`);
    await page.keyboard.press('Delete');
    await expect.poll(async () => (await readPanel(page)).memories).toEqual([second]);
    expect(await focusedName(page)).toBe(`Remove: ${second}`); // focus stays on the list
    await page.keyboard.press('Escape'); // back to the composer
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('live-chat-input');

    const prompt = await sendAndReceive(page, received);
    expect(prompt).toContain(second);
    expect(prompt).not.toContain(first);
    expect(prompt.endsWith(QUESTION)).toBe(true);
  });

  test('Alt+Enter sends without memories, and "send without memories" too', async ({ context, extensionId, received }) => {
    await remembered(context, extensionId, chatgpt);
    await setControl(context, { mode: 'review' });
    const page = await openNewChat(context, chatgpt);
    await typeAndReview(page, chatgpt, QUESTION, 2);
    expect(await sendAndReceive(page, received, 'Alt+Enter')).toBe(QUESTION);

    const next = await openNewChat(context, chatgpt);
    await typeAndReview(next, chatgpt, QUESTION, 2);
    const before = received.length;
    await clickPanelButton(next, 'Send without memories');
    await expect.poll(() => received.length).toBe(before + 1);
    expect(received.at(-1)?.prompt).toBe(QUESTION);
  });

  test('a send before the panel showed its memories is held until the user has seen them', async ({ context, extensionId, received }) => {
    await remembered(context, extensionId, chatgpt);
    await setControl(context, { mode: 'review' });
    const page = await openNewChat(context, chatgpt);
    await page.locator(chatgpt.composer).click();
    // Pasted and sent at once: no prefetch has answered yet.
    await page.evaluate((text) => navigator.clipboard.writeText(text).catch(() => undefined), QUESTION);
    await page.keyboard.insertText(QUESTION);
    const before = received.length;
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await readPanel(page)).memories.length).toBe(2);
    expect(received.length).toBe(before); // held: nothing left the page
    expect(await page.locator(chatgpt.composer).textContent()).toBe(QUESTION);
    const prompt = await sendAndReceive(page, received); // seen: Enter sends them
    expect(prompt).toContain('vegetarian');
    expect(prompt.endsWith(QUESTION)).toBe(true);
  });

  test('"don\'t remember this message": the turn is sent, and never stored', async ({ context, extensionId, received }) => {
    await setControl(context, { mode: 'review' });
    const page = await openNewChat(context, chatgpt);
    await typeAndReview(page, chatgpt, 'I have a dog named Max', 0);
    await expect.poll(async () => (await readPanel(page)).checkbox).not.toBeNull();
    await clickNode(page, (await readPanel(page)).checkbox!.backendNodeId);
    await expect.poll(async () => (await readPanel(page)).checkbox?.checked).toBe(true);
    await page.locator(chatgpt.composer).click();
    expect(await sendAndReceive(page, received)).toBe('I have a dog named Max');
    // A later fact, remembered as usual: once it is stored, the first one would have been too.
    await sendPrompt(await openNewChat(context, chatgpt), chatgpt, 'I live in Berlin');
    await expect.poll(async () => popupMemories(context, extensionId), { timeout: 20_000 }).toEqual(['I live in Berlin']);
  });
});

test.describe('manual mode', () => {
  test('nothing is added unless asked; the button puts the memories in the composer, where the user can edit them', async ({
    context,
    extensionId,
    received,
  }) => {
    await remembered(context, extensionId, chatgpt);
    await setControl(context, { mode: 'manual' });
    const page = await openNewChat(context, chatgpt);
    await page.locator(chatgpt.composer).click();
    await page.keyboard.type(QUESTION, { delay: 20 });
    await expect.poll(async () => (await readPanel(page)).buttons.map((b) => b.name)).toContain('Add memories');
    expect((await readPanel(page)).memories).toEqual([]);
    await clickPanelButton(page, 'Add memories');
    await expect(page.locator(chatgpt.composer)).toContainText('vegetarian');
    await expect(page.locator(chatgpt.composer)).toContainText(QUESTION);
    const prompt = await sendAndReceive(page, received);
    expect(prompt.startsWith(BLOCK_HEADER)).toBe(true);
    expect(prompt).toContain('Berlin');
    expect(prompt.endsWith(QUESTION)).toBe(true);

    // Not asked: sent as typed.
    const next = await openNewChat(context, chatgpt);
    await next.locator(chatgpt.composer).click();
    await next.keyboard.type(QUESTION, { delay: 10 });
    expect(await sendAndReceive(next, received)).toBe(QUESTION);
  });

  test('the extension shortcut inserts the memories on Claude', async ({ context, extensionId, received }) => {
    await remembered(context, extensionId, claude);
    await setControl(context, { mode: 'manual' });
    const page = await openNewChat(context, claude);
    await page.locator(claude.composer).click();
    await page.keyboard.type(QUESTION, { delay: 10 });
    // The shortcut as the browser delivers it: a key press bound to an extension command is taken by
    // the browser before any page sees it, and DevTools' key events never reach that layer, so the
    // test hands the background the command the browser would (chrome.commands.onCommand).
    const worker = context.serviceWorkers()[0]!;
    await page.bringToFront();
    await worker.evaluate(async () => {
      const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
      await (globalThis as unknown as { engram: { command: (name: string, tab?: chrome.tabs.Tab) => Promise<void> } }).engram.command('insert-memories', tab);
    });
    await expect(page.locator(claude.composer)).toContainText('vegetarian');
    const prompt = await sendAndReceive(page, received);
    expect(prompt).toContain('Berlin');
    expect(prompt.endsWith(QUESTION)).toBe(true);
  });
});

test.describe('left alone', () => {
  test('paused from the popup: nothing is added and nothing is remembered, on every site', async ({ context, extensionId, received }) => {
    await remembered(context, extensionId, chatgpt);
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    const pause = popup.getByRole('button', { name: 'Pause Engram' });
    await pause.click();
    await expect(pause).toHaveAttribute('aria-pressed', 'true');
    for (const site of [chatgpt, claude]) {
      const page = await openNewChat(context, site);
      await sendPrompt(page, site, 'I have a cat named Tom');
      expect(received.at(-1)?.prompt).toBe('I have a cat named Tom');
      await sendPrompt(page, site, QUESTION);
      expect(received.at(-1)?.prompt).toBe(QUESTION);
      expect((await readPanel(page)).visible).toBe(false);
    }
    // The toolbar button says so too.
    const worker = context.serviceWorkers()[0]!;
    await expect.poll(() => worker.evaluate(() => chrome.action.getBadgeText({}))).toBe('II');
    await popup.bringToFront();
    await pause.click();
    await expect(pause).toHaveAttribute('aria-pressed', 'false');
    await expect.poll(() => worker.evaluate(() => chrome.action.getBadgeText({}))).toBe('');
    await sendPrompt(await openNewChat(context, chatgpt), chatgpt, 'I work at the library');
    await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(3);
    expect((await popupMemories(context, extensionId)).join(' ')).not.toContain('Tom');
  });

  test('off for Claude only, from the popup: Claude is left alone, ChatGPT still gets memories', async ({ context, extensionId, received }) => {
    await remembered(context, extensionId, chatgpt);
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${extensionId}/popup.html`);
    await popup.getByText('Settings', { exact: true }).click();
    await popup.getByLabel('Claude', { exact: true }).selectOption('off');
    await popup.close();
    const onClaude = await openNewChat(context, claude);
    await sendPrompt(onClaude, claude, QUESTION);
    expect(received.at(-1)?.prompt).toBe(QUESTION);
    await sendPrompt(onClaude, claude, 'I have a cat named Tom');
    await sendPrompt(await openNewChat(context, chatgpt), chatgpt, QUESTION);
    expect(received.at(-1)?.prompt.startsWith(BLOCK_HEADER)).toBe(true);
    await sendPrompt(await openNewChat(context, chatgpt), chatgpt, 'I work at the library');
    await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(3);
    expect((await popupMemories(context, extensionId)).join(' ')).not.toContain('Tom');
  });

  for (const [site, url] of [
    [chatgpt, 'https://chatgpt.com/?temporary-chat=true'],
    [claude, 'https://claude.ai/new?incognito'],
  ] as const) {
    test(`a ${site.name} ${site === chatgpt ? 'temporary' : 'incognito'} chat is never captured and never gets memories`, async ({
      context,
      extensionId,
      received,
    }) => {
      await remembered(context, extensionId, site);
      const page = await context.newPage();
      await page.goto(url);
      await sendPrompt(page, site, 'I have a cat named Tom');
      expect(received.at(-1)?.prompt).toBe('I have a cat named Tom');
      await sendPrompt(page, site, QUESTION);
      expect(received.at(-1)?.prompt).toBe(QUESTION);
      // A later fact in a normal chat is stored; the temporary one never was.
      await sendPrompt(await openNewChat(context, site), site, 'I work at the library');
      await expect.poll(async () => (await popupMemories(context, extensionId)).length, { timeout: 20_000 }).toBe(3);
      expect((await popupMemories(context, extensionId)).join(' ')).not.toContain('Tom');
    });
  }
});

test('ask before remembering: a rejected memory is never injected, an accepted one is', async ({ context, extensionId, received }) => {
  await setControl(context, { askBeforeRemembering: true });
  await sendPrompt(await openNewChat(context, chatgpt), chatgpt, FACT);
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect
    .poll(async () => {
      await popup.reload();
      return popup.getByTestId('inbox-item').count();
    }, { timeout: 20_000 })
    .toBe(2);
  await expect(popup.getByTestId('memory')).toHaveCount(0); // waiting, not remembered yet
  mkdirSync(SHOTS, { recursive: true });
  await popup.screenshot({ path: `${SHOTS}/inbox.png`, fullPage: true });

  // Waiting memories are not injected.
  await sendPrompt(await openNewChat(context, chatgpt), chatgpt, QUESTION);
  expect(received.at(-1)?.prompt).toBe(QUESTION);

  await popup.getByRole('button', { name: /^Reject ".*vegetarian/ }).click();
  await expect(popup.getByTestId('inbox-item')).toHaveCount(1);
  await popup.getByRole('button', { name: /^Accept ".*Berlin/ }).click();
  await expect(popup.getByTestId('inbox-item')).toHaveCount(0);
  await expect(popup.getByTestId('memory')).toHaveCount(1);

  await sendPrompt(await openNewChat(context, chatgpt), chatgpt, QUESTION);
  const prompt = received.at(-1)?.prompt ?? '';
  expect(prompt).toContain('Berlin');
  expect(prompt).not.toContain('vegetarian');
});

test('the injection log lists each injection, and forgetting a memory removes its text from it', async ({ context, extensionId }) => {
  await remembered(context, extensionId, chatgpt);
  await sendPrompt(await openNewChat(context, chatgpt), chatgpt, QUESTION);
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html#log`);
  const log = popup.getByTestId('injection-log');
  await expect(log.getByTestId('injection')).toHaveCount(1);
  await expect(log).toContainText('vegetarian');
  await expect(log).toContainText('Berlin');
  await expect(log).toContainText('ChatGPT');

  // Where the memory was used, from the memory itself.
  const vegetarian = popup.getByTestId('memory').filter({ hasText: 'vegetarian' });
  await vegetarian.getByRole('button', { name: /Where was this used/ }).click();
  await expect(vegetarian).toContainText(/Used in 1 prompt/);

  await vegetarian.getByRole('button', { name: /^Forget/ }).click();
  await expect(popup.getByTestId('memory')).toHaveCount(1);
  await popup.reload();
  await expect(popup.getByTestId('injection-log')).toContainText('a memory you forgot');
  await expect(popup.getByTestId('injection-log')).not.toContainText('vegetarian');
  await expect(popup.getByTestId('injection-log')).toContainText('Berlin');
});

test.describe('review mode on every site', () => {
  for (const site of SITES.slice(2)) {
    test(`${site.name}: the panel lists the memories before the send, and Enter sends them ahead of the prompt`, async ({ context, extensionId, received }) => {
      await remembered(context, extensionId, site);
      await setControl(context, { mode: 'review' });
      const page = await openNewChat(context, site);
      await typeAndReview(page, site, QUESTION, 2);
      expect((await readPanel(page)).shadowRootType).toBe('closed');
      const prompt = await sendAndReceive(page, received);
      expect(prompt.startsWith(BLOCK_HEADER)).toBe(true);
      expect(prompt).toContain('vegetarian');
      expect(prompt.endsWith(QUESTION)).toBe(true);
    });
  }
});

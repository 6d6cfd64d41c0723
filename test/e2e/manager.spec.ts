/**
 * The memory manager as a user drives it, in the built extension: the popup (search, every filter,
 * edit, delete and Undo, bulk delete of a filtered set, pin, move to a space, a memory's details,
 * history and expiry, "Forget everything"), the options page (spaces created, nested and renamed with
 * their memories following, the injection settings and log), and the onboarding tab from install
 * to the first chat. Each view is captured in light and dark (test-results/screenshots) and checked
 * by axe-core in both.
 */
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Locator, Page, TestInfo, Worker } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import type { SiteId } from '../../src/core/types';
import { BLOCK_FOOTER, BLOCK_HEADER } from '../../src/inject/memory-block';
import { expect, extensionIdOf, launchWithExtension, openNewChat, sendPrompt, SITES, stopServiceWorkers, test, type ChatSite, type ReceivedPrompt } from './fixtures';
import { readPanel } from './panel';

/** WCAG 2.1 A and AA rules, checked by axe-core. */
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SHOTS = 'test-results/screenshots';
const SCHEMES = ['light', 'dark'] as const;
const DAY = 86_400_000;

const [chatgpt] = SITES as [ChatSite];

/** A memory to store through the worker's engine (verbatim: no extraction). */
interface Seed {
  text: string;
  site?: SiteId;
  conversationId?: string;
  space?: string;
  agentId?: string;
  runId?: string;
  pinned?: boolean;
  /** When it was said (ms since epoch). */
  saidAt?: number;
}

type EngramGlobal = {
  engram: {
    memory: {
      addMany(items: object[], options: object): Promise<{ added: number }>;
      getAll(options: object): Promise<{ results: { id: string; memory: string; space: string | null; metadata: { expiration_date?: string } }[] }>;
    };
  };
};

async function workerOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

/** Store these memories, one add each (so each is newer than the one before). */
async function seed(context: BrowserContext, seeds: readonly Seed[]): Promise<void> {
  const worker = await workerOf(context);
  await worker.evaluate(async (items) => {
    const { memory } = (globalThis as unknown as EngramGlobal).engram;
    for (const s of items) {
      const { added } = await memory.addMany(
        [
          {
            messages: s.text,
            ...(s.site ? { site: s.site } : {}),
            ...(s.conversationId ? { conversationId: s.conversationId } : {}),
            ...(s.saidAt ? { saidAt: s.saidAt } : {}),
            ...(s.pinned ? { metadata: { pinned: true } } : {}),
          },
        ],
        {
          userId: 'me',
          infer: false,
          ...(s.space ? { space: s.space } : {}),
          ...(s.agentId ? { agentId: s.agentId } : {}),
          ...(s.runId ? { runId: s.runId } : {}),
        },
      );
      if (added !== 1) throw new Error(`not stored: ${s.text}`);
    }
  }, seeds);
}

/** Every stored memory's text and space, as the engine has them. */
async function stored(context: BrowserContext): Promise<{ text: string; space: string | null }[]> {
  const worker = await workerOf(context);
  return worker.evaluate(async () => {
    const { memory } = (globalThis as unknown as EngramGlobal).engram;
    return (await memory.getAll({ filters: { user_id: 'me' }, topK: 10_000 })).results.map((m) => ({ text: m.memory, space: m.space }));
  });
}

/** The expiry date (YYYY-MM-DD) the engine keeps for the memory with this text; null for none. */
async function expirationOf(context: BrowserContext, text: string): Promise<string | null> {
  const worker = await workerOf(context);
  return worker.evaluate(async (wanted) => {
    const { memory } = (globalThis as unknown as EngramGlobal).engram;
    const { results } = await memory.getAll({ filters: { user_id: 'me' }, topK: 10_000, showExpired: true });
    return results.find((m) => m.memory === wanted)?.metadata.expiration_date ?? null;
  }, text);
}

/** The popup, in a tab the size of the real one. */
async function openPopup(context: BrowserContext, extensionId: string): Promise<Page> {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 420, height: 800 });
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByTestId('memory-manager')).toBeVisible();
  await expect(popup.locator('[data-testid="memory-count"], [data-testid="empty"]').first()).toBeVisible();
  return popup;
}

/** The list the manager shows (the memories, or the search's results). */
const list = (page: Page | Locator): Locator => page.getByRole('list', { name: /^(Memories|Search results)$/ });

/** Wait until the list shows exactly these memories, in this order. */
async function expectListed(page: Page | Locator, texts: readonly string[]): Promise<void> {
  if (texts.length === 0) {
    await expect(page.getByTestId('memory')).toHaveCount(0);
    return;
  }
  await expect(list(page).getByTestId('memory').locator('.memory-text')).toHaveText([...texts]);
}

/**
 * Capture `view` in light and dark (attached to the report and saved under test-results/screenshots)
 * and check it with axe-core in both: no violation.
 */
async function captureAndCheck(page: Page, testInfo: TestInfo, view: string, options: { fullPage?: boolean; include?: string } = {}): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect.poll(() => page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(scheme === 'dark');
    const path = `${SHOTS}/${view}-${scheme}.png`;
    await page.screenshot({ path, fullPage: options.fullPage ?? true, animations: 'disabled' });
    await testInfo.attach(`${view}-${scheme}`, { path, contentType: 'image/png' });
    let axe = new AxeBuilder({ page }).withTags(WCAG);
    if (options.include) axe = axe.include(options.include);
    const { violations } = await axe.analyze();
    expect(
      violations.map((v) => `${view} (${scheme}) ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const now = Date.now();

/** A small store with one memory of each kind the filters tell apart. */
const VARIED: Seed[] = [
  { text: 'I ran the Berlin marathon last spring', site: 'claude', saidAt: now - 400 * DAY },
  { text: 'My sister Anna lives in Lisbon', site: 'chatgpt', conversationId: 'conv-anna', pinned: true },
  { text: 'I live in Berlin', site: 'claude', conversationId: 'conv-berlin' },
  { text: 'I am vegetarian', space: 'home' },
  { text: 'I work on the Atlas project', site: 'chatgpt', space: 'work' },
  { text: 'Answer me in French', site: 'chatgpt', agentId: 'writing-coach' },
  { text: 'This week we are planning the offsite', site: 'chatgpt', runId: 'offsite-chat' },
  { text: 'My dog is called Max', site: 'chatgpt', conversationId: 'conv-max' },
];

test.describe('the popup', () => {
  test('search highlights the words it matched; each filter narrows the list; Clear filters lists every memory again', async ({
    context,
    extensionId,
  }, testInfo) => {
    await seed(context, VARIED);
    const popup = await openPopup(context, extensionId);
    await expect(popup.getByTestId('memory-count')).toHaveText(/^8 memories$/i);
    // Pinned first, then newest first.
    await expectListed(popup, [
      'My sister Anna lives in Lisbon',
      'My dog is called Max',
      'This week we are planning the offsite',
      'Answer me in French',
      'I work on the Atlas project',
      'I am vegetarian',
      'I live in Berlin',
      'I ran the Berlin marathon last spring',
    ]);
    await captureAndCheck(popup, testInfo, 'popup-list');

    // Search: the engine's ranking, the words of the search marked.
    const search = popup.getByRole('searchbox', { name: 'Search memories' });
    await search.fill('dog');
    const results = popup.getByRole('list', { name: 'Search results' });
    await expect(results.getByTestId('memory').first()).toContainText('My dog is called Max');
    await expect(results.getByTestId('memory').first().locator('mark')).toHaveText(['dog']);
    await search.fill('Berlin');
    await expect(results.getByTestId('memory').locator('.memory-text')).toContainText(['I live in Berlin', 'I ran the Berlin marathon last spring']);
    await expect(results.locator('mark').first()).toHaveText('Berlin');
    await captureAndCheck(popup, testInfo, 'popup-search');
    await search.fill('');
    await expect(popup.getByTestId('memory-count')).toHaveText(/^8 memories$/i);

    const filters = popup.getByRole('group', { name: 'Filters' });
    const clear = async (): Promise<void> => {
      await filters.getByRole('button', { name: 'Clear filters' }).click();
      await expect(popup.getByTestId('memory-count')).toHaveText(/^8 memories$/i);
    };
    // Site.
    await filters.getByRole('combobox', { name: 'Site' }).selectOption('v:claude');
    await expectListed(popup, ['I live in Berlin', 'I ran the Berlin marathon last spring']);
    await filters.getByRole('combobox', { name: 'Site' }).selectOption('none');
    await expectListed(popup, ['I am vegetarian']);
    await clear();
    // Space.
    await filters.getByRole('combobox', { name: 'Space' }).selectOption('v:work');
    await expectListed(popup, ['I work on the Atlas project']);
    await filters.getByRole('combobox', { name: 'Space' }).selectOption('v:home');
    await expectListed(popup, ['I am vegetarian']);
    await clear();
    // Scope.
    await filters.getByRole('combobox', { name: 'Scope' }).selectOption('v:agent');
    await expectListed(popup, ['Answer me in French']);
    await filters.getByRole('combobox', { name: 'Scope' }).selectOption('v:session');
    await expectListed(popup, ['This week we are planning the offsite']);
    await clear();
    // Category (the engine's: pets, home & location…).
    await filters.getByRole('combobox', { name: 'Category' }).selectOption('v:pets');
    await expectListed(popup, ['My dog is called Max']);
    await clear();
    // Date.
    await filters.getByRole('combobox', { name: 'Date' }).selectOption('week');
    await expect(popup.getByTestId('memory-count')).toHaveText(/^7 memories/i);
    await expect(list(popup).getByText('I ran the Berlin marathon last spring')).toHaveCount(0);
    await filters.getByRole('combobox', { name: 'Date' }).selectOption('any');
    await expect(popup.getByTestId('memory-count')).toHaveText(/^8 memories$/i);
    // Pinned.
    await filters.getByRole('checkbox', { name: 'Pinned only' }).check();
    await expectListed(popup, ['My sister Anna lives in Lisbon']);
    // Filters combine, with the search too.
    await filters.getByRole('checkbox', { name: 'Pinned only' }).uncheck();
    await filters.getByRole('combobox', { name: 'Site' }).selectOption('v:chatgpt');
    await search.fill('Berlin');
    await expect(popup.getByTestId('memory-count')).toHaveText(/^No memory/i);
    await search.fill('');
    await clear();
  });

  test('edit in place, and the history says old → new; details link back to the conversation; when it is forgotten; pin puts it first; move to a space', async ({
    context,
    extensionId,
  }, testInfo) => {
    await seed(context, [
      { text: 'I live in Berlin', site: 'chatgpt', conversationId: 'conv-berlin' },
      { text: 'My dog is called Max', site: 'claude', conversationId: 'conv-max' },
      { text: 'I am vegetarian', space: 'home' },
    ]);
    const popup = await openPopup(context, extensionId);
    await expectListed(popup, ['I am vegetarian', 'My dog is called Max', 'I live in Berlin']);

    // Edit in place: the row's text becomes the field, Save writes it.
    await popup.getByRole('button', { name: 'Edit "I live in Berlin"' }).click();
    const field = popup.getByRole('textbox', { name: 'Edit "I live in Berlin"' });
    await expect(field).toBeFocused();
    await expect(field).toHaveValue('I live in Berlin');
    await field.fill('I live in Lisbon');
    await popup.getByRole('button', { name: 'Save' }).click();
    await expectListed(popup, ['I am vegetarian', 'My dog is called Max', 'I live in Lisbon']);
    // Back on the row's Edit button, for a keyboard user.
    await expect(popup.getByRole('button', { name: 'Edit "I live in Lisbon"' })).toBeFocused();

    // Its details: where it came from, a link to the conversation, its history old → new.
    await popup.getByRole('button', { name: 'Details of "I live in Lisbon"' }).click();
    await expect(popup.getByRole('button', { name: 'Details of "I live in Lisbon"' })).toHaveAttribute('aria-expanded', 'true');
    const detail = popup.getByTestId('memory-detail');
    await expect(detail).toContainText('Said on ChatGPT');
    await expect(detail.getByRole('link', { name: 'Open the conversation on ChatGPT' })).toHaveAttribute('href', 'https://chatgpt.com/c/conv-berlin');
    const history = detail.getByRole('list', { name: 'History of "I live in Lisbon"' });
    await expect(history.getByRole('listitem')).toHaveCount(2);
    await expect(history.getByRole('listitem').nth(0)).toContainText('Remembered');
    await expect(history.getByRole('listitem').nth(0).locator('ins')).toHaveText(/I live in Berlin$/);
    await expect(history.getByRole('listitem').nth(1)).toContainText('You corrected it');
    await expect(history.getByRole('listitem').nth(1).locator('del')).toHaveText(/I live in Berlin$/);
    await expect(history.getByRole('listitem').nth(1).locator('ins')).toHaveText(/I live in Lisbon$/);
    await expect(detail).toContainText('Not sent with any prompt yet.');
    await captureAndCheck(popup, testInfo, 'popup-detail');

    // When it is forgotten, from its details: on a date a year from now. The engine keeps that date,
    // and a new popup's details show it.
    const expiry = detail.getByTestId('expiry');
    const when = expiry.getByRole('combobox', { name: 'Forget this memory' });
    await expect(when).toHaveValue('never');
    await expect(when.locator('option')).toHaveText(['Never', 'On a date', 'When this conversation ends']);
    await when.selectOption('date');
    const day = new Date(now + 365 * DAY).toISOString().slice(0, 10);
    await expiry.getByLabel('Date').fill(day);
    await expiry.getByRole('button', { name: 'Save' }).click();
    await expect(detail.locator('.detail-facts')).toContainText('Forgotten on');
    await expect(expiry).toContainText('Forgotten on');
    await expect.poll(() => expirationOf(context, 'I live in Lisbon')).toBe(day);
    const later = await openPopup(context, extensionId);
    await later.getByRole('button', { name: 'Details of "I live in Lisbon"' }).click();
    await expect(later.getByTestId('expiry').getByRole('combobox', { name: 'Forget this memory' })).toHaveValue('date');
    await expect(later.getByTestId('expiry').getByLabel('Date')).toHaveValue(day);
    await later.close();
    // Back to never.
    await when.selectOption('never');
    await expiry.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => expirationOf(context, 'I live in Lisbon')).toBeNull();
    await expect(detail.locator('.detail-facts')).not.toContainText('Forgotten on');

    // Move it to a space from its details: the row says where it is, the Space filter finds it there.
    await detail.getByRole('combobox', { name: 'Move to space' }).selectOption('home');
    await detail.getByRole('button', { name: 'Move "I live in Lisbon"' }).click();
    await expect(list(popup).getByTestId('memory').filter({ hasText: 'I live in Lisbon' })).toContainText('in home');
    await expect(popup.getByTestId('toast')).toContainText('Moved 1 memory to home.');
    await popup.getByRole('button', { name: 'Details of "I live in Lisbon"' }).click();
    await expect(detail).toHaveCount(0);
    const filters = popup.getByRole('group', { name: 'Filters' });
    await filters.getByRole('combobox', { name: 'Space' }).selectOption('v:home');
    await expectListed(popup, ['I am vegetarian', 'I live in Lisbon']);
    await filters.getByRole('button', { name: 'Clear filters' }).click();

    // Pin: the memory leads the list, marked.
    await popup.getByRole('button', { name: 'Pin "My dog is called Max"' }).click();
    await expect(popup.getByRole('button', { name: 'Pin "My dog is called Max"' })).toHaveAttribute('aria-pressed', 'true');
    await expectListed(popup, ['My dog is called Max', 'I am vegetarian', 'I live in Lisbon']);
    await expect(list(popup).getByTestId('memory').first()).toContainText('Pinned');
    // Still first in a new popup: the pin is stored.
    await popup.close();
    const again = await openPopup(context, extensionId);
    await expectListed(again, ['My dog is called Max', 'I am vegetarian', 'I live in Lisbon']);
    await again.getByRole('group', { name: 'Filters' }).getByRole('checkbox', { name: 'Pinned only' }).check();
    await expectListed(again, ['My dog is called Max']);
    await again.getByRole('group', { name: 'Filters' }).getByRole('button', { name: 'Clear filters' }).click();
    await expectListed(again, ['My dog is called Max', 'I am vegetarian', 'I live in Lisbon']);
  });

  test('forget one, then Undo: it is back, also in a new popup; forget without Undo: gone from the list and from a search', async ({
    context,
    extensionId,
  }) => {
    await seed(context, [
      { text: 'I live in Berlin', site: 'chatgpt' },
      { text: 'My dog is called Max', site: 'claude' },
      { text: 'I am vegetarian' },
    ]);
    const popup = await openPopup(context, extensionId);
    await popup.getByRole('button', { name: 'Forget "My dog is called Max"' }).click();
    await expectListed(popup, ['I am vegetarian', 'I live in Berlin']);
    const toast = popup.getByTestId('toast');
    await expect(toast).toContainText('Forgot “My dog is called Max”.');
    await expect(popup.getByTestId('memory-count')).toHaveText(/^2 memories$/i);
    await toast.getByRole('button', { name: 'Undo' }).click();
    await expectListed(popup, ['I am vegetarian', 'My dog is called Max', 'I live in Berlin']);
    await expect(toast).toContainText('Put back 1 memory.');
    await expect(popup.getByTestId('memory-count')).toHaveText(/^3 memories$/i);
    // Really back: a new popup lists it, and a search finds it.
    await popup.close();
    const again = await openPopup(context, extensionId);
    await expectListed(again, ['I am vegetarian', 'My dog is called Max', 'I live in Berlin']);
    await again.getByRole('searchbox', { name: 'Search memories' }).fill('Max');
    await expect(list(again).getByTestId('memory').first()).toContainText('My dog is called Max');
    await again.getByRole('searchbox', { name: 'Search memories' }).fill('');

    // Forgotten for good: the offer dismissed (or let lapse), the memory is gone everywhere.
    await again.getByRole('button', { name: 'Forget "My dog is called Max"' }).click();
    await again.getByTestId('toast').getByRole('button', { name: 'Dismiss' }).click();
    await expect(again.getByTestId('toast').getByRole('button', { name: 'Undo' })).toHaveCount(0);
    await expectListed(again, ['I am vegetarian', 'I live in Berlin']);
    await again.getByRole('searchbox', { name: 'Search memories' }).fill('Max');
    await expect(again.getByTestId('memory-count')).toHaveText(/^No memory (matches|mentions)/);
    await expect(list(again).getByText('My dog is called Max')).toHaveCount(0);
    expect((await stored(context)).map((m) => m.text).sort()).toEqual(['I am vegetarian', 'I live in Berlin']);
    await again.close();
    const third = await openPopup(context, extensionId);
    await expectListed(third, ['I am vegetarian', 'I live in Berlin']);
    await expect(third.getByTestId('memory-count')).toHaveText(/^2 memories$/i);
  });

  test('"Select all that match" forgets exactly the filtered memories; a selection moves to a space the Space filter then finds', async ({
    context,
    extensionId,
  }, testInfo) => {
    await seed(context, [
      { text: 'I live in Berlin', site: 'claude' },
      { text: 'My dog is called Max', site: 'chatgpt' },
      { text: 'I am vegetarian', site: 'claude' },
      { text: 'I work on the Atlas project', site: 'chatgpt', space: 'work' },
      { text: 'My sister Anna lives in Lisbon', site: 'claude' },
      { text: 'I play tennis on Sundays', space: 'home' },
    ]);
    const popup = await openPopup(context, extensionId);
    await expect(popup.getByTestId('memory-count')).toHaveText(/^6 memories$/i);

    // Move two memories, chosen one by one, to a space: the Space filter finds them there.
    await popup.getByRole('checkbox', { name: 'Select "My dog is called Max"' }).check();
    await popup.getByRole('checkbox', { name: 'Select "I am vegetarian"' }).check();
    const selection = popup.getByRole('group', { name: 'Selected memories' });
    await expect(selection).toContainText('2 selected');
    await captureAndCheck(popup, testInfo, 'popup-selection');
    await selection.getByRole('combobox', { name: 'Move selected to' }).selectOption('home');
    await selection.getByRole('button', { name: 'Move selected' }).click();
    await expect(popup.getByTestId('toast')).toContainText('Moved 2 memories to home.');
    await expect(selection).toHaveCount(0);
    const filters = popup.getByRole('group', { name: 'Filters' });
    await filters.getByRole('combobox', { name: 'Space' }).selectOption('v:home');
    await expectListed(popup, ['I play tennis on Sundays', 'I am vegetarian', 'My dog is called Max']);
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    // A selection can be dropped too.
    await popup.getByRole('checkbox', { name: 'Select "I live in Berlin"' }).check();
    await popup.getByRole('group', { name: 'Selected memories' }).getByRole('button', { name: 'Clear selection' }).click();
    await expect(popup.getByRole('group', { name: 'Selected memories' })).toHaveCount(0);
    await expect(popup.getByRole('checkbox', { name: 'Select "I live in Berlin"' })).not.toBeChecked();

    // Forget every memory said on Claude, and only those.
    await filters.getByRole('combobox', { name: 'Site' }).selectOption('v:claude');
    await expect(popup.getByTestId('memory-count')).toHaveText(/^3 memories match these filters$/i);
    await popup.getByRole('checkbox', { name: 'Select all that match' }).check();
    await expect(popup.getByRole('group', { name: 'Selected memories' })).toContainText('All 3 memories that match are selected');
    // Each row shows it is in the selection.
    await expect(popup.getByRole('checkbox', { name: 'Select "I live in Berlin"' })).toBeChecked();
    await popup.getByRole('group', { name: 'Selected memories' }).getByRole('button', { name: 'Forget selected' }).click();
    await expect(popup.getByTestId('memory-count')).toHaveText(/^No memory matches these filters$/i);
    await expect(popup.getByTestId('toast')).toContainText('Forgot 3 memories.');
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await expectListed(popup, ['I play tennis on Sundays', 'I work on the Atlas project', 'My dog is called Max']);
    expect(await stored(context)).toEqual(
      expect.arrayContaining([
        { text: 'I play tennis on Sundays', space: 'home' },
        { text: 'I work on the Atlas project', space: 'work' },
        { text: 'My dog is called Max', space: 'home' },
      ]),
    );
    expect(await stored(context)).toHaveLength(3);
    await expect(popup.getByTestId('stored-count')).toHaveText('3');
  });
});

/**
 * Whether the list's head saved for the next popup is the store's state (saved ~5 s after the last
 * write), once the work that follows an add (relations, the index) is done.
 */
async function headSaved(context: BrowserContext): Promise<boolean> {
  const worker = await workerOf(context);
  await worker.evaluate(() => (globalThis as unknown as { engram: { memory: { settled(): Promise<void> } } }).engram.memory.settled());
  return worker.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const open = indexedDB.open('engram');
        open.onerror = () => { resolve(false); };
        open.onsuccess = () => {
          const db = open.result;
          const settings = db.transaction('settings').objectStore('settings');
          const head = settings.get('managerHead') as IDBRequest<{ value?: { revision?: number } } | undefined>;
          const revision = settings.get('revision') as IDBRequest<{ value?: number } | undefined>;
          settings.transaction.oncomplete = () => {
            db.close();
            resolve(head.result?.value?.revision !== undefined && head.result.value.revision === revision.result?.value);
          };
        };
      }),
  );
}

/** The popup, noting which messages it had sent to the worker when its first memory showed. */
async function openPopupNoting(context: BrowserContext, extensionId: string): Promise<{ popup: Page; askedBeforeFirst: () => Promise<string[]> }> {
  const popup = await context.newPage();
  await popup.addInitScript(() => {
    const w = window as unknown as { __asked: string[]; __beforeFirst?: string[] };
    w.__asked = [];
    const send = chrome.runtime.sendMessage.bind(chrome.runtime) as (...args: unknown[]) => unknown;
    (chrome.runtime as unknown as { sendMessage: (...args: unknown[]) => unknown }).sendMessage = (...args: unknown[]) => {
      w.__asked.push(String((args[0] as { type?: unknown } | undefined)?.type));
      return send(...args);
    };
    const observer = new MutationObserver(() => {
      if (!document.querySelector('[data-testid="memory"]')) return;
      w.__beforeFirst = [...w.__asked];
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  });
  await popup.setViewportSize({ width: 420, height: 800 });
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByTestId('memory-manager')).toBeVisible();
  return {
    popup,
    askedBeforeFirst: async () => {
      await popup.waitForFunction(() => (window as unknown as { __beforeFirst?: string[] }).__beforeFirst !== undefined);
      return popup.evaluate(() => (window as unknown as { __beforeFirst: string[] }).__beforeFirst);
    },
  };
}

test.describe('the popup, opened again', () => {
  test('shows the first memories from the saved head while the worker is stopped; a memory just forgotten never shows', async ({ context, extensionId }) => {
    await seed(context, [
      { text: 'My dog is called Max', site: 'claude' },
      { text: 'I live in Berlin', site: 'chatgpt' },
      { text: 'My sister Anna lives in Lisbon', pinned: true },
      { text: 'I am vegetarian' },
    ]);
    const all = ['My sister Anna lives in Lisbon', 'I am vegetarian', 'I live in Berlin', 'My dog is called Max'];
    const first = await openPopup(context, extensionId);
    await expectListed(first, all);
    await first.close();
    await expect.poll(() => headSaved(context), { timeout: 60_000 }).toBe(true);

    // Chrome stopped the worker (30 idle seconds): the popup reads its first memories itself.
    const blank = await context.newPage();
    await stopServiceWorkers(blank);
    const asleep = await openPopupNoting(context, extensionId);
    await expectListed(asleep.popup, all);
    expect(await asleep.askedBeforeFirst()).not.toContain('memoryPage');
    await expect(asleep.popup.getByTestId('memory-count')).toHaveText(/^4 memories$/i);
    // The rest of the popup is the worker's: a search, a filter.
    await asleep.popup.getByRole('searchbox', { name: 'Search memories' }).fill('Berlin');
    await expect(list(asleep.popup).getByTestId('memory').first()).toContainText('I live in Berlin');
    await asleep.popup.getByRole('searchbox', { name: 'Search memories' }).fill('');
    await expectListed(asleep.popup, all);

    // Forgotten: a popup opened at once (the head not saved again yet) does not show it, nor one
    // opened later from the head saved since, the worker stopped again.
    await asleep.popup.getByRole('button', { name: 'Forget "I am vegetarian"' }).click();
    await asleep.popup.getByTestId('toast').getByRole('button', { name: 'Dismiss' }).click();
    await asleep.popup.close();
    const left = ['My sister Anna lives in Lisbon', 'I live in Berlin', 'My dog is called Max'];
    const soon = await openPopup(context, extensionId);
    await expectListed(soon, left);
    await soon.close();
    await expect.poll(() => headSaved(context), { timeout: 60_000 }).toBe(true);
    await stopServiceWorkers(blank);
    const later = await openPopupNoting(context, extensionId);
    await expectListed(later.popup, left);
    expect(await later.askedBeforeFirst()).not.toContain('memoryPage');
    await expect(later.popup.getByTestId('memory-count')).toHaveText(/^3 memories$/i);
  });
});

test.describe('the popup, readable', () => {
  test('memory text is at least 13 px, and at 200% zoom no memory text runs out of its row', async ({ context, extensionId }) => {
    await seed(context, [
      { text: 'My colleague Priya-Venkataraman-Subramaniam leads the Atlas-infrastructure-migration-workstream', site: 'chatgpt' },
      { text: 'I live in Berlin', site: 'claude' },
      { text: 'I am vegetarian' },
    ]);
    const popup = await openPopup(context, extensionId);
    await expect(list(popup).getByTestId('memory')).toHaveCount(3);
    const sizes = await list(popup).locator('.memory-text').evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)));
    expect(sizes.every((px) => px >= 13), `memory text sizes: ${sizes.join(', ')}`).toBe(true);
    // The date line is smaller than the memory, never the other way round.
    const meta = await list(popup).locator('.memory-meta').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(meta).toBeLessThan(sizes[0]!);

    // 200% zoom, in the popup's widest window (800 device pixels).
    await popup.setViewportSize({ width: 800, height: 1200 });
    await popup.evaluate(() => {
      document.documentElement.style.zoom = '2';
    });
    await expect(list(popup).getByTestId('memory')).toHaveCount(3);
    const overflow = await popup.evaluate(() => {
      const out: string[] = [];
      const page = document.scrollingElement!;
      if (page.scrollWidth > page.clientWidth + 1) out.push(`page ${page.scrollWidth} > ${page.clientWidth}`);
      for (const el of document.querySelectorAll<HTMLElement>('[data-testid="memory"] :is(.memory-text, .memory-meta, .memory-actions)')) {
        if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.className}: ${el.scrollWidth} > ${el.clientWidth}`);
        const row = el.closest('li')!.getBoundingClientRect();
        const box = el.getBoundingClientRect();
        if (box.right > row.right + 1) out.push(`${el.className} ends at ${box.right}, its row at ${row.right}`);
      }
      return out;
    });
    expect(overflow).toEqual([]);
    mkdirSync(SHOTS, { recursive: true });
    await popup.screenshot({ path: `${SHOTS}/popup-list-zoom200-light.png`, fullPage: true });

    // The keyboard: the arrow keys go from memory to memory, Tab on to the memory's buttons.
    await popup.evaluate(() => {
      document.documentElement.style.zoom = '';
    });
    const rows = list(popup).getByTestId('memory');
    await rows.first().focus();
    await popup.keyboard.press('ArrowDown');
    await expect(rows.nth(1)).toBeFocused();
    await popup.keyboard.press('End');
    await expect(rows.nth(2)).toBeFocused();
    await popup.keyboard.press('Home');
    await expect(rows.first()).toBeFocused();
    await popup.keyboard.press('Tab');
    await expect(popup.getByRole('checkbox', { name: 'Select "I am vegetarian"' })).toBeFocused();

    // The options page at 200% in a 1100 × 900 window: 550 CSS pixels wide (browser zoom shrinks the
    // viewport, so the page's own narrow layout applies); nothing wider than the window.
    const options = await openOptions(context, extensionId);
    await options.setViewportSize({ width: 550, height: 450 });
    await expect(options.locator('#memories').getByTestId('memory')).toHaveCount(3);
    expect(await options.evaluate(() => document.scrollingElement!.scrollWidth <= document.scrollingElement!.clientWidth + 1)).toBe(true);
    const memoryText = await options.locator('#memories .memory-text').first().evaluate((el) => ({ right: el.getBoundingClientRect().right, width: innerWidth }));
    expect(memoryText.right).toBeLessThanOrEqual(memoryText.width);
    await options.screenshot({ path: `${SHOTS}/options-zoom200-light.png` });
  });
});

test.describe('forget everything', () => {
  test('behind the typed confirmation: the list is empty and the count 0, also in a new popup', async ({ context, extensionId }, testInfo) => {
    await seed(context, [{ text: 'I live in Berlin', site: 'chatgpt' }, { text: 'My dog is called Max' }]);
    const popup = await openPopup(context, extensionId);
    await expect(popup.getByTestId('stored-count')).toHaveText('2');
    await popup.getByRole('button', { name: 'Forget everything…' }).click();
    const dialog = popup.getByRole('alertdialog');
    await expect(dialog).toContainText('Forget everything Engram knows?');
    await expect(dialog).toContainText('2 memories');
    const confirm = dialog.getByRole('button', { name: 'Forget everything' });
    const word = dialog.getByRole('textbox', { name: 'Type FORGET to confirm' });
    await expect(word).toBeFocused();
    await expect(confirm).toBeDisabled();
    await word.fill('forge');
    await expect(confirm).toBeDisabled();
    await captureAndCheck(popup, testInfo, 'popup-forget-everything');
    // Escape backs out, nothing forgotten.
    await word.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(popup.getByTestId('stored-count')).toHaveText('2');
    await popup.getByRole('button', { name: 'Forget everything…' }).click();
    await dialog.getByRole('textbox', { name: 'Type FORGET to confirm' }).fill('FORGET');
    await dialog.getByRole('button', { name: 'Forget everything' }).click();
    await expect(popup.getByTestId('forgotten')).toHaveText('Engram has forgotten everything.');
    await expect(popup.getByTestId('memory')).toHaveCount(0);
    await expect(popup.getByTestId('empty')).toBeVisible();
    await expect(popup.getByTestId('stored-count')).toHaveText('0');
    expect(await stored(context)).toEqual([]);
    await popup.close();
    const again = await openPopup(context, extensionId);
    await expect(again.getByTestId('empty')).toBeVisible();
    await expect(again.getByTestId('stored-count')).toHaveText('0');
  });
});

/** The options page, in a window of a laptop's size. */
async function openOptions(context: BrowserContext, extensionId: string, hash = ''): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(`chrome-extension://${extensionId}/options.html${hash}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Engram settings' })).toBeVisible();
  await expect(page.locator('#memories').locator('[data-testid="memory-count"], [data-testid="empty"]').first()).toBeVisible();
  return page;
}

/** A section of the options page, captured and checked on its own (its part of the page, in both schemes). */
async function captureSection(page: Page, testInfo: TestInfo, section: string): Promise<void> {
  await page.locator(`#${section}`).scrollIntoViewIfNeeded();
  mkdirSync(SHOTS, { recursive: true });
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    const path = `${SHOTS}/options-${section}-${scheme}.png`;
    await page.locator(`#${section}`).screenshot({ path, animations: 'disabled' });
    await testInfo.attach(`options-${section}-${scheme}`, { path, contentType: 'image/png' });
    const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
    expect(violations.map((v) => `options #${section} (${scheme}) ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe('the options page', () => {
  test('spaces: create, nest (work/atlas) and rename one; its memories follow; a site’s default space files new memories there', async ({
    context,
    extensionId,
  }, testInfo) => {
    await seed(context, [
      { text: 'I work on the Atlas project', site: 'chatgpt', space: 'work' },
      { text: 'My dog is called Max', site: 'claude' },
    ]);
    const page = await openOptions(context, extensionId, '#spaces');
    const spaces = page.locator('#spaces');
    const yours = spaces.getByRole('list', { name: 'Your spaces' });
    await expect(yours.getByTestId('space')).toHaveCount(1);
    await expect(yours.getByTestId('space').first()).toContainText('work');

    const create = async (path: string): Promise<void> => {
      await spaces.getByRole('textbox', { name: 'New space' }).fill(path);
      await spaces.getByRole('button', { name: 'Create space' }).click();
      await expect(spaces.getByTestId('spaces-status')).toHaveText(`Created ${path}.`);
      await expect(spaces.getByRole('textbox', { name: 'New space' })).toHaveValue('');
    };
    await create('home');
    await create('work/atlas');
    await expect(yours.locator('.space-path')).toHaveText(['home', 'work', 'work/atlas']);
    // Nested: indented under its parent.
    const indent = async (path: string): Promise<number> =>
      yours.getByTestId('space').filter({ has: page.locator('.space-path', { hasText: new RegExp(`^${path}$`) }) }).evaluate((el) => parseFloat(getComputedStyle(el).paddingInlineStart));
    expect(await indent('work/atlas')).toBeGreaterThan(await indent('work'));
    // The same name twice is refused, with why.
    await spaces.getByRole('textbox', { name: 'New space' }).fill('home');
    await spaces.getByRole('button', { name: 'Create space' }).click();
    await expect(spaces.getByRole('alert')).toHaveText('There is already a space called home.');
    await spaces.getByRole('textbox', { name: 'New space' }).fill('');

    // File a memory in the nested space, from the manager on the same page.
    const manager = page.locator('#memories');
    await manager.getByRole('button', { name: 'Details of "I work on the Atlas project"' }).click();
    await manager.getByRole('combobox', { name: 'Move to space' }).selectOption('work/atlas');
    await manager.getByRole('button', { name: 'Move "I work on the Atlas project"' }).click();
    await expect(manager.getByTestId('memory').filter({ hasText: 'I work on the Atlas project' })).toContainText('in work/atlas');
    await expect(yours.getByTestId('space').filter({ hasText: 'work/atlas' })).toContainText('1 memory');

    // Rename work → job: work/atlas follows, and so does its memory.
    await spaces.getByRole('button', { name: 'Rename space "work"' }).click();
    const name = spaces.getByRole('textbox', { name: 'New name for "work"' });
    await expect(name).toBeFocused();
    await name.fill('job');
    await captureSection(page, testInfo, 'spaces');
    await name.press('Enter');
    await expect(spaces.getByTestId('spaces-status')).toHaveText('Renamed work to job.');
    await expect(yours.locator('.space-path')).toHaveText(['home', 'job', 'job/atlas']);
    await expect(manager.getByTestId('memory').filter({ hasText: 'I work on the Atlas project' })).toContainText('in job/atlas');
    expect(await stored(context)).toEqual(expect.arrayContaining([{ text: 'I work on the Atlas project', space: 'job/atlas' }]));
    // The manager's Space filter finds it under job (and job/atlas).
    const filters = manager.getByRole('group', { name: 'Filters' });
    await filters.getByRole('combobox', { name: 'Space' }).selectOption('v:job');
    await expectListed(manager, ['I work on the Atlas project']);
    await filters.getByRole('button', { name: 'Clear filters' }).click();
    await expectListed(manager, ['My dog is called Max', 'I work on the Atlas project']);

    // Delete home: gone from the list.
    await spaces.getByRole('button', { name: 'Delete space "home"' }).click();
    await expect(yours.locator('.space-path')).toHaveText(['job', 'job/atlas']);

    // ChatGPT's default space: a memory from a chat there is filed in it.
    await spaces.getByRole('combobox', { name: 'Default space on ChatGPT' }).selectOption('job');
    await expect(spaces.getByRole('combobox', { name: 'Default space on ChatGPT' })).toHaveValue('job');
    const chat = await openNewChat(context, chatgpt);
    await sendPrompt(chat, chatgpt, 'I play tennis on Sundays');
    await expect.poll(async () => (await stored(context)).find((m) => /tennis/.test(m.text))?.space ?? null, { timeout: 20_000 }).toBe('job');
  });

  test('injection: the log lists which memories went out with a send on ChatGPT; with "Memories per prompt" at 1 a send carries one', async ({
    context,
    extensionId,
    received,
  }, testInfo) => {
    // Told in a chat, remembered.
    const first = await openNewChat(context, chatgpt);
    await sendPrompt(first, chatgpt, "I'm vegetarian and I live in Berlin");
    await expect.poll(async () => (await stored(context)).length, { timeout: 20_000 }).toBe(2);

    // A question: both memories go out.
    const QUESTION = 'Can you suggest a restaurant near me for tonight?';
    await sendPrompt(await openNewChat(context, chatgpt), chatgpt, QUESTION);
    const sent = blockLines(received.at(-1)?.prompt ?? '');
    expect(sent).toHaveLength(2);

    const page = await openOptions(context, extensionId, '#privacy');
    const privacy = page.locator('#privacy');
    await privacy.getByText('Sent with your prompts', { exact: true }).click();
    const log = privacy.getByTestId('injection');
    await expect(log).toHaveCount(1);
    await expect(log.first()).toContainText('ChatGPT');
    await expect(log.first()).toContainText('added automatically');
    await expect(log.first().getByRole('list', { name: 'Memories sent' }).getByRole('listitem')).toHaveText(sent.map((line) => new RegExp(`^${escapeRegExp(line.replace(/ \(said [^)]*\)$/, ''))}`)));
    await captureSection(page, testInfo, 'privacy');
    // Each memory's details say where it went.
    const manager = page.locator('#memories');
    const [one] = await manager.locator('.memory-text').allTextContents();
    await manager.getByRole('button', { name: `Details of "${one}"` }).click();
    await expect(manager.getByTestId('memory-detail')).toContainText('Sent with 1 prompt:');
    await expect(manager.getByRole('list', { name: `Prompts that carried "${one}"` }).getByRole('listitem')).toHaveCount(1);
    await captureSection(page, testInfo, 'memories');

    // One memory per prompt.
    const injection = page.locator('#injection');
    await injection.scrollIntoViewIfNeeded();
    await expect(injection.getByRole('combobox', { name: 'How memories are added' })).toHaveValue('automatic');
    const perPrompt = injection.getByRole('spinbutton', { name: 'Memories per prompt' });
    await perPrompt.fill('1');
    await perPrompt.press('Enter');
    await expect.poll(() => controlOf(context).then((c) => (c.injection as { topK?: number } | undefined)?.topK)).toBe(1);
    await expect(injection.getByRole('spinbutton', { name: 'Relevance threshold' })).toBeVisible();
    await expect(injection.getByRole('spinbutton', { name: 'Token budget' })).toBeVisible();
    await captureSection(page, testInfo, 'injection');
    await sendPrompt(await openNewChat(context, chatgpt), chatgpt, QUESTION);
    expect(blockLines(received.at(-1)?.prompt ?? '')).toHaveLength(1);
    // The log has it too, newest first, with its one memory.
    await page.reload();
    await page.locator('#privacy').getByText('Sent with your prompts', { exact: true }).click();
    await expect(page.locator('#privacy').getByTestId('injection')).toHaveCount(2);
    await expect(page.locator('#privacy').getByTestId('injection').first().getByRole('list', { name: 'Memories sent' }).getByRole('listitem')).toHaveCount(1);
    await captureSection(page, testInfo, 'models');
  });
});

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The memory lines of the block at the head of a prompt (none without a block). */
function blockLines(prompt: string): string[] {
  const start = prompt.indexOf(BLOCK_HEADER);
  const end = prompt.indexOf(BLOCK_FOOTER);
  if (start !== 0 || end < 0) return [];
  return prompt
    .slice(BLOCK_HEADER.length, end)
    .split('\n')
    .filter((line) => line.startsWith('- '))
    .map((line) => line.slice(2));
}

/** The control settings as stored. */
async function controlOf(context: BrowserContext): Promise<Record<string, unknown>> {
  const worker = await workerOf(context);
  return worker.evaluate(async () => (await chrome.storage.local.get<{ control?: Record<string, unknown> }>('control')).control ?? {});
}

/** The onboarding tab the background opened on install (waited for: the install event may still be on its way). */
async function onboardingTab(context: BrowserContext): Promise<Page> {
  const find = (): Page | undefined => context.pages().find((p) => p.url().endsWith('/onboarding.html'));
  await expect.poll(() => find() !== undefined, { timeout: 20_000 }).toBe(true);
  const page = find()!;
  await page.waitForLoadState();
  return page;
}

test.describe('the onboarding', () => {
  test('from install to the first chat: opened on install, Review chosen, finished; never shown again after a restart; the next chat is reviewed', async ({
    profileDir,
  }, testInfo) => {
    const received: ReceivedPrompt[] = [];
    // A new install with its own settings (no test's), and the tab the install opens kept.
    let context = await launchWithExtension(profileDir, received, [], [], null, true);
    try {
      const extensionId = await extensionIdOf(context);
      const page = await onboardingTab(context);
      await page.setViewportSize({ width: 1000, height: 800 });
      await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Engram' })).toBeVisible();
      const steps = page.getByRole('list', { name: 'Setup steps' });
      const current = steps.locator('[aria-current="step"]');

      await expect(current).toHaveText('What Engram does');
      await expect(page.getByRole('button', { name: 'Back' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Skip setup' })).toBeVisible();
      await captureAndCheck(page, testInfo, 'onboarding-what');
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(current).toHaveText('What stays on your device');
      // The step's heading takes the focus, so a screen reader reads the new step.
      await expect(page.getByRole('heading', { level: 2, name: 'What stays on your device' })).toBeFocused();
      await expect(page.getByText('huggingface.co', { exact: false }).first()).toBeVisible();
      await captureAndCheck(page, testInfo, 'onboarding-device');
      // Back and forth.
      await page.getByRole('button', { name: 'Back' }).click();
      await expect(current).toHaveText('What Engram does');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(current).toHaveText('How memories are added');
      const review = page.getByRole('radio', { name: 'Review before sending (recommended)' });
      await expect(review).toBeChecked(); // the default
      await page.getByRole('radio', { name: 'Automatically' }).check();
      await expect(page.getByRole('radio', { name: 'Only when I ask' })).toBeVisible();
      await review.check();
      await expect(review).toBeChecked();
      await captureAndCheck(page, testInfo, 'onboarding-mode');
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(current).toHaveText('Models');
      await expect(page.getByRole('radio', { name: 'Start without downloading anything (recommended)' })).toBeChecked();
      await captureAndCheck(page, testInfo, 'onboarding-models');
      await page.getByRole('button', { name: 'Next' }).click();
      await expect(current).toHaveText('Ready');
      await expect(page.getByRole('link', { name: 'Try it on the demo chat' })).toBeVisible();
      await captureAndCheck(page, testInfo, 'onboarding-ready');
      await page.getByRole('button', { name: 'Finish' }).click();
      await expect(page.getByTestId('onboarding-ended')).toHaveText('Engram is ready. You can close this tab.');
      await captureAndCheck(page, testInfo, 'onboarding-finished');
      expect(await controlOf(context)).toMatchObject({ mode: 'review', onboarded: true });
      // The popup's first-run card does not show either.
      const popup = await openPopup(context, extensionId);
      await expect(popup.getByRole('button', { name: 'Pause Engram' })).toBeVisible();
      await expect(popup.getByTestId('onboarding')).toHaveCount(0);
      await popup.close();
    } finally {
      await context.close();
    }

    // The browser restarts: no onboarding tab, no first-run card.
    context = await launchWithExtension(profileDir, received, [], [], null, true);
    try {
      const extensionId = await extensionIdOf(context);
      const popup = await openPopup(context, extensionId);
      await expect(popup.getByRole('button', { name: 'Pause Engram' })).toBeVisible();
      await expect(popup.getByTestId('onboarding')).toHaveCount(0);
      const worker = await workerOf(context);
      const tabs = await worker.evaluate(async () => (await chrome.tabs.query({ url: chrome.runtime.getURL('/onboarding.html') })).length);
      expect(tabs).toBe(0);
      expect(context.pages().filter((p) => p.url().endsWith('/onboarding.html'))).toEqual([]);
      await popup.close();

      // The first chats: a fact told on ChatGPT; the next prompt's memories are shown for review before the send.
      await sendPrompt(await openNewChat(context, chatgpt), chatgpt, "I'm vegetarian and I live in Berlin");
      expect(received.at(-1)?.prompt).toBe("I'm vegetarian and I live in Berlin");
      await expect.poll(async () => (await stored(context)).length, { timeout: 20_000 }).toBe(2);
      const chat = await openNewChat(context, chatgpt);
      await chat.locator(chatgpt.composer).click();
      await chat.keyboard.type('Can you suggest a restaurant near me for tonight?', { delay: 20 });
      await expect.poll(async () => (await readPanel(chat)).memories.length, { timeout: 15_000 }).toBe(2);
      expect((await readPanel(chat)).memories.join(' ')).toContain('Berlin');
      await chat.keyboard.press('Enter');
      await expect.poll(() => received.length).toBe(2);
      expect(blockLines(received.at(-1)?.prompt ?? '').join(' ')).toContain('Berlin');
      // The log says the user reviewed it.
      const options = await openOptions(context, extensionId, '#privacy');
      await options.locator('#privacy').getByText('Sent with your prompts', { exact: true }).click();
      await expect(options.locator('#privacy').getByTestId('injection').first()).toContainText('you reviewed');
    } finally {
      await context.close();
    }
  });
});

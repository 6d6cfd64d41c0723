/**
 * Encryption at rest in Chromium (issue 16): turned on in the options page, what a chat on the
 * ChatGPT fixture leaves is stored encrypted (IndexedDB read directly, without Engram's vault), as
 * is a space the user names in the options page (its settings, the memory manager's saved rows and
 * the memories' space index);
 * after a browser restart Engram is locked: a send goes through without memories, the in-page
 * indicator says Engram is locked, and the turn waits, sealed; unlocked in the popup, the next send
 * has memories and the waiting turn is remembered; a passphrase change whose service worker is
 * stopped half-way resumes in the next worker and loses nothing.
 */
import type { BrowserContext, Page, Worker } from '@playwright/test';
import type { Lock } from '../../src/background/lock/lock';
import type { Memory } from '../../src/engine/memory';
import { expect, extensionIdOf, launchWithExtension, openNewChat, SITES, stopServiceWorkers, test, type ChatSite, type ReceivedPrompt } from './fixtures';
import { readPanel } from './panel';

type Globals = { engram: { memory: Memory }; engramLock: Lock };

const PASS = 'correct horse battery';
const NEXT = 'staple tangerine orbit';
/** A space name found nowhere else. */
const SPACE = 'Vexillarium';
const chatgpt = SITES[0] as ChatSite;

/** The worker running now (a stopped one is started again by a message). */
async function workerOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers().at(-1) ?? context.waitForEvent('serviceworker');
}

/** Every row of Engram's IndexedDB as stored on disk, read with the plain IndexedDB API (no vault); the settings' keys that hold an envelope. */
async function disk(context: BrowserContext): Promise<{ text: string; keyIds: (number | null)[]; sealedSettings: string[] }> {
  const worker = await workerOf(context);
  return worker.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('engram');
      open.onsuccess = () => {
        resolve(open.result);
      };
      open.onerror = () => {
        reject(open.error ?? new Error('open failed'));
      };
    });
    const parts: string[] = [];
    const keyIds: (number | null)[] = [];
    const sealedSettings: string[] = [];
    for (const name of Array.from(db.objectStoreNames)) {
      const rows = await new Promise<unknown[]>((resolve) => {
        const all = db.transaction(name).objectStore(name).getAll();
        all.onsuccess = () => {
          resolve(all.result as unknown[]);
        };
      });
      for (const row of rows) {
        parts.push(
          JSON.stringify(row, (_key, value: unknown) =>
            ArrayBuffer.isView(value) ? Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength), (b) => String.fromCharCode(b)).join('') : value,
          ),
        );
        const envelope = (row as { _enc?: unknown })._enc;
        if (name !== 'settings') keyIds.push(envelope instanceof Uint8Array ? new DataView(envelope.buffer, envelope.byteOffset).getUint32(3) : null);
        else if (envelope instanceof Uint8Array) sealedSettings.push(String((row as { key?: unknown }).key));
      }
    }
    db.close();
    return { text: parts.join('\n'), keyIds, sealedSettings };
  });
}

/** The user's memories, read in the worker (through the vault). */
async function memories(context: BrowserContext): Promise<string[]> {
  const worker = await workerOf(context);
  return worker.evaluate(async () => {
    const { results } = await (globalThis as unknown as Globals).engram.memory.getAll({ filters: { user_id: 'me' }, topK: 1000 });
    return results.map((m) => m.memory).sort();
  });
}

/** Type and send on the chat page; the prompt the site received. */
async function send(page: Page, received: ReceivedPrompt[], text: string): Promise<string> {
  const before = received.length;
  const turns = await page.locator(chatgpt.assistantTurn).count();
  // Focused, not clicked: the indicator of the last send may sit over the fixture's composer.
  await page.locator(chatgpt.composer).focus();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await expect(page.locator(chatgpt.assistantTurn)).toHaveCount(turns + 1);
  await expect.poll(() => received.length).toBe(before + 1);
  return received.at(-1)!.prompt;
}

async function optionsPage(context: BrowserContext, extensionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html#privacy`);
  await expect(page.getByTestId('encryption-state')).toBeVisible();
  return page;
}

test('encryption at rest: on, locked after a restart, unlocked in the popup, and a passphrase change that survives its worker', async ({ profileDir }) => {
  test.setTimeout(240_000);
  const received: ReceivedPrompt[] = [];
  let context = await launchWithExtension(profileDir, received);
  let extensionId = await extensionIdOf(context);

  // Turned on in the options page, after its warning.
  const options = await optionsPage(context, extensionId);
  const panel = options.getByTestId('encryption-panel');
  await expect(panel.getByTestId('no-recovery')).toContainText('There is no recovery');
  await panel.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await panel.getByLabel('Passphrase again').fill(PASS);
  await panel.getByLabel(/I understand/).check();
  await panel.getByRole('button', { name: 'Encrypt my memories' }).click();
  await expect(panel.getByTestId('encryption-state')).toHaveAttribute('data-state', 'on', { timeout: 30_000 });
  await expect(panel.getByTestId('encryption-state')).toContainText('600,000 iterations');

  // A chat on ChatGPT: remembered, and recalled into the next prompt.
  const chat = await openNewChat(context, chatgpt);
  await send(chat, received, 'I live in Lisbon and my dog is called Pixel');
  await expect.poll(() => memories(context), { timeout: 30_000 }).toEqual(expect.arrayContaining([expect.stringContaining('Lisbon')]));
  expect(await send(chat, received, 'Which city should I search flats in?')).toContain('Lisbon');
  // A space named in the options page, and a memory filed under it.
  await options.getByLabel('New space').fill(SPACE);
  await options.getByRole('button', { name: 'Create space' }).click();
  await expect(options.locator('section#spaces')).toContainText(SPACE);
  await (await workerOf(context)).evaluate((space) => (globalThis as unknown as Globals).engram.memory.add('I keep my passport in the top drawer', { userId: 'me', infer: false, space: `${space}/trips` }), SPACE);
  // On disk: nothing in clear; the settings holding the space (and the manager's rows, saved a few
  // seconds after a write) are encrypted.
  await expect.poll(async () => (await disk(context)).keyIds.every((id) => id !== null)).toBe(true);
  await expect.poll(async () => (await disk(context)).sealedSettings, { timeout: 30_000 }).toEqual(expect.arrayContaining(['spaces', 'managerRows', 'managerHead', 'nextLabel']));
  const stored = await disk(context);
  expect(stored.text).not.toContain('Lisbon');
  expect(stored.text).not.toContain('Pixel');
  expect(stored.text).not.toContain(SPACE);
  expect(stored.text).not.toContain('passport');
  await context.close();

  // The browser restarts: Engram is locked.
  context = await launchWithExtension(profileDir, received, [], [], null);
  extensionId = await extensionIdOf(context);
  const locked = await openNewChat(context, chatgpt);
  const prompt = await send(locked, received, 'Which city do I live in? My favourite colour is teal');
  expect(prompt).toBe('Which city do I live in? My favourite colour is teal'); // as typed: no memory block
  await expect.poll(async () => (await readPanel(locked)).text).toContain('Engram is locked');
  // The turn waits, sealed to the public key: not processed, not readable.
  await expect.poll(async () => (await disk(context)).keyIds.length).toBeGreaterThan(stored.keyIds.length);
  expect((await disk(context)).text).not.toContain('teal');

  // Unlocked in the popup: the next send has memories, and the waiting turn is remembered.
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const banner = popup.getByTestId('locked-banner');
  await expect(banner).toContainText('Engram is locked');
  await banner.getByLabel('Passphrase').fill('not the passphrase');
  await banner.getByRole('button', { name: 'Unlock' }).click();
  await expect(banner.getByTestId('encryption-error')).toContainText('Nothing was changed');
  await banner.getByLabel('Passphrase').fill(PASS);
  await banner.getByRole('button', { name: 'Unlock' }).click();
  await expect(banner).toHaveCount(0);
  await expect.poll(() => memories(context), { timeout: 30_000 }).toEqual(expect.arrayContaining([expect.stringContaining('teal')]));
  expect(await send(locked, received, 'Which city should I search flats in?')).toContain('Lisbon');
  await expect.poll(async () => (await readPanel(locked)).text).toContain('Engram added');

  // A passphrase change, its worker stopped half-way (after two chunks), resumes and loses nothing.
  for (let i = 0; i < 30; i++) {
    await (await workerOf(context)).evaluate((n) => (globalThis as unknown as Globals).engram.memory.add(`I visited city number ${n} in 2019`, { userId: 'me', infer: false }), i);
  }
  const before = await memories(context);
  expect(before.length).toBeGreaterThanOrEqual(33);
  await (await workerOf(context)).evaluate(() => {
    (globalThis as unknown as Globals).engramLock.haltAfterChunks = 2;
  });
  const settings = await optionsPage(context, extensionId);
  const change = settings.getByTestId('encryption-panel');
  await change.getByText('Change the passphrase').click();
  await change.getByLabel('Current passphrase').fill(PASS);
  await change.getByLabel('New passphrase').fill(NEXT);
  await change.getByTestId('change-passphrase').getByLabel('Passphrase again').fill(NEXT);
  await change.getByRole('button', { name: 'Change passphrase' }).click();
  await expect(change.getByTestId('encryption-state')).toHaveAttribute('data-state', 'rotating');
  await expect
    .poll(async () => (await workerOf(context)).evaluate(async () => (await (globalThis as unknown as Globals).engramLock.status()).migrating))
    .toBe(false);
  const half = await disk(context);
  expect(new Set(half.keyIds).size).toBe(2); // both generations on disk
  await stopServiceWorkers(settings);

  // The next worker (woken by the options page) goes on by itself and finishes.
  const again = await optionsPage(context, extensionId);
  await expect(again.getByTestId('encryption-state')).toHaveAttribute('data-state', 'on', { timeout: 60_000 });
  const after = await disk(context);
  expect(new Set(after.keyIds).size).toBe(1);
  expect(after.keyIds).not.toContain(null);
  expect(after.text).not.toContain('Lisbon');
  expect(after.text).not.toContain('city number');
  expect(after.text).not.toContain(SPACE);
  expect(await memories(context)).toEqual(before);
  // The space is there, read through the vault.
  await expect(again.locator('section#spaces')).toContainText(`${SPACE}/trips`);

  // Only the new passphrase opens it now.
  const block = again.getByTestId('encryption-panel');
  await block.getByRole('button', { name: 'Lock now' }).click();
  await expect(block.getByTestId('encryption-state')).toHaveAttribute('data-locked', 'true');
  await block.getByTestId('unlock-form').getByLabel('Passphrase').fill(PASS);
  await block.getByRole('button', { name: 'Unlock' }).click();
  await expect(block.getByTestId('encryption-error')).toContainText('does not unlock Engram');
  await block.getByTestId('unlock-form').getByLabel('Passphrase').fill(NEXT);
  await block.getByRole('button', { name: 'Unlock' }).click();
  await expect(block.getByTestId('encryption-state')).toHaveAttribute('data-locked', 'false');
  expect(await memories(context)).toEqual(before);
  await context.close();
});

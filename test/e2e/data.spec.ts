/**
 * "Your data" end to end, in Chromium with the built extension: a ChatGPT data export picked in
 * the options page is previewed, imported in the background with its progress shown until done,
 * and its memories are listed in the popup, dated when they were said; importing the same file
 * again adds nothing; the profile exported as an Engram file and imported into a fresh profile
 * shows the same memories. With encryption on, the Engram file is encrypted with the passphrase
 * (a wrong one is refused), a fresh profile imports it with that passphrase only (a changed file
 * is refused), and the Mem0 file, never encrypted, is written only once the user confirmed it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, extensionIdOf, launchWithExtension, popupMemories, test } from './fixtures';

const FIXTURE = resolve('test/fixtures/exports/chatgpt/conversations.json');

type Stored = { memory: string; saidAt: string; site: string | null; conversationId: string | null; space?: string | null };
type EngramGlobal = { engram: { memory: { getAll(options: unknown): Promise<{ results: Stored[] }>; add(text: string, options: unknown): Promise<unknown> } } };

/** Every memory as the worker holds it: text, when it was said, where. */
async function stored(context: BrowserContext): Promise<Stored[]> {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  return worker.evaluate(async () => {
    const { results } = await (globalThis as unknown as EngramGlobal).engram.memory.getAll({ filters: { user_id: 'me' }, topK: 1000 });
    return results.map((m) => ({ memory: m.memory, saidAt: m.saidAt, site: m.site, conversationId: m.conversationId, space: m.space ?? null }));
  });
}

/** The popup's rows: each memory's text and the date it shows. */
async function popupRows(context: BrowserContext, extensionId: string): Promise<[string, string | null][]> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.locator('[data-testid="memory"]').first()).toBeVisible();
  const rows = await popup.locator('[data-testid="memory"]').evaluateAll((items) =>
    items.map((item): [string, string | null] => [item.querySelector('.memory-text')?.textContent ?? '', item.querySelector('time')?.getAttribute('datetime') ?? null]),
  );
  await popup.close();
  return rows;
}

async function openData(context: BrowserContext, extensionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/options.html#data`);
  await expect(page.locator('section#data')).toBeVisible();
  return page;
}

/** Pick the fixture export, check the preview, import it, and wait until the background is done. */
async function importHistory(page: Page): Promise<void> {
  const part = page.getByTestId('history-import');
  await part.getByLabel('Chat history file (ZIP or conversations.json)').setInputFiles(FIXTURE);
  const preview = part.getByTestId('history-preview');
  await expect(preview).toContainText('4 messages you wrote, in 2 conversations, on ChatGPT.');
  await expect(preview).toContainText('2024');
  await expect(preview).toContainText("I'm moving to Lisbon in June and I work as a nurse.");
  await preview.getByRole('button', { name: 'Import' }).click();
  await expect(part.getByTestId('history-progress')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
}

test('a ChatGPT export is imported from the options page, once, and moves to a fresh profile', async ({ context, extensionId }) => {
  const page = await openData(context, extensionId);
  // Nothing is added before the user agrees.
  await page.getByTestId('history-import').getByLabel('Chat history file (ZIP or conversations.json)').setInputFiles(FIXTURE);
  await expect(page.getByTestId('history-preview')).toBeVisible();
  expect(await stored(context)).toEqual([]);
  await page.getByTestId('history-preview').getByRole('button', { name: 'Cancel' }).click();

  await importHistory(page);
  const counts = page.getByTestId('history-counts');
  await expect(counts).toContainText('4 of 4 messages read');
  await expect(counts).toContainText('Done.');
  // The section, with its progress shown, is accessible.
  const axe = await new AxeBuilder({ page }).include('section#data').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // The popup lists them, each dated when it was said (the export's dates, not today's).
  const listed = await popupMemories(context, extensionId);
  expect(listed.some((t) => /Lisbon/.test(t))).toBe(true);
  expect(listed.some((t) => /cats/i.test(t))).toBe(true);
  const rows = await popupRows(context, extensionId);
  expect(rows.find(([text]) => /Lisbon/.test(text))?.[1]).toBe('2024-03-01T11:00:10.250Z');
  expect(rows.find(([text]) => /cats/i.test(text))?.[1]).toBe('2024-03-01T11:00:50.000Z');
  expect(rows.every(([, at]) => at?.startsWith('2024-'))).toBe(true);
  // The options page's own list shows them too.
  await expect(page.locator('section#memories [data-testid="memory"]').first()).toBeVisible();
  const memories = await stored(context);
  expect(memories.length).toBe(listed.length);
  const lisbon = memories.find((m) => /Lisbon/.test(m.memory));
  expect(lisbon).toMatchObject({ site: 'chatgpt', conversationId: 'conv-lisbon', saidAt: new Date(Date.UTC(2024, 2, 1, 11, 0, 10, 250)).toISOString() });
  expect(memories.find((m) => /cats/i.test(m.memory))?.saidAt).toBe(new Date(Date.UTC(2024, 2, 1, 11, 0, 50)).toISOString());

  // The same file again adds nothing.
  await importHistory(page);
  await expect(counts).toContainText('0 of 0 messages read');
  await expect(page.getByTestId('history-progress')).toContainText('4 messages were imported before and are skipped.');
  expect((await popupMemories(context, extensionId)).sort()).toEqual([...listed].sort());

  // Export everything as an Engram file.
  const exportPart = page.getByTestId('export');
  const downloading = page.waitForEvent('download');
  await exportPart.getByRole('button', { name: 'Export Engram file' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^engram-export-\d{4}-\d{2}-\d{2}\.json$/);
  const dir = mkdtempSync(join(tmpdir(), 'engram-export-'));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);

  // A fresh profile: import the file, and the same memories are there, with their dates.
  const profile = mkdtempSync(join(tmpdir(), 'engram-profile-'));
  const fresh = await launchWithExtension(profile, []);
  try {
    const freshId = await extensionIdOf(fresh);
    const options = await openData(fresh, freshId);
    const part = options.getByTestId('file-import');
    await part.getByLabel('Mem0 or Engram file (JSON)').setInputFiles(file);
    await expect(part.getByTestId('file-preview')).toContainText(`An Engram export: ${listed.length} memories`);
    expect(await stored(fresh)).toEqual([]);
    await part.getByTestId('file-preview').getByRole('button', { name: 'Import' }).click();
    await expect(part.getByRole('status')).toHaveText(`Restored ${listed.length}; 0 already here.`);
    expect((await popupMemories(fresh, freshId)).sort()).toEqual([...listed].sort());
    const moved = await stored(fresh);
    expect(moved.map((m) => [m.memory, m.saidAt, m.site, m.conversationId]).sort()).toEqual(memories.map((m) => [m.memory, m.saidAt, m.site, m.conversationId]).sort());
  } finally {
    await fresh.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with encryption on, the Engram file is encrypted with the passphrase and opens in a fresh profile with it alone; Mem0’s asks first', async ({ context, extensionId }) => {
  test.setTimeout(180_000);
  const PASS = 'correct horse battery';
  // Encryption turned on in the options page.
  const page = await openData(context, extensionId);
  const lock = page.getByTestId('encryption-panel');
  await lock.getByLabel('Passphrase', { exact: true }).fill(PASS);
  await lock.getByLabel('Passphrase again').fill(PASS);
  await lock.getByLabel(/I understand/).check();
  await lock.getByRole('button', { name: 'Encrypt my memories' }).click();
  await expect(lock.getByTestId('encryption-state')).toHaveAttribute('data-state', 'on', { timeout: 30_000 });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  for (const [text, space] of [['I live in Lisbon', 'home'], ['I work as a nurse', 'work/hospital']] as const) {
    await worker.evaluate(([t, s]) => (globalThis as unknown as EngramGlobal).engram.memory.add(t, { userId: 'me', infer: false, space: s }), [text, space] as const);
  }
  const memories = await stored(context);

  // The export says it is encrypted, asks for the passphrase, and refuses a wrong one.
  await page.reload();
  const part = page.getByTestId('export');
  await expect(part.getByTestId('export-encrypted')).toContainText('the Engram file is encrypted with your passphrase');
  await expect(part.getByRole('button', { name: 'Export Engram file' })).toBeDisabled();
  await part.getByLabel('Your passphrase').fill('not my passphrase');
  await part.getByRole('button', { name: 'Export Engram file' }).click();
  await expect(part.getByRole('alert')).toContainText('does not unlock Engram');
  await part.getByLabel('Your passphrase').fill(PASS);
  const downloading = page.waitForEvent('download');
  await part.getByRole('button', { name: 'Export Engram file' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^engram-export-\d{4}-\d{2}-\d{2}\.encrypted\.json$/);
  await expect(part.getByRole('status')).toContainText('2 memories saved to engram-export-');
  await expect(part.getByRole('status')).toContainText('encrypted with your passphrase');
  const dir = mkdtempSync(join(tmpdir(), 'engram-export-'));
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  const text = readFileSync(file, 'utf8');
  const envelope = JSON.parse(text) as { format: string; v: number; kdf: { name: string; hash: string; iterations: number; salt: string }; cipher: { name: string }; data: string };
  expect(envelope).toMatchObject({ format: 'engram-export-encrypted', v: 1, kdf: { name: 'PBKDF2', hash: 'SHA-256' }, cipher: { name: 'AES-GCM' } });
  expect(envelope.kdf.iterations).toBeGreaterThanOrEqual(600_000);
  for (const clear of ['Lisbon', 'nurse', 'hospital', 'home']) expect(text).not.toContain(clear);
  // A copy changed after it was saved.
  const changed = join(dir, 'changed.encrypted.json');
  writeFileSync(changed, JSON.stringify({ ...envelope, data: `${envelope.data.slice(0, 40)}${envelope.data[40] === 'A' ? 'B' : 'A'}${envelope.data.slice(41)}` }));

  // Mem0 records: nothing is written until the user confirms the file will not be encrypted.
  await part.getByRole('button', { name: 'Export Mem0 records' }).click();
  const confirm = part.getByTestId('export-clear-confirm');
  await expect(confirm).toContainText('This file will not be encrypted.');
  // The section, with its passphrase field and the confirmation shown, is accessible.
  const axe = await new AxeBuilder({ page }).include('section#data').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  const mem0 = page.waitForEvent('download');
  await confirm.getByRole('button', { name: 'Export unencrypted' }).click();
  const mem0File = join(dir, (await mem0).suggestedFilename());
  await (await mem0).saveAs(mem0File);
  expect(readFileSync(mem0File, 'utf8')).toContain('I live in Lisbon');

  // A fresh profile: the file opens with its passphrase alone; a wrong one, or a changed file, adds nothing.
  const profile = mkdtempSync(join(tmpdir(), 'engram-profile-'));
  const fresh = await launchWithExtension(profile, []);
  try {
    const freshId = await extensionIdOf(fresh);
    const options = await openData(fresh, freshId);
    const imports = options.getByTestId('file-import');
    const opener = imports.getByTestId('file-passphrase');
    await imports.getByLabel('Mem0 or Engram file (JSON)').setInputFiles(file);
    await expect(opener).toContainText('This Engram file is encrypted');
    await opener.getByLabel('Passphrase of this file').fill('not my passphrase');
    await opener.getByRole('button', { name: 'Open' }).click();
    await expect(imports.getByRole('alert')).toHaveText('That passphrase does not open this file. Nothing was imported.', { timeout: 30_000 });
    await imports.getByLabel('Mem0 or Engram file (JSON)').setInputFiles(changed);
    await opener.getByLabel('Passphrase of this file').fill(PASS);
    await opener.getByRole('button', { name: 'Open' }).click();
    await expect(imports.getByRole('alert')).toContainText('changed or damaged after Engram saved it', { timeout: 30_000 });
    expect(await stored(fresh)).toEqual([]);

    await imports.getByLabel('Mem0 or Engram file (JSON)').setInputFiles(file);
    await opener.getByLabel('Passphrase of this file').fill(PASS);
    await opener.getByRole('button', { name: 'Open' }).click();
    await expect(imports.getByTestId('file-preview')).toContainText('An Engram export: 2 memories', { timeout: 30_000 });
    expect(await stored(fresh)).toEqual([]);
    await imports.getByTestId('file-preview').getByRole('button', { name: 'Import' }).click();
    await expect(imports.getByRole('status')).toHaveText('Restored 2; 0 already here.');
    const moved = await stored(fresh);
    expect(moved.map((m) => [m.memory, m.saidAt, m.space]).sort()).toEqual(memories.map((m) => [m.memory, m.saidAt, m.space]).sort());
  } finally {
    await fresh.close();
    rmSync(profile, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

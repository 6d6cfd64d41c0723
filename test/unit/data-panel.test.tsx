// @vitest-environment happy-dom
/**
 * The options page's "Your data" (src/ui/data-panel.tsx, data-store.ts) over a double of the
 * background: every import is read and previewed in the page, and nothing reaches the background
 * until the user agrees; a chat history goes in batches and its progress is followed, paused and
 * resumed; a malformed file says where and sends nothing; exports are saved as a download (with
 * encryption on: Engram's with the passphrase the user enters, Mem0's only once the user confirmed
 * it will not be encrypted); an encrypted Engram file is opened with its passphrase, then
 * previewed (a wrong passphrase or a changed file says so, and sends nothing); the retention
 * policy and a memory's expiry are written.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONTROL, parseControl } from '../../src/core/control';
import { fromBase64, toBase64 } from '../../src/crypto/bytes';
import { encryptExport, type EncryptedExport } from '../../src/crypto/export-file';
import type { MemoryView } from '../../src/core/types';
import type { HistoryImportProgress, HistoryMessage } from '../../src/messaging/data-protocol';
import { createControlStore } from '../../src/ui/control-store';
import { DataPanel, ExpiryControl, RetentionControl } from '../../src/ui/data-panel';
import { createDataStore, HISTORY_BATCH, type DataBackend } from '../../src/ui/data-store';
import { createMemoryListStore } from '../../src/ui/memory-list-store';
import { OptionsApp } from '../../src/ui/options-app';
import { createSpacesStore } from '../../src/ui/spaces-store';
import { settle, useContainer } from '../support/dom';

// Not `new URL(…, import.meta.url)`: happy-dom's URL stands in for Node's here.
const read = (path: string): string => readFileSync(resolve('test/fixtures/exports', path), 'utf8');

/** The background: an import that processes what it is sent when told to; exports encrypted while `encrypted.on`. */
function backend() {
  const encrypted = { on: false };
  const sent: HistoryMessage[] = [];
  let progress: HistoryImportProgress | null = null;
  const base = { runId: 'r1', source: 'chatgpt' as const, conversations: 2, duplicates: 0, failed: 0, added: 0, paused: false, startedAt: 1, finishedAt: null };
  const double = {
    sent,
    /** The background processed `n` more messages. */
    process(n: number, added: number) {
      if (!progress) return;
      const done = Math.min(progress.total, progress.done + n);
      progress = { ...progress, done, added: progress.added + added, state: done === progress.total ? 'done' : 'running' };
    },
    startHistory: vi.fn<DataBackend['startHistory']>((start) => {
      progress = { ...base, label: start.label, expected: start.messages, total: 0, done: 0, state: 'uploading' };
      return Promise.resolve(progress);
    }),
    sendHistory: vi.fn<DataBackend['sendHistory']>((_runId, messages) => {
      sent.push(...messages);
      progress = { ...progress!, total: sent.length };
      return Promise.resolve({ accepted: messages.length, duplicates: 0 });
    }),
    finishHistory: vi.fn<DataBackend['finishHistory']>(() => {
      progress = { ...progress!, state: 'running' };
      return Promise.resolve(progress);
    }),
    historyProgress: vi.fn<DataBackend['historyProgress']>(() => Promise.resolve(progress)),
    pauseHistory: vi.fn<DataBackend['pauseHistory']>(() => {
      progress = { ...progress!, paused: true, state: 'paused' };
      return Promise.resolve(progress);
    }),
    resumeHistory: vi.fn<DataBackend['resumeHistory']>(() => {
      progress = { ...progress!, paused: false, state: 'running' };
      return Promise.resolve(progress);
    }),
    importMemories: vi.fn<DataBackend['importMemories']>((_kind, text) => Promise.resolve({ read: text.length > 0 ? 3 : 0, added: 3, skipped: 0, warnings: [] })),
    importExport: vi.fn<DataBackend['importExport']>(() => Promise.resolve({ memories: 1, skipped: 0, history: 1, injections: 0, spaces: 0, settings: [], warnings: [] })),
    encrypted,
    exportData: vi.fn<DataBackend['exportData']>((format, options) => {
      const sealed = format === 'engram' && options?.passphrase !== undefined;
      const fileName = format === 'mem0' ? 'engram-mem0-2026-03-01.json' : sealed ? 'engram-export-2026-03-01.encrypted.json' : 'engram-export-2026-03-01.json';
      return Promise.resolve({ fileName, parts: ['{"a":', '1}'], memories: 12, encrypted: sealed });
    }),
    exportsEncrypted: vi.fn<NonNullable<DataBackend['exportsEncrypted']>>(() => Promise.resolve(encrypted.on)),
    retention: vi.fn<DataBackend['retention']>(() => Promise.resolve({ unusedDays: null })),
    setRetention: vi.fn<DataBackend['setRetention']>((s) => Promise.resolve(s)),
    setExpiry: vi.fn<DataBackend['setExpiry']>((request) =>
      Promise.resolve({ id: request.id, text: 'I am in Tokyo', site: 'chatgpt', createdAt: 1, expiresAt: 'expiresAt' in request ? request.expiresAt : 5 }),
    ),
  };
  return double;
}

const root = useContainer();

async function show({ encrypted = false }: { encrypted?: boolean } = {}) {
  const b = backend();
  b.encrypted.on = encrypted;
  const blobs: Blob[] = [];
  const store = createDataStore(b, {
    pollMs: 1,
    fileUrl: (blob) => {
      blobs.push(blob);
      return 'blob:engram/export';
    },
  });
  await act(() => {
    render(
      <>
        <DataPanel store={store} />
        <RetentionControl store={store} />
      </>,
      root.el,
    );
  });
  await settle();
  return { b, store, blobs };
}

const q = (selector: string): HTMLElement => {
  const el = root.el.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el;
};
const button = (name: string, within: HTMLElement = root.el): HTMLButtonElement => {
  const b = [...within.querySelectorAll('button')].find((el) => el.textContent.trim() === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
/** The control labelled `text`. */
function labelled(text: string): HTMLElement {
  const label = [...root.el.querySelectorAll('label')].find((l) => l.textContent.trim() === text);
  if (!label) throw new Error(`no label "${text}"`);
  return root.el.querySelector<HTMLElement>(`[id="${label.htmlFor}"]`)!;
}
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle(20);
}
/** Type `value` into a field. */
async function type(el: HTMLElement, value: string) {
  await act(() => {
    (el as HTMLInputElement).value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}
/** Pick `file` in a file input (what setInputFiles does in a browser). */
async function pick(input: HTMLInputElement, file: File) {
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  await act(() => {
    input.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await settle(50);
}

describe('importing a chat history from the options page', () => {
  it('shows what the file holds, sends nothing until Import, then sends it in order and follows the progress', async () => {
    const { b, store } = await show();
    await pick(labelled('Chat history file (ZIP or conversations.json)') as HTMLInputElement, new File([read('chatgpt/conversations.json')], 'conversations.json', { type: 'application/json' }));
    const preview = q('[data-testid="history-preview"]');
    expect(preview.textContent).toContain('4 messages you wrote, in 2 conversations, on ChatGPT.');
    expect(preview.textContent).toMatch(/From .*2024.* to .*2024/);
    expect(preview.textContent).toContain('I’m moving to Lisbon'.replace('’', "'"));
    expect(b.startHistory).not.toHaveBeenCalled();
    expect(b.sendHistory).not.toHaveBeenCalled();

    await click(button('Import', preview));
    expect(b.startHistory).toHaveBeenCalledWith({ source: 'chatgpt', label: 'conversations.json', conversations: 2, messages: 4 });
    expect(b.sent.map((m) => [m.conversationId, m.messageId])).toEqual([
      ['conv-lisbon', 'l-u1'],
      ['conv-lisbon', 'l-u2'],
      ['conv-porto', 'p-u1'],
      ['conv-porto', 'p-u2'],
    ]);
    expect(b.sent[0]).toMatchObject({ source: 'chatgpt', at: Date.UTC(2024, 2, 1, 11, 0, 10, 250) });
    expect(b.finishHistory).toHaveBeenCalledWith('r1');
    expect(root.el.querySelector('[data-testid="history-preview"]')).toBeNull();

    const counts = () => q('[data-testid="history-counts"]').textContent;
    expect(counts()).toContain('0 of 4 messages read');
    await click(button('Pause'));
    expect(b.pauseHistory).toHaveBeenCalled();
    expect(counts()).toContain('Paused.');
    await click(button('Resume'));
    b.process(2, 3);
    await store.refreshProgress();
    await settle(20);
    expect(counts()).toContain('2 of 4 messages read · 3 memories added or updated');
    b.process(2, 1);
    // Followed while it runs (the page polls), until done.
    await vi.waitFor(() => {
      expect(counts()).toContain('4 of 4 messages read · 4 memories added or updated. Done.');
    });
    expect(q('[data-testid="history-progress"]').getAttribute('data-state')).toBe('done');
  });

  it('sends a large history in batches', async () => {
    const { generateChatGptExport } = await import('../../src/data/generate-export');
    const { b } = await show();
    const file = new File([JSON.stringify(generateChatGptExport({ messages: 450, seed: 3 }))], 'conversations.json');
    await pick(labelled('Chat history file (ZIP or conversations.json)') as HTMLInputElement, file);
    await click(button('Import', q('[data-testid="history-preview"]')));
    expect(b.sendHistory.mock.calls.map(([, messages]) => messages.length)).toEqual([HISTORY_BATCH, HISTORY_BATCH, 50]);
    expect(b.sent.map((m) => m.at)).toEqual([...b.sent.map((m) => m.at)].sort((x, y) => x - y));
  });

  it('says where a file is wrong, and sends nothing', async () => {
    const { b } = await show();
    await pick(labelled('Chat history file (ZIP or conversations.json)') as HTMLInputElement, new File(['[{"title": "x"}]'], 'conversations.json'));
    expect(q('[data-testid="history-import"] [role="alert"]').textContent).toMatch(/conversations\.json\[0\]: is neither a ChatGPT conversation/);
    expect(root.el.querySelector('[data-testid="history-preview"]')).toBeNull();
    expect(b.startHistory).not.toHaveBeenCalled();
  });
});

describe('importing memories from the options page', () => {
  it('previews pasted saved memories, and adds them only when asked', async () => {
    const { b } = await show();
    const text = read('chatgpt-memories.txt');
    const area = labelled('Saved memories') as HTMLTextAreaElement;
    await act(() => {
      area.value = text;
      area.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(button('Preview', q('[data-testid="paste-memories"]')));
    const preview = q('[data-testid="paste-preview"]');
    expect(preview.textContent).toMatch(/\d+ memories to add\./);
    expect(preview.textContent).toContain('Is vegetarian');
    expect(b.importMemories).not.toHaveBeenCalled();
    await click(button('Add them'));
    expect(b.importMemories).toHaveBeenCalledWith('saved-memories', text);
    expect(q('[data-testid="paste-memories"] [role="status"]').textContent).toBe('Added 3; 0 already known or refused.');
  });

  it('tells a Mem0 file from an Engram export, previews each, and imports on agreement', async () => {
    const { b } = await show();
    const input = labelled('Mem0 or Engram file (JSON)') as HTMLInputElement;
    const mem0 = read('mem0-getall.json');
    await pick(input, new File([mem0], 'mem0.json'));
    expect(q('[data-testid="file-preview"]').textContent).toMatch(/^Mem0 records: \d+ memories to add\./);
    await click(button('Import', q('[data-testid="file-preview"]')));
    expect(b.importMemories).toHaveBeenCalledWith('mem0', mem0, 'mem0.json');

    const T0 = Date.UTC(2026, 2, 1);
    const engram = JSON.stringify({
      format: 'engram-export',
      version: 1,
      exportedAt: new Date(T0).toISOString(),
      memories: [{ id: 'm1', label: 1, text: 'I live in Berlin', hash: 'x', userId: 'me', agentId: null, runId: null, space: null, site: 'chatgpt', conversationId: 'c1', sourceTurnIds: [], saidAt: T0, categories: [], metadata: {}, createdAt: T0, updatedAt: T0, expiresAt: null }],
      history: [{ memoryId: 'm1', event: 'ADD', oldText: null, newText: 'I live in Berlin', at: T0 }],
      spaces: ['work'],
      settings: { control: DEFAULT_CONTROL },
      injections: [],
    });
    await pick(input, new File([engram], 'engram-export.json'));
    const preview = q('[data-testid="file-preview"]');
    expect(preview.textContent).toContain('An Engram export: 1 memory, 1 history entries, 0 logged prompts, 1 spaces.');
    const apply = preview.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
    expect(apply.checked).toBe(true);
    await click(apply);
    await click(button('Import', preview));
    expect(b.importExport).toHaveBeenCalledWith(engram, 'engram-export.json', false);
    expect(q('[data-testid="file-import"] [role="status"]').textContent).toBe('Restored 1; 0 already here.');
  });

  it('opens an encrypted Engram file with its passphrase, then previews and imports what it held; a wrong passphrase or a changed file says so and sends nothing', async () => {
    const { b } = await show();
    const input = labelled('Mem0 or Engram file (JSON)') as HTMLInputElement;
    const T0 = Date.UTC(2026, 2, 1);
    const engram = JSON.stringify({
      format: 'engram-export',
      version: 1,
      exportedAt: new Date(T0).toISOString(),
      memories: [{ id: 'm1', label: 1, text: 'I live in Berlin', hash: 'x', userId: 'me', agentId: null, runId: null, space: 'home', site: 'chatgpt', conversationId: 'c1', sourceTurnIds: [], saidAt: T0, categories: [], metadata: {}, createdAt: T0, updatedAt: T0, expiresAt: null }],
      history: [],
      spaces: ['home'],
      settings: {},
      injections: [],
    });
    // As Engram writes it: 600,000 iterations, which the page requires.
    const sealed = await encryptExport(engram, 'correct horse battery');
    const fileName = 'engram-export-2026-03-01.encrypted.json';
    const form = () => q('[data-testid="file-passphrase"]');
    const alert = () => q('[data-testid="file-import"] [role="alert"]').textContent;
    const open = async (passphrase: string) => {
      await type(labelled('Passphrase of this file'), passphrase);
      await click(button('Open', form()));
      await vi.waitFor(() => {
        expect(button('Open', form()).disabled).toBe(false);
      });
    };

    await pick(input, new File([JSON.stringify(sealed, null, 2)], fileName));
    expect(form().textContent).toContain('This Engram file is encrypted. Enter the passphrase it was saved with');
    expect(root.el.querySelector('[data-testid="file-preview"]')).toBeNull();
    await open('not the passphrase');
    expect(alert()).toBe('That passphrase does not open this file. Nothing was imported.');
    expect(root.el.querySelector('[data-testid="file-preview"]')).toBeNull();

    // Changed after it was saved: the right passphrase, and it still does not open.
    const bytes = fromBase64(sealed.data);
    bytes[3]! ^= 1;
    const changed: EncryptedExport = { ...sealed, data: toBase64(bytes) };
    await pick(input, new File([JSON.stringify(changed)], fileName));
    await vi.waitFor(() => {
      expect(form()).toBeTruthy();
    });
    await open('correct horse battery');
    expect(alert()).toBe('This encrypted file was changed or damaged after Engram saved it, so it cannot be opened. Nothing was imported.');
    expect(b.importExport).not.toHaveBeenCalled();

    await pick(input, new File([JSON.stringify(sealed)], fileName));
    await type(labelled('Passphrase of this file'), 'correct horse battery');
    await click(button('Open', form()));
    await vi.waitFor(() => {
      expect(q('[data-testid="file-preview"]').textContent).toContain('An Engram export: 1 memory, 0 history entries, 0 logged prompts, 1 spaces.');
    });
    expect(root.el.querySelector('[data-testid="file-passphrase"]')).toBeNull();
    expect(b.importExport).not.toHaveBeenCalled();
    await click(button('Import', q('[data-testid="file-preview"]')));
    expect(b.importExport).toHaveBeenCalledWith(engram, fileName, true);
  });

  it('says where a malformed or hostile file is wrong, and sends nothing', async () => {
    const { b } = await show();
    const input = labelled('Mem0 or Engram file (JSON)') as HTMLInputElement;
    const alert = () => q('[data-testid="file-import"] [role="alert"]').textContent;
    await pick(input, new File(['{"format": "engram-export", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "memories": [{"id": 5}]}'], 'e.json'));
    expect(alert()).toMatch(/memories\[0\]\.id: expected an id/);
    await pick(input, new File([`${'['.repeat(100_000)}${']'.repeat(100_000)}`], 'deep.json'));
    expect(alert()).toMatch(/deep\.json/);
    await pick(input, new File(['{"results": [{"memory": 7}]}'], 'm.json'));
    expect(alert()).toMatch(/m\.json\.results\[0\]\.memory: expected a string/);
    expect(root.el.querySelector('[data-testid="file-preview"]')).toBeNull();
    expect(b.importMemories).not.toHaveBeenCalled();
    expect(b.importExport).not.toHaveBeenCalled();
  });
});

describe('export and retention on the options page', () => {
  it('saves an export as a download', async () => {
    const { b, blobs } = await show();
    await click(button('Export Engram file'));
    expect(b.exportData).toHaveBeenCalledWith('engram');
    const link = q('[data-testid="export-link"]') as HTMLAnchorElement;
    expect(link.getAttribute('download')).toBe('engram-export-2026-03-01.json');
    expect(link.getAttribute('href')).toBe('blob:engram/export');
    expect(await blobs[0]!.text()).toBe('{"a":1}');
    expect(q('[data-testid="export"] [role="status"]').textContent).toContain('12 memories saved to engram-export-2026-03-01.json');
    await click(button('Export Mem0 records'));
    expect(b.exportData).toHaveBeenLastCalledWith('mem0');
  });

  it('with encryption on, exports Engram’s file encrypted with the passphrase entered, and Mem0’s only once the user confirmed it will not be encrypted', async () => {
    const { b } = await show({ encrypted: true });
    const part = q('[data-testid="export"]');
    expect(q('[data-testid="export-encrypted"]').textContent).toContain('the Engram file is encrypted with your passphrase');
    expect(button('Export Engram file', part).disabled).toBe(true);
    await type(labelled('Your passphrase'), 'correct horse battery');
    await click(button('Export Engram file', part));
    expect(b.exportData).toHaveBeenCalledWith('engram', { passphrase: 'correct horse battery' });
    expect(q('[data-testid="export"] [role="status"]').textContent).toContain('12 memories saved to engram-export-2026-03-01.encrypted.json, encrypted with your passphrase.');
    expect((labelled('Your passphrase') as HTMLInputElement).value).toBe(''); // not kept
    b.exportData.mockClear();

    // Mem0: nothing is written before the user confirms that the file will not be encrypted.
    await click(button('Export Mem0 records', part));
    const confirm = () => q('[data-testid="export-clear-confirm"]');
    expect(confirm().textContent).toContain('This file will not be encrypted.');
    expect(confirm().textContent).toContain('anyone who gets it can read your memories');
    expect(b.exportData).not.toHaveBeenCalled();
    await click(button('Cancel', confirm()));
    expect(root.el.querySelector('[data-testid="export-clear-confirm"]')).toBeNull();
    expect(b.exportData).not.toHaveBeenCalled();
    await click(button('Export Mem0 records', part));
    await click(button('Export unencrypted', confirm()));
    expect(b.exportData).toHaveBeenCalledWith('mem0', { unencrypted: true });
    expect(root.el.querySelector('[data-testid="export-clear-confirm"]')).toBeNull();
    expect(q('[data-testid="export"] [role="status"]').textContent).toBe('12 memories saved to engram-mem0-2026-03-01.json. Download engram-mem0-2026-03-01.json again');
  });

  it('asks for the passphrase when encryption was turned on after the page opened, and exports nothing meanwhile', async () => {
    const { b } = await show();
    expect(root.el.querySelector('[data-testid="export-encrypted"]')).toBeNull();
    b.encrypted.on = true;
    await click(button('Export Engram file'));
    expect(b.exportData).not.toHaveBeenCalled();
    expect(q('[data-testid="export"] [role="alert"]').textContent).toContain('Enter your passphrase: the Engram file is encrypted with it.');
    expect(labelled('Your passphrase')).toBeTruthy();
    await click(button('Export Mem0 records'));
    expect(b.exportData).not.toHaveBeenCalled();
    expect(q('[data-testid="export-clear-confirm"]')).toBeTruthy();
  });

  it('shows the retention policy and writes the user’s choice', async () => {
    const { b } = await show();
    const select = labelled('Forget memories not used in') as HTMLSelectElement;
    expect(select.value).toBe('');
    expect([...select.options].map((o) => o.textContent)).toEqual(['Never', '30 days', '90 days', '180 days', '365 days']);
    await act(() => {
      select.value = '90';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await settle(20);
    expect(b.setRetention).toHaveBeenCalledWith({ unusedDays: 90 });
    expect(q('[data-testid="retention"]').textContent).toContain('Saved.');
  });

  it('sets a memory’s expiry from its detail', async () => {
    const { b } = await show();
    const memory: MemoryView = { id: 'm1', text: 'I am in Tokyo', site: 'chatgpt', createdAt: 1, conversationId: 'c1', expiresAt: null };
    const changed = vi.fn();
    await act(() => {
      render(<ExpiryControl memory={memory} setExpiry={b.setExpiry} onChange={changed} />, root.el);
    });
    const when = labelled('Forget this memory') as HTMLSelectElement;
    expect([...when.options].map((o) => o.value)).toEqual(['never', 'date', 'conversation']);
    await act(() => {
      when.value = 'date';
      when.dispatchEvent(new Event('change', { bubbles: true }));
    });
    const date = labelled('Date') as HTMLInputElement;
    await act(() => {
      date.value = '2026-05-31';
      date.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await click(button('Save'));
    expect(b.setExpiry).toHaveBeenLastCalledWith({ id: 'm1', expiresAt: Date.UTC(2026, 5, 1) });
    await act(() => {
      when.value = 'conversation';
      when.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(button('Save'));
    expect(b.setExpiry).toHaveBeenLastCalledWith({ id: 'm1', untilConversationEnds: true });
    expect(changed).toHaveBeenCalledTimes(2);
  });
});

describe('the options page', () => {
  it('has a "Your data" section in its navigation, and the retention control under Privacy', async () => {
    const data = createDataStore(backend());
    const control = createControlStore({
      read: () => Promise.resolve(parseControl({ onboarded: true })),
      update: (change) => Promise.resolve(change(parseControl({}))),
      watch: () => () => undefined,
    });
    const memories = createMemoryListStore({ list: () => Promise.resolve([]), remove: () => Promise.resolve(true), forgetAll: () => Promise.resolve({ forgotten: true }) });
    const spaces = createSpacesStore({ list: () => Promise.resolve([]), create: () => Promise.resolve([]), rename: () => Promise.resolve([]), remove: () => Promise.resolve([]) });
    await act(() => {
      render(<OptionsApp control={control} memories={memories} spaces={spaces} data={data} sites={['chatgpt']} />, root.el);
    });
    await settle(20);
    expect([...q('nav').querySelectorAll('a')].map((a) => a.getAttribute('href'))).toContain('#data');
    expect(q('section#data h2').textContent).toBe('Your data');
    expect(q('section#data [data-testid="data-panel"]')).toBeTruthy();
    expect(q('section#privacy [data-testid="retention"]')).toBeTruthy();
  });
});

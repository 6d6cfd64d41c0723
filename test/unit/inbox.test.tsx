// @vitest-environment happy-dom
/**
 * "Waiting for you" in the popup: memories from chats that wait for the user's consent. Each is
 * accepted, edited then accepted, or rejected, through the real messages (listInbox, acceptMemory,
 * rejectMemory) answered by a stand-in for the background.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MemoryView } from '../../src/core/types';
import { createInboxStore, messagingInboxBackend } from '../../src/ui/inbox-store';
import { createMemoryListStore, type MemoryBackend } from '../../src/ui/memory-list-store';
import { PopupApp } from '../../src/ui/popup-app';
import { settle, useContainer } from '../support/dom';

const messages = vi.hoisted(() => ({ send: vi.fn<(type: string, data?: unknown) => Promise<unknown>>() }));
vi.mock('../../src/messaging/protocol', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/messaging/protocol')>();
  return { ...actual, sendMessage: (type: string, data?: unknown) => messages.send(type, data) };
});

const BERLIN: MemoryView = { id: 'i1', text: 'I live in Berlin', site: 'chatgpt', createdAt: Date.UTC(2026, 1, 14, 12) };
const VEGGIE: MemoryView = { id: 'i2', text: "I'm vegetarian", site: 'claude', createdAt: Date.UTC(2026, 1, 13, 9) };
const KEPT: MemoryView = { id: 'm9', text: 'My dog is called Max', site: 'demo', createdAt: Date.UTC(2026, 0, 2) };

/** The background: the inbox and the accepted memories, changed by the popup's messages. */
function background(waiting: MemoryView[]) {
  const inbox = [...waiting];
  const memories = [KEPT];
  messages.send.mockImplementation((type, data) => {
    switch (type) {
      case 'listInbox':
        return Promise.resolve(inbox.map((m) => ({ ...m })));
      case 'acceptMemory': {
        const { id, text } = data as { id: string; text?: string };
        const i = inbox.findIndex((m) => m.id === id);
        const [accepted] = inbox.splice(i, 1);
        if (!accepted) return Promise.reject(new Error('no such memory'));
        const view = { ...accepted, text: text ?? accepted.text };
        memories.unshift(view);
        return Promise.resolve(view);
      }
      case 'rejectMemory': {
        const i = inbox.findIndex((m) => m.id === data);
        if (i >= 0) inbox.splice(i, 1);
        return Promise.resolve({ rejected: i >= 0 });
      }
      default:
        return Promise.reject(new Error(`unexpected message ${type}`));
    }
  });
  const list: MemoryBackend = { list: vi.fn(() => Promise.resolve(memories.map((m) => ({ ...m })))), remove: () => Promise.resolve(true) };
  return { inbox, memories, list };
}

const root = useContainer();
beforeEach(() => {
  messages.send.mockReset();
});

async function show(waiting: MemoryView[]) {
  const b = background(waiting);
  await act(() => {
    render(<PopupApp store={createMemoryListStore(b.list)} inbox={createInboxStore(messagingInboxBackend)} />, root.el);
  });
  await settle();
  return b;
}

const section = () => root.el.querySelector<HTMLElement>('[data-testid="inbox"]');
const rows = () => [...root.el.querySelectorAll<HTMLElement>('[data-testid="inbox-item"]')];
const rowTexts = () => rows().map((li) => li.querySelector('.memory-text')?.textContent);
const memoryTexts = () => [...root.el.querySelectorAll('[data-testid="memory"] .memory-text')].map((p) => p.textContent);
const status = () => root.el.querySelector('[data-testid="inbox-status"]');
const button = (name: string): HTMLButtonElement => {
  const b = [...root.el.querySelectorAll('button')].find((el) => (el.getAttribute('aria-label') ?? el.textContent.trim()) === name);
  if (!b) throw new Error(`no button "${name}"`);
  return b;
};
async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}
async function type(el: HTMLTextAreaElement, value: string) {
  await act(() => {
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('the inbox', () => {
  it('lists each waiting memory with its site and date, under "Waiting for you (N)"', async () => {
    await show([BERLIN, VEGGIE]);
    expect(messages.send).toHaveBeenCalledWith('listInbox', undefined);
    expect(section()?.querySelector('h2')?.textContent).toBe('Waiting for you (2)');
    expect(rowTexts()).toEqual(['I live in Berlin', "I'm vegetarian"]);
    expect(rows()[0]!.querySelector('.memory-meta')?.textContent).toContain('ChatGPT');
    expect(rows()[1]!.querySelector('.memory-meta')?.textContent).toContain('Claude');
    expect(rows()[0]!.querySelector('time')?.getAttribute('datetime')).toBe('2026-02-14T12:00:00.000Z');
    expect(section()?.querySelector('ul')?.tagName).toBe('UL');
    for (const name of ['Accept "I live in Berlin"', 'Edit "I live in Berlin"', 'Reject "I live in Berlin"']) {
      expect(button(name).textContent.trim()).toBe(name.split(' ')[0]);
    }
    // Waiting memories are not among the memories Engram uses.
    expect(memoryTexts()).toEqual(['My dog is called Max']);
  });

  it('is not shown when nothing waits', async () => {
    await show([]);
    expect(section()).toBeNull();
    expect(status()?.getAttribute('aria-live')).toBe('polite');
  });

  it('accepts a memory as it is: the row leaves, the memory joins the list, and it is said', async () => {
    const b = await show([BERLIN, VEGGIE]);
    await click(button('Accept "I live in Berlin"'));
    expect(messages.send).toHaveBeenCalledWith('acceptMemory', { id: 'i1' });
    expect(rowTexts()).toEqual(["I'm vegetarian"]);
    expect(section()?.querySelector('h2')?.textContent).toBe('Waiting for you (1)');
    expect(memoryTexts()).toEqual(['I live in Berlin', 'My dog is called Max']);
    expect(status()?.textContent).toBe('Remembered “I live in Berlin”. Engram uses it from now on.');
    expect(b.inbox.map((m) => m.id)).toEqual(['i2']);
    // The keyboard stays in the inbox, on the next waiting memory.
    await vi.waitFor(() => {
      expect(document.activeElement).toBe(button('Accept "I\'m vegetarian"'));
    });
  });

  it('edits then accepts: "Save & accept" sends the corrected text', async () => {
    await show([BERLIN, VEGGIE]);
    await click(button('Edit "I live in Berlin"'));
    const field = root.el.querySelector<HTMLTextAreaElement>('[data-testid="inbox-item"] textarea')!;
    expect(field.getAttribute('aria-label')).toBe('Edit "I live in Berlin"');
    expect(field.value).toBe('I live in Berlin');
    expect(document.activeElement).toBe(field);

    await type(field, '  I live in Munich ');
    await click(button('Save & accept'));
    expect(messages.send).toHaveBeenCalledWith('acceptMemory', { id: 'i1', text: 'I live in Munich' });
    expect(rowTexts()).toEqual(["I'm vegetarian"]);
    expect(memoryTexts()).toEqual(['I live in Munich', 'My dog is called Max']);
    expect(status()?.textContent).toBe('Remembered “I live in Munich”. Engram uses it from now on.');
  });

  it('sends no text when the edit changed nothing, and Cancel leaves the memory waiting', async () => {
    await show([BERLIN]);
    await click(button('Edit "I live in Berlin"'));
    await click(button('Cancel'));
    expect(rowTexts()).toEqual(['I live in Berlin']);
    expect(messages.send).not.toHaveBeenCalledWith('acceptMemory', expect.anything());
    await vi.waitFor(() => {
      expect(document.activeElement).toBe(button('Edit "I live in Berlin"'));
    });

    await click(button('Edit "I live in Berlin"'));
    await click(button('Save & accept'));
    expect(messages.send).toHaveBeenCalledWith('acceptMemory', { id: 'i1' });
  });

  it('refuses an empty edit with a clear message', async () => {
    await show([BERLIN]);
    await click(button('Edit "I live in Berlin"'));
    await type(root.el.querySelector('textarea')!, '   ');
    await click(button('Save & accept'));
    expect(messages.send).not.toHaveBeenCalledWith('acceptMemory', expect.anything());
    expect(root.el.querySelector('[role="alert"]')?.textContent).toMatch(/cannot be empty.*Reject/);
    expect(root.el.querySelector('textarea')).not.toBeNull();
  });

  it('rejects a memory: the row leaves, nothing joins the list, and it is said even when the inbox empties', async () => {
    const b = await show([VEGGIE]);
    await click(button('Reject "I\'m vegetarian"'));
    expect(messages.send).toHaveBeenCalledWith('rejectMemory', 'i2');
    expect(b.inbox).toEqual([]);
    expect(section()).toBeNull();
    expect(memoryTexts()).toEqual(['My dog is called Max']);
    expect(status()?.textContent).toBe('Rejected “I\'m vegetarian”. Engram will not remember it.');
  });

  it('keeps the row and shows the error when the background fails', async () => {
    await show([BERLIN]);
    const answer = messages.send.getMockImplementation()!;
    messages.send.mockImplementation((type, data) =>
      type === 'acceptMemory' ? Promise.reject(new Error('Engram could not save: the disk is full')) : answer(type, data),
    );
    await click(button('Accept "I live in Berlin"'));
    expect(rowTexts()).toEqual(['I live in Berlin']);
    expect(root.el.querySelector('[role="alert"]')?.textContent).toBe('Engram could not save: the disk is full');
    expect(status()?.textContent).toBe('');
    expect(button('Accept "I live in Berlin"').disabled).toBe(false);
  });
});

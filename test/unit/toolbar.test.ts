/**
 * The toolbar button (src/background/toolbar.ts): "Pause Engram" in its menu pauses and resumes,
 * the badge and title say when Engram is paused, and the "add memories" shortcut goes to the tab it
 * was pressed on (and nowhere else).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CONTROL, INSERT_MEMORIES_COMMAND, type ControlSettings } from '../../src/core/control';

const stored = vi.hoisted(() => ({ value: null as ControlSettings | null, watchers: [] as ((s: ControlSettings) => void)[] }));
vi.mock('../../src/adapters/control-storage', () => ({
  readControl: () => Promise.resolve(stored.value),
  watchControl: (cb: (s: ControlSettings) => void) => {
    stored.watchers.push(cb);
    return () => undefined;
  },
  updateControl: (change: (c: ControlSettings) => ControlSettings) => {
    stored.value = change(stored.value!);
    for (const w of stored.watchers) w(stored.value);
    return Promise.resolve(stored.value);
  },
}));
const sent = vi.hoisted(() => [] as { type: string; tabId: number }[]);
vi.mock('../../src/messaging/protocol', () => ({
  sendToTab: (type: string, _data: unknown, tabId: number) => {
    sent.push({ type, tabId });
    return Promise.resolve();
  },
}));

type Listener = (...args: never[]) => void;
function fakeChrome() {
  const listeners = new Map<string, Listener[]>();
  const on = (name: string) => ({ addListener: (l: Listener) => listeners.set(name, [...(listeners.get(name) ?? []), l]) });
  const badge = { text: '', title: '' };
  const menus = new Map<string, { checked?: boolean }>();
  const chrome = {
    runtime: { onInstalled: on('installed'), lastError: undefined },
    contextMenus: {
      create: (item: { id: string; checked?: boolean }, done?: () => void) => {
        menus.set(item.id, { ...item });
        done?.();
      },
      update: (id: string, patch: { checked?: boolean }, done?: () => void) => {
        menus.set(id, { ...menus.get(id), ...patch });
        done?.();
      },
      onClicked: on('menu'),
    },
    action: {
      setBadgeText: ({ text }: { text: string }) => Promise.resolve(void (badge.text = text)),
      setBadgeBackgroundColor: () => Promise.resolve(),
      setTitle: ({ title }: { title: string }) => Promise.resolve(void (badge.title = title)),
    },
    commands: { onCommand: on('command') },
  };
  const fire = (name: string, ...args: unknown[]) => {
    for (const l of listeners.get(name) ?? []) (l as (...a: unknown[]) => void)(...args);
  };
  return { chrome, fire, badge, menus };
}

describe('the toolbar button', () => {
  let fake: ReturnType<typeof fakeChrome>;
  beforeEach(async () => {
    stored.value = { ...DEFAULT_CONTROL };
    stored.watchers = [];
    sent.length = 0;
    fake = fakeChrome();
    vi.stubGlobal('chrome', fake.chrome);
    const { registerToolbar } = await import('../../src/background/toolbar');
    registerToolbar();
    fake.fire('installed');
    await vi.waitFor(() => {
      expect(fake.menus.get('engram-pause')).toBeDefined();
    });
  });

  it('pauses and resumes from its menu, and the badge and title say so', async () => {
    fake.fire('menu', { menuItemId: 'engram-pause', checked: true });
    await vi.waitFor(() => {
      expect(stored.value?.paused).toBe(true);
    });
    expect(fake.badge.text).toBe('II');
    expect(fake.badge.title).toMatch(/paused/);
    fake.fire('menu', { menuItemId: 'engram-pause', checked: false });
    await vi.waitFor(() => {
      expect(stored.value?.paused).toBe(false);
    });
    expect(fake.badge.text).toBe('');
    // Paused from the popup: the menu's tick follows.
    stored.value = { ...stored.value!, paused: true };
    for (const w of stored.watchers) w(stored.value);
    expect(fake.menus.get('engram-pause')?.checked).toBe(true);
  });

  it('sends the shortcut to the tab it was pressed on, and ignores other commands', async () => {
    fake.fire('command', INSERT_MEMORIES_COMMAND, { id: 42 });
    fake.fire('command', 'something-else', { id: 43 });
    fake.fire('command', INSERT_MEMORIES_COMMAND, undefined);
    await vi.waitFor(() => {
      expect(sent).toEqual([{ type: 'insertMemories', tabId: 42 }]);
    });
  });
});

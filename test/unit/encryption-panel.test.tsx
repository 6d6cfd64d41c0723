// @vitest-environment happy-dom
/**
 * The options page's Lock block and the popup's Unlock field, over a background double: the
 * warning that nothing can be recovered comes before turning encryption on (which waits for the
 * user's acknowledgement and two matching passphrases); a wrong passphrase is said; locked, the
 * popup asks for the passphrase and reloads the memories once unlocked.
 */
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import type { EncryptionStatus } from '../../src/messaging/lock-protocol';
import { EncryptionPanel, LockedBanner } from '../../src/ui/encryption-panel';
import { createEncryptionStore, type EncryptionBackend } from '../../src/ui/encryption-store';
import { settle, useContainer } from '../support/dom';

const PASS = 'correct horse battery';

function backend(start: Partial<EncryptionStatus> = {}) {
  let status: EncryptionStatus = { state: 'off', locked: false, migrating: false, progress: null, lockAfterMinutes: 60, kdf: null, ...start };
  const on = (patch: Partial<EncryptionStatus>) => {
    status = { ...status, ...patch };
    return Promise.resolve(status);
  };
  const wrong = () => Promise.reject(new Error('That passphrase does not unlock Engram. Nothing was changed.'));
  const kdf = { name: 'PBKDF2-SHA-256', iterations: 600_000 };
  return {
    status: vi.fn(() => Promise.resolve(status)),
    enable: vi.fn((_p: string, minutes: number) => on({ state: 'on', kdf, lockAfterMinutes: minutes })),
    unlock: vi.fn((p: string) => (p === PASS ? on({ locked: false }) : wrong())),
    lock: vi.fn(() => on({ locked: true })),
    change: vi.fn((old: string) => (old === PASS ? on({ state: 'rotating', migrating: true, progress: { done: 3, total: 10 } }) : wrong())),
    disable: vi.fn((p: string) => (p === PASS ? on({ state: 'off', kdf: null }) : wrong())),
    setLockAfter: vi.fn((minutes: number) => on({ lockAfterMinutes: minutes })),
  } satisfies EncryptionBackend;
}

const root = useContainer();
const $ = (selector: string): HTMLElement => {
  const el = root.el.querySelector<HTMLElement>(selector);
  if (!el) throw new Error(`nothing matches ${selector}`);
  return el;
};

async function type(input: HTMLInputElement, value: string) {
  await act(() => {
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function click(el: HTMLElement) {
  await act(() => {
    el.click();
  });
  await settle();
}

describe('the Lock block (options page)', () => {
  it('says there is no recovery before turning encryption on, and waits for the acknowledgement and matching passphrases', async () => {
    const b = backend();
    const store = createEncryptionStore(b, 1);
    await act(() => {
      render(<EncryptionPanel store={store} />, root.el);
    });
    await settle();
    // What else the passphrase covers: the settings and exports (Mem0's, a clear format, said as such).
    expect($('[data-testid="also-encrypted"]').textContent).toMatch(/spaces and Engram’s other settings are encrypted too, and so is an Engram file you export/);
    expect($('[data-testid="also-encrypted"]').textContent).toContain('Mem0 records, a format other tools read, are exported unencrypted, and only after you confirm it.');
    const form = $('[data-testid="enable-encryption"]');
    // The warning is the form's first words, and says it plainly.
    expect(form.firstElementChild?.textContent).toMatch(/There is no recovery/);
    const [first, second] = [...form.querySelectorAll<HTMLInputElement>('input[type="password"]')];
    const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    expect(submit.disabled).toBe(true);
    await type(first!, PASS);
    await type(second!, `${PASS}!`);
    expect(root.el.textContent).toContain('The two passphrases differ.');
    await type(second!, PASS);
    expect(submit.disabled).toBe(true); // not yet acknowledged
    await click(form.querySelector<HTMLInputElement>('input[type="checkbox"]')!);
    expect(submit.disabled).toBe(false);
    await act(() => {
      root.el.querySelector<HTMLSelectElement>('select')!.value = '15';
      root.el.querySelector<HTMLSelectElement>('select')!.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await click(submit);
    expect(b.enable).toHaveBeenCalledWith(PASS, 15);
    expect($('[data-testid="encryption-state"]').dataset.state).toBe('on');
    expect(root.el.textContent).toContain('600,000 iterations');
  });

  it('locks, tells a wrong passphrase, unlocks, and shows a change re-encrypting', async () => {
    const b = backend({ state: 'on', kdf: { name: 'PBKDF2-SHA-256', iterations: 600_000 } });
    const store = createEncryptionStore(b, 1);
    await act(() => {
      render(<EncryptionPanel store={store} />, root.el);
    });
    await settle();
    await click([...root.el.querySelectorAll('button')].find((el) => el.textContent === 'Lock now')!);
    expect($('[data-testid="encryption-state"]').dataset.locked).toBe('true');
    const unlock = $('[data-testid="unlock-form"]');
    await type(unlock.querySelector('input')!, 'not it at all');
    await click(unlock.querySelector('button')!);
    expect($('[data-testid="encryption-error"]').textContent).toMatch(/does not unlock Engram. Nothing was changed/);
    await type($('[data-testid="unlock-form"] input') as HTMLInputElement, PASS);
    await click($('[data-testid="unlock-form"] button'));
    expect($('[data-testid="encryption-state"]').dataset.locked).toBe('false');
    expect(root.el.querySelector('[data-testid="encryption-error"]')).toBeNull();

    const change = $('[data-testid="change-passphrase"]');
    const [old, next, again] = [...change.querySelectorAll<HTMLInputElement>('input')];
    await type(old!, PASS);
    await type(next!, 'a whole new phrase');
    await type(again!, 'a whole new phrase');
    await click(change.querySelector<HTMLButtonElement>('button[type="submit"]')!);
    expect(b.change).toHaveBeenCalledWith(PASS, 'a whole new phrase');
    expect($('[data-testid="encryption-progress"]').textContent).toContain('3 of 10 records');
    store.dispose();
  });
});

describe('the popup while locked', () => {
  it('shows nothing when unlocked, and an Unlock field when locked that reloads the memories', async () => {
    const unlocked = createEncryptionStore(backend({ state: 'on' }), 1);
    await act(() => {
      render(<LockedBanner store={unlocked} />, root.el);
    });
    await settle();
    expect(root.el.querySelector('[data-testid="locked-banner"]')).toBeNull();

    const onUnlocked = vi.fn();
    const store = createEncryptionStore(backend({ state: 'on', locked: true }), 1);
    await act(() => {
      render(<LockedBanner store={store} onUnlocked={onUnlocked} />, root.el);
    });
    await settle();
    expect($('[data-testid="locked-banner"]').textContent).toContain('Engram is locked');
    await type($('[data-testid="unlock-form"] input') as HTMLInputElement, PASS);
    await click($('[data-testid="unlock-form"] button'));
    expect(onUnlocked).toHaveBeenCalled();
    expect(root.el.querySelector('[data-testid="locked-banner"]')).toBeNull();
  });
});

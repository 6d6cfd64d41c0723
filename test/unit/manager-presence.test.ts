/**
 * The popup's reads go first (manager/presence.ts): background work waiting for its turn
 * (engine/priority.ts backgroundTurn: an import's relations, the HNSW build, consolidation, the
 * saves after them) goes on only once the read was answered and the popup has been quiet a while;
 * a change never holds it (it may wait for the write queue a background task holds).
 */
import { describe, expect, it } from 'vitest';
import { Presence } from '../../src/background/manager/presence';
import { backgroundTurn, foregroundTasks } from '../../src/engine/priority';

/** Resolves once `promise` has settled, or with false if it has not after a few turns of the event loop. */
async function settledSoon(promise: Promise<unknown>, turns = 5): Promise<boolean> {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  for (let i = 0; i < turns && !state.done; i++) {
    await new Promise((resolve) => {
      setTimeout(resolve, 0);
    });
  }
  return state.done;
}

describe('the popup’s reads and background work', () => {
  it('background work waits while a read runs, and while the popup stays busy; then goes on', async () => {
    const presence = new Presence(1000);
    const order: string[] = [];
    let finishRead = (): void => undefined;
    const read = presence.read(
      () =>
        new Promise<string>((resolve) => {
          finishRead = () => {
            order.push('read answered');
            resolve('page');
          };
        }),
    );
    const background = backgroundTurn().then(() => {
      order.push(`background (lingering: ${String(presence.lingering)})`);
    });
    expect(await settledSoon(background)).toBe(false);
    finishRead();
    expect(await read).toBe('page');
    // Answered, but the popup was busy a moment ago: still waiting.
    expect(presence.lingering).toBe(true);
    expect(await settledSoon(background)).toBe(false);
    await background;
    expect(order).toEqual(['read answered', 'background (lingering: false)']);
    expect(foregroundTasks()).toBe(0);
  });

  it('each read moves the moment on; a failed read releases too', async () => {
    const presence = new Presence(1000);
    await presence.read(() => Promise.resolve(1));
    const background = backgroundTurn();
    await expect(presence.read(() => Promise.reject(new Error('no such memory')))).rejects.toThrow('no such memory');
    expect(presence.lingering).toBe(true);
    expect(await settledSoon(background)).toBe(false);
    await background;
    expect(presence.lingering).toBe(false);
    expect(foregroundTasks()).toBe(0);
  });

  it('without a moment to linger, only the read itself holds background work', async () => {
    const presence = new Presence(0);
    let finishRead = (): void => undefined;
    const read = presence.read(
      () =>
        new Promise<void>((resolve) => {
          finishRead = resolve;
        }),
    );
    const background = backgroundTurn();
    expect(await settledSoon(background)).toBe(false);
    finishRead();
    await read;
    expect(presence.lingering).toBe(false);
    expect(await settledSoon(background)).toBe(true);
  });
});

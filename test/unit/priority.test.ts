/** Background slices wait for foreground work (a recall someone waits for) to finish. */
import { describe, expect, it } from 'vitest';
import { backgroundTurn, foregroundTasks, inForeground } from '../../src/engine/priority';

describe('priority', () => {
  it('holds a background slice until every foreground task in flight is done', async () => {
    const order: string[] = [];
    let finishA = (): void => undefined;
    let finishB = (): void => undefined;
    const a = inForeground(() => new Promise<void>((resolve) => (finishA = resolve)).then(() => order.push('recall a')));
    const b = inForeground(() => new Promise<void>((resolve) => (finishB = resolve)).then(() => order.push('recall b')));
    expect(foregroundTasks()).toBe(2);
    const slice = backgroundTurn().then(() => order.push('background'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    finishA();
    await a;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['recall a']); // b still runs
    finishB();
    await Promise.all([b, slice]);
    expect(order).toEqual(['recall a', 'recall b', 'background']);
    expect(foregroundTasks()).toBe(0);
  });

  it('lets a background slice go on at once when nothing waits, and survives a failing task', async () => {
    await expect(inForeground(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(foregroundTasks()).toBe(0);
    await backgroundTurn(); // resolves
  });
});

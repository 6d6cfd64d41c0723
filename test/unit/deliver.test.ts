import { afterEach, describe, expect, it, vi } from 'vitest';
import { deliver, DELIVERY_ATTEMPTS } from '../../src/capture/run-content-script';
import type { CapturedTurn } from '../../src/messaging/protocol';

const turn: CapturedTurn = { site: 'chatgpt', conversationId: 'c1', text: 'I have a dog named Max', sentAt: 1 };

afterEach(() => {
  vi.useRealTimers();
});

describe('deliver', () => {
  it('retries with backoff while the service worker is being restarted, with the same capture', async () => {
    vi.useFakeTimers();
    const sent: CapturedTurn[] = [];
    let calls = 0;
    const send = vi.fn((_type: 'captureTurn', data: CapturedTurn) => {
      sent.push(data);
      return ++calls < 3 ? Promise.reject(new Error('The message port closed before a response was received.')) : Promise.resolve({ queued: true });
    });
    deliver('captureTurn', turn, send as never);
    await vi.advanceTimersByTimeAsync(500 + 1000 + 10);
    expect(send).toHaveBeenCalledTimes(3);
    expect(sent.every((t) => t === turn)).toBe(true); // same sentAt: the background stores it once
  });

  it('gives up after a bounded number of attempts', async () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const send = vi.fn(() => Promise.reject(new Error('Extension context invalidated.')));
    deliver('captureTurn', turn, send);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledTimes(DELIVERY_ATTEMPTS);
    expect(warn).toHaveBeenCalledOnce();
  });
});

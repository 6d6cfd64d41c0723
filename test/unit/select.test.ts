import { describe, expect, it } from 'vitest';
import { blockDates, selectForPrompt, type Ranked } from '../../src/pipeline/select';

const at = (iso: string): number => Date.parse(iso);
const m = (id: string, text: string, score: number, saidAt = at('2024-03-03T10:00:00Z')): Ranked => ({ id, text, score, saidAt });

describe('selectForPrompt', () => {
  it('orders by score and shows the date each memory was said', () => {
    const lines = selectForPrompt([m('a', "I'm vegetarian", 0.4), m('b', 'I live in Berlin', 0.5, at('2023-05-08T13:56:00Z'))]);
    expect(lines.map((l) => l.line)).toEqual(['I live in Berlin (said 8 May 2023)', "I'm vegetarian (said 3 Mar 2024)"]);
  });

  it('keeps one of two near-duplicates: the better ranked', () => {
    const lines = selectForPrompt([m('a', 'I live in Berlin', 0.5), m('b', 'I live in Berlin now', 0.45), m('c', 'I have a dog', 0.4)]);
    expect(lines.map((l) => l.id)).toEqual(['a', 'c']);
  });

  it('stays within the token budget, filling it by rank', () => {
    const long = 'I keep a detailed diary of every meal I cook, '.repeat(20);
    const lines = selectForPrompt([m('long', long, 0.9), m('a', 'I live in Berlin', 0.5), m('b', 'I have a dog named Max', 0.4)], {
      budgetTokens: 100,
    });
    expect(lines.map((l) => l.id)).toEqual(['a', 'b']);
    const tokens = Math.ceil(lines.map((l) => `- ${l.line}\n`).join('').length / 4);
    expect(tokens).toBeLessThanOrEqual(70);
  });

  it('takes at most maxItems, and nothing from nothing', () => {
    const things = ['chess', 'tennis', 'jazz', 'sushi', 'hiking', 'Rome', 'cats', 'poetry', 'sailing', 'baking'];
    const many = things.map((t, i) => m(String(i), `I love ${t}`, 1 - i / 100));
    expect(selectForPrompt(many, { maxItems: 5 })).toHaveLength(5);
    expect(selectForPrompt([])).toEqual([]);
  });
  it('marks a value that is no longer true', () => {
    const lines = selectForPrompt([{ ...m('a', 'I live in Berlin', 0.5), supersededAt: at('2024-06-01T00:00:00Z') }]);
    expect(lines[0]?.line).toBe('I live in Berlin (no longer true since 1 Jun 2024)');
  });
});

describe('blockDates', () => {
  it('writes the block’s dates as Intl’s en-GB does, without Intl: every month, day and century edge', () => {
    const intl = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    const fast = blockDates();
    const times: number[] = [0, -1, Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2000, 1, 29), Date.UTC(9999, 11, 31), Date.UTC(1, 0, 1), 8.64e15, -8.64e15];
    for (let day = 0; day < 366 * 3; day += 1) times.push(Date.UTC(2023, 0, 1) + day * 86_400_000 + (day % 24) * 3_600_000);
    for (const t of times) expect(fast.format(t), new Date(t).toISOString()).toBe(intl.format(t));
    expect(fast.format(Date.UTC(2024, 8, 3))).toBe('3 Sept 2024');
    expect(() => fast.format(NaN)).toThrow(RangeError);
    // Another locale: Intl's own.
    expect(blockDates('de-DE').format(Date.UTC(2024, 2, 3))).toBe(new Intl.DateTimeFormat('de-DE', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(2024, 2, 3)));
  });
});

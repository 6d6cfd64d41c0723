// @vitest-environment node
/**
 * Saved memories pasted as text (src/data/saved-memories.ts): ChatGPT's list and Claude's memory
 * text become one memory a line, dated when the line says when; headings, blanks and repeats
 * go; hostile pastes are bounded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_MEMORY_CHARS } from '../../src/engine/add';
import { ImportError } from '../../src/data/import-result';
import { addManyMemoryOf } from '../../src/data/imported';
import { MAX_PASTE_CHARS, parseSavedMemories, previewSavedMemories } from '../../src/data/saved-memories';

const read = (name: string): string => readFileSync(new URL(`../fixtures/exports/${name}`, import.meta.url), 'utf8');
const texts = (text: string): string[] => parseSavedMemories(text).items.map((m) => m.text);

describe('saved memories pasted', () => {
  it('reads ChatGPT’s list: one memory a line, bullets and numbers gone, the page title and repeats skipped', () => {
    const { items, warnings } = parseSavedMemories(read('chatgpt-memories.txt'));
    expect(items.map((m) => [m.text, m.where, m.at])).toEqual([
      ['Is vegetarian', 'line 3', undefined],
      ['Lives in Lisbon since June 2024', 'line 4', undefined],
      ['Works as a nurse on night shifts', 'line 5', undefined],
      ['Has two cats named Tom and Jerry', 'line 6', undefined],
      ['Prefers short answers with examples', 'line 7', undefined],
      ['Is training for a half marathon in October', 'line 8', undefined],
    ]);
    expect(warnings).toEqual(['1 memory was given more than once and kept once']);
  });

  it('reads Claude’s dated lines and prose, headings skipped, an impossible date said', () => {
    const { items, warnings } = parseSavedMemories(read('claude-memories.txt'));
    expect(items.map((m) => [m.text, m.at])).toEqual([
      ['Works as a nurse at Hospital de Santa Maria in Lisbon', Date.UTC(2025, 2, 14)],
      ['Prefers night shifts on weekends', Date.UTC(2025, 2, 2)],
      ['Is learning Portuguese with a tutor twice a week', Date.UTC(2024, 10, 30)],
      ['Partner is called Sam and does not eat lentils', Date.UTC(2025, 1, 14)],
      ['Has a lemon tree in the garden', undefined],
      ['Enjoys bouldering and trail running', undefined],
    ]);
    expect(warnings).toEqual(['line 10: the date “2025-02-30” is not a date Engram understands; the memory was kept undated']);
  });

  it('reads other dated forms and list markers', () => {
    expect(
      parseSavedMemories(['2025-01-02: Has a bike', 'Jan 3, 2025 - Sold the car', '- [2025-01-04] - Bought a tram pass', '3) [x] Likes tea', '(4) • Plays chess', '[Note] keeps the bracket'].join('\n')).items.map(
        (m) => [m.text, m.at],
      ),
    ).toEqual([
      ['Has a bike', Date.UTC(2025, 0, 2)],
      ['Sold the car', Date.UTC(2025, 0, 3)],
      ['Bought a tram pass', Date.UTC(2025, 0, 4)],
      ['Likes tea', undefined],
      ['Plays chess', undefined],
      ['[Note] keeps the bracket', undefined],
    ]);
  });

  it('collapses repeats whatever their case, spacing or final stop', () => {
    expect(texts('Likes jazz\n  likes   JAZZ.\nLikes Jazz!\nLikes jazz a lot')).toEqual(['Likes jazz', 'Likes jazz a lot']);
  });

  it('gives the same import key for the same memory in every paste', () => {
    const a = parseSavedMemories('Is vegetarian\nLives in Lisbon').items.map((m) => m.importKey);
    const b = parseSavedMemories('- lives in lisbon.\n\n- is vegetarian').items.map((m) => m.importKey);
    expect(b).toEqual([a[1], a[0]]);
  });

  it('maps a memory to an addMany item stored verbatim, dated', () => {
    const [memory] = parseSavedMemories('[2025-03-14] - Lives in Berlin').items;
    expect(addManyMemoryOf(memory!)).toEqual({
      messages: [{ role: 'user', content: 'Lives in Berlin', id: memory!.importKey }],
      saidAt: Date.UTC(2025, 2, 14),
      metadata: { importedFrom: 'saved-memories' },
    });
  });

  it('previews', () => {
    expect(previewSavedMemories(read('chatgpt-memories.txt'))).toMatchObject({ count: 6, sample: [{ text: 'Is vegetarian' }, {}, {}, {}, {}] });
  });
});

describe('a malformed or hostile paste', () => {
  it('is refused when it is not text or far too long to be a list of memories', () => {
    expect(() => parseSavedMemories(42)).toThrow(new ImportError('pasted text', 'expected text'));
    expect(() => parseSavedMemories('x'.repeat(MAX_PASTE_CHARS + 1))).toThrow(/^pasted text: is 2000001 characters long/);
    expect(() => parseSavedMemories('a\n'.repeat(60_000))).toThrow(/^pasted text: has 60001 lines/);
  });

  it('splits a line longer than a memory may be into memories, at sentence ends', () => {
    const sentence = 'I have been a volunteer firefighter in my village for many years now. ';
    const { items, warnings } = parseSavedMemories(sentence.repeat(60));
    expect(items.length).toBeGreaterThan(1);
    expect(items.every((m) => m.text.length <= MAX_MEMORY_CHARS && m.text.endsWith('.'))).toBe(true);
    // The same sentence over and over: each part is kept once.
    expect(warnings[0]).toMatch(/^line 1: longer than a memory may be \(2000 characters\): kept as \d+ memories$/);
  });

  it('removes control and invisible characters; skips lines without words', () => {
    const { items, warnings } = parseSavedMemories('Likes\u0000 tea\u200B\u202E\n\u0007\u0008\n🙂🙂🙂\n----\n12345\nx\n$$$ %%% a');
    expect(items.map((m) => m.text)).toEqual(['Likes tea']);
    expect(warnings).toEqual(['line 6: skipped: not a memory in words', 'line 7: skipped: not a memory in words']);
  });
});

// @vitest-environment node
/**
 * Bad input never becomes a memory (issue 9, finding 9): random bytes, symbol soup, control
 * characters, unpaired surrogates and invisible characters are cleaned or dropped on every path
 * (extracted facts, verbatim messages, edits), and a message with thousands of facts is read in full.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RuleBasedExtractor } from '../../src/adapters/rule-based-extractor';
import type { EngramDatabase } from '../../src/db/schema';
import type { Memory } from '../../src/engine/memory';
import { mulberry32 } from '../../src/engine/random';
import { extractFacts } from '../../src/pipeline/extract';
import { cleanText, hasWords } from '../../src/pipeline/normalize';
import { testEngine } from '../support/engine';
import { DistinctEmbedder } from '../support/fake-embedder';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
let memory: Memory;
let db: EngramDatabase;

beforeAll(async () => {
  await embedder.load();
});

beforeEach(() => {
  ({ memory, db } = testEngine({ embedder }));
});

/** 64 KB of seeded random bytes, decoded as a browser would decode a dropped file. */
function randomText(seed: number, encoding: 'utf-8' | 'latin1'): string {
  const rand = mulberry32(seed);
  const bytes = new Uint8Array(65_536).map(() => Math.floor(rand() * 256));
  return new TextDecoder(encoding).decode(bytes);
}

/** Random UTF-16 code units: lone surrogates, controls and every script at once. */
function randomCodeUnits(seed: number): string {
  const rand = mulberry32(seed);
  return String.fromCharCode(...Array.from({ length: 32_768 }, () => Math.floor(rand() * 65_536)));
}

// eslint-disable-next-line no-control-regex -- what must never be stored
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

/** Every stored text is well-formed UTF-16 without control characters. */
async function expectCleanStore(): Promise<void> {
  for (const m of await db.memories.toArray()) {
    for (const text of [m.text, m.context ?? '']) {
      expect(text.isWellFormed(), JSON.stringify(text)).toBe(true);
      expect(text).not.toMatch(CONTROL);
      expect(text).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u200B]/);
    }
  }
}

describe('cleanText', () => {
  it('turns white-space controls into spaces and drops every other control character', () => {
    expect(cleanText('I live\u0000 in\tBer\u0007lin\u0085today\u001F!')).toBe('I live in Berlin today !');
    expect(cleanText('a\u0080\u009Fb\u007Fc')).toBe('abc');
  });

  it('drops unpaired surrogates and keeps pairs', () => {
    const clean = cleanText('\uDE00I like \uD83D\uDE00 pizza\uD83D');
    expect(clean).toBe('I like 😀 pizza');
    expect(clean.isWellFormed()).toBe(true);
    expect(cleanText('\uD800\uD800\uDC00\uDC00')).toBe('\uD800\uDC00');
  });

  it('drops characters that disguise text: bidi overrides, zero-width, tags, runs of variation selectors', () => {
    expect(cleanText('I live in \u202EnilreB\u202C')).toBe('I live in nilreB');
    expect(cleanText('Ber\u200Dlin Pa\u200Cris I\u00ADlive')).toBe('Berlin Paris Ilive');
    expect(cleanText('note\u{E0069}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}')).toBe('note');
    expect(cleanText('x\uFE0F\uFE0E\uFE0F\uFE0F y')).toBe('x\uFE0F y');
  });

  it('keeps the joiners emoji and scripts need', () => {
    for (const text of ['my cat is 🐈‍⬛', '👩🏽‍💻 at work', '🏳️‍🌈', 'می‌خواهم', 'क्‍ष', '🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}']) {
      expect(cleanText(text)).toBe(text);
    }
  });
});

describe('hasWords', () => {
  it.each(['!!!! 1234 ????', '', '   ', '1234 5678', '🍕🍕🍕 🐈‍⬛ 🎉', '?!?! ... ---', '\uFFFD\uFFFD\uFFFD ab\uFFFD\uFFFD\uFFFD'])('is false for %j', (text) => {
    expect(hasWords(text)).toBe(false);
  });

  it.each([
    'I live in Berlin',
    "I'm 30",
    'I love 🍕',
    'I use https://example.com/a?b=1 for work',
    'I write JavaScript at McDonald’s',
    'Ich wohne in Köln',
    'Tôi thích ăn phở',
    '我住在北京',
    'मैं दिल्ली में रहता हूँ',
    'I earn £50k',
  ])('is true for %j', (text) => {
    expect(hasWords(text)).toBe(true);
  });
});

describe('extraction', () => {
  it('finds no fact in random bytes, however decoded', () => {
    for (let seed = 1; seed <= 40; seed++) {
      expect(extractFacts(randomText(seed, 'utf-8'))).toEqual([]);
      expect(extractFacts(randomText(seed, 'latin1'))).toEqual([]);
      expect(extractFacts(randomCodeUnits(seed))).toEqual([]);
    }
  });

  it('still reads the facts of a message beside a pasted line of printable noise', () => {
    const rand = mulberry32(3);
    const noise = String.fromCharCode(...Array.from({ length: 2000 }, () => 32 + Math.floor(rand() * 95)));
    expect(extractFacts(`I live in Berlin.\n${noise} I am a nurse. ${noise}\nI have a dog named Max.`)).toEqual([
      'I live in Berlin',
      'I have a dog named Max',
    ]);
  });

  it('reads all 10,000 facts of a 10,000-fact message', async () => {
    const message = Array.from({ length: 10_000 }, (_, i) => `My friend number ${i} is called A${i}.`).join(' ');
    const facts = await new RuleBasedExtractor().extract([{ role: 'user', content: message }]);
    expect(facts).toHaveLength(10_000);
    expect(facts.at(-1)?.text).toBe('My friend number 9999 is called A9999');
  });
});

describe('the engine', () => {
  it('stores nothing from random bytes, inferred or verbatim', async () => {
    for (const seed of [1, 2, 3]) {
      for (const text of [randomText(seed, 'utf-8'), randomText(seed, 'latin1'), randomCodeUnits(seed)]) {
        expect((await memory.add(text, { userId: 'me' })).results).toEqual([]);
        expect((await memory.add(text, { userId: 'me', infer: false })).results).toEqual([]);
      }
    }
    expect(await db.memories.count()).toBe(0);
  });

  it('stores nothing from text without words, and will not make a memory of it', async () => {
    for (const text of ['!!!! 1234 ????', '🍕🍕🍕 🎉🎉', '\u0000\u0001\u0002', '\uD800\uDC00\uDFFF']) {
      expect((await memory.add(text, { userId: 'me' })).results).toEqual([]);
      expect((await memory.add(text, { userId: 'me', infer: false })).results).toEqual([]);
    }
    expect(await db.memories.count()).toBe(0);
    const { results } = await memory.add('I live in Berlin', { userId: 'me' });
    await expect(memory.update(results[0]!.id, '!!!! 1234 ????')).rejects.toThrow(/no words/);
    expect((await memory.get(results[0]!.id))?.memory).toBe('I live in Berlin');
  });

  it('stores well-formed text without control or disguising characters, on every path', async () => {
    await memory.add('I live\u0000 in Ber\u200Dlin\uD800. \uDC00I have a dog\u0007 named \u202EMax\u202C.', { userId: 'me' });
    const { results } = await memory.add([{ role: 'user', content: 'Remind me\u0085 the launch\u0001 is on Friday \uD83D' }], { userId: 'me', infer: false });
    await memory.update(results[0]!.id, 'The launch is on \uDE00Monday\u0000\u200B');
    expect((await memory.getAll({ filters: { user_id: 'me' } })).results.map((r) => r.memory).sort()).toEqual([
      'I have a dog named Max',
      'I live in Berlin',
      'The launch is on Monday',
    ]);
    await expectCleanStore();
  });

  it('stores every distinct fact of a message with a thousand of them', async () => {
    const engine = testEngine({ embedder: new DistinctEmbedder(), saveDelayMs: 600_000 });
    const message = Array.from({ length: 1000 }, (_, i) => `I own a bike number ${i}.`).join(' ');
    const { results } = await engine.memory.add(message, { userId: 'me' });
    expect(results.filter((r) => r.event === 'ADD')).toHaveLength(1000);
    expect(await engine.db.memories.count()).toBe(1000);
    engine.vectors.dispose();
  });
});

describe('whatever an extractor returns', () => {
  it('stores no fact without words, and none with control characters or lone surrogates', async () => {
    // A local model answering nonsense, through the Extractor port.
    const nonsense: import('../../src/ports/extractor').Extractor = {
      name: 'broken-llm',
      extract: () =>
        Promise.resolve(
          ['!!!! 1234 ????', '\u0000\u0007\u001b[31m', '🙂🙂🙂', 'I live in\u0000 Oslo\uD800', '   '].map((text) => ({
            text,
            slot: null,
            categories: [],
            forget: false,
            sourceTurnIds: [],
          })),
        ),
    };
    const { memory } = testEngine({ embedder: bundledEmbedder(), extractor: nonsense });
    await memory.add('anything', { userId: 'me' });
    const stored = (await memory.getAll({ filters: { user_id: 'me' } })).results.map((r) => r.memory);
    expect(stored).toEqual(['I live in Oslo']);
    expect(stored[0]!.isWellFormed()).toBe(true);
  });
});

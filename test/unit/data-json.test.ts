// @vitest-environment node
/**
 * The pieces every import format shares (src/data/json-text.ts, json-value.ts, text.ts,
 * import-result.ts): JSON read whole or streamed item by item with errors that say where, free
 * JSON made safe to store, and text and dates as exports and pasted lists write them.
 */
import { describe, expect, it } from 'vitest';
import { at, ImportError, MAX_WARNINGS, previewOf, Warnings } from '../../src/data/import-result';
import { jsonListItems, parseJsonText, textChunks } from '../../src/data/json-text';
import { jsonObjectOf, jsonValueOf } from '../../src/data/json-value';
import { dateOf, head, idOf, plainText, splitText, tail, timeOf } from '../../src/data/text';

/** `parts` one at a time, each after a turn of the event loop (as a file's chunks arrive). */
async function* streamOf<T>(parts: Iterable<T>): AsyncGenerator<T> {
  for (const part of parts) {
    await Promise.resolve();
    yield part;
  }
}

async function items(chunks: string[], limits = {}): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of jsonListItems(streamOf(chunks), limits)) out.push(item.value);
  return out;
}

describe('a JSON list read item by item', () => {
  it('gives each item parsed, however the text is cut into chunks', async () => {
    const text = '\uFEFF [ {"a": "x]}\\"y", "b": [1, {"c": null}]}, 42 ,"s,]" , true, null, [], {} ] \n';
    const expected = JSON.parse(text.slice(1)) as unknown[];
    for (const size of [1, 2, 3, 7, 1000]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      expect(await items(chunks)).toEqual(expected);
    }
    expect(await items(['[]'])).toEqual([]);
  });

  it('gives the first item before the rest of the file has arrived', async () => {
    let sent = 0;
    const parts = ['[{"n": 1},', ' {"n": 2},', ' {"n": 3}]'].map((part) => () => {
      sent++;
      return part;
    });
    const iterator = jsonListItems((async function* () {
      for await (const part of streamOf(parts)) yield part();
    })());
    expect((await iterator.next()).value).toMatchObject({ index: 0, value: { n: 1 } });
    expect(sent).toBe(1);
  });

  it('refuses what is not a list of JSON items, saying where', async () => {
    await expect(items(['{"a": 1}'], { where: 'f.json' })).rejects.toThrow(new ImportError('f.json', 'expected a JSON list (of conversations) at the start of the file'));
    await expect(items(['[1,,2]'])).rejects.toThrow('file[1]: is missing (two commas in a row, or a comma right after “[”)');
    await expect(items(['[1,]'])).rejects.toThrow('file[1]: is missing (a comma before “]”)');
    await expect(items(['[{} {}]'])).rejects.toThrow('file[1]: is not separated from the item before it by a comma');
    await expect(items(['[{"a": 1}, {"a": tru}]'])).rejects.toThrow(/^file\[1\]: is not valid JSON/);
    await expect(items(['[{"a": 1}}]'])).rejects.toThrow('file[1]: is not separated from the item before it by a comma');
    await expect(items(['[1}]'])).rejects.toThrow('file[0]: has an unmatched “}”');
    await expect(items(['[{"a": "unterminated}]'])).rejects.toThrow('file[0]: ends in the middle of this item (the file may be cut short: download it again)');
    await expect(items(['[1, 2, '])).rejects.toThrow(/file\[2\]: ends before the list is closed/);
    await expect(items(['[1] x'])).rejects.toThrow('file: unexpected text after the list (character 5)');
    await expect(items(['  '])).rejects.toThrow('file: is empty');
  });

  it('refuses nesting past the limit as soon as it is reached, without recursing', async () => {
    await expect(items([`[${'['.repeat(1_000_000)}`])).rejects.toThrow('file[0]: is nested more than 256 levels deep');
    expect(await items([`[${'['.repeat(10)}${']'.repeat(10)}]`], { maxDepth: 10 })).toEqual([[[[[[[[[[[]]]]]]]]]]]);
  });

  it('skips an item longer than the limit without holding it, and goes on', async () => {
    const out: { index: number; value: unknown; chars: number }[] = [];
    const source = streamOf([`[{"big": "${'x'.repeat(100)}`, `${'x'.repeat(100)}"}, {"small": 1}]`]);
    for await (const item of jsonListItems(source, { maxItemChars: 50 })) out.push(item);
    expect(out).toEqual([
      { index: 0, value: undefined, chars: 211 },
      { index: 1, value: { small: 1 }, chars: 12 },
    ]);
  });

  it('decodes bytes split inside a character', async () => {
    const encoded = new TextEncoder().encode('["Zoë 🐈"]');
    let text = '';
    for await (const chunk of textChunks(streamOf([...encoded].map((b) => new Uint8Array([b]))))) text += chunk;
    expect(text).toBe('["Zoë 🐈"]');
  });
});

describe('a JSON file read whole', () => {
  it('says where a syntax error is', () => {
    expect(() => parseJsonText('{\n  "a": 1,\n  "b": }', 'export.json')).toThrow(/^export\.json: is not valid JSON/);
    expect(() => parseJsonText('', 'x.json')).toThrow('x.json: is empty');
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ a: 1 });
  });

  it('reports input nested too deeply for the engine’s parser as such, not as a crash', () => {
    const parse = JSON.parse;
    JSON.parse = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    try {
      expect(() => parseJsonText('[[[]]]')).toThrow('file: is nested too deeply (or is too large) to read');
    } finally {
      JSON.parse = parse;
    }
  });
});

describe('free JSON from a file', () => {
  it('is kept as it is when it is plain JSON', () => {
    const warnings = new Warnings();
    const value = { a: [1, 'two', null, true, { b: 2.5 }], c: {} };
    expect(jsonObjectOf(value, 'metadata', warnings)).toEqual(value);
    expect(warnings.toArray()).toEqual([]);
  });

  it('loses keys that could reach a prototype, and says where', () => {
    const warnings = new Warnings();
    const value = JSON.parse('{"ok": 1, "__proto__": {"polluted": true}, "x": {"constructor": {"prototype": {"polluted": true}}}}') as unknown;
    const safe = jsonObjectOf(value, 'metadata', warnings);
    expect(safe).toEqual({ ok: 1, x: {} });
    expect(Object.getPrototypeOf(safe)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(warnings.toArray()).toEqual([
      'metadata.__proto__: dropped (a key that could change how other objects behave)',
      'metadata.x.constructor: dropped (a key that could change how other objects behave)',
    ]);
    // Copied the way code copies objects, it pollutes nothing.
    expect(Object.getPrototypeOf(Object.assign({}, safe))).toBe(Object.prototype);
  });

  it('refuses what is too deep, too wide, too long, or not JSON, saying where', () => {
    const w = new Warnings();
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => jsonValueOf({ a: deep }, 'metadata', w)).toThrow('metadata.a[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested more than 16 levels deep');
    expect(() => jsonValueOf({ list: new Array(501).fill(0) }, 'm', w)).toThrow('m.list: has 501 items; at most 500 are kept here');
    expect(() => jsonValueOf({ s: 'x'.repeat(20_001) }, 'm', w)).toThrow('m.s: is 20001 characters long; at most 20000 are kept here');
    expect(() => jsonValueOf({ n: Infinity }, 'm', w)).toThrow('m.n: expected a finite number');
    expect(() => jsonValueOf({ d: new Date(0) }, 'm', w)).toThrow('m.d: expected a JSON value, found an object');
    expect(() => jsonObjectOf([1], 'm', w)).toThrow('m: expected an object, found a list');
  });
});

describe('text and dates', () => {
  it('strips control characters and broken UTF-16, keeping line breaks and tabs', () => {
    expect(plainText(' a\u0000b\r\nc\rd\te\u007f\u0085\uD83D f\u001b ')).toBe('ab\nc\nd\te f');
  });

  it('cuts at a length without splitting a surrogate pair', () => {
    expect(head('ab🐈', 3)).toEqual({ text: 'ab', cut: true });
    expect(head('abc', 3)).toEqual({ text: 'abc', cut: false });
    expect(tail('🐈ab', 3)).toBe('ab');
    expect(tail('x🐈ab', 4)).toBe('🐈ab');
  });

  it('splits a long text at sentence ends, else at spaces, each part within the limit', () => {
    const text = 'One sentence here. Another one follows! A third? ' + 'word '.repeat(40);
    const parts = splitText(text, 60);
    expect(parts.every((p) => p.length <= 60)).toBe(true);
    expect(parts[0]).toBe('One sentence here. Another one follows! A third?');
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.trim().replace(/\s+/g, ' '));
    expect(splitText('x'.repeat(130), 60).map((p) => p.length)).toEqual([60, 60, 10]);
  });

  it('reads ids, and refuses what is not one', () => {
    expect(idOf(' abc\u0000 ')).toBe('abc');
    expect(idOf(42)).toBe('42');
    expect([idOf(''), idOf('x'.repeat(201)), idOf(null), idOf({}), idOf(NaN)]).toEqual([null, null, null, null, null]);
  });

  it('reads times as exports write them, and nothing implausible', () => {
    expect(timeOf(1709290810.25)).toBe(1709290810250);
    expect(timeOf(1709290810250)).toBe(1709290810250);
    expect(timeOf('2024-04-02T08:00:00.123456Z')).toBe(Date.UTC(2024, 3, 2, 8, 0, 0, 123));
    expect(timeOf('1709290810')).toBe(1709290810000);
    expect([timeOf(1e20), timeOf(-5), timeOf('soon'), timeOf(null), timeOf(true), timeOf('x'.repeat(100))]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it('reads the dates people and memory lists write, and only real ones', () => {
    const march14 = Date.UTC(2025, 2, 14);
    for (const text of ['2025-03-14', '2025/3/14', 'March 14, 2025', 'Mar 14 2025', 'march 14th, 2025', '14 March 2025', '14th Mar. 2025']) {
      expect(dateOf(text)).toBe(march14);
    }
    expect(dateOf('2025-03-14T09:30:00Z')).toBe(Date.UTC(2025, 2, 14, 9, 30));
    expect(dateOf('2025-03-14 09:30')).toBe(Date.UTC(2025, 2, 14, 9, 30));
    expect(dateOf('Sept 2, 2024')).toBe(Date.UTC(2024, 8, 2));
    for (const text of ['2025-02-30', '14/03/2025', '03/14/2025', 'Smarch 14, 2025', 'Ma 14, 2025', 'yesterday', '2025-13-01', '1850-01-01']) {
      expect(dateOf(text)).toBeUndefined();
    }
  });
});

describe('warnings and previews', () => {
  it('lists warnings up to a limit, counts the rest, and tallies repeats once', () => {
    const warnings = new Warnings();
    for (let i = 0; i < MAX_WARNINGS + 5; i++) warnings.add(at('x', i), 'bad');
    for (let i = 0; i < 3; i++) warnings.tally('t', (n) => `${n} were truncated`);
    const list = warnings.toArray();
    expect(list).toHaveLength(MAX_WARNINGS + 2);
    expect(list.slice(-2)).toEqual(['… and 5 more warnings', '3 were truncated']);
  });

  it('builds paths as code would write them', () => {
    expect(at('', 'memories')).toBe('memories');
    expect(at(at('memories', 12), 'text')).toBe('memories[12].text');
    expect(at('mapping', 'a-b')).toBe('mapping["a-b"]');
  });

  it('previews the count, the first five, the warnings', () => {
    expect(previewOf({ items: [1, 2, 3, 4, 5, 6, 7], warnings: ['w'] })).toEqual({ count: 7, sample: [1, 2, 3, 4, 5], warnings: ['w'] });
  });
});

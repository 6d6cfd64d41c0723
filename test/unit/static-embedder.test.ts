/**
 * The bundled model without the ONNX runtime (src/adapters/static-embedder.ts) gives the vectors
 * transformers.js's pipeline gives, so memories stored by either are searched alike; and the ONNX
 * reader refuses what is not a static token table.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTokenTable } from '../../src/adapters/onnx-table';
import { pool, StaticEmbedder } from '../../src/adapters/static-embedder';
import { BUNDLED_MODEL } from '../../src/engine/models';
import { bundledEmbedder, ensureBundledModel, MODELS_DIR } from '../support/model';

const readFileBytes = async (p: string): Promise<ArrayBuffer> => {
  const b = await readFile(p);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

function staticEmbedder(): StaticEmbedder {
  ensureBundledModel();
  return new StaticEmbedder({ modelId: BUNDLED_MODEL, localModelPath: MODELS_DIR, readFile: readFileBytes });
}

const TEXTS = [
  'I live in Berlin',
  "I'm vegetarian and my sister Priya lives in Lisbon!",
  'Can you suggest a restaurant near me for tonight?',
  'zxqv blorft', // no known word
  '',
  'Déjà vu: ÉCOLE, naïve café — 3.5 km, 10:30am, e-mail@example.com',
  '東京に住んでいます',
  'word '.repeat(3000),
  // Past the model's 8,192 tokens: both truncate there, so Lisbon is not in the vector.
  `${'berlin '.repeat(8190)}lisbon lisbon lisbon lisbon lisbon`,
  'Line one\nLine two\tand a tab',
];

describe('StaticEmbedder', () => {
  it('reads only the table files of the tokens it meets, never the 12 MB model, and says which file is broken', async () => {
    ensureBundledModel();
    const read: string[] = [];
    const embedder = new StaticEmbedder({
      modelId: BUNDLED_MODEL,
      localModelPath: MODELS_DIR,
      readFile: (p) => {
        read.push(path.relative(MODELS_DIR, p));
        return readFileBytes(p);
      },
    });
    await embedder.embedQuery('Can you suggest a restaurant near me?');
    const tables = read.filter((f) => f.includes(`table${path.sep}`));
    expect(read.some((f) => f.endsWith('model.onnx'))).toBe(false);
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.length).toBeLessThanOrEqual(8); // one file per distinct 128-row block of the query's tokens
    // The same text again reads nothing more.
    const before = read.length;
    await embedder.embed('Can you suggest a restaurant near me?');
    expect(read.length).toBe(before);

    const broken = new StaticEmbedder({
      modelId: BUNDLED_MODEL,
      localModelPath: MODELS_DIR,
      readFile: async (p) => (p.includes(`table${path.sep}`) ? new ArrayBuffer(12) : readFileBytes(p)),
    });
    await expect(broken.embed('restaurant')).rejects.toThrow(/table file \d+\.bin holds 12 bytes/);
  });

  it('gives the transformers.js pipeline’s vectors for the bundled model', async () => {
    const reference = await bundledEmbedder().embedBatch(TEXTS);
    const fast = await staticEmbedder().embedBatch(TEXTS);
    expect(fast).toHaveLength(TEXTS.length);
    for (const [i, v] of fast.entries()) {
      const r = reference[i]!;
      expect(v.length).toBe(r.length);
      let maxDiff = 0;
      for (let k = 0; k < v.length; k++) maxDiff = Math.max(maxDiff, Math.abs(v[k]! - r[k]!));
      expect(maxDiff, TEXTS[i]).toBeLessThan(1e-6);
    }
    // Unknown words and empty text: the zero vector, as the pipeline gives.
    expect([...fast[3]!].every((x) => x === 0)).toBe(true);
    expect([...fast[4]!].every((x) => x === 0)).toBe(true);
  });

  it('embeds a query as it embeds a memory (no prefix for the bundled model)', async () => {
    const e = staticEmbedder();
    expect([...(await e.embedQuery('I live in Berlin'))]).toEqual([...(await e.embed('I live in Berlin'))]);
  });

  it('prefetch() reads the small files ahead, once, without parsing; a failed read is tried again by load()', async () => {
    ensureBundledModel();
    const reads: string[] = [];
    let failTokenizer = true;
    const e = new StaticEmbedder({
      modelId: BUNDLED_MODEL,
      localModelPath: MODELS_DIR,
      readFile: async (p) => {
        reads.push(path.basename(p));
        if (failTokenizer && p.endsWith('tokenizer.json')) throw new Error('disk hiccup');
        return readFileBytes(p);
      },
    });
    e.prefetch();
    e.prefetch();
    expect([...reads].sort()).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json']);
    await expect(e.load()).rejects.toThrow(/disk hiccup/);
    failTokenizer = false;
    const vector = await e.embed('I live in Munich');
    expect(vector.length).toBeGreaterThan(0);
    // tokenizer.json read twice (the failure, then again); the others once.
    expect(reads.filter((f) => f === 'tokenizer.json')).toHaveLength(2);
    expect(reads.filter((f) => f === 'config.json' || f === 'tokenizer_config.json')).toHaveLength(2);
    expect(await e.embed('I live in Munich')).toEqual(await staticEmbedder().embed('I live in Munich'));
  });

  it('says which model it could not load', async () => {
    const e = new StaticEmbedder({ modelId: 'no-such-model', localModelPath: MODELS_DIR, readFile: readFileBytes });
    await expect(e.embed('hello')).rejects.toThrow(/no-such-model/);
  });
});

describe('readTokenTable', () => {
  it('reads the bundled model’s table', async () => {
    ensureBundledModel();
    const bytes = new Uint8Array(await readFileBytes(path.join(MODELS_DIR, BUNDLED_MODEL, 'onnx/model.onnx')));
    const table = readTokenTable(bytes);
    expect(table.dims).toBe(100);
    expect(table.rows).toBe(30002);
    expect(table.data.length).toBe(30002 * 100);
    // [PAD] and [UNK] are zero rows.
    expect(table.data.subarray(0, 200).every((x) => x === 0)).toBe(true);
  });

  it('refuses truncated or foreign bytes with a clear error', async () => {
    ensureBundledModel();
    const bytes = new Uint8Array(await readFileBytes(path.join(MODELS_DIR, BUNDLED_MODEL, 'onnx/model.onnx')));
    expect(() => readTokenTable(bytes.subarray(0, bytes.length - 1000))).toThrow(/ONNX model/);
    expect(() => readTokenTable(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(/ONNX model/);
    expect(() => readTokenTable(new Uint8Array(0))).toThrow(/no graph/);
  });

  it('pools rows as a normalised mean, and refuses an id outside the table', () => {
    const table = { rows: 3, dims: 2, data: new Float32Array([0, 0, 3, 0, 0, 4]) };
    const v = pool(table, [1, 2]);
    expect(v[0]).toBeCloseTo(0.6, 6);
    expect(v[1]).toBeCloseTo(0.8, 6);
    expect(() => pool(table, [3])).toThrow(/outside/);
  });
});

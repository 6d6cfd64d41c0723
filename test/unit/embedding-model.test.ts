// @vitest-environment node
/**
 * Loads the on-device embedding model (built by scripts/build-model.mjs) through transformers.js
 * exactly as the extension does, and checks user-visible semantics.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODEL_ID = 'engram-glove-30k';

let extractor: FeatureExtractionPipeline;

async function embed(texts: string[]): Promise<number[][]> {
  const out = await extractor(texts, { pooling: 'mean', normalize: true });
  return out.tolist() as number[][];
}

async function embedOne(text: string): Promise<number[]> {
  const [v] = await embed([text]);
  if (!v) throw new Error('no embedding returned');
  return v;
}

function cosine(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s; // both unit-norm
}

describe('engram-glove-30k embedding model', () => {
  beforeAll(async () => {
    // Builds the model if it is missing or stale; prints "model up to date" otherwise (~0.1 s).
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/build-model.mjs')], {
      cwd: root,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`build-model failed:\n${r.stdout}\n${r.stderr}`);

    env.allowRemoteModels = false;
    env.localModelPath = path.join(root, 'public/models') + path.sep;
    extractor = await pipeline('feature-extraction', MODEL_ID, { dtype: 'fp32' });
  });

  it('returns a 100-dimensional unit vector', async () => {
    const v = await embedOne('I live in Berlin');
    expect(v).toHaveLength(100);
    const norm = Math.hypot(...v);
    expect(norm).toBeCloseTo(1, 5);
  });

  it('relates a fact about where I live to a question about my city', async () => {
    const [fact, city, bread] = await embed(['I live in Berlin', 'Which city do I live in?', 'How do I bake bread?']);
    expect(cosine(fact!, city!)).toBeGreaterThan(cosine(fact!, bread!));
  });

  it('relates a dietary preference to a restaurant request', async () => {
    const [veg, restaurant, bike] = await embed([
      "I'm vegetarian",
      'Can you suggest a restaurant for dinner?',
      'How do I fix my bicycle chain?',
    ]);
    expect(cosine(veg!, restaurant!)).toBeGreaterThan(cosine(veg!, bike!));
  });

  it('does not crash on text made only of unknown words', async () => {
    const v = await embedOne('qwzx blorf');
    expect(v).toHaveLength(100);
    // Every token is [UNK] (a zero row), so the pooled vector is zero and normalize() yields NaN.
    // Callers must treat a non-finite embedding as "no usable content".
    expect(v.every((x) => Number.isNaN(x) || x === 0)).toBe(true);
  });

  it('gives the same vectors for a batch as for one-by-one embedding', async () => {
    const texts = ['I have a dog named Max', 'What should I cook for dinner tonight?', 'Berlin'];
    const batch = await embed(texts);
    expect(batch).toHaveLength(3);
    for (let i = 0; i < texts.length; i++) {
      const single = await embedOne(texts[i]!);
      const b = batch[i]!;
      expect(b).toHaveLength(100);
      for (let k = 0; k < 100; k++) expect(b[k]!).toBeCloseTo(single[k]!, 6);
    }
  });
});

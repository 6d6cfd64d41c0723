// @vitest-environment node
/**
 * The relevance gate's threshold is calibrated per embedding model (src/engine/calibration.ts),
 * so that a model whose scores all sit high, as BGE's do, still sends unrelated prompts untouched.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from '../../src/engine/calibration';
import { RECALL } from '../../src/engine/recall-settings';
import type { Embedder } from '../../src/ports/embedder';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';

const bundled = bundledEmbedder();

/**
 * The bundled model with a strong common component added to every vector: the same ranking,
 * but every cosine lifted into 0.7–1, the way contrastively trained models score.
 */
class Anisotropic implements Embedder {
  readonly modelId = 'anisotropic-glove';
  constructor(private readonly inner: Embedder, private readonly lift = 1.5) {}
  #shift(v: Float32Array): Float32Array {
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = v[i]! + this.lift / Math.sqrt(v.length);
    const norm = Math.hypot(...out);
    return out.map((x) => x / norm);
  }
  async embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    return (await this.inner.embedBatch(texts)).map((v) => this.#shift(v));
  }
  async embed(text: string): Promise<Float32Array> {
    return this.#shift(await this.inner.embed(text));
  }
  async embedQuery(text: string): Promise<Float32Array> {
    return this.#shift(await this.inner.embedQuery(text));
  }
}

const UNRELATED = ['Explain how black holes form', 'How do I center a div in CSS?', 'Who wrote Don Quixote?', 'Write a limerick about cheese'];
const FACTS = ["I'm vegetarian", 'I live in Berlin', 'I have a dog named Max', 'I work as a software engineer at Siemens'];

beforeAll(async () => {
  await bundled.embedBatch(['warm up']);
});

describe('calibrate', () => {
  it('finds the bundled model’s gate where it was measured by hand', async () => {
    const c = await calibrate(bundled);
    expect(c.related).toBeGreaterThan(c.unrelated);
    expect(Math.abs(c.threshold - RECALL.threshold)).toBeLessThanOrEqual(0.05);
  });

  it('raises the gate for a model whose scores all sit high, so unrelated prompts stay untouched', async () => {
    const lifted = new Anisotropic(bundled);
    const c = await calibrate(lifted);
    expect(c.threshold).toBeGreaterThan(0.6);

    const { memory } = testEngine({ embedder: lifted });
    for (const fact of FACTS) await memory.add(fact, { userId: 'me', infer: false });
    const gate = async (query: string, threshold: number): Promise<string[]> =>
      (await memory.search(query, { filters: { user_id: 'me' }, topK: RECALL.candidates, threshold })).results.map((r) => r.memory);

    // With the bundled model's fixed threshold, every unrelated prompt would carry memories…
    for (const q of UNRELATED) expect((await gate(q, RECALL.threshold)).length, q).toBeGreaterThan(0);
    // …with the calibrated one, none does, and related prompts still find their memory.
    for (const q of UNRELATED) expect(await gate(q, c.threshold), q).toEqual([]);
    expect(await gate('What should I cook for dinner tonight?', c.threshold)).toContain("I'm vegetarian");
    expect(await gate('Any tips for walking my dog in the rain?', c.threshold)).toContain('I have a dog named Max');
  });
});

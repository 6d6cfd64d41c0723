import { mulberry32 } from '../../src/engine/random';
import { factHash } from '../../src/pipeline/normalize';
import type { Embedder } from '../../src/ports/embedder';

/** An in-memory Embedder double: every text through one deterministic `vector` function. */
abstract class DeterministicEmbedder implements Embedder {
  readonly calls: string[][] = [];
  abstract readonly modelId: string;

  embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls.push([...texts]);
    return Promise.resolve(texts.map((t) => this.vector(t)));
  }
  embed(text: string): Promise<Float32Array> {
    return Promise.resolve(this.vector(text));
  }
  embedQuery(text: string): Promise<Float32Array> {
    return Promise.resolve(this.vector(text));
  }

  protected abstract vector(text: string): Float32Array;
}

const unit = (v: Float32Array): Float32Array => {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
};

/**
 * Hashed bag of lower-cased words, unit length. Texts that share words are similar; no model
 * needed. For tests of code around the embedder.
 */
export class HashingEmbedder extends DeterministicEmbedder {
  constructor(
    readonly modelId = 'hashing-64',
    private readonly dims = 64,
  ) {
    super();
  }

  protected vector(text: string): Float32Array {
    const v = new Float32Array(this.dims);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      let h = 0x811c9dc5;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
      v[(h >>> 0) % this.dims]! += 1;
    }
    return unit(v);
  }
}

/** Each text its own seeded random direction: distinct facts stay distinct, whatever a model would say. */
export class DistinctEmbedder extends DeterministicEmbedder {
  readonly modelId = 'distinct-32';

  protected vector(text: string): Float32Array {
    const rand = mulberry32(parseInt(factHash(text, { userId: '', agentId: null, runId: null, space: null }).slice(0, 8), 16));
    return unit(new Float32Array(32).map(() => rand() - 0.5));
  }
}

import type { Embedder } from '../../src/ports/embedder';

/**
 * A deterministic in-memory Embedder double: hashed bag of lower-cased words, unit length. Texts
 * that share words are similar; no model needed. For tests of code around the embedder.
 */
export class HashingEmbedder implements Embedder {
  readonly calls: string[][] = [];
  constructor(
    readonly modelId = 'hashing-64',
    private readonly dims = 64,
  ) {}

  embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls.push([...texts]);
    return Promise.resolve(texts.map((t) => this.#vector(t)));
  }
  embed(text: string): Promise<Float32Array> {
    return Promise.resolve(this.#vector(text));
  }
  embedQuery(text: string): Promise<Float32Array> {
    return Promise.resolve(this.#vector(text));
  }

  #vector(text: string): Float32Array {
    const v = new Float32Array(this.dims);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      let h = 0x811c9dc5;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
      v[(h >>> 0) % this.dims]! += 1;
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }
}

/** Turns texts into unit-length vectors. One real adapter (transformers.js) and test doubles. */
export interface Embedder {
  /** Identifies the model, so vectors from different models are never compared. */
  readonly modelId: string;
  embed(text: string): Promise<Float32Array>;
  embedBatch(texts: readonly string[]): Promise<Float32Array[]>;
}

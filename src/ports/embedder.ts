/** Turns texts into unit-length vectors. One real adapter (transformers.js) and test doubles. */
export interface Embedder {
  /** Identifies the model, so vectors from different models are never compared. */
  readonly modelId: string;
  /** Embed texts to store (memories). */
  embedBatch(texts: readonly string[]): Promise<Float32Array[]>;
  embed(text: string): Promise<Float32Array>;
  /** Embed a search query (models such as bge want a query prefix). */
  embedQuery(text: string): Promise<Float32Array>;
}

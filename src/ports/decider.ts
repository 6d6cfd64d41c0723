import type { MemoryEvent, MemoryRecord } from '../core/types';
import type { ExtractedFact } from './extractor';

/** A stored memory near a new fact, with its cosine similarity. */
export interface Neighbour {
  memory: MemoryRecord;
  score: number;
}

export interface Decision {
  event: MemoryEvent;
  /** The memory updated, deleted, or that already says this (NONE). */
  target?: MemoryRecord;
  reason: string;
}

/**
 * The update step: what a new fact does to the memories nearest to it (ADD / UPDATE / DELETE /
 * NONE). Rule-based by default (pipeline/decide.ts); an LLM where one is available.
 */
export interface Decider {
  readonly name: string;
  /** `neighbours` are the nearest memories in the fact's scope, best first. */
  decide(fact: ExtractedFact, neighbours: readonly Neighbour[]): Promise<Decision>;
}

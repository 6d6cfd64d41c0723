import type { Decision, Neighbour } from '../pipeline/decide';
import type { ExtractedFact } from './extractor';

export type { Decision, Neighbour };

/**
 * The update step: what a new fact does to the memories nearest to it (ADD / UPDATE / DELETE /
 * NONE). Rule-based by default (pipeline/decide.ts); an LLM where one is available.
 */
export interface Decider {
  readonly name: string;
  /** `neighbours` are the nearest memories in the fact's scope, best first. */
  decide(fact: ExtractedFact, neighbours: readonly Neighbour[]): Promise<Decision>;
}

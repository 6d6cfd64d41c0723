import { ruleBasedDecider, type Decision, type Neighbour } from '../../pipeline/decide';
import { comparisonKey } from '../../pipeline/normalize';
import type { ChatModel } from '../../ports/chat-model';
import type { Decider } from '../../ports/decider';
import type { ExtractedFact } from '../../ports/extractor';
import { DEFAULT_TIMEOUT_MS, completeJson, describeError } from './complete';
import { parseDecision } from './parse-json';
import { DECISION_SCHEMA_JSON, MAX_NEIGHBOURS, decisionPrompt } from './prompts';

/** `{"event": "UPDATE", "id": 12}` and a little slack. */
export const DEFAULT_DECISION_TOKENS = 64;

export interface LlmDeciderOptions {
  model: ChatModel;
  /** e.g. `webllm:Llama-3.2-1B-Instruct-q4f16_1-MLC`. */
  name: string;
  /** Used whenever the model fails; default the rule-based decider. */
  fallback?: Decider;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Default 64. */
  maxTokens?: number;
  onFallback?: (reason: string) => void;
}

/**
 * Mem0's update step on a local chat model: the new fact and its nearest memories (shown as
 * 0..n-1, never by real id) go into the decision prompt; the answer's id is mapped back to the
 * memory. An UPDATE replaces the memory's text with the new fact's (the engine keeps the old text
 * in history), and a DELETE of a memory the new fact merely contradicts becomes that UPDATE, so a
 * new fact is never lost. When the model times out, fails, answers nonsense or names an id it was
 * not shown, the fallback (rule-based) decides this fact, and the reason is reported.
 *
 * Without neighbours, or when a memory already has the same words, the rule-based decision is
 * taken directly: no model call is needed to know it.
 */
export class LlmDecider implements Decider {
  readonly name: string;
  readonly #options: LlmDeciderOptions;
  readonly #fallback: Decider;

  constructor(options: LlmDeciderOptions) {
    this.name = options.name;
    this.#options = options;
    this.#fallback = options.fallback ?? ruleBasedDecider;
  }

  async decide(fact: ExtractedFact, neighbours: readonly Neighbour[]): Promise<Decision> {
    const key = comparisonKey(fact.text);
    if (neighbours.length === 0 || (!fact.forget && neighbours.some((n) => comparisonKey(n.memory.text) === key))) {
      return this.#fallback.decide(fact, neighbours);
    }
    const shown = neighbours.slice(0, MAX_NEIGHBOURS);
    const { model, timeoutMs = DEFAULT_TIMEOUT_MS, maxTokens = DEFAULT_DECISION_TOKENS } = this.#options;
    const fallback = (reason: string): Promise<Decision> => {
      this.#options.onFallback?.(`${this.name} could not decide "${fact.text}" (${reason}); used ${this.#fallback.name}`);
      return this.#fallback.decide(fact, neighbours);
    };

    let answer;
    try {
      const prompt = decisionPrompt(fact, shown.map((n) => n.memory.text));
      const { content } = await completeJson(model, prompt, { schema: DECISION_SCHEMA_JSON, maxTokens, timeoutMs });
      answer = parseDecision(content);
    } catch (error) {
      return fallback(describeError(error));
    }

    const target = answer.id === undefined ? undefined : shown[answer.id]?.memory;
    if (answer.id !== undefined && !target) return fallback(`unknown memory id ${answer.id}`);
    const by = this.name;
    switch (answer.event) {
      case 'ADD':
        if (fact.forget) return fallback('ADD for a forget request');
        return { event: 'ADD', reason: `new fact (${by})` };
      case 'NONE':
        return target ? { event: 'NONE', target, reason: `already known (${by})` } : { event: 'NONE', reason: `nothing to change (${by})` };
      case 'UPDATE':
        if (!target) return fallback('UPDATE without an id');
        if (fact.forget) return { event: 'DELETE', target, reason: `forget request: ${fact.text} (${by})` };
        return { event: 'UPDATE', target, reason: `updated by: ${fact.text} (${by})` };
      case 'DELETE':
        if (!target) return fallback('DELETE without an id');
        if (fact.forget) return { event: 'DELETE', target, reason: `forget request: ${fact.text} (${by})` };
        // A contradiction: keep the new fact in place of the old one (the old stays in history).
        return { event: 'UPDATE', target, reason: `contradicted by: ${fact.text} (${by})` };
    }
  }
}

import { stripMemoryBlock } from '../../inject/memory-block';
import { categorize } from '../../pipeline/categorize';
import { comparisonKey } from '../../pipeline/normalize';
import { slotOf } from '../../pipeline/slots';
import type { ChatModel } from '../../ports/chat-model';
import type { ChatMessage, ExtractedFact, ExtractionContext, Extractor } from '../../ports/extractor';
import { DEFAULT_TIMEOUT_MS, completeJson, describeError } from './complete';
import { parseExtraction, type ModelFact } from './parse-json';
import { EXTRACTION_SCHEMA_JSON, extractionPrompt, type FactCategory } from './prompts';
import { askedBefore, searchContext } from '../rule-based-extractor';

/** Room for about 15 short facts; a turn rarely has more. */
export const DEFAULT_EXTRACTION_TOKENS = 512;

export interface LlmExtractorOptions {
  model: ChatModel;
  /** Shown to the user as the extractor in use, e.g. `webllm:Llama-3.2-1B-Instruct-q4f16_1-MLC`. */
  name: string;
  /** Used whenever the model fails, so that no turn is lost (normally the rule-based extractor). */
  fallback: Extractor;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Default 512. */
  maxTokens?: number;
  /** Why the fallback was used (timeout, model error, unusable output), for the log. */
  onFallback?: (reason: string) => void;
  /** Output that was only partly usable (cut off, invalid items dropped), for the log. */
  onWarning?: (message: string) => void;
}

/** "Forget that …" said explicitly; the model is not trusted to notice (rule-based's pattern). */
const FORGET = /^(?:please\s+)?(?:forget|don't remember|do not remember|stop remembering)\s+(?:that\s+)?(.+)$/i;

/** Engram's categories for the model's labels (the rest come from the fact's words). */
const CATEGORY_OF: Partial<Record<FactCategory, string>> = {
  place: 'location',
  work: 'work',
  health: 'health',
  relationship: 'family',
  pet: 'pets',
};

/**
 * Mem0's extraction step on a local chat model (WebLLM or an OpenAI-compatible server): the
 * conversation goes into the extraction prompt (Engram's memory block stripped, the
 * conversation's date given for relative dates), and the facts come back as JSON. Only user
 * messages are sources; assistant messages are context. When the model times out, fails, or
 * writes nothing usable, the fallback extractor handles the same messages and the reason is
 * reported, so a turn is never lost.
 *
 * @example
 * const extractor = new LlmExtractor({ model: engine, name: 'webllm:Llama-3.2-1B-Instruct-q4f16_1-MLC', fallback: new RuleBasedExtractor() });
 * await extractor.extract([{ role: 'user', content: 'I moved to Amsterdam last week', id: 't1' }], { now: Date.now() });
 */
export class LlmExtractor implements Extractor {
  readonly name: string;
  readonly #options: LlmExtractorOptions;

  constructor(options: LlmExtractorOptions) {
    this.name = options.name;
    this.#options = options;
  }

  async extract(messages: readonly ChatMessage[], context: ExtractionContext): Promise<ExtractedFact[]> {
    // Explicit forget requests are handled here and kept from the model, which could otherwise
    // turn "forget that I live in Berlin" into the fact "I live in Berlin".
    const forgets: ExtractedFact[] = [];
    const rest: ChatMessage[] = [];
    for (const m of messages) {
      const forget = m.role === 'user' ? FORGET.exec(stripMemoryBlock(m.content).trim()) : null;
      if (forget?.[1]) forgets.push(toFact(forget[1].replace(/[.!]+$/, ''), true, m.id ? [m.id] : [], []));
      else rest.push(m);
    }
    const prompt = extractionPrompt(rest, context.now);
    if (!prompt) return forgets;

    const { model, timeoutMs = DEFAULT_TIMEOUT_MS, maxTokens = DEFAULT_EXTRACTION_TOKENS } = this.#options;
    let modelFacts: ModelFact[];
    try {
      const { content, finishReason } = await completeJson(model, prompt, { schema: EXTRACTION_SCHEMA_JSON, maxTokens, timeoutMs });
      const parsed = parseExtraction(content);
      const warn = this.#options.onWarning;
      if (parsed.truncated || finishReason === 'length') {
        warn?.(`${this.name}: output cut off at ${maxTokens} tokens; kept ${parsed.facts.length} complete facts`);
      }
      if (parsed.dropped > 0) warn?.(`${this.name}: dropped ${parsed.dropped} invalid facts`);
      modelFacts = parsed.facts;
    } catch (error) {
      this.#options.onFallback?.(`${this.name} failed (${describeError(error)}); used ${this.#options.fallback.name}`);
      return this.#options.fallback.extract(messages, context);
    }

    const users = rest.filter((m) => m.role === 'user');
    const assistants = rest.filter((m) => m.role === 'assistant').map((m) => comparisonKey(m.content));
    const facts = [...forgets];
    const seen = new Set(forgets.map((f) => `${String(f.forget)}|${comparisonKey(f.text)}`));
    for (const fact of modelFacts) {
      const text = fact.text.replace(/(?<!\.)\.$/, '');
      const key = `${String(fact.forget)}|${comparisonKey(text)}`;
      if (seen.has(key)) continue;
      const sources = sourcesOf(text, users);
      // A sentence the assistant said, sharing no word with anything the user said, is the
      // assistant's, not a fact about the user.
      if (sources === null && assistants.some((a) => a.includes(comparisonKey(text)))) continue;
      seen.add(key);
      const from = sources ?? users;
      const ids = from.flatMap((m) => (m.id ? [m.id] : []));
      // Searched, like the rules' facts, with the message it came from and the question it answered.
      const context = from.map((m) => searchContext(m, askedBefore(rest, m))).join('\n');
      facts.push({ ...toFact(text, fact.forget, ids, [CATEGORY_OF[fact.category]]), ...(context ? { context } : {}) });
    }
    return facts;
  }
}

function toFact(text: string, forget: boolean, sourceTurnIds: string[], extraCategories: (string | undefined)[]): ExtractedFact {
  const categories = categorize(text);
  for (const c of extraCategories) if (c && !categories.includes(c)) categories.push(c);
  return { text, slot: slotOf(text), categories, forget, sourceTurnIds };
}

const STOP = new Set(['the', 'and', 'for', 'you', 'your', 'are', 'was', 'were', 'with', 'that', 'this', 'have', 'has', 'had', 'not', 'but', 'from', 'very', 'really', 'just', 'also']);
const contentWords = (text: string): Set<string> =>
  new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 3 && !STOP.has(w)),
  );

/** The user messages a fact shares the most content words with, or null when it shares none. */
function sourcesOf(text: string, users: readonly ChatMessage[]): ChatMessage[] | null {
  const words = contentWords(text);
  let best = 0;
  let sources: ChatMessage[] = [];
  for (const m of users) {
    const theirs = contentWords(m.content);
    let shared = 0;
    for (const w of words) if (theirs.has(w)) shared++;
    if (shared > best) {
      best = shared;
      sources = [m];
    } else if (shared === best && shared > 0) {
      sources.push(m);
    }
  }
  return best > 0 ? sources : null;
}

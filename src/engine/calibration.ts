/**
 * The relevance gate's threshold, calibrated for whichever embedding model is active.
 *
 * Cosine scores mean different things under different models: the bundled GloVe model puts
 * related question/fact pairs at 0.3–0.6 and unrelated ones below 0.3, while contrastively
 * trained models such as BGE put almost every pair above 0.6 (their authors advise choosing a
 * threshold from the data's own distribution). A fixed threshold would therefore inject
 * memories into every prompt after the user switches to a stronger model. Instead, each model
 * scores the labelled pairs below, and the gate sits between the related and the unrelated ones.
 */
import { categorize, indexText } from '../pipeline/categorize';
import { dot } from '../pipeline/similarity';
import type { Embedder } from '../ports/embedder';

/** [question a user might send, a memory it should (related) or should not (unrelated) draw]. */
export const CALIBRATION_PAIRS: { related: [string, string][]; unrelated: [string, string][] } = {
  related: [
    ['Can you suggest a restaurant near me for tonight?', 'I live in Berlin'],
    ['What should I cook for dinner?', "I'm vegetarian"],
    ['Any ideas for a birthday present for my sister?', 'I have a sister named Anna'],
    ['How do I keep my dog calm during fireworks?', 'I have a dog named Max'],
    ['Which programming language should I learn next?', 'I work as a software engineer'],
    ['Plan a weekend trip for me', 'I love hiking in the mountains'],
    ['What wine goes with my meal?', "I don't drink alcohol"],
    ['Help me plan my training for the race', "I'm training for the Berlin marathon"],
    ['Recommend a book for my holiday', 'I love science fiction novels'],
    ['Write a short bio for my conference talk', "I'm a nurse at the city hospital"],
    ['What should I pack for my move?', "I'm moving to Amsterdam next month"],
    ['Suggest a breakfast for me', "I'm allergic to peanuts"],
  ],
  unrelated: [
    ['Explain how photosynthesis works in plants', 'I live in Berlin'],
    ['How do I reverse a linked list?', "I'm vegetarian"],
    ['What is the capital of France?', 'I have a dog named Max'],
    ['Summarize this article about climate policy', 'I have a sister named Anna'],
    ['Write a haiku about autumn', 'I work as a software engineer'],
    ['Convert 20 degrees Celsius to Fahrenheit', 'I love hiking in the mountains'],
    ['What year did the Roman Empire fall?', "I don't drink alcohol"],
    ['Fix the syntax error in this SQL query', "I'm training for the Berlin marathon"],
    ['Translate good morning into Japanese', "I'm a nurse at the city hospital"],
    ['How many moons does Jupiter have?', "I'm allergic to peanuts"],
    ['Explain the difference between TCP and UDP', 'I love science fiction novels'],
    ['What causes inflation?', "I'm moving to Amsterdam next month"],
  ],
};

export interface Calibration {
  /** Cosine at or above which a memory passes the relevance gate. */
  threshold: number;
  /**
   * Related questions' score with their memory (median), and unrelated questions' best score
   * over all the memories (75th percentile).
   */
  related: number;
  unrelated: number;
  /**
   * What a request about the user's life scores against a memory about something else (median):
   * the floor a memory must pass in a prompt read as about the user.
   */
  offTopic: number;
}

const OFF_TOPIC_QUANTILE = 0.5;

function quantile(sorted: readonly number[], q: number): number {
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[at] ?? 0;
}

/** Each related question's score with its own memory, lowest first. */
async function relatedScores(embedder: Embedder, facts: Map<string, Float32Array>): Promise<number[]> {
  const out: number[] = [];
  for (const [question, fact] of CALIBRATION_PAIRS.related) out.push(dot(await embedder.embedQuery(question), facts.get(fact)!));
  return out.sort((a, b) => a - b);
}

/** Each unrelated question's best score over all the memories (what the gate sees), lowest first. */
async function unrelatedScores(embedder: Embedder, facts: Map<string, Float32Array>): Promise<number[]> {
  const out: number[] = [];
  for (const [question] of CALIBRATION_PAIRS.unrelated) {
    const q = await embedder.embedQuery(question);
    out.push(Math.max(...[...facts.values()].map((f) => dot(q, f))));
  }
  return out.sort((a, b) => a - b);
}

/** Each related question's score with every other memory: a request about the user's life against a fact about something else. */
async function offTopicScores(embedder: Embedder, facts: Map<string, Float32Array>): Promise<number[]> {
  const out: number[] = [];
  for (const [question, own] of CALIBRATION_PAIRS.related) {
    const q = await embedder.embedQuery(question);
    for (const [fact, v] of facts) if (fact !== own) out.push(dot(q, v));
  }
  return out.sort((a, b) => a - b);
}

let fingerprint: string | null = null;

/**
 * What the calibration depends on besides the model: its labelled sets and quantile. A stored
 * calibration (the recall image) is reused only for the same model and the same fingerprint.
 */
export function calibrationFingerprint(): string {
  if (fingerprint === null) {
    const text = JSON.stringify([CALIBRATION_PAIRS, OFF_TOPIC_QUANTILE]);
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    fingerprint = `${text.length}:${(h >>> 0).toString(36)}`;
  }
  return fingerprint;
}

/** `value` when it is a whole Calibration (a stored one may be anything), else null. */
export function asCalibration(value: unknown): Calibration | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  return finite(c.threshold) && finite(c.related) && finite(c.unrelated) && finite(c.offTopic)
    ? { threshold: c.threshold, related: c.related, unrelated: c.unrelated, offTopic: c.offTopic }
    : null;
}

/**
 * The threshold for `embedder`'s model: halfway between what unrelated questions reach (their
 * best score over all the memories, 75th percentile) and what related ones do (median). When a
 * model cannot tell them apart, the unrelated questions' upper end (90th percentile), so that
 * it errs toward sending the prompt untouched.
 */
export async function calibrate(embedder: Embedder): Promise<Calibration> {
  const texts = [...new Set([...CALIBRATION_PAIRS.related, ...CALIBRATION_PAIRS.unrelated].map(([, fact]) => fact))];
  const vectors = await embedder.embedBatch(texts.map((fact) => indexText(fact, categorize(fact))));
  const facts = new Map(texts.map((fact, i) => [fact, vectors[i]!]));
  const relatedSorted = await relatedScores(embedder, facts);
  const unrelatedSorted = await unrelatedScores(embedder, facts);
  const related = quantile(relatedSorted, 0.5);
  const unrelated = quantile(unrelatedSorted, 0.75);
  const threshold = related > unrelated ? (related + unrelated) / 2 : quantile(unrelatedSorted, 0.9);
  const offTopic = quantile(await offTopicScores(embedder, facts), OFF_TOPIC_QUANTILE);
  return { threshold: Math.round(threshold * 1000) / 1000, related, unrelated, offTopic };
}

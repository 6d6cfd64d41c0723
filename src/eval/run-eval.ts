/**
 * Engram on LoCoMo: every conversation is ingested session by session through the real engine
 * (each speaker's turns as that speaker's own statements: one user scope per speaker, as Mem0's
 * LoCoMo evaluation does; both scopes are searched; the other speaker's previous turn comes with
 * each turn as the assistant's message does in the extension). Each question is then asked twice:
 * - the ranking: `search` over both scopes, top 20, no gate (recall@k of the engine's ranking);
 * - as injected: `recall`, the very call the extension's send makes (the relevance gate calibrated
 *   for the model, de-duplication, the token budget), so the row says what the user's prompt
 *   would really carry, and its tokens.
 * Scored against the evidence turns: turn recall@k, session recall@k, hit@k, tokens, abstention
 * on unanswerable questions; side by side with two naive baselines over the raw turns (BM25, and
 * vectors from the same model).
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { EngramDatabase } from '../db/schema';
import { createEngine } from '../engine/create-engine';
import { withMemoryBlock } from '../inject/memory-block';
import { TextIndex } from '../pipeline/text-index';
import { dot } from '../pipeline/similarity';
import type { Embedder } from '../ports/embedder';
import { sessionOfDiaId, sessionsOf, turnText, type LocomoSample } from './locomo';

/** One retrieved item: a memory (engine) or a raw turn (baselines). */
export interface Retrieved {
  text: string;
  /** dia_ids the item was made from. */
  sources: string[];
  score: number;
  /** For memories: when it was said (the extension shows it on each injected line). */
  saidAt?: number;
}

export interface Scores {
  turn_recall_at_5: number;
  turn_recall_at_10: number;
  turn_recall_at_20: number;
  session_recall_at_10: number;
  hit_at_5: number;
  hit_at_10: number;
  tokens_at_10: number;
  n: number;
  abstained?: number;
  /** As injected (recall): share of evidence turns, and share of questions with one of them. */
  injected_turn_recall?: number;
  injected_hit?: number;
}

/** What is injected, over the questions with evidence. */
export interface InjectedScores {
  /** Share of a question's evidence turns that the injected memories came from. */
  turn_recall: number;
  /** Share of questions with at least one evidence turn injected. */
  hit: number;
  /** Mean memories injected, and mean tokens of the block (0 when nothing is injected). */
  memories: number;
  tokens: number;
  /** Share of questions that got no memory at all. */
  none: number;
  n: number;
  /** Questions about what was never said (no evidence): share that got nothing injected. */
  abstained?: number;
  unanswerable?: number;
}

export interface QuestionRow {
  sample_id: string;
  qa_index: number;
  category: number;
  hit_at_5: number;
  hit_at_10: number;
  turn_recall_at_10: number;
  sources_at_10: string[];
  /** The lines the extension would inject for this question (empty: nothing injected), and their block's tokens. */
  injected: string[];
  injected_tokens: number;
  /** Share of the evidence turns the injected memories came from. */
  injected_turn_recall: number;
}

export interface EvalResult {
  /** The ranking: `search`, top 20 of both scopes, no gate. */
  overall: Scores;
  /** What `recall` injects: the gated, de-duplicated, budgeted memories the prompt would carry. */
  injected: InjectedScores;
  by_category: Record<string, Scores>;
  baselines: { bm25_turns: Scores; vector_turns: Scores };
  ms_per_query: number;
  /** Share of the questions' evidence turns that at least one memory came from (the extractor's reach). */
  evidence_coverage: number;
  setup: Record<string, string | number>;
  questions: QuestionRow[];
}

export interface EvalOptions {
  samples: LocomoSample[];
  embedder: Embedder;
  /** 'rule' (default): the rule-based extractor; 'raw': store every turn verbatim. */
  extractor?: 'rule' | 'raw';
  onProgress?: (message: string) => void;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
/** Tokens (chars / 4) of the block the extension would inject for these items, dates included. */
const tokensOf = (items: Retrieved[]): number =>
  Math.round(withMemoryBlock(items.map((i) => (i.saidAt === undefined ? i.text : `${i.text} (said ${DATE.format(i.saidAt)})`)), '').length / 4);

function sourcesAt(items: Retrieved[], k: number): string[] {
  return uniq(items.slice(0, k).flatMap((i) => i.sources));
}

interface Acc {
  n: number;
  r5: number;
  r10: number;
  r20: number;
  s10: number;
  h5: number;
  h10: number;
  tok: number;
  abstainN: number;
  abstained: number;
  injR: number;
  injH: number;
}
const emptyAcc = (): Acc => ({ n: 0, r5: 0, r10: 0, r20: 0, s10: 0, h5: 0, h10: 0, tok: 0, abstainN: 0, abstained: 0, injR: 0, injH: 0 });

function score(acc: Acc, evidence: string[], items: Retrieved[]): { r10: number; h5: number; h10: number } {
  const recall = (k: number): number => {
    const got = new Set(sourcesAt(items, k));
    return evidence.filter((e) => got.has(e)).length / evidence.length;
  };
  const sessions = uniq(evidence.map(sessionOfDiaId));
  const gotSessions = new Set(sourcesAt(items, 10).map(sessionOfDiaId));
  const r10 = recall(10);
  const h5 = recall(5) > 0 ? 1 : 0;
  const h10 = r10 > 0 ? 1 : 0;
  acc.n++;
  acc.r5 += recall(5);
  acc.r10 += r10;
  acc.r20 += recall(20);
  acc.s10 += sessions.filter((s) => gotSessions.has(s)).length / sessions.length;
  acc.h5 += h5;
  acc.h10 += h10;
  acc.tok += tokensOf(items.slice(0, 10));
  return { r10, h5, h10 };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function finish(acc: Acc): Scores {
  const n = Math.max(acc.n, 1);
  const out: Scores = {
    turn_recall_at_5: r3(acc.r5 / n),
    turn_recall_at_10: r3(acc.r10 / n),
    turn_recall_at_20: r3(acc.r20 / n),
    session_recall_at_10: r3(acc.s10 / n),
    hit_at_5: r3(acc.h5 / n),
    hit_at_10: r3(acc.h10 / n),
    tokens_at_10: Math.round(acc.tok / n),
    n: acc.n,
  };
  if (acc.abstainN > 0) out.abstained = r3(acc.abstained / acc.abstainN);
  if (acc.n > 0) {
    out.injected_turn_recall = r3(acc.injR / n);
    out.injected_hit = r3(acc.injH / n);
  }
  return out;
}

/** Run the evaluation. Questions without evidence are skipped (their recall is undefined). */
export async function runEval({ samples, embedder, extractor = 'rule', onProgress }: EvalOptions): Promise<EvalResult> {
  const overall = emptyAcc();
  const byCategory = new Map<number, Acc>();
  const bm25 = emptyAcc();
  const vector = emptyAcc();
  const questions: QuestionRow[] = [];
  const injected = { n: 0, recall: 0, hit: 0, memories: 0, tokens: 0, none: 0 };
  const unanswerable = { n: 0, abstained: 0 };
  let queryMs = 0;
  let evidenceTurns = 0;
  let evidenceCovered = 0;
  let queries = 0;

  for (const sample of samples) {
    const { speaker_a: a, speaker_b: b } = sample.conversation;
    // A speaker called "Assistant" is the AI the user talks to: as in the extension, its turns are
    // never remembered, only passed with the user's next turn as the message it answers.
    const people = [a, b].filter((s) => !isAssistant(s));
    const db = new EngramDatabase(`eval-${sample.sample_id}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    // Questions are asked the day after the last session: "last week" means the conversation's last week.
    const sessions = sessionsOf(sample);
    const askedAt = (sessions.at(-1)?.date ?? 0) + 86_400_000;
    const { memory, vectors } = createEngine({ db, embedder, saveDelayMs: 3_600_000, now: () => askedAt });
    const turns: { id: string; text: string }[] = [];
    for (const session of sessions) {
      let previous: string | null = null;
      for (const turn of session.turns) {
        const text = turnText(turn);
        turns.push({ id: turn.dia_id, text: `${turn.speaker}: ${text}` });
        const before = previous;
        previous = turn.text;
        if (isAssistant(turn.speaker)) continue;
        const said = [{ role: 'user' as const, content: text, id: turn.dia_id }];
        await memory.add(before === null ? said : [{ role: 'assistant' as const, content: before }, ...said], {
          userId: turn.speaker,
          saidAt: session.date,
          infer: extractor !== 'raw',
        });
      }
    }
    onProgress?.(`${sample.sample_id}: ${turns.length} turns → ${await db.memories.count()} memories`);
    const remembered = new Set((await db.memories.toArray()).flatMap((m) => m.sourceTurnIds));
    for (const e of new Set(sample.qa.flatMap((qa) => qa.evidence))) {
      if (!/^D\d+:\d+$/.test(e)) continue;
      evidenceTurns++;
      if (remembered.has(e)) evidenceCovered++;
    }

    // Baselines over the raw turns, speaker-prefixed, with the same embedding model.
    const text = new TextIndex();
    for (const t of turns) text.upsert(t.id, t.text);
    const turnVectors = await embedder.embedBatch(turns.map((t) => t.text));
    const byId = new Map(turns.map((t) => [t.id, t.text]));

    for (const [qaIndex, qa] of sample.qa.entries()) {
      const evidence = qa.evidence.filter((e) => /^D\d+:\d+$/.test(e));
      // The speakers' names select whose memories to search; as words they would only match
      // other turns that address that person ("Thanks, Mel!").
      const query = withoutNames(qa.question, [a, b].filter((s) => !isAssistant(s)));
      if (evidence.length === 0) {
        // Never said: the right answer is to inject nothing.
        if (qa.category !== 5) continue;
        const recalled = await memory.recall(asTheUser(qa.question, people), { scopes: people.map((p) => ({ user_id: p })), noteUse: false });
        const category = byCategory.get(qa.category) ?? emptyAcc();
        byCategory.set(qa.category, category);
        category.abstainN++;
        if (recalled.memories.length === 0) category.abstained++;
        unanswerable.n++;
        if (recalled.memories.length === 0) unanswerable.abstained++;
        continue;
      }
      const started = performance.now();
      const hits = [
        ...(await Promise.all(people.map(async (p) => (await memory.search(query, { filters: { user_id: p }, topK: 20, threshold: 0 })).results))).flat(),
      ]
        .sort((x, y) => (y.score ?? 0) - (x.score ?? 0))
        .slice(0, 20);
      queryMs += performance.now() - started;
      queries++;
      const items: Retrieved[] = hits.map((h) => ({ text: h.memory, sources: h.sourceTurnIds, score: h.score ?? 0, saidAt: Date.parse(h.saidAt) }));
      const category = byCategory.get(qa.category) ?? emptyAcc();
      byCategory.set(qa.category, category);
      const s = score(overall, evidence, items);
      score(category, evidence, items);
      // What the extension's send would inject: the same call, both speakers' scopes.
      const recalled = await memory.recall(asTheUser(qa.question, people), { scopes: people.map((p) => ({ user_id: p })), noteUse: false });
      const got = new Set(recalled.memories.flatMap((m) => m.sourceTurnIds));
      const injectedRecall = evidence.filter((e) => got.has(e)).length / evidence.length;
      injected.n++;
      injected.recall += injectedRecall;
      injected.hit += injectedRecall > 0 ? 1 : 0;
      injected.memories += recalled.memories.length;
      injected.tokens += recalled.tokens;
      injected.none += recalled.memories.length === 0 ? 1 : 0;
      category.injR += injectedRecall;
      category.injH += injectedRecall > 0 ? 1 : 0;
      if (qa.category === 5) {
        // Abstained: nothing would have been injected.
        category.abstainN++;
        if (recalled.memories.length === 0) category.abstained++;
      }
      questions.push({
        sample_id: sample.sample_id,
        qa_index: qaIndex,
        category: qa.category,
        hit_at_5: s.h5,
        hit_at_10: s.h10,
        turn_recall_at_10: r3(s.r10),
        sources_at_10: sourcesAt(items, 10),
        injected: recalled.memories.map((m) => m.line),
        injected_tokens: recalled.tokens,
        injected_turn_recall: r3(injectedRecall),
      });

      const bm = text.search(qa.question, 20).map((h) => ({ text: byId.get(h.id) ?? '', sources: [h.id], score: h.score }));
      score(bm25, evidence, bm);
      const q = await embedder.embedQuery(qa.question);
      const vec = turns
        .map((t, i) => ({ text: t.text, sources: [t.id], score: dot(q, turnVectors[i]!) }))
        .sort((x, y) => y.score - x.score)
        .slice(0, 20);
      score(vector, evidence, vec);
    }
    vectors.dispose();
    db.close();
  }

  const m = Math.max(injected.n, 1);
  return {
    overall: finish(overall),
    injected: {
      turn_recall: r3(injected.recall / m),
      hit: r3(injected.hit / m),
      memories: r3(injected.memories / m),
      tokens: Math.round(injected.tokens / m),
      none: r3(injected.none / m),
      n: injected.n,
      ...(unanswerable.n > 0 ? { abstained: r3(unanswerable.abstained / unanswerable.n), unanswerable: unanswerable.n } : {}),
    },
    by_category: Object.fromEntries([...byCategory.entries()].sort(([x], [y]) => x - y).map(([c, acc]) => [String(c), finish(acc)])),
    baselines: { bm25_turns: finish(bm25), vector_turns: finish(vector) },
    ms_per_query: r3(queryMs / Math.max(queries, 1)),
    evidence_coverage: r3(evidenceCovered / Math.max(evidenceTurns, 1)),
    setup: {
      conversations: samples.length,
      extractor: extractor === 'raw' ? 'raw (every turn verbatim)' : 'rule-based',
      model: embedder.modelId,
      scopes: 'one user scope per speaker; both searched, merged by score; the previous turn as the assistant message',
      injected: "memory.recall, as the extension calls it before a send (the prompt read, calibrated gate, de-duplication, token budget), each question asked as the speaker would ask it (their name as I / my)",
    },
    questions,
  };
}

/** The AI side of a user/assistant conversation (its turns are context, never memories). */
export const isAssistant = (speaker: string): boolean => /^(?:assistant|ai|chatgpt|claude)$/i.test(speaker.trim());

/**
 * The question as the speaker would ask it of their assistant: LoCoMo asks about its speakers in
 * the third person ("What did Caroline research?"); a user asks "What did I research?".
 */
export function asTheUser(question: string, names: string[]): string {
  const forms = names.filter((n) => n.length >= 2).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (forms.length === 0) return question;
  const name = `(?:${forms.join('|')})`;
  return question
    .replace(new RegExp(`\\b${name}(?:'s|’s)(?![\\p{L}])`, 'giu'), 'my')
    .replace(new RegExp(`\\b${name}(?![\\p{L}])`, 'giu'), 'I');
}

/** The question without the speakers' names (first names and their short forms). */
export function withoutNames(question: string, names: string[]): string {
  const forms = names.flatMap((n) => [n, n.slice(0, 3)]).filter((f) => f.length >= 3);
  const pattern = new RegExp(`\\b(?:${forms.join('|')})(?:'s|’s)?(?![\\p{L}])`, 'giu');
  const stripped = question.replace(pattern, ' ').replace(/\s+/g, ' ').trim();
  return stripped || question;
}


/** The result as a markdown table (engine and baselines side by side, then by category). */
export function markdownOf(result: EvalResult): string {
  const row = (name: string, s: Scores): string =>
    `| ${name} | ${s.turn_recall_at_5} | ${s.turn_recall_at_10} | ${s.turn_recall_at_20} | ${s.session_recall_at_10} | ${s.hit_at_10} | ${s.tokens_at_10} | ${s.n} |`;
  return [
    `## LoCoMo retrieval (${Object.values(result.setup).join('; ')})`,
    '',
    '| retriever | turn R@5 | turn R@10 | turn R@20 | session R@10 | hit@10 | tokens@10 | questions |',
    '|---|---|---|---|---|---|---|---|',
    row('Engram ranking (search, top k, no gate)', result.overall),
    `| Engram as injected (recall: gate, de-duplication, budget; ${result.injected.memories} memories a question, none for ${result.injected.none}) | ${result.injected.turn_recall} | ${result.injected.turn_recall} | ${result.injected.turn_recall} | | ${result.injected.hit} | ${result.injected.tokens} | ${result.injected.n} |`,
    row('BM25 over raw turns', result.baselines.bm25_turns),
    row('vectors over raw turns', result.baselines.vector_turns),
    '',
    '| category | turn R@10 | hit@5 | hit@10 | as injected: turn recall | as injected: hit | tokens@10 | abstained | questions |',
    '|---|---|---|---|---|---|---|---|---|',
    ...Object.entries(result.by_category).map(
      ([c, s]) =>
        `| ${c} | ${s.turn_recall_at_10} | ${s.hit_at_5} | ${s.hit_at_10} | ${s.injected_turn_recall ?? ''} | ${s.injected_hit ?? ''} | ${s.tokens_at_10} | ${s.abstained ?? ''} | ${s.n} |`,
    ),
    '',
    `${result.ms_per_query} ms per query (engine). Evidence turns with at least one memory: ${result.evidence_coverage}.`,
    '',
  ].join('\n');
}

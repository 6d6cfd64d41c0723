/**
 * The relevance gate on realistic stores: does a prompt that is not about the user get no memory,
 * and does one that is get the facts it needs? Each persona's facts are said to a fresh engine as
 * user messages (extracted as the extension would), then every prompt goes through `recall`, the
 * call the extension's send makes, with the active model's calibrated gate.
 *
 * A set (test/fixtures/gate/*.json) holds personas of first-person facts, prompts unrelated to
 * the persona (a third of them world questions that share a word with a fact) and related prompts
 * with the facts a good assistant would want.
 */
import { readFileSync } from 'node:fs';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { EngramDatabase } from '../db/schema';
import { createEngine } from '../engine/create-engine';
import type { Embedder } from '../ports/embedder';

export interface GateSet {
  name: string;
  provenance: string;
  personas: { id: string; name: string; facts: { id: string; text: string }[] }[];
  unrelated: { persona: string; prompt: string; kind: string; shares?: string }[];
  related: { persona: string; prompt: string; needs: string[] }[];
}

export interface GateScores {
  /** Share of unrelated prompts that got at least one memory (target ≤ 0.02). */
  false_injection: number;
  /** …of those, the world questions that share a word with a fact, and the others. */
  false_injection_world: number;
  false_injection_other: number;
  /** Share of related prompts that got at least one of the facts they need (target ≥ 0.9). */
  related_hit: number;
  /** Share of the memories injected into related prompts that were among the needed ones (target ≥ 0.7). */
  precision: number;
  /** Mean memories injected into a related prompt. */
  memories_per_related: number;
  /** Facts said, and the memories they became. */
  facts: number;
  memories: number;
  unrelated: number;
  related: number;
}

export interface GatePromptRow {
  persona: string;
  prompt: string;
  kind: string;
  needs?: string[];
  injected: { text: string; from: string[]; score: number }[];
}

export interface GateResult {
  set: string;
  scores: GateScores;
  by_kind: Record<string, { prompts: number; false_injection: number }>;
  rows: GatePromptRow[];
}

export function loadGateSet(path: string): GateSet {
  const data = JSON.parse(readFileSync(path, 'utf8')) as GateSet;
  if (!Array.isArray(data.personas) || !Array.isArray(data.unrelated) || !Array.isArray(data.related)) {
    throw new Error(`${path}: expected { personas, unrelated, related }`);
  }
  return data;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const DAY = 86_400_000;

export async function runGateEval(set: GateSet, embedder: Embedder, onProgress?: (message: string) => void): Promise<GateResult> {
  const rows: GatePromptRow[] = [];
  let facts = 0;
  let memories = 0;
  const now = Date.UTC(2026, 10, 30, 12);
  for (const persona of set.personas) {
    const db = new EngramDatabase(`gate-${set.name}-${persona.id}`, { indexedDB: new IDBFactory(), IDBKeyRange });
    const { memory, vectors } = createEngine({ db, embedder, saveDelayMs: 3_600_000, now: () => now });
    // Said over the last few months, one fact a day, as a user tells an assistant.
    for (const [i, fact] of persona.facts.entries()) {
      await memory.add([{ role: 'user', content: fact.text, id: fact.id }], { userId: 'me', saidAt: now - (persona.facts.length - i) * DAY });
    }
    facts += persona.facts.length;
    memories += await db.memories.count();
    const ask = async (prompt: string): Promise<GatePromptRow['injected']> =>
      (await memory.recall(prompt, { filters: { user_id: 'me' }, noteUse: false })).memories.map((m) => ({ text: m.text, from: m.sourceTurnIds, score: Math.round(m.score * 1000) / 1000 }));
    for (const u of set.unrelated.filter((p) => p.persona === persona.id)) {
      rows.push({ persona: persona.id, prompt: u.prompt, kind: u.kind, injected: await ask(u.prompt) });
    }
    for (const r of set.related.filter((p) => p.persona === persona.id)) {
      rows.push({ persona: persona.id, prompt: r.prompt, kind: 'related', needs: r.needs, injected: await ask(r.prompt) });
    }
    onProgress?.(`${set.name}/${persona.id}: ${persona.facts.length} facts → ${await db.memories.count()} memories`);
    vectors.dispose();
    db.close();
  }
  return { set: set.name, scores: scoresOf(rows, facts, memories), by_kind: byKind(rows), rows };
}

function scoresOf(rows: GatePromptRow[], facts: number, memories: number): GateScores {
  const unrelated = rows.filter((r) => r.kind !== 'related');
  const world = unrelated.filter((r) => r.kind === 'world');
  const other = unrelated.filter((r) => r.kind !== 'world');
  const related = rows.filter((r) => r.kind === 'related');
  const fired = (rs: GatePromptRow[]): number => (rs.length === 0 ? 0 : rs.filter((r) => r.injected.length > 0).length / rs.length);
  const needed = (r: GatePromptRow, m: GatePromptRow['injected'][number]): boolean => m.from.some((id) => r.needs?.includes(id) === true);
  const injected = related.flatMap((r) => r.injected.map((m) => needed(r, m)));
  return {
    false_injection: r3(fired(unrelated)),
    false_injection_world: r3(fired(world)),
    false_injection_other: r3(fired(other)),
    related_hit: r3(related.length === 0 ? 0 : related.filter((r) => r.injected.some((m) => needed(r, m))).length / related.length),
    precision: r3(injected.length === 0 ? 0 : injected.filter(Boolean).length / injected.length),
    memories_per_related: r3(related.length === 0 ? 0 : injected.length / related.length),
    facts,
    memories,
    unrelated: unrelated.length,
    related: related.length,
  };
}

function byKind(rows: GatePromptRow[]): GateResult['by_kind'] {
  const out: GateResult['by_kind'] = {};
  for (const kind of [...new Set(rows.map((r) => r.kind))].sort()) {
    const rs = rows.filter((r) => r.kind === kind);
    out[kind] = { prompts: rs.length, false_injection: kind === 'related' ? 0 : r3(rs.filter((r) => r.injected.length > 0).length / rs.length) };
  }
  return out;
}

/** The result as a markdown table. */
export function gateMarkdown(results: GateResult[]): string {
  const line = (r: GateResult): string => {
    const s = r.scores;
    return `| ${r.set} | ${s.false_injection} | ${s.false_injection_world} | ${s.false_injection_other} | ${s.related_hit} | ${s.precision} | ${s.memories_per_related} | ${s.facts} → ${s.memories} | ${s.unrelated} / ${s.related} |`;
  };
  return [
    '## Relevance gate on realistic stores (recall, as the extension sends)',
    '',
    '| set | unrelated with any memory | …world questions sharing a word | …other | related with a needed fact | needed share of injected | memories per related | facts → memories | prompts unrelated / related |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(line),
    '',
  ].join('\n');
}

/**
 * recall: what Engram puts ahead of a prompt. The one way anything asks what to inject: the
 * background's recall handler, `npm run eval` and the tests all call it.
 *
 * Candidates are searched in each scope asked for, kept only when they pass the relevance gate
 * calibrated for the active model, merged best first, then near-duplicates are dropped and the
 * token budget applied (pipeline/select.ts).
 */
import { withMemoryBlock } from '../inject/memory-block';
import { isTheirs, namesInPrompt, readPrompt } from '../pipeline/about-me';
import { ENTITY_CANDIDATES } from '../pipeline/candidates';
import { entitiesOf } from '../pipeline/entities';
import { asksSomething } from '../pipeline/extract';
import { blockDates, selectForPrompt } from '../pipeline/select';
import type { EngineContext } from './context';
import type { MemoryFilter } from './filters';
import { RECALL, type RecallSettings } from './recall-settings';
import { search, type Hit } from './search';
import { noteUseLater } from './update';
import { inForeground } from './priority';
import { mark } from '../core/timings';

export interface RecallContext {
  /** Whose memories: one filter per scope searched (the extension: the browser's user). */
  scopes: readonly MemoryFilter[];
  /** Override the relevance gate (cosine); the calibrated floor of the active model otherwise. */
  threshold?: number;
  settings?: Partial<RecallSettings>;
  /** Count the injected memories as used (the extension does; an evaluation does not). Default true. */
  noteUse?: boolean;
  /** For the dates shown on each line; defaults to en-GB. */
  locale?: string;
  /**
   * Read the prompt first and inject nothing into one that is not about the user (default true).
   * False when the user asked for memories themselves (the manual mode's button).
   */
  readPrompt?: boolean;
}

/** One memory as it goes into the prompt. */
export interface Injected {
  id: string;
  /** The memory's text (or its past value). */
  text: string;
  /** The line written into the block: the text and when it was said. */
  line: string;
  score: number;
  saidAt: number;
  sourceTurnIds: string[];
  supersededAt?: number;
}

export interface Recalled {
  memories: Injected[];
  /** Tokens (characters / 4) of the block these memories make, header and footer included; 0 when none. */
  tokens: number;
  /** The relevance gate applied (cosine). */
  threshold: number;
  /** How many candidates passed the gate before de-duplication and the budget. */
  considered: number;
}

export function recall(ctx: EngineContext, query: string, context: RecallContext): Promise<Recalled> {
  // Someone waits for this: background slices (consolidation, index builds, imports) wait for it.
  return inForeground(() => recallNow(ctx, query, context));
}

async function recallNow(ctx: EngineContext, query: string, context: RecallContext): Promise<Recalled> {
  mark('recall:start');
  const settings = { ...RECALL, ...context.settings };
  // Everything the answer needs is asked for first (on a cold start: one read of the recall
  // image, the gate's calibration with it), and the work that needs only the prompt is done while
  // those reads are in flight.
  const calibration = context.threshold === undefined ? ctx.calibration() : null;
  void ctx.memories().catch(() => undefined); // its error, if any, surfaces where it is awaited
  const reading = context.readPrompt !== false && asksSomething(query) ? readPrompt(query) : null;
  blockDates(context.locale);
  // The prompt is read as about the user (below) before anything is searched, so a memory only
  // has to be closer to it than such a request usually comes to a fact about something else.
  const threshold = context.threshold ?? (await calibration!).offTopic;
  // "How long do dogs live?" or "help me fix my regex" is not about the user, however close a
  // memory's words: nothing is searched, nothing is sent.
  if (context.readPrompt !== false && !(await isAboutUser(ctx, query, reading))) return { memories: [], tokens: 0, threshold, considered: 0 };
  const gate = { cosine: threshold, lexical: true };
  const hits: Hit[] = [];
  for (const filter of context.scopes) hits.push(...(await search(ctx, query, { filter, topK: settings.candidates, gate })));
  const sorted = hits.sort((a, b) => b.score - a.score);
  const best = Math.max(0, ...sorted.map((h) => h.relevance));
  // A memory scoring under a share of the best one is noise beside it: it stays out of the prompt.
  // (Measured before diversity: a second fact from the same message ranks after others, but is
  // as relevant as it was: "I'm vegetarian and I live in Berlin" for a restaurant near me.)
  const candidates = sorted.filter((h) => h.relevance >= best * settings.relativeFloor).slice(0, settings.candidates);
  const chosen = selectForPrompt(
    candidates.map((h) => ({
      id: h.record.id,
      text: h.text,
      score: h.score,
      saidAt: h.record.saidAt,
      ...(h.supersededAt === undefined ? {} : { supersededAt: h.supersededAt }),
    })),
    { budgetTokens: settings.budgetTokens, maxItems: settings.topK, ...(context.locale ? { locale: context.locale } : {}) },
  );
  const byId = new Map(candidates.map((h) => [h.record.id, h]));
  const memories = chosen.flatMap((c): Injected[] => {
    const hit = byId.get(c.id);
    if (!hit) return [];
    return [
      {
        id: c.id,
        text: hit.text,
        line: c.line,
        score: c.score,
        saidAt: hit.record.saidAt,
        sourceTurnIds: hit.record.sourceTurnIds,
        ...(hit.supersededAt === undefined ? {} : { supersededAt: hit.supersededAt }),
      },
    ];
  });
  // Off the send path: the caller gets its answer now; uses are written later, in one batch.
  if (memories.length > 0 && context.noteUse !== false) noteUseLater(ctx, memories.map((m) => m.id));
  const tokens = memories.length === 0 ? 0 : Math.ceil(withMemoryBlock(memories.map((m) => m.line), '').length / 4);
  mark('recall');
  return { memories, tokens, threshold, considered: candidates.length };
}

/** The prompt is about the user: it says so (pipeline/about-me.ts), or names one of their people or pets. */
async function isAboutUser(ctx: EngineContext, query: string, reading: ReturnType<typeof readPrompt> | null): Promise<boolean> {
  // "My sister Priya lives in Lisbon." tells; it asks nothing a memory could help with (no reading).
  if (!reading) return false;
  if (reading.aboutUser) return true;
  if (reading.cue !== 'none') return false;
  const links = await ctx.entityLinks();
  const byLabel = await ctx.memories();
  return namesInPrompt(query, entitiesOf).some((name) =>
    // The memories naming them, and the messages those were said in ("Who will walk Wilbur? He's our spaniel").
    isTheirs(name, links.labelsOf(name, ENTITY_CANDIDATES).flatMap((label) => {
      const m = byLabel.get(label);
      return m ? [m.text, m.context ?? ''] : [];
    })),
  );
}

/**
 * Importing a chat history (ChatGPT's or Claude's data export), in the background. The options
 * page parses the file (src/data/chat-export.ts) and sends the user's messages in batches, in
 * conversation order; each is checked, and staged in the `imports` table unless an earlier import
 * had it (its import key is kept for good). Staged messages are then fed to the durable turn queue
 * a few at a time, as captured turns dated when they were said (`capturedTurnOf`), and processed
 * there like any turn the user sends: extracted by the rules or the local model, retried, resumed
 * after the worker stops. Feeding a few at a time keeps the queue short, so a turn the user sends
 * meanwhile waits for a handful of imported ones at most, and between windows recalls go first
 * (engine/priority.ts).
 *
 * Progress (messages received, done, failed, memories added, paused) is kept in the settings
 * table, so it survives the browser's restart; a paused import stays paused. Pausing takes the
 * messages not yet processed back out of the queue.
 */
import { MAX_REPLY_TO_CHARS, MAX_TURN_CHARS, type CapturedTurn } from '../../core/turns';
import type { JsonValue } from '../../core/types';
import { capturedTurnOf, importKey, type ChatSource, type ImportedMessage } from '../../data/imported';
import { EARLIEST, LATEST } from '../../data/text';
import type { EngramDatabase, ImportedTurnRecord } from '../../db/schema';
import { backgroundTurn } from '../../engine/priority';
import { MAX_HISTORY_BATCH, type HistoryImportProgress, type HistoryImportStart, type HistoryMessage } from '../../messaging/data-protocol';

/** The settings key of the last import's progress. */
export const HISTORY_IMPORT_SETTING = 'historyImport';
/** How many imported messages wait in the turn queue at once. */
export const FEED_WINDOW = 16;
/** An import whose page stopped sending this long ago counts as fully received. */
export const UPLOAD_IDLE_MS = 10 * 60_000;
const MAX_ID_CHARS = 200;
const MAX_LABEL_CHARS = 200;
const SOURCES: readonly ChatSource[] = ['chatgpt', 'claude'];

/** The import's record in the settings table. */
interface Run {
  runId: string;
  source: ChatSource;
  label: string;
  conversations: number;
  expected: number;
  total: number;
  duplicates: number;
  done: number;
  failed: number;
  added: number;
  paused: boolean;
  /** The page is sending messages (started, not finished). */
  uploading: boolean;
  lastBatchAt: number;
  startedAt: number;
  finishedAt: number | null;
}

/** What the import needs of the turn queue (background/turn-queue.ts TurnQueue). */
export interface HistoryQueue {
  enqueue(turn: CapturedTurn): Promise<boolean>;
  discard(turn: CapturedTurn): Promise<boolean>;
  drain(): Promise<void>;
}

export interface HistoryImportDeps {
  db: EngramDatabase;
  queue: HistoryQueue;
  now?: () => number;
  newId?: () => string;
  /** Resolves once the engine may process turns (the extension's `ready`). */
  ready?: Promise<unknown>;
  /** Called between windows (the extension: a cheap extension call, so the worker is not stopped mid-import). */
  keepAlive?: () => void;
  /** Between windows: let foreground work (a recall) go first. */
  yieldTurn?: () => Promise<void>;
  /** Messages in the queue at once (FEED_WINDOW). */
  window?: number;
  onError?: (error: unknown) => void;
}

// eslint-disable-next-line no-control-regex -- ids with control characters are refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const refused = (where: string, why: string): Error => new Error(`Engram: a malformed importHistoryBatch was refused: ${where} ${why}`);

function idOf(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID_CHARS || CONTROL.test(value)) throw refused(where, `is not an id (a string of 1 to ${MAX_ID_CHARS} characters)`);
  return value;
}

/** The messages of a batch, checked one by one: a batch with any malformed message is refused whole. */
export function historyMessagesOf(value: unknown): HistoryMessage[] {
  const messages = (value as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_HISTORY_BATCH) {
    throw refused('messages', `is not a list of 1 to ${MAX_HISTORY_BATCH} messages`);
  }
  return (messages as unknown[]).map((raw, i) => {
    const where = `messages[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw refused(where, 'is not a message');
    const m = raw as Partial<Record<keyof HistoryMessage, unknown>>;
    if (!SOURCES.includes(m.source as ChatSource)) throw refused(`${where}.source`, 'is neither “chatgpt” nor “claude”');
    if (typeof m.text !== 'string' || m.text.trim() === '' || m.text.length > MAX_TURN_CHARS) throw refused(`${where}.text`, `is not text of 1 to ${MAX_TURN_CHARS} characters`);
    if (typeof m.at !== 'number' || !Number.isFinite(m.at) || m.at < EARLIEST || m.at >= LATEST) throw refused(`${where}.at`, 'is not a date (ms since 1970)');
    if (m.previousAssistant !== undefined && (typeof m.previousAssistant !== 'string' || m.previousAssistant.length > MAX_REPLY_TO_CHARS)) {
      throw refused(`${where}.previousAssistant`, `is not text of at most ${MAX_REPLY_TO_CHARS} characters`);
    }
    return {
      source: m.source as ChatSource,
      conversationId: idOf(m.conversationId, `${where}.conversationId`),
      messageId: idOf(m.messageId, `${where}.messageId`),
      text: m.text,
      at: m.at,
      ...(m.previousAssistant ? { previousAssistant: m.previousAssistant } : {}),
    };
  });
}

/** A checked message as the turn the queue takes, with its import key. */
function stagedOf(m: HistoryMessage): ImportedTurnRecord {
  const key = importKey(m.source, m.conversationId, m.messageId);
  const message: ImportedMessage = { ...m, title: '', importKey: key, index: 0 };
  return { key, status: 'staged', turn: capturedTurnOf(message), job: null, stored: 0 };
}

function startOf(value: unknown): HistoryImportStart {
  const s = value as Partial<Record<keyof HistoryImportStart, unknown>> | null;
  const count = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!s || !SOURCES.includes(s.source as ChatSource) || typeof s.label !== 'string' || !count(s.conversations) || !count(s.messages)) {
    throw new Error('Engram: a malformed importHistoryStart was refused');
  }
  return { source: s.source as ChatSource, label: s.label.replace(new RegExp(CONTROL.source, 'g'), '').slice(0, MAX_LABEL_CHARS), conversations: s.conversations, messages: s.messages };
}

/** A range of the `[status+seq]` index: every row of one status, in order. */
const statusRange = (status: ImportedTurnRecord['status']): [[string, number], [string, number]] => [
  [status, -Infinity],
  [status, Infinity],
];

/** A queued turn's identity in the queue, by what its job keeps until processed. */
const turnKey = (conversationId: string, sentAt: number, text: string): string => `${conversationId}\u0000${sentAt}\u0000${text}`;

export class HistoryImport {
  readonly #db: EngramDatabase;
  readonly #queue: HistoryQueue;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #window: number;
  #serialTail: Promise<unknown> = Promise.resolve();
  #pumping: Promise<void> | null = null;
  #again = false;

  constructor(private readonly deps: HistoryImportDeps) {
    this.#db = deps.db;
    this.#queue = deps.queue;
    this.#now = deps.now ?? Date.now;
    this.#newId = deps.newId ?? (() => crypto.randomUUID());
    this.#window = Math.max(1, deps.window ?? FEED_WINDOW);
  }

  /** One change of the import at a time (batches, pause, feeding): none sees another half done. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#serialTail.then(task);
    this.#serialTail = run.catch(() => undefined);
    return run;
  }

  async #run(): Promise<Run | null> {
    const value = (await this.#db.settings.get(HISTORY_IMPORT_SETTING))?.value;
    return value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { runId?: unknown }).runId === 'string' ? (value as unknown as Run) : null;
  }

  #save(run: Run): Promise<unknown> {
    return this.#db.settings.put({ key: HISTORY_IMPORT_SETTING, value: run as unknown as JsonValue });
  }

  /** Which of these import keys are known (one lookup each, in parallel). */
  async #known(keys: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(keys)];
    const found = await Promise.all(unique.map((key) => this.#db.imports.where('key').equals(key).count()));
    return new Set(unique.filter((_, i) => found[i]! > 0));
  }

  /** Messages still to process: staged or in the queue. */
  #remaining(): Promise<number> {
    return this.#db.imports.where('[status+seq]').between(['queued', -Infinity], ['staged', Infinity], true, true).count();
  }

  async #progressOf(run: Run | null): Promise<HistoryImportProgress | null> {
    if (!run) return null;
    const remaining = await this.#remaining();
    const { uploading, lastBatchAt, ...rest } = run;
    const receiving = uploading && this.#now() - lastBatchAt < UPLOAD_IDLE_MS;
    const state = remaining > 0 ? (run.paused ? 'paused' : 'running') : receiving ? 'uploading' : 'done';
    return { ...rest, state };
  }

  /** The last import's progress (null when there was none). */
  async progress(): Promise<HistoryImportProgress | null> {
    return this.#progressOf(await this.#run());
  }

  /** Begin an import, or add to the one going on (its messages not all processed yet). */
  async start(value: unknown): Promise<HistoryImportProgress> {
    const start = startOf(value);
    return this.#serial(async () => {
      const now = this.#now();
      const current = await this.#run();
      const ongoing = current && ((await this.#remaining()) > 0 || (current.uploading && now - current.lastBatchAt < UPLOAD_IDLE_MS));
      const run: Run =
        current && ongoing
          ? { ...current, label: start.label, expected: current.expected + start.messages, conversations: current.conversations + start.conversations, uploading: true, lastBatchAt: now, paused: false, finishedAt: null }
          : {
              runId: this.#newId(),
              source: start.source,
              label: start.label,
              conversations: start.conversations,
              expected: start.messages,
              total: 0,
              duplicates: 0,
              done: 0,
              failed: 0,
              added: 0,
              paused: false,
              uploading: true,
              lastBatchAt: now,
              startedAt: now,
              finishedAt: null,
            };
      await this.#save(run);
      return (await this.#progressOf(run))!;
    });
  }

  /** Stage a batch of messages, in order, skipping those imported before. */
  async addBatch(value: unknown): Promise<{ accepted: number; duplicates: number }> {
    const runId = (value as { runId?: unknown } | null)?.runId;
    const staged = historyMessagesOf(value).map(stagedOf);
    const result = await this.#serial(async () => {
      const db = this.#db;
      return db.transaction('rw', [db.imports, db.settings], async () => {
        const run = await this.#run();
        if (!run || run.runId !== runId) throw new Error('Engram: that import is over; import the file again');
        const known = await this.#known(staged.map((row) => row.key));
        const fresh: ImportedTurnRecord[] = [];
        for (const row of staged) {
          if (known.has(row.key)) continue;
          known.add(row.key); // the same message twice in one batch is one message
          fresh.push(row);
        }
        if (fresh.length > 0) await db.imports.bulkAdd(fresh);
        const duplicates = staged.length - fresh.length;
        await this.#save({ ...run, total: run.total + fresh.length, duplicates: run.duplicates + duplicates, lastBatchAt: this.#now(), finishedAt: null });
        return { accepted: fresh.length, duplicates };
      });
    });
    if (result.accepted > 0) this.kick();
    return result;
  }

  /** Every message was sent. */
  async finish(value: unknown): Promise<HistoryImportProgress> {
    const runId = (value as { runId?: unknown } | null)?.runId;
    if (typeof runId !== 'string') throw new Error('Engram: a malformed importHistoryFinish was refused');
    return this.#serial(async () => {
      const run = await this.#run();
      if (!run || run.runId !== runId) throw new Error('Engram: that import is over; import the file again');
      const remaining = await this.#remaining();
      const finished = { ...run, uploading: false, finishedAt: remaining === 0 ? (run.finishedAt ?? this.#now()) : null };
      await this.#save(finished);
      this.kick();
      return (await this.#progressOf(finished))!;
    });
  }

  /** Stop feeding messages to extraction; those waiting in the queue are taken back out. */
  pause(): Promise<HistoryImportProgress | null> {
    return this.#serial(async () => {
      const run = await this.#run();
      if (!run) return null;
      const paused = { ...run, paused: true };
      await this.#save(paused);
      const queued = await this.#db.imports.where('[status+seq]').between(...statusRange('queued')).toArray();
      const back: ImportedTurnRecord[] = [];
      for (const row of queued) if (row.turn && (await this.#queue.discard(row.turn))) back.push({ ...row, status: 'staged', job: null });
      if (back.length > 0) await this.#db.imports.bulkPut(back);
      return this.#progressOf(paused);
    });
  }

  async resume(): Promise<HistoryImportProgress | null> {
    const progress = await this.#serial(async () => {
      const run = await this.#run();
      if (!run) return null;
      const resumed = { ...run, paused: false };
      await this.#save(resumed);
      return this.#progressOf(resumed);
    });
    this.kick();
    return progress;
  }

  /** Forget every imported message and the progress (forget everything). */
  forget(): Promise<void> {
    return this.#serial(async () => {
      const db = this.#db;
      await db.transaction('rw', [db.imports, db.settings], async () => {
        await db.imports.clear();
        await db.settings.delete(HISTORY_IMPORT_SETTING);
      });
    });
  }

  /** Start feeding in the background (nothing happens when there is nothing to feed, or the import is paused). */
  kick(): void {
    void this.pump();
  }

  /**
   * Feed staged messages to the queue and let it process them, window by window, until none is
   * left, the import is paused, or the queue holds back (a turn waiting for a retry: the next
   * maintenance picks up from there). Resolves then; one pump runs at a time.
   */
  pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      await this.deps.ready;
      // Whether the queue was drained since anything last moved: waiting turns it cannot process
      // now (retries after a failure) are left to it, and to the next maintenance.
      let drained = false;
      for (;;) {
        const { moved, waiting } = await this.#serial(() => this.#step());
        if (!moved && (waiting === 0 || drained)) {
          if (!this.#again) break;
          this.#again = false;
          drained = false;
          continue;
        }
        drained = !moved;
        this.deps.keepAlive?.();
        await this.#queue.drain();
        await (this.deps.yieldTurn ?? backgroundTurn)();
      }
    })()
      .catch((error: unknown) => {
        if (this.deps.onError) this.deps.onError(error);
        else console.warn('[Engram] the import will go on at the next maintenance', error);
      })
      .finally(() => {
        this.#pumping = null;
      });
    return this.#pumping;
  }

  /** Note what the queue processed, and queue the next messages: whether anything moved, and how many wait in the queue. */
  async #step(): Promise<{ moved: boolean; waiting: number }> {
    const db = this.#db;
    const run = await this.#run();
    if (!run) return { moved: false, waiting: 0 };
    // What the queue did with the messages in it.
    const queued = await db.imports.where('[status+seq]').between(...statusRange('queued')).toArray();
    // One lookup per key (`anyOf` walks the whole index in some IndexedDB implementations).
    const found = await Promise.all(queued.map((r) => (r.job ? db.jobs.where('hash').equals(r.job).first() : Promise.resolve(undefined))));
    const jobs = new Map(found.flatMap((j) => (j ? [[j.hash, j] as const] : [])));
    const settled: ImportedTurnRecord[] = [];
    let waiting = 0;
    for (const row of queued) {
      const job = row.job ? jobs.get(row.job) : undefined;
      // No job: processed and purged since, or forgotten with everything.
      if (!job || job.status === 'done') settled.push({ ...row, status: 'done', turn: null, stored: job?.stored ?? 0 });
      else if (job.status === 'failed') settled.push({ ...row, status: 'failed', turn: null, stored: 0 });
      else waiting++;
    }
    let counted = run;
    if (settled.length > 0) {
      const failed = settled.filter((r) => r.status === 'failed').length;
      counted = { ...run, done: run.done + settled.length, failed: run.failed + failed, added: run.added + settled.reduce((n, r) => n + r.stored, 0) };
      await db.transaction('rw', [db.imports, db.settings], async () => {
        await db.imports.bulkPut(settled);
        await this.#save(counted);
      });
    }
    // The next messages, unless paused.
    const room = run.paused ? 0 : this.#window - waiting;
    const next = room > 0 ? await db.imports.where('[status+seq]').between(...statusRange('staged')).limit(room).toArray() : [];
    if (next.length > 0) {
      for (const row of next) if (row.turn) await this.#queue.enqueue(row.turn);
      // Each turn's job, found by what a pending job keeps (a turn already processed has none left).
      const conversations = [...new Set(next.flatMap((r) => (r.turn ? [r.turn.conversationId] : [])))];
      const pending = (await Promise.all(conversations.map((c) => db.jobs.where('conversationId').equals(c).toArray()))).flat().filter((j) => j.status === 'pending' || j.status === 'held');
      const hashes = new Map(pending.map((j) => [turnKey(j.conversationId, j.sentAt, j.text), j.hash]));
      const fed = next.map((row): ImportedTurnRecord => {
        const hash = row.turn ? hashes.get(turnKey(row.turn.conversationId, row.turn.sentAt, row.turn.text.slice(0, MAX_TURN_CHARS))) : undefined;
        return hash ? { ...row, status: 'queued', job: hash } : { ...row, status: 'done', turn: null };
      });
      const alreadyDone = fed.filter((r) => r.status === 'done').length;
      await db.transaction('rw', [db.imports, db.settings], async () => {
        await db.imports.bulkPut(fed);
        if (alreadyDone > 0) {
          counted = { ...counted, done: counted.done + alreadyDone };
          await this.#save(counted);
        }
      });
    }
    if (settled.length === 0 && next.length === 0) {
      // Nothing moved: finished, paused, or waiting on the queue's retries.
      const receiving = counted.uploading && this.#now() - counted.lastBatchAt < UPLOAD_IDLE_MS;
      if (counted.finishedAt === null && !receiving && waiting === 0 && (await this.#remaining()) === 0) await this.#save({ ...counted, finishedAt: this.#now() });
      return { moved: false, waiting };
    }
    return { moved: true, waiting };
  }
}

/** A cheap extension call: while an import runs, the browser does not stop the worker as idle. */
function keepWorkerAlive(): void {
  const runtime = (globalThis as { chrome?: { runtime?: { getPlatformInfo?: () => Promise<unknown> } } }).chrome?.runtime;
  void runtime?.getPlatformInfo?.().catch(() => undefined);
}

/** The import of each database (one per worker): the handlers and the maintenance alarm share it. */
const imports = new WeakMap<EngramDatabase, HistoryImport>();

/** The import over `deps.db`, made on first use (in the extension, keeping the worker awake while it feeds). */
export function historyImportOf(deps: HistoryImportDeps): HistoryImport {
  let found = imports.get(deps.db);
  if (!found) {
    found = new HistoryImport({ keepAlive: keepWorkerAlive, ...deps });
    imports.set(deps.db, found);
  }
  return found;
}

/** Forget every imported message of `db` (and its progress), through its import when one runs. */
export async function forgetImportedHistory(db: EngramDatabase | undefined): Promise<void> {
  if (!db) return; // an engine without a database (tests) has no imports
  const running = imports.get(db);
  if (running) return running.forget();
  await db.transaction('rw', [db.imports, db.settings], async () => {
    await db.imports.clear();
    await db.settings.delete(HISTORY_IMPORT_SETTING);
  });
}

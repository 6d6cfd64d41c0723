/**
 * The memory manager (src/background/manager) on the real engine (bundled model, Dexie on
 * fake-indexeddb), its row cache kept in step with the engine's writes as the extension does, and
 * a clock the test moves.
 */
import { InjectionLog } from '../../src/background/injection-log';
import { createMemoryManager } from '../../src/background/manager/manager';
import { MemoryRows } from '../../src/background/manager/memory-rows';
import { DEFAULT_USER } from '../../src/core/types';
import type { EngramDatabase } from '../../src/db/schema';
import type { EngineWrite } from '../../src/engine/context';
import type { AddMemoryOptions } from '../../src/engine/memory';
import type { Embedder } from '../../src/ports/embedder';
import { testEngine } from './engine';

export function managerSetup(embedder: Embedder, options: { db?: EngramDatabase } = {}) {
  let clock = Date.UTC(2026, 10, 30, 12);
  const observers: ((change: EngineWrite) => void)[] = [];
  const engine = testEngine({
    ...options,
    embedder,
    now: () => clock,
    onWrite: (change) => {
      for (const observe of observers) observe(change);
    },
  });
  const rows = new MemoryRows(engine.store, { saveDelayMs: null });
  observers.push((change) => {
    rows.observe(change);
  });
  const log = new InjectionLog(engine.db);
  const manager = createMemoryManager({ ...engine, log, rows, ready: Promise.resolve(), now: () => clock });
  /** The user tells Engram `text` (stored as said), a minute after the last one. */
  const remember = async (text: string, options: Partial<AddMemoryOptions> = {}): Promise<string> => {
    clock += 60_000;
    const { results } = await engine.memory.add(text, { userId: DEFAULT_USER, infer: false, ...options });
    return results[0]!.id;
  };
  return { ...engine, rows, log, manager, observers, remember, now: () => clock, advance: (ms: number) => (clock += ms) };
}

/**
 * The handlers of "Your data" (messaging/data-protocol.ts): imports, exports, retention. Each is
 * registered through register-handlers.ts's `on`, so the same sender check applies: only
 * Engram's own pages (DATA_SENDERS) are answered. Registering touches nothing of the engine; the
 * chat-history import is made on first use and shared with the maintenance alarm, which resumes it
 * after the worker or the browser restarts.
 */
import type { GetDataType, GetReturnType } from '@webext-core/messaging';
import { writeControl as writeStoredControl } from '../../adapters/control-storage';
import type { ControlSettings } from '../../core/control';
import type { DataProtocolMap } from '../../messaging/data-protocol';
import type { ProtocolMap } from '../../messaging/protocol';
import type { ExtensionEngine } from '../extension-engine';
import { recordView } from '../manager/views';
import { Exports } from './export-data';
import { historyImportOf, type HistoryImport } from './import-history';
import { importEngramExport } from './import-export';
import { importMemories } from './import-memories';
import { conversationActivity, readRetention, setExpiry, writeRetention } from './retention';
import { Uploads } from './uploads';

/** Every data message is for Engram's own pages (the options page, the popup, the onboarding tab). */
export const DATA_SENDERS = {
  importHistoryStart: 'page',
  importHistoryBatch: 'page',
  importHistoryFinish: 'page',
  importHistoryProgress: 'page',
  pauseHistoryImport: 'page',
  resumeHistoryImport: 'page',
  uploadChunk: 'page',
  importMemories: 'page',
  importEngramExport: 'page',
  exportData: 'page',
  exportChunk: 'page',
  setExpiry: 'page',
  getRetention: 'page',
  setRetention: 'page',
} as const satisfies Record<keyof DataProtocolMap, 'page'>;

/** register-handlers.ts's `on`, for the data messages (the caller is already checked). */
export type DataOn = <K extends keyof DataProtocolMap>(
  type: K,
  handler: (data: GetDataType<ProtocolMap[K]>) => GetReturnType<ProtocolMap[K]> | Promise<GetReturnType<ProtocolMap[K]>>,
) => void;

export type DataEngine = Pick<ExtensionEngine, 'memory' | 'store' | 'db' | 'queue' | 'ready' | 'control'> & Partial<Pick<ExtensionEngine, 'lock'>>;

export interface DataHandlerOptions {
  /** Writes the user's control settings (an export's, when restored with its settings). Default: the extension's storage. */
  writeControl?: (settings: ControlSettings) => Promise<void>;
  now?: () => number;
}

export function registerDataHandlers(engine: DataEngine, on: DataOn, options: DataHandlerOptions = {}): void {
  const now = options.now ?? Date.now;
  const writeControl = options.writeControl ?? writeStoredControl;
  const uploads = new Uploads(now);
  let exports: Exports | null = null;
  const history = (): HistoryImport => historyImportOf({ db: engine.db, queue: engine.queue, ready: engine.ready, now });
  // Exports are encrypted with the user's passphrase while encryption at rest is on.
  const exporter = (): Exports => (exports ??= new Exports({ db: engine.db, lock: engine.lock, control: () => engine.control(), now }));
  const named = (value: unknown): string | undefined => {
    const name = (value as { name?: unknown } | null)?.name;
    return typeof name === 'string' && name ? name.slice(0, 200) : undefined;
  };

  on('importHistoryStart', (data) => history().start(data));
  on('importHistoryBatch', (data) => history().addBatch(data));
  on('importHistoryFinish', (data) => history().finish(data));
  on('importHistoryProgress', async () => {
    const progress = await history().progress();
    // The options page watching an import keeps it going (after a restart, before the alarm).
    if (progress?.state === 'running') history().kick();
    return progress;
  });
  on('pauseHistoryImport', () => history().pause());
  on('resumeHistoryImport', () => history().resume());
  on('uploadChunk', (data) => ({ received: uploads.put(data) }));
  on('importMemories', async (data) => {
    const request = data as { kind?: unknown; file?: unknown } | null;
    const text = uploads.textOf(request?.file);
    await engine.ready;
    return importMemories(engine.memory, request?.kind, text, named(data));
  });
  on('importEngramExport', async (data) => {
    const request = data as { file?: unknown; applySettings?: unknown; passphrase?: unknown } | null;
    const text = uploads.textOf(request?.file);
    const passphrase = typeof request?.passphrase === 'string' ? request.passphrase : undefined;
    await engine.ready;
    const deps = { memory: engine.memory, store: engine.store, db: engine.db, writeControl, ...(engine.lock ? { minIterations: engine.lock.minIterations } : {}) };
    return importEngramExport(deps, text, named(data), request?.applySettings === true, passphrase);
  });
  on('exportData', (data) => exporter().prepare(data));
  on('exportChunk', (data) => exporter().chunk(data));
  on('setExpiry', async (data) => recordView(await setExpiry(engine.memory, data, conversationActivity(engine.db, now))));
  on('getRetention', () => readRetention(engine.store));
  on('setRetention', (data) => writeRetention(engine.store, data));
}

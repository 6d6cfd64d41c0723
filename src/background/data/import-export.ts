/**
 * Importing an Engram export (src/data/engram-export.ts): checked whole first (an ImportError
 * names the first wrong field, and nothing is written), then restored in one transaction with
 * every memory's id, dates, scope, space and provenance, its history and the injection log; the
 * engine embeds the memories with its model. Settings are applied only when the user asked, and
 * only those that are plain choices (how memories are added to prompts, retention): never the
 * model or the extractor (a file must not be able to point Engram at a server). An export
 * encrypted with a passphrase (src/crypto/export-file.ts) is opened first with the one the request
 * carries: a wrong passphrase or a file altered since it was saved is refused, and nothing is
 * written. (The options page opens it itself to preview it, and sends what it opened.)
 */
import type { ControlSettings } from '../../core/control';
import { decryptExport, isEncryptedExport } from '../../crypto/export-file';
import { controlOf, parseExport, restoreExport } from '../../data/engram-export';
import { ImportError } from '../../data/import-result';
import { parseJsonText } from '../../data/json-text';
import type { EngramDatabase } from '../../db/schema';
import type { Memory } from '../../engine/memory';
import type { ExportRestoreResult } from '../../messaging/data-protocol';
import type { MemoryStore } from '../../ports/memory-store';
import { RETENTION_SETTING, writeRetention } from './retention';

export interface ExportImportDeps {
  memory: Memory;
  store: MemoryStore;
  db: EngramDatabase;
  /** Writes the user's control settings (the extension's storage). */
  writeControl: (settings: ControlSettings) => Promise<void>;
  /** The fewest PBKDF2 iterations an encrypted export may claim (tests lower it). */
  minIterations?: number;
}

export async function importEngramExport(deps: ExportImportDeps, text: string, name = 'file', applySettings = false, passphrase?: string): Promise<ExportRestoreResult> {
  let data = parseJsonText(text, name);
  if (isEncryptedExport(data)) {
    if (typeof passphrase !== 'string' || passphrase === '') throw new ImportError(name, 'is encrypted: enter the passphrase it was saved with to import it');
    const opened = await decryptExport(data, passphrase, deps.minIterations === undefined ? {} : { minIterations: deps.minIterations });
    data = parseJsonText(opened, name);
  }
  const parsed = parseExport(data, name);
  const { memory, store, db } = deps;
  const restored = await restoreExport({ memory, store, db }, parsed);
  const applied: string[] = [];
  if (applySettings) {
    const control = controlOf(restored.settings);
    if (control) {
      await deps.writeControl(control);
      applied.push('control');
    }
    if (Object.prototype.hasOwnProperty.call(restored.settings, RETENTION_SETTING)) {
      await writeRetention(store, restored.settings[RETENTION_SETTING]).then(
        () => applied.push(RETENTION_SETTING),
        () => undefined, // a malformed policy in the file is left out
      );
    }
  }
  return {
    memories: restored.memories,
    skipped: restored.skipped.length,
    history: restored.history,
    injections: restored.injections,
    spaces: restored.spaces.length,
    settings: applied,
    warnings: parsed.warnings,
  };
}

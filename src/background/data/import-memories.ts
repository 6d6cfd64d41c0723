/**
 * Importing memories as they are: saved memories a user pasted (ChatGPT's "Manage memories" list,
 * Claude's memory text) or Mem0 records (a `getAll` result). The text is parsed and checked whole
 * first (src/data: an ImportError says where a file is wrong, and nothing is written); then every
 * memory is stored verbatim (addMany, infer: false), dated when the file says, under the user;
 * memories already remembered (the same words) are skipped.
 */
import { DEFAULT_USER } from '../../core/types';
import { addManyMemoryOf, type ImportedMemory } from '../../data/imported';
import { parseJsonText } from '../../data/json-text';
import { parseMem0 } from '../../data/mem0';
import { parseSavedMemories } from '../../data/saved-memories';
import type { Memory } from '../../engine/memory';
import type { MemoriesImportResult } from '../../messaging/data-protocol';

export type MemoriesKind = 'saved-memories' | 'mem0';

/** The memories of a text, checked (throws an ImportError naming where the text is wrong). */
export function memoriesOf(kind: unknown, text: string, name = 'file'): { items: ImportedMemory[]; warnings: string[] } {
  if (kind === 'saved-memories') return parseSavedMemories(text);
  if (kind === 'mem0') return parseMem0(parseJsonText(text, name), name);
  throw new Error('Engram: a malformed importMemories was refused');
}

/** Store the memories of `text`; those of a space (Mem0's `metadata.space`) go in it. */
export async function importMemories(memory: Memory, kind: unknown, text: string, name?: string): Promise<MemoriesImportResult> {
  const { items, warnings } = memoriesOf(kind, text, name);
  const bySpace = new Map<string | undefined, ImportedMemory[]>();
  for (const item of items) bySpace.set(item.space, [...(bySpace.get(item.space) ?? []), item]);
  let added = 0;
  for (const [space, group] of bySpace) {
    const result = await memory.addMany(group.map(addManyMemoryOf), { userId: DEFAULT_USER, infer: false, ...(space ? { space } : {}) });
    added += result.added;
  }
  return { read: items.length, added, skipped: items.length - added, warnings };
}

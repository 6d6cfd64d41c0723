/** memoryDetail: one memory with its history (oldest first), where it was injected, and its conversation. */
import { DEFAULT_USER } from '../../core/types';
import { MAX_MEMORY_ID_CHARS, type MemoryDetail } from '../../messaging/protocol';
import { conversationUrl } from '../../sites/conversation-url';
import type { ManagerDeps } from './deps';
import { MalformedRequest } from './filter';
import { recordView } from './views';

/** The injections a memory's detail lists, newest first. */
export const DETAIL_INJECTIONS = 100;

export async function memoryDetail(deps: ManagerDeps, value: unknown): Promise<MemoryDetail> {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_MEMORY_ID_CHARS) throw new MalformedRequest('memoryDetail', 'the id must be a memory id');
  const [record, history, injections] = await Promise.all([
    deps.store.get(value),
    deps.store.history(value),
    deps.log.list({ memoryId: value, limit: DETAIL_INJECTIONS }),
  ]);
  if (record?.userId !== DEFAULT_USER) throw new Error('Engram: there is no such memory (it may have been forgotten)');
  return {
    memory: recordView(record),
    history: history.sort((a, b) => a.at - b.at || (a.id ?? 0) - (b.id ?? 0)),
    injections,
    conversationUrl: record.site !== null && record.conversationId !== null ? conversationUrl(record.site, record.conversationId) : null,
  };
}

import type { MemoryRecord } from '../../src/core/types';

let label = 0;

/** A stored memory for tests of code that reads memories (update step, ranking). */
export function memoryRecord(text: string, overrides: Partial<MemoryRecord> = {}): MemoryRecord {
  label++;
  return {
    id: `m${label}`,
    label,
    text,
    hash: `h${label}`,
    userId: 'me',
    agentId: null,
    runId: null,
    space: null,
    site: null,
    conversationId: null,
    sourceTurnIds: [],
    saidAt: 0,
    categories: [],
    metadata: {},
    createdAt: 0,
    updatedAt: 0,
    expiresAt: null,
    ...overrides,
  };
}

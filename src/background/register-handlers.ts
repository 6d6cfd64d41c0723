import { RECALL } from '../engine/recall';
import { selectForPrompt } from '../pipeline/select';
import { DEFAULT_USER, pinnedFirst, type MemoryView } from '../engine/types';
import type { MemoryItem } from '../engine/memory';
import { onMessage } from '../messaging/protocol';
import type { ExtensionEngine } from './extension-engine';

/** At most this many memories answer a search in the popup. */
const SEARCH_RESULTS = 20;

/** At most this many entities in the popup's "About you". */
const ABOUT_ENTITIES = 10;

/** "new york" → "New York": entities are stored lower-cased. */
function displayName(name: string): string {
  return name.replace(/(^|[\s-])(\p{L})/gu, (_, sep: string, first: string) => sep + first.toUpperCase());
}

function toView(m: MemoryItem): MemoryView {
  return { id: m.id, text: m.memory, site: m.site, createdAt: m.createdAt, pinned: m.metadata.pinned === true };
}

/** Answers every message the background handles. One handler per message of the protocol. */
export function registerHandlers({ memory, embedder, models, ready, queue, extraction, recallThreshold }: ExtensionEngine): void {
  onMessage('captureTurn', async ({ data }) => {
    // Written to IndexedDB first; extraction happens off the send path.
    const queued = await queue.enqueue(data);
    void ready.then(() => queue.drain());
    return { queued };
  });
  onMessage('discardTurn', async ({ data }) => ({ discarded: await queue.discard(data) }));
  onMessage('engineStatus', async () => ({
    extractor: memory.extractorName,
    extractorNote: extraction.note,
    queue: await queue.stats(),
  }));
  onMessage('recall', async ({ data }) => {
    await ready;
    const { results } = await memory.search(data.query, {
      userId: DEFAULT_USER,
      topK: RECALL.candidates,
      threshold: await recallThreshold(),
      ...(data.before === undefined ? {} : { filters: { saidAt: { lte: data.before - 1 } } }),
    });
    const chosen = selectForPrompt(
      results.map((r) => ({
        id: r.id,
        text: r.memory,
        score: r.score,
        saidAt: r.saidAt,
        ...(r.supersededAt === undefined ? {} : { supersededAt: r.supersededAt }),
      })),
      { budgetTokens: RECALL.budgetTokens, maxItems: RECALL.topK },
    );
    // Off the send path: the reply goes out now, the use is recorded after.
    if (chosen.length > 0) void memory.noteUse(chosen.map((c) => c.id)).catch(() => undefined);
    return { memories: chosen.map((c) => ({ id: c.id, text: c.line, score: c.score })) };
  });
  onMessage('warmUp', async () => {
    await embedder.load();
    // The relevance gate is calibrated for the active model now, not on the first send.
    await ready;
    await recallThreshold();
    return { ready: true };
  });
  onMessage('listMemories', async () => {
    const { results } = await memory.getAll({ userId: DEFAULT_USER });
    // Pinned first, then newest first.
    return results.map(toView).sort(pinnedFirst);
  });
  onMessage('deleteMemory', async ({ data }) => ({ deleted: (await memory.delete(data)).deleted }));
  onMessage('searchMemories', async ({ data }) => {
    await ready;
    // The popup finds what a prompt would: the same gate, more results.
    const { results } = await memory.search(data, { userId: DEFAULT_USER, topK: SEARCH_RESULTS, threshold: await recallThreshold() });
    return results.filter((r) => r.supersededAt === undefined).map(toView);
  });
  onMessage('editMemory', async ({ data }) => {
    await ready;
    await memory.update(data.id, data.text);
    const edited = await memory.get(data.id);
    if (!edited) throw new Error('Engram: the memory was deleted meanwhile');
    return toView(edited);
  });
  onMessage('pinMemory', async ({ data }) => toView(await memory.setMetadata(data.id, { pinned: data.pinned ? true : null })));
  onMessage('aboutYou', async () => {
    const [profile, graph] = await Promise.all([memory.profile({ userId: DEFAULT_USER }), memory.graph({ userId: DEFAULT_USER })]);
    return { profile: profile.map(toView), entities: graph.entities.slice(0, ABOUT_ENTITIES).map((e) => ({ ...e, name: displayName(e.name) })) };
  });
  onMessage('modelStatus', () => models.status());
  onMessage('switchModel', async ({ data }) => {
    await models.switchTo(data);
    return { started: true };
  });
  onMessage('llmStatus', () => extraction.status());
  onMessage('llmEnable', async ({ data }) => {
    // WebGPU and consent are checked before anything downloads; the download then runs on.
    await extraction.startWebLlm(data);
    return { started: true };
  });
  onMessage('llmCancel', () => {
    extraction.cancel();
    return { cancelled: true };
  });
  onMessage('llmDisable', async () => {
    await extraction.disable();
    return { disabled: true };
  });
  onMessage('llmDelete', async ({ data }) => {
    await extraction.deleteModel(data);
    return { deleted: true };
  });
  onMessage('llmUseLocalServer', async ({ data }) => {
    await extraction.useLocalServer(data.baseUrl, data.model);
    return { using: memory.extractorName };
  });
}

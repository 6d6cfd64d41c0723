import { RECALL } from '../engine/recall';
import { selectForPrompt } from '../pipeline/select';
import { DEFAULT_USER } from '../engine/types';
import { onMessage } from '../messaging/protocol';
import type { ExtensionEngine } from './extension-engine';

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
    return { ready: true };
  });
  onMessage('listMemories', async () => {
    const { results } = await memory.getAll({ userId: DEFAULT_USER });
    return results.map((r) => ({ id: r.id, text: r.memory, site: r.site, createdAt: r.createdAt }));
  });
  onMessage('deleteMemory', async ({ data }) => ({ deleted: (await memory.delete(data)).deleted }));
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

import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { EngineStatus } from '../messaging/protocol';
import { formatCount } from './format';
import { S } from './strings';

/** How the popup reads the engine's status (the real message, or a test double). */
export type StatusSource = () => Promise<EngineStatus>;

const EXTRACTOR_NAMES: Record<string, string> = { 'rule-based': S.engine.rules };

function extractorLabel(name: string): string {
  if (name.startsWith('webllm:')) return S.engine.localModel(name.slice('webllm:'.length));
  if (name.startsWith('local-server:')) return S.engine.localServer(name.slice('local-server:'.length));
  return EXTRACTOR_NAMES[name] ?? name;
}

/** One line: which extractor turns chats into memories, why not the LLM, and queued turns. */
export function StatusLine({ load }: { load: StatusSource }) {
  const status = useSignal<EngineStatus | null>(null);
  useEffect(() => {
    void load()
      .then((s) => {
        status.value = s;
      })
      .catch(() => undefined);
  }, [load]);
  const s = status.value;
  // Its line is held while the status is read, so the list below does not move when it comes.
  if (!s) {
    return (
      <div class="status" aria-hidden="true">
        <p class="memory-meta">{'\u00a0'}</p>
      </div>
    );
  }
  const waiting = s.queue.pending;
  return (
    <div class="status" data-testid="engine-status">
      <p class="memory-meta">
        {S.engine.rememberingWith(extractorLabel(s.extractor))}
        {waiting > 0 ? S.engine.waiting(waiting, formatCount(waiting)) : ''}
        {s.queue.failed > 0 ? S.engine.failed(formatCount(s.queue.failed)) : ''}
      </p>
      {s.extractorNote && (
        <p class="memory-meta" role="status">
          {s.extractorNote}
        </p>
      )}
    </div>
  );
}

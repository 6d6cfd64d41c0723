import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { EngineStatus } from '../messaging/protocol';

/** How the popup reads the engine's status (the real message, or a test double). */
export type StatusSource = () => Promise<EngineStatus>;

const EXTRACTOR_NAMES: Record<string, string> = { 'rule-based': 'built-in rules' };

function extractorLabel(name: string): string {
  if (name.startsWith('webllm:')) return `local AI model (${name.slice('webllm:'.length)})`;
  if (name.startsWith('local-server:')) return `your local server (${name.slice('local-server:'.length)})`;
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
  if (!s) return null;
  const waiting = s.queue.pending;
  return (
    <div class="status" data-testid="engine-status">
      <p class="memory-meta">
        Remembering with {extractorLabel(s.extractor)}
        {waiting > 0 ? ` · ${waiting === 1 ? '1 message' : `${waiting} messages`} waiting` : ''}
        {s.queue.failed > 0 ? ` · ${s.queue.failed} could not be processed` : ''}
      </p>
      {s.extractorNote && (
        <p class="memory-meta" role="status">
          {s.extractorNote}
        </p>
      )}
    </div>
  );
}

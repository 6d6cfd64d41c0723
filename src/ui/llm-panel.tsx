import { usePolledStore } from './use-store';
import { useSignal } from '@preact/signals';
import type { LlmStore } from './llm-store';

/**
 * The optional local AI model: whether this machine can run one (WebGPU), the model sizes,
 * download with consent, progress and cancel, downloaded models with a delete button, and a
 * local OpenAI-compatible server as an alternative.
 */
export function LlmPanel({ store }: { store: LlmStore }) {
  const baseUrl = useSignal('http://localhost:11434/v1');
  const model = useSignal('qwen2.5:1.5b-instruct');
  usePolledStore(store);
  const s = store.status.value;
  if (!s) return null;
  const job = s.job;
  const downloading = job?.phase === 'downloading';
  const usingLlm = s.extractor !== 'rule-based';
  return (
    <section class="models" aria-labelledby="llm-title" data-testid="llm-panel">
      <h2 id="llm-title" class="count">
        Local AI model (optional)
      </h2>
      <p class="memory-meta" data-testid="webgpu">
        {s.webgpu.supported
          ? `This computer can run one (WebGPU on ${s.webgpu.adapter}${s.webgpu.shaderF16 ? '' : ', 32-bit builds'}).`
          : `Not available here: ${s.webgpu.reason}. Engram uses its built-in rules.`}
      </p>
      {downloading && (
        <p>
          Downloading {job.modelId}… <progress max={100} value={job.percent} aria-label="Model download" />{' '}
          <button type="button" class="plain" onClick={() => void store.cancel()}>
            Cancel
          </button>
        </p>
      )}
      {job?.phase === 'cancelled' && <p class="memory-meta">Download paused. It resumes where it stopped.</p>}
      {job?.phase === 'error' && (
        <p role="alert" class="error">
          {job.error}
        </p>
      )}
      {store.error.value && (
        <p role="alert" class="error">
          {store.error.value}
        </p>
      )}
      {s.webgpu.supported && (
        <ul class="model-options">
          {s.tiers.map((t) => (
            <li key={t.tier}>
              <span>
                {t.label} · {t.modelId.split('-Instruct')[0]} · ~{t.downloadMB} MB · {t.vramMB === null ? '?' : Math.round(t.vramMB)} MB VRAM
                {t.cached ? ' · downloaded' : ''}
              </span>
              <span>
                {s.extractor === `webllm:${t.modelId}` ? (
                  <strong>In use</strong>
                ) : (
                  <button type="button" class="plain" disabled={downloading} onClick={() => void store.enable(t.tier)}>
                    {t.cached ? 'Use' : 'Download'}
                  </button>
                )}
                {t.cached && (
                  <button type="button" class="delete" aria-label={`Delete ${t.modelId}`} onClick={() => void store.remove(t.modelId)}>
                    Delete
                  </button>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      <details>
        <summary class="memory-meta">Use a server on this computer instead (Ollama, LM Studio)</summary>
        <form
          class="local-server"
          onSubmit={(e) => {
            e.preventDefault();
            void store.useLocalServer(baseUrl.value, model.value);
          }}
        >
          <label>
            Address <input value={baseUrl.value} onInput={(e) => (baseUrl.value = e.currentTarget.value)} />
          </label>
          <label>
            Model <input value={model.value} onInput={(e) => (model.value = e.currentTarget.value)} />
          </label>
          <button type="submit" class="plain">
            Use this server
          </button>
        </form>
      </details>
      {usingLlm && (
        <button type="button" class="plain" onClick={() => void store.disable()}>
          Use built-in rules instead
        </button>
      )}
    </section>
  );
}

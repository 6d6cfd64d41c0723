import { LlmDecider } from '../adapters/llm/llm-decider';
import { LlmExtractor } from '../adapters/llm/llm-extractor';
import type { LoadWebLlmOptions, WebLlmEngine } from '../adapters/llm/webllm';
import { modelIdFor, vramOf, WEBLLM_TIERS } from '../adapters/llm/webllm-tiers';
import type { LlmJob, LlmStatus, WebGpuSupport, WebLlmTierId } from '../core/status';
import { RuleBasedExtractor } from '../adapters/rule-based-extractor';
import { ruleBasedDecider } from '../pipeline/decide';
import type { ChatModel } from '../ports/chat-model';
import type { MemoryStore } from '../ports/memory-store';
import type { Memory } from '../engine/memory';
import type { HostConsent } from './model-manager';


export type { LlmJob, LlmStatus, LlmTierView } from '../core/status';

export interface ExtractionManagerDeps {
  memory: Memory;
  store: MemoryStore;
  /** Consent for the model hosts (WebLLM's) and for loopback (a local server). */
  consent: HostConsent;
  webllmOrigins: readonly string[];
  localOrigins: readonly string[];
  webgpu(): Promise<WebGpuSupport>;
  loadWebLlm(modelId: string, options: LoadWebLlmOptions): Promise<WebLlmEngine>;
  cachedModels(): Promise<string[]>;
  deleteCachedModel(modelId: string): Promise<void>;
  localServer(options: { baseUrl: string; model: string }): ChatModel;
  /** Timeout for one generation before the rule-based extractor takes over. */
  timeoutMs?: number;
}

const CHOICE = 'extractionChoice';
type Choice = { kind: 'webllm'; modelId: string } | { kind: 'local'; baseUrl: string; model: string };

/**
 * Chooses how facts are extracted: the rule-based extractor by default, WebLLM on WebGPU once the
 * user downloaded a model (with consent, progress, cancel and resume), or a local
 * OpenAI-compatible server. Every LLM path falls back to the rules when the model fails to load,
 * hangs or answers nonsense, and says so (`note`), so no captured turn is ever lost.
 */
export class ExtractionManager {
  #job: LlmJob | null = null;
  /** The GPU does not change while the worker lives: ask once (it may start the offscreen document). */
  #webgpu: Promise<WebGpuSupport> | null = null;
  #abort: AbortController | null = null;
  #engine: WebLlmEngine | null = null;
  note: string | null = null;
  readonly #rules = new RuleBasedExtractor();

  constructor(private readonly deps: ExtractionManagerDeps) {}

  #gpu(): Promise<WebGpuSupport> {
    this.#webgpu ??= this.deps.webgpu().catch((error: unknown) => {
      this.#webgpu = null;
      throw error;
    });
    return this.#webgpu;
  }

  async status(): Promise<LlmStatus> {
    const [webgpu, cached] = await Promise.all([this.#gpu(), this.deps.cachedModels().catch((): string[] => [])]);
    const f16 = webgpu.supported ? webgpu.shaderF16 : true;
    return {
      webgpu,
      tiers: WEBLLM_TIERS.map((t) => {
        const modelId = modelIdFor(t.id, { shaderF16: f16 });
        return {
          tier: t.id,
          label: t.label,
          modelId,
          vramMB: vramOf(modelId),
          downloadMB: t.approxDownloadMB,
          cached: cached.includes(modelId),
        };
      }),
      extractor: this.deps.memory.extractorName,
      job: this.#job,
      note: this.note,
    };
  }

  /** Download (or load from cache) a WebLLM model and extract with it. Needs the user's consent. */
  async enableWebLlm(tier: WebLlmTierId): Promise<void> {
    const modelId = await this.#check(tier);
    await this.#loadWebLlm(modelId);
    await this.deps.store.setSetting(CHOICE, { kind: 'webllm', modelId });
  }

  /**
   * Check WebGPU and consent (rejecting at once when either is missing), then download and load
   * in the background: `status()` reports progress.
   */
  async startWebLlm(tier: WebLlmTierId): Promise<void> {
    const modelId = await this.#check(tier);
    void this.#loadWebLlm(modelId)
      .then(() => this.deps.store.setSetting(CHOICE, { kind: 'webllm', modelId }))
      .catch(() => undefined); // reported through status().job and note
  }

  async #check(tier: WebLlmTierId): Promise<string> {
    const support = await this.#gpu();
    if (!support.supported) throw new Error(`A local AI model cannot run here: ${support.reason}.`);
    if (!(await this.deps.consent.granted(this.deps.webllmOrigins))) {
      throw new Error('Engram will not download a model until you allow it in the popup.');
    }
    return modelIdFor(tier, support);
  }

  async #loadWebLlm(modelId: string): Promise<void> {
    this.#abort?.abort();
    const abort = new AbortController();
    this.#abort = abort;
    this.#job = { phase: 'downloading', modelId, percent: 0, text: 'Starting…' };
    try {
      const engine = await this.deps.loadWebLlm(modelId, {
        signal: abort.signal,
        onProgress: (p) => {
          this.#job = { phase: 'downloading', modelId, percent: Math.round(p.progress * 100), text: p.text };
        },
      });
      await this.#engine?.unload().catch(() => undefined);
      this.#engine = engine;
      this.#use(engine, `webllm:${modelId}`);
      this.#job = { phase: 'ready', modelId };
    } catch (error) {
      if (abort.signal.aborted) {
        this.#job = { phase: 'cancelled', modelId };
      } else {
        const message = error instanceof Error ? error.message : String(error);
        this.#job = { phase: 'error', modelId, error: message };
        this.note = `The local AI model could not load (${message}); using built-in rules.`;
      }
      throw error;
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
  }

  /** Stop a download in progress; what was fetched stays cached, so a later enable resumes. */
  cancel(): void {
    this.#abort?.abort();
  }

  /** Extract with a local OpenAI-compatible server (Ollama, LM Studio). Needs loopback consent. */
  async useLocalServer(baseUrl: string, model: string): Promise<void> {
    if (!(await this.deps.consent.granted(this.deps.localOrigins))) {
      throw new Error('Engram needs your permission to reach a server on this computer.');
    }
    this.#use(this.deps.localServer({ baseUrl, model }), `local-server:${model}`);
    await this.deps.store.setSetting(CHOICE, { kind: 'local', baseUrl, model });
  }

  /** Back to the rule-based extractor (the model stays cached). */
  async disable(): Promise<void> {
    this.cancel();
    await this.#engine?.unload().catch(() => undefined);
    this.#engine = null;
    this.deps.memory.useExtraction(this.#rules, ruleBasedDecider);
    this.#job = null;
    this.note = null;
    await this.deps.store.setSetting(CHOICE, null);
  }

  async deleteModel(modelId: string): Promise<void> {
    if (this.deps.memory.extractorName === `webllm:${modelId}`) await this.disable();
    await this.deps.deleteCachedModel(modelId);
  }

  /** At start-up: bring back the user's choice; on failure stay on the rules and say why. */
  async restore(): Promise<void> {
    const choice = (await this.deps.store.getSetting(CHOICE)) as Choice | null | undefined;
    if (!choice) return;
    try {
      if (choice.kind === 'local') {
        this.#use(this.deps.localServer(choice), `local-server:${choice.model}`);
        return;
      }
      const support = await this.#gpu();
      if (!support.supported) {
        this.note = `The local AI model is off: ${support.reason}. Using built-in rules.`;
        return;
      }
      await this.#loadWebLlm(choice.modelId);
    } catch {
      // #loadWebLlm set the note; the rules stay in use.
    }
  }

  #use(model: ChatModel, name: string): void {
    const onFallback = (reason: string): void => {
      this.note = `The local AI model ${reason.replace(/\.$/, '')}; that message was handled by built-in rules.`;
    };
    const timeout = this.deps.timeoutMs === undefined ? {} : { timeoutMs: this.deps.timeoutMs };
    this.deps.memory.useExtraction(
      new LlmExtractor({ model, name, fallback: this.#rules, onFallback, ...timeout }),
      new LlmDecider({ model, name, fallback: ruleBasedDecider, onFallback, ...timeout }),
    );
    this.note = null;
  }
}

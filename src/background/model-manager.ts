import type { Embedder } from '../ports/embedder';
import type { MemoryStore } from '../ports/memory-store';
import type { Memory } from '../engine/memory';
import type { ModelJob, ModelStatus } from '../core/status';
import { BUNDLED_MODEL, MODELS, modelInfo, type EmbeddingModelInfo } from '../engine/models';
import { LockedError } from '../crypto/vault';

/** The user's consent to download from a model host, as the browser records it. */
export interface HostConsent {
  /** True when the user granted access to every origin (chrome.permissions.contains). */
  granted(origins: readonly string[]): Promise<boolean>;
}


export type { ModelJob, ModelStatus } from '../core/status';

/** Thrown when a download was asked for without the user's consent. Nothing was fetched. */
export class ConsentRequiredError extends Error {
  constructor(model: string) {
    super(`Engram will not download "${model}" until you agree to it in Engram's popup.`);
    this.name = 'ConsentRequiredError';
  }
}

export interface ModelManagerDeps {
  memory: Memory;
  store: MemoryStore;
  consent: HostConsent;
  /** The origins a hub download needs. */
  hubOrigins: readonly string[];
  /** Makes the embedder for a model; `onProgress` reports its download. */
  createEmbedder(info: EmbeddingModelInfo, onProgress?: (percent: number) => void): Embedder & { load(): Promise<unknown> };
}

const ACTIVE_MODEL = 'activeModel';

/**
 * Switches Engram's embedding model: checks consent before anything is downloaded, downloads
 * with progress, re-embeds every memory in the background (see Memory.reembed), and remembers
 * the choice. A model that can no longer load (offline, cache evicted) falls back to the bundled
 * one, re-embedding again, so search keeps working and no memory is lost.
 */
export class ModelManager {
  #job: ModelJob | null = null;
  #running: Promise<void> | null = null;

  constructor(private readonly deps: ModelManagerDeps) {}

  status(): Promise<ModelStatus> {
    return Promise.resolve({ active: this.deps.memory.embedder.modelId, models: MODELS, job: this.#job });
  }

  /** The model chosen earlier (the bundled one by default). */
  async chosen(): Promise<string> {
    const value = await this.deps.store.getSetting(ACTIVE_MODEL);
    return typeof value === 'string' ? value : BUNDLED_MODEL;
  }

  /**
   * Start switching to `id` and return at once; `status()` reports progress. Rejects when the
   * user has not agreed to the download.
   */
  async switchTo(id: string): Promise<void> {
    const info = modelInfo(id);
    if (info.source === 'hub' && !(await this.deps.consent.granted(this.deps.hubOrigins))) {
      throw new ConsentRequiredError(id);
    }
    if (this.#running) throw new Error('Engram is already changing its model; wait for it to finish.');
    this.#running = this.#switch(info).finally(() => {
      this.#running = null;
    });
  }

  /** Wait for the current switch, if any (tests, and the service worker's keep-alive). */
  async settled(): Promise<void> {
    await this.#running;
  }

  async #switch(info: EmbeddingModelInfo): Promise<void> {
    try {
      this.#job = { model: info.id, phase: 'downloading', percent: 0 };
      const embedder = this.deps.createEmbedder(info, (percent) => {
        this.#job = { model: info.id, phase: 'downloading', percent };
      });
      await embedder.load();
      await this.deps.memory.reembed(embedder, ({ done, total }) => {
        this.#job = { model: info.id, phase: 'reembedding', done, total };
      });
      await this.deps.store.setSetting(ACTIVE_MODEL, info.id);
      this.#job = { model: info.id, phase: 'done' };
    } catch (error) {
      this.#job = { model: info.id, phase: 'error', error: error instanceof Error ? error.message : String(error) };
      throw error;
    }
  }

  /**
   * At start-up: make the chosen model active. When it cannot load, go back to the bundled
   * model (re-embedding) and report why.
   */
  async restore(): Promise<void> {
    const id = await this.chosen();
    if (id === this.deps.memory.embedder.modelId) return;
    const info = modelInfo(id);
    try {
      const embedder = this.deps.createEmbedder(info);
      await embedder.load();
      await this.deps.memory.reembed(embedder); // instant when every vector already exists
    } catch (error) {
      // Locked (encryption at rest, as after every browser restart): the memories cannot be read
      // to re-embed them yet. The choice stands; the worker restores it again after the unlock.
      if (error instanceof LockedError) return;
      this.#job = {
        model: info.id,
        phase: 'error',
        error: `Could not load ${info.label} (${error instanceof Error ? error.message : String(error)}); using the built-in model.`,
      };
      await this.deps.store.setSetting(ACTIVE_MODEL, BUNDLED_MODEL);
      // The engine still runs the bundled model: give every memory a vector for it again.
      await this.deps.memory.reembed(this.deps.memory.embedder);
    }
  }
}

/**
 * The popup (or the options page) is being used: its reads run as foreground work (engine/priority.ts),
 * so the worker's background work (an import's relations, the HNSW build, consolidation, the saves
 * that follow them) waits at its next slice until they are answered, and for LINGER_MS after the
 * last one: opening the popup asks a few questions in a row, and the user's next (a search, a
 * filter, a scroll) comes soon after. A background slice already running is never interrupted.
 *
 * @example
 * const presence = new Presence();
 * const page = await presence.read(() => memoryPage(deps, listings, request));
 */
import { inForeground } from '../../engine/priority';

/** How long after a read background work still waits (ms): a popup's questions come in bursts. */
export const LINGER_MS = 2000;

export class Presence {
  #release: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly lingerMs = LINGER_MS,
    private readonly foreground: <T>(task: () => Promise<T>) => Promise<T> = inForeground,
  ) {}

  /** Run `task` as foreground work, and keep background work waiting a while after it. */
  async read<T>(task: () => Promise<T>): Promise<T> {
    this.#linger();
    try {
      return await this.foreground(task);
    } finally {
      this.#linger();
    }
  }

  /** Whether background work is being held back now (tests, diagnostics). */
  get lingering(): boolean {
    return this.#release !== null;
  }

  /** Hold background work for lingerMs from now (one hold, moved on by each read). */
  #linger(): void {
    if (this.lingerMs <= 0) return;
    if (!this.#release) {
      void this.foreground(
        () =>
          new Promise<void>((resolve) => {
            this.#release = resolve;
          }),
      );
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const release = this.#release;
      this.#release = null;
      release?.();
    }, this.lingerMs);
  }
}

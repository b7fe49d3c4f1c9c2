// One-shot timers that die together: a sampler's (or a stream's) pending callbacks, all cleared on stop,
// and none scheduled after it.
export class Timers {
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  /** Runs `fn` after `ms`, unless closed by then. */
  later(ms: number, fn: () => void): void {
    if (this.#closed) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(timer);
  }

  /** Clears every pending callback; `later` does nothing from now on. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

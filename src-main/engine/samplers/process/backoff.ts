// Exponential backoff between restarts of a failing child.

/** Exponential backoff: `initialMs`, × `factor` per failure, capped at `maxMs`. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Default 2. */
  factor?: number;
}

/** The delays between restarts of a failing child. */
export class Backoff {
  readonly #options: Required<BackoffOptions>;
  #current: number;

  constructor(options: BackoffOptions) {
    this.#options = { factor: 2, ...options };
    this.#current = options.initialMs;
  }

  /** The delay to wait now; the next one grows. */
  next(): number {
    const delay = this.#current;
    this.#current = Math.min(this.#options.maxMs, this.#current * this.#options.factor);
    return delay;
  }

  /** What `next()` would return. */
  peek(): number {
    return this.#current;
  }

  reset(): void {
    this.#current = this.#options.initialMs;
  }
}

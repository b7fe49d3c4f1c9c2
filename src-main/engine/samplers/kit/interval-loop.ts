// The sampling loop of the polling samplers (linux, ebpf): one tick per interval, each scheduled with
// setTimeout after the previous one ends (never setInterval: a slow tick must not pile up), and on stop
// one last tick so that the bytes since the previous sample are not lost.
import type { Logger } from '../../log.js';
import type { Clock } from '../../types.js';

/** Options of an IntervalLoop. */
export interface IntervalLoopOptions {
  intervalMs: number;
  clock: Clock;
  log: Logger;
  /** One sample; `final` is the last one, taken by `stop()`. A rejection is logged, the loop goes on. */
  tick: (final: boolean) => Promise<void>;
}

/** Runs `tick` every interval (measured start to start) until stopped. */
export class IntervalLoop {
  readonly #options: IntervalLoopOptions;
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #tickDone: Promise<void> = Promise.resolve();

  constructor(options: IntervalLoopOptions) {
    this.#options = options;
  }

  /** Between `start` and `stop`. A tick in flight checks it to drop a sample nobody will take. */
  get running(): boolean {
    return this.#running;
  }

  /** Whether the next tick is waiting for its time (none is running). */
  get waiting(): boolean {
    return this.#timer !== null;
  }

  /** Starts ticking; the first tick after `firstDelayMs`. */
  start(firstDelayMs: number): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(firstDelayMs);
  }

  /** Runs the waiting tick now instead of at its time (e.g. the source just became ready). */
  now(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#schedule(0);
  }

  /** Stops; waits for a tick in flight, then takes the final one if `final()` says so (asked after the wait). */
  async stop(final: () => boolean): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#tickDone;
    if (final()) await this.#options.tick(true).catch((error: unknown) => this.#options.log.error('final sample failed', { error }));
  }

  #schedule(delayMs: number): void {
    if (!this.#running) return;
    const { clock, intervalMs, log, tick } = this.#options;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const started = clock.mono();
      this.#tickDone = tick(false)
        .catch((error: unknown) => log.error('sample failed', { error }))
        .finally(() => this.#schedule(Math.max(0, intervalMs - (clock.mono() - started))));
    }, delayMs);
  }
}

// Keeps one long-lived child running (nettop's stream, `ss -E`, netmon-capture): restarted with backoff
// when it dies or is declared stuck, its whole tree killed, and, given a PidRegistry, recorded so that
// the next start reaps what a crash of ours left behind (which it does before its first child).
import { createLogger, type Logger } from '../../log.js';
import { systemClock, type Clock } from '../../types.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { PidRegistry } from './pid-registry.js';
import { psProcessTable, type ProcessTableReader } from './ps-table.js';
import { spawnInGroup, type ChildExit, type GroupChild, type SpawnSpec } from './spawn.js';
import { terminateTree } from './terminate-tree.js';

/** When a new child's tree is read into the registry: at once its command line may still be the launcher's. */
const OBSERVE_AFTER_MS: readonly number[] = [300, 2000];

/** Options of a RestartingChild. */
export interface RestartingChildOptions {
  /** Names the child in logs. */
  name: string;
  /** What to run; asked again at every (re)start. */
  spec: () => SpawnSpec;
  /** A child has just been started (attach output readers here). */
  onSpawn?: (child: GroupChild) => void;
  /**
   * A child ended by itself (not through `restart` or `stop`); its tree is already killed and its output
   * drained. `nextDelayMs` is when the next one starts.
   */
  onExit?: (exit: ChildExit, child: GroupChild, nextDelayMs: number) => void;
  /** Default: 1 s doubling to 60 s. */
  backoff?: BackoffOptions;
  /** A child that ran this long before failing resets the backoff. Default 60 s. */
  resetAfterMs?: number;
  /** Where to record the children for stray reaping; null for none. */
  registry?: PidRegistry | null;
  processTable?: ProcessTableReader;
  killGraceMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Keeps one child running: restarts it with exponential backoff when it dies or is declared stuck. */
export class RestartingChild {
  readonly #options: RestartingChildOptions;
  readonly #backoff: Backoff;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #processTable: ProcessTableReader;
  #child: GroupChild | null = null;
  #startedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopping = false;
  #restartCount = 0;
  /** Strays of an earlier run being reaped: the first child waits for it. */
  #reaping: Promise<void> | null = null;
  /** Kills in flight (after an exit, or a restart): `stop` waits for them too. */
  readonly #killing = new Set<Promise<void>>();
  readonly #observers = new Set<NodeJS.Timeout>();

  constructor(options: RestartingChildOptions) {
    this.#options = options;
    this.#backoff = new Backoff(options.backoff ?? { initialMs: 1000, maxMs: 60_000 });
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger ?? createLogger('child');
    this.#processTable = options.processTable ?? psProcessTable();
  }

  /** Restarts so far (after exits and after `restart`). */
  get restarts(): number {
    return this.#restartCount;
  }

  /** The running child, if any. */
  get current(): GroupChild | null {
    return this.#child;
  }

  /** Starts the first child: now, or once the strays of an earlier run are reaped. */
  start(): void {
    this.#stopping = false;
    if (this.#child !== null || this.#timer !== null || this.#reaping !== null) return;
    const registry = this.#options.registry ?? null;
    if (registry === null) {
      this.#spawnNow();
      return;
    }
    const reaping = registry
      .reapStrays(this.#processTable, this.#log)
      .then((count) => {
        if (count > 0) this.#log.warn(`reaped ${this.#options.name} processes left by an earlier run`, { count });
      })
      .catch((error: unknown) => this.#log.error('stray reaping failed', { error }))
      .finally(() => {
        this.#reaping = null;
        if (!this.#stopping && this.#child === null && this.#timer === null) this.#spawnNow();
      });
    this.#reaping = reaping;
  }

  /** Kills the current child (e.g. stalled) and starts another after the backoff. */
  async restart(reason: string): Promise<number> {
    const child = this.#child;
    this.#child = null;
    if (child !== null && child.pid !== null) {
      this.#log.warn(`restarting ${this.#options.name}`, { reason, pid: child.pid });
      await this.#kill(child.pid);
    }
    return this.#scheduleNext();
  }

  /** Kills the current child and starts no other. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    for (const timer of this.#observers) clearTimeout(timer);
    this.#observers.clear();
    if (this.#reaping !== null) await this.#reaping;
    const child = this.#child;
    this.#child = null;
    if (child !== null && child.pid !== null) await this.#kill(child.pid);
    await Promise.all([...this.#killing]);
  }

  #kill(pid: number): Promise<void> {
    const done = terminateTree(pid, { graceMs: this.#options.killGraceMs, processTable: this.#processTable, logger: this.#log }).then(() => {
      this.#options.registry?.forget(pid);
      this.#killing.delete(done);
    });
    this.#killing.add(done);
    return done;
  }

  #scheduleNext(): number {
    if (this.#stopping) return 0;
    if (this.#clock.mono() - this.#startedAt >= (this.#options.resetAfterMs ?? 60_000)) this.#backoff.reset();
    const delay = this.#backoff.next();
    this.#restartCount += 1;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopping) this.#spawnNow();
    }, delay);
    return delay;
  }

  #spawnNow(): void {
    const child = spawnInGroup(this.#options.spec());
    this.#child = child;
    this.#startedAt = this.#clock.mono();
    if (child.pid !== null) this.#record(child, child.pid);
    this.#options.onSpawn?.(child);
    void child.exited.then(async (exit) => {
      if (this.#child !== child) return; // killed on purpose by restart or stop
      if (child.pid !== null) await this.#kill(child.pid); // what it left behind in its group
      await child.closed;
      if (this.#child !== child) return;
      this.#child = null;
      const delay = this.#scheduleNext();
      this.#options.onExit?.(exit, child, delay);
    });
  }

  /** Tracks the child at once, and its tree as `ps` shows it a moment later (only then can it be verified). */
  #record(child: GroupChild, pid: number): void {
    const registry = this.#options.registry ?? null;
    if (registry === null) return;
    registry.track(pid);
    for (const delay of OBSERVE_AFTER_MS) {
      const timer = setTimeout(() => {
        this.#observers.delete(timer);
        void this.#processTable()
          .then((table) => {
            if (this.#child === child && !child.hasExited()) registry.observe(pid, table);
          })
          .catch(() => undefined);
      }, delay);
      timer.unref();
      this.#observers.add(timer);
    }
  }
}

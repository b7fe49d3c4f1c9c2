// Everything the extension sends goes through the outbox: queued first, then sent in order, paced
// under netmon's rate limit. While netmon does not answer (or the extension is not paired) the items
// wait in the bounded queue and the outbox tries again every few seconds; a report netmon refused is
// dropped, never retried. The link state it reaches is what the badge shows.
import type { Outcome } from './client.js';
import type { Outgoing } from './contract.js';
import { BoundedQueue, type Queued } from './queue.js';

/** A report id: 16 random bytes in hexadecimal (the contract's reportId). */
export function newReportId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What the badge shows. */
export type LinkState = 'connected' | 'not-running' | 'not-paired' | 'problem';

/** What the outbox needs from the browser (injected, so that tests drive time). */
export interface OutboxDeps {
  now(): number;
  send(item: Outgoing): Promise<Outcome>;
  onState(state: LinkState, detail: string): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Called after the queue changed, to keep it across a restart of the background. */
  onChange?(items: Queued<Outgoing>[]): void;
}

/** Limits and pacing. */
export interface OutboxOptions {
  /** Oldest an item may get before it is dropped (default 10 minutes). */
  maxAgeMs?: number;
  maxItems?: number;
  /** Wait before trying again when netmon does not answer (default 5 s). */
  retryMs?: number;
  /** Wait before trying again when not paired (default 30 s; a new token tries at once). */
  unpairedRetryMs?: number;
  /** Gap between two requests while draining a backlog (default 150 ms: under 10 per second). */
  paceMs?: number;
}

export class Outbox {
  private readonly queue: BoundedQueue<Outgoing>;
  private readonly retryMs: number;
  private readonly unpairedRetryMs: number;
  private readonly paceMs: number;
  private sending = false;
  private timer: unknown = null;
  private current: LinkState | null = null;
  /** Reports netmon refused (400…): dropped. */
  refused = 0;
  sent = 0;

  constructor(
    private readonly deps: OutboxDeps,
    options: OutboxOptions = {},
  ) {
    this.queue = new BoundedQueue(options.maxAgeMs ?? 600_000, options.maxItems ?? 400);
    this.retryMs = options.retryMs ?? 5000;
    this.unpairedRetryMs = options.unpairedRetryMs ?? 30_000;
    this.paceMs = options.paceMs ?? 150;
  }

  get size(): number {
    return this.queue.size;
  }

  get dropped(): number {
    return this.queue.dropped;
  }

  state(): LinkState | null {
    return this.current;
  }

  /**
   * Queues an item and starts sending, unless a retry is already scheduled (netmon down, not paired, busy).
   * The item gets its report id here: every retry, and a queue restored after the background was
   * stopped, sends it with the same id, and netmon counts a report once.
   */
  push(item: Outgoing): void {
    const body = item.body.reportId === undefined ? { ...item.body, reportId: newReportId() } : item.body;
    this.queue.push({ ...item, body } as Outgoing, this.deps.now());
    this.deps.onChange?.(this.queue.snapshot());
    if (this.timer === null) this.kick();
  }

  /** Puts back what a previous background kept. */
  restore(saved: readonly Queued<Outgoing>[]): void {
    this.queue.restore(saved, this.deps.now());
    // What was queued before the restore is kept together with it.
    this.deps.onChange?.(this.queue.snapshot());
    this.kick();
  }

  /** Tries to send now (a new token, a changed port, netmon seen again). */
  kick(): void {
    if (this.sending) return;
    if (this.timer !== null) {
      this.deps.clearTimer(this.timer);
      this.timer = null;
    }
    this.sending = true;
    this.drain().then(
      () => {
        this.sending = false;
        // An item pushed while the last request was in flight must not wait for the next push.
        if (this.queue.size > 0 && this.timer === null) this.kick();
      },
      () => {
        // A failing listener must not stop the outbox for good: try again later.
        this.sending = false;
        this.later(this.retryMs);
      },
    );
  }

  private setState(state: LinkState, detail: string): void {
    if (state !== this.current) {
      this.current = state;
      this.deps.onState(state, detail);
    }
  }

  private later(ms: number): void {
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      this.kick();
    }, ms);
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.queue.prune(this.deps.now()) > 0) this.deps.onChange?.(this.queue.snapshot());
      const head = this.queue.peek();
      if (head === undefined) return;
      const outcome = await this.deps.send(head.value);
      switch (outcome.kind) {
        case 'ok':
          this.queue.shift();
          this.sent += 1;
          this.setState('connected', '');
          break;
        case 'refused':
          this.queue.shift();
          this.refused += 1;
          // The link works: the report was at fault.
          this.setState('connected', outcome.detail);
          break;
        case 'not-running':
          this.setState('not-running', outcome.detail);
          this.later(this.retryMs);
          return;
        case 'not-paired':
          this.setState('not-paired', outcome.detail);
          this.later(this.unpairedRetryMs);
          return;
        case 'problem':
          // Every report would meet the same refusal: keep them (the queue's age bound applies), say why, try later.
          this.setState('problem', outcome.detail);
          this.later(this.unpairedRetryMs);
          return;
        case 'busy':
          this.later(outcome.retryAfterMs);
          return;
        default: {
          const never: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(never)}`);
        }
      }
      this.deps.onChange?.(this.queue.snapshot());
      if (this.queue.size > 0) await new Promise<void>((resolve) => this.deps.setTimer(resolve, this.paceMs));
    }
  }
}

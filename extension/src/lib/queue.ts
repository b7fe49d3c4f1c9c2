// The offline queue: what could not reach netmon waits here, oldest first, for at most `maxAgeMs`
// (about ten minutes) and `maxItems` items. It never grows without bound: past either limit the
// oldest items go, and are counted.

/** An item and when it was queued (epoch ms). */
export interface Queued<T> {
  atMs: number;
  value: T;
}

/** A first-in first-out queue bounded by age and length. */
export class BoundedQueue<T> {
  private items: Queued<T>[] = [];
  /** Items dropped for age or length since the queue was made. */
  dropped = 0;

  constructor(
    readonly maxAgeMs: number,
    readonly maxItems: number,
  ) {}

  push(value: T, atMs: number): void {
    this.items.push({ atMs, value });
    if (this.items.length > this.maxItems) {
      const over = this.items.length - this.maxItems;
      this.items.splice(0, over);
      this.dropped += over;
    }
  }

  /** Drops the items older than `maxAgeMs` at `nowMs`; returns how many. */
  prune(nowMs: number): number {
    const keep = this.items.findIndex((i) => i.atMs >= nowMs - this.maxAgeMs);
    const drop = keep === -1 ? this.items.length : keep;
    if (drop > 0) this.items.splice(0, drop);
    this.dropped += drop;
    return drop;
  }

  peek(): Queued<T> | undefined {
    return this.items[0];
  }

  shift(): Queued<T> | undefined {
    return this.items.shift();
  }

  get size(): number {
    return this.items.length;
  }

  /** A copy of the items, for keeping them across a restart of the extension's background. */
  snapshot(): Queued<T>[] {
    return this.items.map((i) => ({ ...i }));
  }

  /** Puts saved items back in front of what is queued now, within the limits. */
  restore(saved: readonly Queued<T>[], nowMs: number): void {
    this.items = [...saved, ...this.items].sort((a, b) => a.atMs - b.atMs);
    this.prune(nowMs);
    if (this.items.length > this.maxItems) {
      this.dropped += this.items.length - this.maxItems;
      this.items.splice(0, this.items.length - this.maxItems);
    }
  }
}

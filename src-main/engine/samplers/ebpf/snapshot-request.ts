// Asking the helper for a snapshot: a line on its stdin, answered by the next complete snapshot on its
// stdout; no answer in time means the helper is stuck (the caller restarts it).
import type { GroupChild } from '../process/index.js';
import type { CaptureSnapshot } from './protocol.js';

/** One snapshot asked of the helper at a time. */
export class SnapshotRequests {
  #pending: ((snapshot: CaptureSnapshot | null) => void) | null = null;

  /** Asks `child`; resolves with its snapshot, or null when it ended, or after `timeoutMs` (then `onTimeout`). */
  ask(child: GroupChild, final: boolean, timeoutMs: number, onTimeout: () => void): Promise<CaptureSnapshot | null> {
    this.answer(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.#pending !== done) return;
        this.#pending = null;
        resolve(null);
        onTimeout();
      }, timeoutMs);
      const done = (snapshot: CaptureSnapshot | null): void => {
        clearTimeout(timer);
        resolve(snapshot);
      };
      this.#pending = done;
      child.stdin.write(final ? 'final\n' : '\n');
    });
  }

  /** Answers the request in flight, if any (null: the helper ended or we stop). */
  answer(snapshot: CaptureSnapshot | null): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.(snapshot);
  }
}

/**
 * Keeps counting across helper restarts: a new helper counts from zero, so each key's last counters are
 * added to its. Also across a key that came back: the helper reports a quiet UDP peer closed and deletes
 * it, and when that peer sends again in the next snapshot its key counts from zero while the delta engine
 * still holds the final it settled; so a closed key's final is kept one round and, if the key is listed
 * again, added to it from then on (counted once: the engine counts only beyond the final). A key back
 * later than that is new to the engine and counts whole, from zero.
 */
export class Carry {
  #carry = new Map<string, { bytesIn: number; bytesOut: number }>();
  /** Finals of keys closed in the previous round, and in this one. */
  #closedBefore = new Map<string, { bytesIn: number; bytesOut: number }>();
  #closedNow = new Map<string, { bytesIn: number; bytesOut: number }>();

  /** The counters to add from now on (those of the helper that ended). */
  set(counters: Map<string, { bytesIn: number; bytesOut: number }>): void {
    this.#carry = counters;
  }

  /** `bytes` of the current helper plus what the previous ones counted for `id`. */
  add(id: string, bytes: { bytesIn: number; bytesOut: number }): { bytesIn: number; bytesOut: number } {
    let carry = this.#carry.get(id);
    const back = carry === undefined ? this.#closedBefore.get(id) : undefined;
    if (back !== undefined) {
      this.#carry.set(id, back);
      this.#closedBefore.delete(id);
      carry = back;
    }
    return { bytesIn: bytes.bytesIn + (carry?.bytesIn ?? 0), bytesOut: bytes.bytesOut + (carry?.bytesOut ?? 0) };
  }

  delete(id: string): void {
    this.#carry.delete(id);
  }

  /** A key reported closed with `final` (its counters with the carry added): kept until the next round ends. */
  closed(id: string, final: { bytesIn: number; bytesOut: number }): void {
    this.#carry.delete(id);
    this.#closedNow.set(id, final);
  }

  /** Ends a round: finals of the round before that were not listed again are dropped. */
  endRound(): void {
    this.#closedBefore = this.#closedNow;
    this.#closedNow = new Map();
  }
}

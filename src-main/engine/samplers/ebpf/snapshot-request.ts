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

/** Keeps counting across helper restarts: a new helper counts from zero, so each key's last counters are added to its. */
export class Carry {
  #carry = new Map<string, { bytesIn: number; bytesOut: number }>();

  /** The counters to add from now on (those of the helper that ended). */
  set(counters: Map<string, { bytesIn: number; bytesOut: number }>): void {
    this.#carry = counters;
  }

  /** `bytes` of the current helper plus what the previous ones counted for `id`. */
  add(id: string, bytes: { bytesIn: number; bytesOut: number }): { bytesIn: number; bytesOut: number } {
    const carry = this.#carry.get(id);
    return { bytesIn: bytes.bytesIn + (carry?.bytesIn ?? 0), bytesOut: bytes.bytesOut + (carry?.bytesOut ?? 0) };
  }

  delete(id: string): void {
    this.#carry.delete(id);
  }
}

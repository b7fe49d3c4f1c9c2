// The live feed: the engine publishes a `rate` event once per recorded interval (runtime.ts);
// transports (SSE over HTTP, the shell's IPC push) subscribe. The contract's `status` event passes
// through every transport but nothing publishes it yet: the pages and the shell ask status:get on a
// timer. A listener that throws is dropped, never allowed to stop the others.
import type { LiveEvent, LiveEvents } from '../../src-shared/contract/types.js';
import { createLogger } from '../engine/log.js';

const log = createLogger('api:live');

/** What transports need from the live feed. */
export interface LiveSource {
  /** Calls `listener` for every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** The last rate published, for `usage:live` and for a client that just connected. */
  latestRate(): LiveEvents['rate'] | null;
}

/** The engine's side of the live feed. */
export interface LiveFeed extends LiveSource {
  publish(event: LiveEvent): void;
  listenerCount(): number;
}

/** A live feed with no events yet. */
export function createLiveFeed(): LiveFeed {
  const listeners = new Set<(event: LiveEvent) => void>();
  let latest: LiveEvents['rate'] | null = null;
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    latestRate: () => latest,
    listenerCount: () => listeners.size,
    publish(event) {
      if (event.event === 'rate') latest = event.data;
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (err) {
          listeners.delete(listener);
          log.warn('live listener failed; dropped', { error: err });
        }
      }
    },
  };
}

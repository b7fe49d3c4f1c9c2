// Refused requests in the log, without letting a flood of them flood it: one line per code per 10 s,
// with how many were left out before it.
import type { IncomingMessage } from 'node:http';
import { createLogger } from '../engine/log.js';
import type { Refused } from './guard.js';

const log = createLogger('http');

/** A refusal as the log records it: the guard's, or one a route decides (rate limit, pairing code). */
export type RefusalLog = (refused: Refused, req: IncomingMessage) => void;

export function createRefusalLog(mono: () => number): RefusalLog {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (refused, req) => {
    const now = mono();
    const entry = last.get(refused.code);
    if (entry !== undefined && now - entry.at < 10_000) {
      entry.suppressed += 1;
      return;
    }
    last.set(refused.code, { at: now, suppressed: 0 });
    const level = refused.status >= 421 || refused.status === 401 || refused.status === 403 ? 'warn' : 'debug';
    log[level]('request refused', {
      status: refused.status,
      code: refused.code,
      method: req.method,
      path: (req.url ?? '').slice(0, 200),
      origin: req.headers.origin,
      suppressedBefore: entry?.suppressed ?? 0,
    });
  };
}

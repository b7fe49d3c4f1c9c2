// The recent rates the sparkline draws: a short, time-ordered window fed by the live feed. A feed
// that reconnects resends its latest rate, and a seed from stored history may overlap live points,
// so points are kept unique by time and in order.
import type { LiveRate, TimelinePoint } from '../../src-shared/contract/types.js';

/** One rate in the window (epoch seconds, bytes per second each way). */
export interface RatePoint {
  ts: number;
  inPerS: number;
  outPerS: number;
}

/** How much history the sparkline keeps: fifteen minutes. */
export const HISTORY_WINDOW_S = 15 * 60;

/** The window with a live rate added: duplicates and stale (older than the newest) rates are ignored. */
export function appendRate(history: readonly RatePoint[], rate: LiveRate, windowS = HISTORY_WINDOW_S): readonly RatePoint[] {
  const last = history.at(-1);
  if (last !== undefined && rate.ts <= last.ts) return history;
  const next = [...history, { ts: rate.ts, inPerS: rate.bytesInPerS, outPerS: rate.bytesOutPerS }];
  const cutoff = rate.ts - windowS;
  const firstKept = next.findIndex((p) => p.ts > cutoff);
  return firstKept <= 0 ? next : next.slice(firstKept);
}

/**
 * Merges stored per-bucket bytes (turned into rates) under the live points: only buckets complete by
 * `untilS` (the timeline's end, the engine's now) and ended before the first live point are used,
 * and the window is trimmed to `windowS` before the newest point.
 */
export function seedHistory(history: readonly RatePoint[], points: readonly TimelinePoint[], bucketS: number, untilS: number, windowS = HISTORY_WINDOW_S): readonly RatePoint[] {
  const firstLive = history[0]?.ts ?? Number.POSITIVE_INFINITY;
  // A bucket's rate belongs to its end. The current bucket is partial and ends in the future: a
  // point there would make every live rate before that end look stale.
  const seeded = points
    .filter((p) => p.ts + bucketS < firstLive && p.ts + bucketS <= untilS)
    .map((p) => ({ ts: p.ts + bucketS, inPerS: p.bytesIn / bucketS, outPerS: p.bytesOut / bucketS }));
  const merged = [...seeded, ...history];
  const newest = merged.at(-1)?.ts;
  if (newest === undefined) return merged;
  return merged.filter((p) => p.ts > newest - windowS);
}

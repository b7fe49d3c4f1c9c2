// Time ranges and timeline buckets of the API: presets resolved against the injected clock in local
// time (today, week and month start at local midnight), the bucket `auto` picks and the most points a
// timeline may have. The bucket grid itself (DST-true day buckets) is engine/queries/grid.ts.
import { assertNever, type BucketSeconds, type RangePreset, type ResolvedRange } from '../../src-shared/contract/types.js';
import { localDayStart } from '../engine/store/time.js';

/** A range as a request names it: a preset, or since/until (either may be left out). */
export interface RangeRequest {
  range?: RangePreset | undefined;
  since?: number | undefined;
  until?: number | undefined;
}

/** Local midnight (epoch seconds) of the day that holds `epochS`: the store's own day rule. */
export const localMidnight = localDayStart;

const HOUR = 3600;
const DAY = 86_400;

/** Local midnight of the Monday that starts the week holding `epochS`. */
export function localWeekStart(epochS: number): number {
  const d = new Date(localMidnight(epochS) * 1000);
  const sinceMonday = (d.getDay() + 6) % 7;
  d.setDate(d.getDate() - sinceMonday);
  return Math.floor(d.getTime() / 1000);
}

/** Local midnight of the first day of the month holding `epochS`. */
export function localMonthStart(epochS: number): number {
  const d = new Date(epochS * 1000);
  d.setDate(1);
  d.setHours(0, 0, 0, 0);
  return Math.floor(d.getTime() / 1000);
}

/** The start of a preset range ending at `nowS`. */
export function presetStart(preset: RangePreset, nowS: number): number {
  switch (preset) {
    case '1h':
      return nowS - HOUR;
    case '6h':
      return nowS - 6 * HOUR;
    case '24h':
      return nowS - DAY;
    case '7d':
      return nowS - 7 * DAY;
    case '30d':
      return nowS - 30 * DAY;
    case '90d':
      return nowS - 90 * DAY;
    case '365d':
      return nowS - 365 * DAY;
    case 'today':
      return localMidnight(nowS);
    case 'week':
      return localWeekStart(nowS);
    case 'month':
      return localMonthStart(nowS);
    default:
      return assertNever(preset, 'range preset');
  }
}

/** Resolves a request's range; nothing named means the last 24 hours, a lone `since` runs to now. */
export function resolveRange(request: RangeRequest, nowS: number): ResolvedRange {
  if (request.range !== undefined) return { since: presetStart(request.range, nowS), until: nowS };
  const until = request.until ?? nowS;
  const since = request.since ?? until - DAY;
  return { since, until };
}

/**
 * The bucket a timeline uses when the request says `auto`: at most about 1500 points for any span.
 * Sub-hour buckets only up to 6 h: they must be summed from the 5-s raw rows, which over a day cost
 * ~100 ms where hourly rollups answer in ~3 ms (measured: bench/http.js).
 */
export function autoBucket(range: ResolvedRange): BucketSeconds {
  const span = range.until - range.since;
  if (span <= 3 * HOUR) return 60;
  if (span <= 6 * HOUR) return 300;
  if (span <= 60 * DAY) return 3600;
  return 86_400;
}

/** Most points a timeline may have; a finer bucket over a longer range is refused. */
export const MAX_TIMELINE_POINTS = 10_000;

/** Number of buckets of `bucketS` the range spans (upper bound, before DST correction). */
export function bucketCount(range: ResolvedRange, bucketS: number): number {
  return Math.ceil((range.until - range.since) / bucketS) + 1;
}

// The range query over one family of tiers (domain_*, network_*), answered like the usage queries:
// whole local days from *_daily, whole hours from *_hourly, sub-hour edges from *_raw, and a piece whose
// finer tier retention already cut prorated from the coarser row (approximate). `$segments` is the
// planner's segments as JSON ([kind, from, to], see `segmentKind`; bucketed: [bucket, kind, from, to]);
// `$app` restricts to one app, `$network` to one network (networks.id).
import type { Segment } from './plan.js';

const LONGEST_DAY_S = 26 * 3600;
const HOUR_SHARE = '(min(seg.s1, t.hour_start + 3600) - max(seg.s0, t.hour_start)) / 3600.0';
const DAY_SHARE = '(min(seg.s1, t.day_end) - max(seg.s0, t.day_start)) * 1.0 / (t.day_end - t.day_start)';

/** More of `tierPartsSql`: each segment tagged with its bucket (`parts` then starts with `i`); one network only. */
export interface TierPartsOptions {
  bucketed?: boolean;
  networkFilter?: boolean;
}

/** The CTEs `seg` and `parts (…keys, bi, bo)` summing `prefix`'s tiers over the segments, per `keys`. */
export function tierPartsSql(prefix: string, keys: readonly string[], appFilter: boolean, options: TierPartsOptions = {}): string {
  // `+`: the network is a filter on the rows the time key finds, never an index of its own (SQLite would
  // otherwise build an automatic index over the whole tier on every call).
  const app = `${appFilter ? ' AND t.app_id = $app' : ''}${options.networkFilter === true ? ' AND +t.network_id = $network' : ''}`;
  const bucketed = options.bucketed === true;
  const cols = [...(bucketed ? ['seg.i'] : []), ...keys.map((k) => `t.${k}`)].join(', ');
  const group = `GROUP BY ${cols}`;
  const exact = `${cols}, sum(t.bytes_in), sum(t.bytes_out)`;
  const scaled = (share: string): string => `${cols}, sum(t.bytes_in * ${share}), sum(t.bytes_out * ${share})`;
  // CROSS JOIN keeps the few segments outside, driving index range searches into the tiers.
  return `
WITH seg (${bucketed ? 'i, ' : ''}k, s0, s1) AS MATERIALIZED (
  SELECT ${bucketed ? 'value ->> 0, value ->> 1, value ->> 2, value ->> 3' : 'value ->> 0, value ->> 1, value ->> 2'} FROM json_each($segments)
),
parts (${[...(bucketed ? ['i'] : []), ...keys].join(', ')}, bi, bo) AS (
  SELECT ${exact} FROM seg CROSS JOIN ${prefix}_daily AS t ON t.day_start >= seg.s0 AND t.day_start < seg.s1${app}
    WHERE seg.k = 'd' ${group}
  UNION ALL
  SELECT ${exact} FROM seg CROSS JOIN ${prefix}_hourly AS t ON t.hour_start >= seg.s0 AND t.hour_start < seg.s1${app}
    WHERE seg.k = 'h' ${group}
  UNION ALL
  SELECT ${exact} FROM seg CROSS JOIN ${prefix}_raw AS t ON t.ts > seg.s0 AND t.ts <= seg.s1${app}
    WHERE seg.k = 'r' ${group}
  UNION ALL
  SELECT ${scaled(HOUR_SHARE)} FROM seg CROSS JOIN ${prefix}_hourly AS t ON t.hour_start > seg.s0 - 3600 AND t.hour_start < seg.s1${app}
    WHERE seg.k = 'ha' ${group}
  UNION ALL
  SELECT ${scaled(DAY_SHARE)} FROM seg CROSS JOIN ${prefix}_daily AS t
      ON t.day_start > seg.s0 - ${LONGEST_DAY_S} AND t.day_start <= seg.s0 AND t.day_end > seg.s0${app}
    WHERE seg.k = 'da' ${group}
)`;
}

/** A segment's code in `$segments`: d, h, r, and with `a` when prorated from a coarser tier. */
export function segmentKind(seg: Segment): string {
  const code = seg.tier === 'daily' ? 'd' : seg.tier === 'hourly' ? 'h' : 'r';
  return seg.exact ? code : `${code}a`;
}

/** `$segments` for the planner's segments. */
export function segmentsParam(segments: readonly Segment[]): string {
  return JSON.stringify(segments.map((s) => [segmentKind(s), s.from, s.to]));
}

/** `$segments` for segments tagged with their bucket (`tierPartsSql` with `bucketed`). */
export function bucketSegmentsParam(segments: readonly (Segment & { bucket: number })[]): string {
  return JSON.stringify(segments.map((s) => [s.bucket, segmentKind(s), s.from, s.to]));
}

// The SQL behind every usage query: sums the rows of the planned segments, each segment tagged with
// the bucket it belongs to, per bucket (timelines, totals) or per bucket and app (totals by app).
// The segments travel as one JSON parameter, so the statement text never changes and stays prepared.
// Per bucket, each segment's sum is a correlated subquery: one index range walk per segment and no
// sort of the rows (a join grouped by segment sorted every row it read: 5-min buckets over 6 h of
// 5-s rows, 14 → 6.5 ms). Per bucket and app, CROSS JOIN fixes the join order (SQLite keeps the left
// table outer): the few segments drive index range searches into the usage tables; the planner
// cannot know the JSON holds few rows and might scan a table instead.
import type Database from 'better-sqlite3';
import type { ReadableDB } from '../store/readable.js';
import { assertNever } from '../../../src-shared/contract/types.js';
import { cachedStatement } from '../store/statements.js';
import type { Segment } from './plan.js';

/** A planned segment of bucket `bucket`. */
export interface BucketSegment extends Segment {
  bucket: number;
}

function kindOf(seg: Segment): string {
  const code = seg.tier === 'daily' ? 'd' : seg.tier === 'hourly' ? 'h' : 'r';
  return seg.exact ? code : `${code}a`;
}

// Longest local day (25 h) plus slack: the daily rows that can overlap an estimated piece start
// no earlier than this before it, which lets the estimate use the day_start index.
const LONGEST_DAY_S = 26 * 3600;

// The share of an hourly or daily row that lies inside an estimated segment.
const HOUR_SHARE = '(min(seg.s1, t.hour_start + 3600) - max(seg.s0, t.hour_start)) / 3600.0';
const DAY_SHARE = '(min(seg.s1, t.day_end) - max(seg.s0, t.day_start)) * 1.0 / (t.day_end - t.day_start)';

/**
 * Per bucket and app: the five branches (exact daily, hourly, raw; estimates from hourly and daily),
 * each summing its own rows per segment and app before the union, so that only a few rows per
 * bucket flow on.
 */
function partsSql(appFilter: boolean): string {
  const app = appFilter ? ' AND t.app_id = $app' : '';
  const cols = 'seg.i, t.app_id';
  const group = 'GROUP BY seg.i, t.app_id';
  const exact = 'sum(t.bytes_in), sum(t.bytes_out)';
  return `
WITH seg (i, k, s0, s1) AS MATERIALIZED (
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($segments)
),
parts (i, app_id, bi, bo) AS (
  SELECT ${cols}, ${exact}
    FROM seg CROSS JOIN usage_daily AS t ON t.day_start >= seg.s0 AND t.day_start < seg.s1${app}
    WHERE seg.k = 'd' ${group}
  UNION ALL
  SELECT ${cols}, ${exact}
    FROM seg CROSS JOIN usage_hourly AS t ON t.hour_start >= seg.s0 AND t.hour_start < seg.s1${app}
    WHERE seg.k = 'h' ${group}
  UNION ALL
  SELECT ${cols}, ${exact}
    FROM seg CROSS JOIN usage_raw AS t ON t.ts > seg.s0 AND t.ts <= seg.s1${app}
    WHERE seg.k = 'r' ${group}
  UNION ALL
  SELECT ${cols}, sum(t.bytes_in * ${HOUR_SHARE}), sum(t.bytes_out * ${HOUR_SHARE})
    FROM seg CROSS JOIN usage_hourly AS t ON t.hour_start > seg.s0 - 3600 AND t.hour_start < seg.s1${app}
    WHERE seg.k = 'ha' ${group}
  UNION ALL
  -- An estimated piece lies within one local day: the day row that contains its start.
  SELECT ${cols}, sum(t.bytes_in * ${DAY_SHARE}), sum(t.bytes_out * ${DAY_SHARE})
    FROM seg CROSS JOIN usage_daily AS t
      ON t.day_start > seg.s0 - ${LONGEST_DAY_S} AND t.day_start <= seg.s0 AND t.day_end > seg.s0${app}
    WHERE seg.k = 'da' ${group}
)`;
}

/**
 * Per segment, one correlated subquery into the tier its kind names; it returns both sums as a JSON
 * pair, so that the rows are read once. MATERIALIZED keeps SQLite from running the CASE once per
 * column of the outer query.
 */
function bucketSql(appFilter: boolean): string {
  const app = appFilter ? ' AND t.app_id = $app' : '';
  const pair = (scale: string, table: string, where: string): string =>
    `(SELECT json_array(sum(t.bytes_in${scale}), sum(t.bytes_out${scale})) FROM ${table} AS t WHERE ${where}${app})`;
  return `
WITH seg (i, k, s0, s1) AS MATERIALIZED (
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($segments)
),
parts (i, v) AS MATERIALIZED (
  SELECT seg.i, CASE seg.k
    WHEN 'd' THEN ${pair('', 'usage_daily', 't.day_start >= seg.s0 AND t.day_start < seg.s1')}
    WHEN 'h' THEN ${pair('', 'usage_hourly', 't.hour_start >= seg.s0 AND t.hour_start < seg.s1')}
    WHEN 'r' THEN ${pair('', 'usage_raw', 't.ts > seg.s0 AND t.ts <= seg.s1')}
    WHEN 'ha' THEN ${pair(` * ${HOUR_SHARE}`, 'usage_hourly', 't.hour_start > seg.s0 - 3600 AND t.hour_start < seg.s1')}
    WHEN 'da' THEN ${pair(` * ${DAY_SHARE}`, 'usage_daily', `t.day_start > seg.s0 - ${LONGEST_DAY_S} AND t.day_start <= seg.s0 AND t.day_end > seg.s0`)}
  END FROM seg
)
SELECT parts.i AS bucket, CAST(round(total(parts.v ->> 0)) AS INTEGER) AS bytesIn, CAST(round(total(parts.v ->> 1)) AS INTEGER) AS bytesOut
  FROM parts GROUP BY parts.i`;
}

/** The statement variants: grouped by bucket and app, or by bucket only; for all apps or one. */
export type AggregateShape = 'bucket-app' | 'bucket';

/** SQL of one variant (exported for the EXPLAIN QUERY PLAN test). */
export function aggregateSql(shape: AggregateShape, appFilter: boolean): string {
  switch (shape) {
    case 'bucket-app': {
      const sum = 'CAST(round(sum(parts.bi)) AS INTEGER) AS bytesIn, CAST(round(sum(parts.bo)) AS INTEGER) AS bytesOut';
      return `${partsSql(appFilter)}
SELECT g.bucket, apps.name AS app, g.bytesIn, g.bytesOut
  FROM (SELECT parts.i AS bucket, parts.app_id, ${sum} FROM parts GROUP BY parts.i, parts.app_id) AS g
  CROSS JOIN apps ON apps.id = g.app_id`;
    }
    case 'bucket':
      return bucketSql(appFilter);
    default:
      return assertNever(shape, 'aggregate shape');
  }
}

/** The prepared statement for a variant, prepared once per connection. */
function statement(db: ReadableDB, shape: AggregateShape, appFilter: boolean): Database.Statement {
  return cachedStatement(db, aggregateSql(shape, appFilter));
}

function segmentsParam(segments: readonly BucketSegment[]): string {
  return JSON.stringify(segments.map((s) => [s.bucket, kindOf(s), s.from, s.to]));
}

/** Per bucket and app sums. `appId` restricts to one app. */
export interface BucketAppRow {
  bucket: number;
  app: string;
  bytesIn: number;
  bytesOut: number;
}

/** Per bucket sums. */
export interface BucketRow {
  bucket: number;
  bytesIn: number;
  bytesOut: number;
}

/** Sums the segments per bucket and app. */
export function sumByBucketAndApp(db: ReadableDB, segments: readonly BucketSegment[], appId: number | null): BucketAppRow[] {
  if (segments.length === 0) return [];
  const params: Record<string, unknown> = { segments: segmentsParam(segments) };
  if (appId !== null) params['app'] = appId;
  return statement(db, 'bucket-app', appId !== null).all(params) as BucketAppRow[];
}

/** Sums the segments per bucket. */
export function sumByBucket(db: ReadableDB, segments: readonly BucketSegment[], appId: number | null): BucketRow[] {
  if (segments.length === 0) return [];
  const params: Record<string, unknown> = { segments: segmentsParam(segments) };
  if (appId !== null) params['app'] = appId;
  return statement(db, 'bucket', appId !== null).all(params) as BucketRow[];
}

// The one SQL statement behind every usage query: sums the rows of the planned segments, each
// segment tagged with the bucket it belongs to, grouped by bucket (and app). The segments travel as
// one JSON parameter, so the statement text never changes and stays prepared. CROSS JOIN fixes the
// join order (SQLite keeps the left table outer): the few segments drive index range searches into
// the usage tables; the planner cannot know the JSON holds few rows and might scan a table instead.
import type Database from 'better-sqlite3';
import { assertNever } from '../../../src-shared/result.js';
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

/**
 * The five branches (exact daily, hourly, raw; estimates from hourly and daily), each summing its own
 * rows per segment (and app) before the union, so that only a few rows per bucket flow on.
 */
function partsSql(byApp: boolean, appFilter: boolean): string {
  const app = appFilter ? ' AND t.app_id = $app' : '';
  const cols = byApp ? 'seg.i, t.app_id' : 'seg.i';
  const group = byApp ? 'GROUP BY seg.i, t.app_id' : 'GROUP BY seg.i';
  const exact = 'sum(t.bytes_in), sum(t.bytes_out)';
  const hourShare = '(min(seg.s1, t.hour_start + 3600) - max(seg.s0, t.hour_start)) / 3600.0';
  const dayShare = '(min(seg.s1, t.day_end) - max(seg.s0, t.day_start)) * 1.0 / (t.day_end - t.day_start)';
  return `
WITH seg (i, k, s0, s1) AS MATERIALIZED (
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($segments)
),
parts (${byApp ? 'i, app_id' : 'i'}, bi, bo) AS (
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
  SELECT ${cols}, sum(t.bytes_in * ${hourShare}), sum(t.bytes_out * ${hourShare})
    FROM seg CROSS JOIN usage_hourly AS t ON t.hour_start > seg.s0 - 3600 AND t.hour_start < seg.s1${app}
    WHERE seg.k = 'ha' ${group}
  UNION ALL
  -- An estimated piece lies within one local day: the day row that contains its start.
  SELECT ${cols}, sum(t.bytes_in * ${dayShare}), sum(t.bytes_out * ${dayShare})
    FROM seg CROSS JOIN usage_daily AS t
      ON t.day_start > seg.s0 - ${LONGEST_DAY_S} AND t.day_start <= seg.s0 AND t.day_end > seg.s0${app}
    WHERE seg.k = 'da' ${group}
)`;
}

/** The statement variants: grouped by bucket and app, or by bucket only; for all apps or one. */
export type AggregateShape = 'bucket-app' | 'bucket';

/** SQL of one variant (exported for the EXPLAIN QUERY PLAN test). */
export function aggregateSql(shape: AggregateShape, appFilter: boolean): string {
  const sum = 'CAST(round(sum(parts.bi)) AS INTEGER) AS bytesIn, CAST(round(sum(parts.bo)) AS INTEGER) AS bytesOut';
  switch (shape) {
    case 'bucket-app':
      return `${partsSql(true, appFilter)}
SELECT g.bucket, apps.name AS app, g.bytesIn, g.bytesOut
  FROM (SELECT parts.i AS bucket, parts.app_id, ${sum} FROM parts GROUP BY parts.i, parts.app_id) AS g
  CROSS JOIN apps ON apps.id = g.app_id`;
    case 'bucket':
      return `${partsSql(false, appFilter)}
SELECT parts.i AS bucket, ${sum} FROM parts GROUP BY parts.i`;
    default:
      return assertNever(shape, 'aggregate shape');
  }
}

/** The prepared statement for a variant, prepared once per connection. */
function statement(db: Database.Database, shape: AggregateShape, appFilter: boolean): Database.Statement {
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
export function sumByBucketAndApp(db: Database.Database, segments: readonly BucketSegment[], appId: number | null): BucketAppRow[] {
  if (segments.length === 0) return [];
  const params: Record<string, unknown> = { segments: segmentsParam(segments) };
  if (appId !== null) params['app'] = appId;
  return statement(db, 'bucket-app', appId !== null).all(params) as BucketAppRow[];
}

/** Sums the segments per bucket. */
export function sumByBucket(db: Database.Database, segments: readonly BucketSegment[], appId: number | null): BucketRow[] {
  if (segments.length === 0) return [];
  const params: Record<string, unknown> = { segments: segmentsParam(segments) };
  if (appId !== null) params['app'] = appId;
  return statement(db, 'bucket', appId !== null).all(params) as BucketRow[];
}

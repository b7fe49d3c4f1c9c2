// The query layer: every view (CLI, HTTP, IPC) reads usage through these functions. Each answers
// from the coarsest table that covers the range (see plan.ts) and says which tiers answered and
// whether part of it is an estimate. Ranges are half-open [since, until) in epoch seconds.
import type { ReadableDB } from '../store/readable.js';
import { readCoverage } from '../store/meta.js';
import { cachedStatement } from '../store/statements.js';
import { HOUR_S, localDateLabel, localDayStart, nextLocalDayStart } from '../store/time.js';
import { sumByBucket, sumByBucketAndApp, type BucketSegment } from './aggregate.js';
import { planRange, provenanceOf, type Segment, type Tier } from './plan.js';

/** A half-open range [since, until) in epoch seconds. */
export interface QueryRange {
  since: number;
  until: number;
}

/** Which tables answered, coarsest first, and whether any part was estimated from a coarser one. */
export interface Provenance {
  tiers: Tier[];
  approximate: boolean;
}

/** Bytes received and sent. */
export interface Bytes {
  bytesIn: number;
  bytesOut: number;
}

/** One application's bytes. */
export interface AppBytes extends Bytes {
  app: string;
}

/** The SQL of the small queries (the usage sums are in aggregate.ts); exported for the EXPLAIN QUERY PLAN test. */
export const QUERY_SQL = {
  appId: 'SELECT id FROM apps WHERE name = ?',
  processes: `SELECT p.name, p.pid, p.path, p.first_seen AS firstSeen, p.last_seen AS lastSeen
      FROM processes AS p
     WHERE p.app_id = (SELECT id FROM apps WHERE name = ?) AND p.last_seen >= ? AND p.first_seen < ?
     ORDER BY p.last_seen DESC, p.name, p.pid
     LIMIT ?`,
  // `+p.app_id`: walk the range on last_seen, not every row in app order.
  lastSeen: `SELECT a.name AS app, max(p.last_seen) AS lastSeen
      FROM processes AS p JOIN apps AS a ON a.id = p.app_id
     WHERE p.last_seen >= ? AND p.first_seen < ?
     GROUP BY +p.app_id`,
  gaps: 'SELECT start_ts AS start, end_ts AS end, reason FROM gaps WHERE end_ts > ? AND start_ts < ? ORDER BY start_ts',
  lastRaw: 'SELECT max(ts) AS ts FROM usage_raw',
  lastHourly: 'SELECT max(hour_start) AS ts FROM usage_hourly',
} as const;

/** Largest number of buckets one query may ask for. */
export const MAX_BUCKETS = 20_000;

/** Throws RangeError unless the range is whole epoch seconds with since <= until. */
export function checkRange(range: QueryRange): void {
  if (!Number.isSafeInteger(range.since) || !Number.isSafeInteger(range.until)) {
    throw new RangeError(`since and until must be whole epoch seconds (got ${range.since}, ${range.until})`);
  }
  if (range.until < range.since) throw new RangeError(`until (${range.until}) is before since (${range.since})`);
}

/** The id of an app by name; null when it was never stored. */
export function appIdOf(db: ReadableDB, app: string): number | null {
  const row = cachedStatement(db, QUERY_SQL.appId).get(app) as { id: number } | undefined;
  return row?.id ?? null;
}

interface Bucket {
  start: number;
  end: number;
  segments: Segment[];
}

function planBuckets(db: ReadableDB, edges: readonly { start: number; from: number; to: number; end: number }[]): {
  buckets: Bucket[];
  flat: BucketSegment[];
} {
  const coverage = readCoverage(db);
  const buckets: Bucket[] = [];
  const flat: BucketSegment[] = [];
  edges.forEach((e, i) => {
    const segments = planRange(e.from, e.to, coverage);
    buckets.push({ start: e.start, end: e.end, segments });
    for (const s of segments) flat.push({ ...s, bucket: i });
  });
  return { buckets, flat };
}

/** Totals per application over a range, largest total first. */
export interface AppTotalsResult extends QueryRange, Provenance {
  rows: AppBytes[];
  totals: Bytes;
}

/** Totals per application over [since, until), sorted by bytesIn + bytesOut, largest first. */
export function totalsByApp(db: ReadableDB, range: QueryRange, options: { limit?: number } = {}): AppTotalsResult {
  checkRange(range);
  const { flat } = planBuckets(db, [{ start: range.since, from: range.since, to: range.until, end: range.until }]);
  const rows = sumByBucketAndApp(db, flat, null)
    .filter((r) => r.bytesIn + r.bytesOut > 0)
    .map((r) => ({ app: r.app, bytesIn: r.bytesIn, bytesOut: r.bytesOut }))
    .sort((a, b) => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut) || (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  // The totals are the sum of every app, also those a limit leaves out.
  const totals = rows.reduce((t, r) => ({ bytesIn: t.bytesIn + r.bytesIn, bytesOut: t.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
  const limited = options.limit === undefined ? rows : rows.slice(0, options.limit);
  return { since: range.since, until: range.until, rows: limited, totals, ...provenanceOf(flat) };
}

/** Grand totals over a range. */
export interface TotalsResult extends QueryRange, Provenance, Bytes {
  app: string | null;
}

/** Bytes over [since, until), for all applications or one. */
export function grandTotals(db: ReadableDB, range: QueryRange, options: { app?: string | null } = {}): TotalsResult {
  checkRange(range);
  const app = options.app ?? null;
  const { flat } = planBuckets(db, [{ start: range.since, from: range.since, to: range.until, end: range.until }]);
  const appId = app === null ? null : appIdOf(db, app);
  const row = app !== null && appId === null ? undefined : sumByBucket(db, flat, appId)[0];
  return { since: range.since, until: range.until, app, bytesIn: row?.bytesIn ?? 0, bytesOut: row?.bytesOut ?? 0, ...provenanceOf(flat) };
}

/** One bucket of a timeline. `ts`..`end` is the nominal bucket; the data covers its part inside the range. */
export interface TimelinePoint extends Bytes {
  ts: number;
  end: number;
  approximate: boolean;
}

/** Bytes over time, every bucket present (zeros included). */
export interface TimelineResult extends QueryRange, Provenance {
  bucketS: number;
  app: string | null;
  points: TimelinePoint[];
}

/** Bucket edges: local days for 86 400, otherwise multiples of `bucketS` since the epoch. */
export function bucketEdges(range: QueryRange, bucketS: number): { start: number; from: number; to: number; end: number }[] {
  if (!Number.isSafeInteger(bucketS) || bucketS <= 0) throw new RangeError(`bucket must be a positive whole number of seconds (got ${bucketS})`);
  const out: { start: number; from: number; to: number; end: number }[] = [];
  const next = bucketS === 86_400 ? nextLocalDayStart : (t: number) => t + bucketS;
  let start = bucketS === 86_400 ? localDayStart(range.since) : Math.floor(range.since / bucketS) * bucketS;
  while (start < range.until) {
    const end = next(start);
    out.push({ start, end, from: Math.max(start, range.since), to: Math.min(end, range.until) });
    if (out.length > MAX_BUCKETS) throw new RangeError(`the range holds more than ${MAX_BUCKETS} buckets of ${bucketS} s`);
    start = end;
  }
  return out;
}

/** Sums per bucket of `edges` (from `bucketEdges`), every bucket present, and which tiers answered. */
export function bucketSeries(
  db: ReadableDB,
  range: QueryRange,
  edges: { start: number; from: number; to: number; end: number }[],
  app: string | null,
): { points: TimelinePoint[]; provenance: Provenance } {
  const { buckets, flat } = planBuckets(db, edges);
  const appId = app === null ? null : appIdOf(db, app);
  const sums = app !== null && appId === null ? [] : sumByBucket(db, flat, appId);
  const byBucket = new Map(sums.map((r) => [r.bucket, r]));
  const points = buckets.map((b, i) => ({
    ts: b.start,
    end: b.end,
    bytesIn: byBucket.get(i)?.bytesIn ?? 0,
    bytesOut: byBucket.get(i)?.bytesOut ?? 0,
    approximate: b.segments.some((s) => !s.exact),
  }));
  return { points, provenance: provenanceOf(flat) };
}

/**
 * Bytes per bucket over [since, until), for all applications or one. `bucketS` 86 400 means local
 * days (23–25 h around DST changes); other sizes are aligned to multiples of `bucketS` since the epoch.
 */
export function timeline(db: ReadableDB, request: QueryRange & { bucketS: number; app?: string | null }): TimelineResult {
  checkRange(request);
  const app = request.app ?? null;
  const { points, provenance } = bucketSeries(db, request, bucketEdges(request, request.bucketS), app);
  return { since: request.since, until: request.until, bucketS: request.bucketS, app, points, ...provenance };
}

/** One local day's bytes. */
export interface DayTotals extends Bytes {
  /** Local midnight (epoch s) and the next one: 23, 24 or 25 hours apart. */
  dayStart: number;
  dayEnd: number;
  /** `YYYY-MM-DD`, local. */
  date: string;
  approximate: boolean;
}

/** Bytes per local day. */
export interface DaysResult extends QueryRange, Provenance {
  app: string | null;
  days: DayTotals[];
}

/** Bytes per local day for every day that overlaps [since, until) (each day clipped to the range). */
export function totalsByDay(db: ReadableDB, request: QueryRange & { app?: string | null }): DaysResult {
  checkRange(request);
  const app = request.app ?? null;
  const { points, provenance } = bucketSeries(db, request, bucketEdges(request, 86_400), app);
  const days = points.map((p) => ({ dayStart: p.ts, dayEnd: p.end, date: localDateLabel(p.ts), bytesIn: p.bytesIn, bytesOut: p.bytesOut, approximate: p.approximate }));
  return { since: request.since, until: request.until, app, days, ...provenance };
}

/** A process seen behind an application. */
export interface ProcessDetail {
  name: string;
  pid: number;
  path: string | null;
  /** Epoch seconds. */
  firstSeen: number;
  lastSeen: number;
}

/** The processes seen behind `app` during [since, until) (default: all time), most recently seen first. */
export function processesForApp(
  db: ReadableDB,
  request: { app: string; since?: number; until?: number; limit?: number },
): ProcessDetail[] {
  const since = request.since ?? 0;
  const until = request.until ?? Number.MAX_SAFE_INTEGER;
  checkRange({ since, until });
  const rows = cachedStatement(db, QUERY_SQL.processes).all(request.app, since, until, request.limit ?? 500) as (Omit<ProcessDetail, 'path'> & { path: string })[];
  return rows.map((r) => ({ ...r, path: r.path === '' ? null : r.path }));
}

/**
 * When a process of each application was last seen, over the processes seen during [since, until)
 * (the same rows `processesForApp` lists): one query for a whole apps list. Apps with none are absent.
 */
export function lastSeenByApp(db: ReadableDB, range: QueryRange): Map<string, number> {
  checkRange(range);
  const rows = cachedStatement(db, QUERY_SQL.lastSeen).all(range.since, range.until) as { app: string; lastSeen: number }[];
  return new Map(rows.map((r) => [r.app, r.lastSeen]));
}

/** Every application ever stored, by name. */
export function listApps(db: ReadableDB): { id: number; name: string }[] {
  return cachedStatement(db, 'SELECT id, name FROM apps ORDER BY name').all() as { id: number; name: string }[];
}

/** A stretch without measurement, in epoch seconds. */
export interface GapRow {
  start: number;
  end: number;
  /** One of `Gap['reason']`, or a reason a later netmon wrote. */
  reason: string;
}

/** Gaps that overlap [since, until), oldest first. */
export function gapsInRange(db: ReadableDB, range: QueryRange): GapRow[] {
  checkRange(range);
  return cachedStatement(db, QUERY_SQL.gaps).all(range.since, range.until) as GapRow[];
}

/** Epoch seconds of the newest stored usage row, or null when there is none. */
export function lastUsageAt(db: ReadableDB): number | null {
  const row = cachedStatement(db, QUERY_SQL.lastRaw).get() as { ts: number | null };
  if (row.ts !== null) return row.ts;
  const hourly = cachedStatement(db, QUERY_SQL.lastHourly).get() as { ts: number | null };
  return hourly.ts === null ? null : hourly.ts + HOUR_S;
}

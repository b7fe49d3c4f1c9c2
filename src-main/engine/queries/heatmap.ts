// The hour-of-week heatmap: 168 cells of local time, Monday 00:00 first.
//
// Which cell a row counts in: the local weekday and hour of the START of its epoch hour (the hour
// that holds its instant ts − 1). Where the zone's offset is whole hours that is simply the local
// hour of the instant. In half-hour zones (India, parts of Australia) an epoch hour straddles two
// local hours and the hourly rollups cannot be split, so raw rows follow the same rule: the answer
// never depends on which tier answered.
//
// [since, until) is cut at `split`, where the hourly tier starts to hold whole local days. After it,
// the whole epoch hours are summed per (weekday, hour) in SQL straight from usage_hourly, the local
// time computed from a JSON table of constant-offset stretches (a few per year, so DST is exact);
// the sub-hour edges (at most two, each inside one epoch hour) are summed like any other range
// (raw rows, or an estimate from their hour) and land in their hour's cell. Before `split` only
// daily rows remain: each local day's sum is spread evenly over its local hours, an estimate.
import type { ReadableDB } from '../store/readable.js';
import { readCoverage } from '../store/meta.js';
import { cachedStatement } from '../store/statements.js';
import { hourCeil, hourStart, localDayCeil } from '../store/time.js';
import { sumByBucket, type BucketSegment } from './aggregate.js';
import { planRange, provenanceOf, type Tier } from './plan.js';
import { appIdOf, bucketEdges, bucketSeries, checkRange, type Bytes, type Provenance, type QueryRange } from './queries.js';
import { hourOfWeek, offsetSegments, segmentAt, type OffsetSegment } from './zone.js';

/** One cell of the hour-of-week heatmap; weekday 0 is Monday, hour in local time. */
export interface HeatmapCell extends Bytes {
  weekday: number;
  hour: number;
}

/** Bytes by hour of the week. */
export interface HeatmapResult extends QueryRange, Provenance {
  cells: HeatmapCell[];
}

const CELLS = 7 * 24;

/**
 * Summed per hour first, in the primary key's order (no sort), so that only one row per hour meets
 * the offset stretches; then per (weekday, hour). Epoch day 0 (1970-01-01) was a Thursday: weekday 3
 * when Monday is 0. Local seconds are positive for any date this store holds, so `/` and `%` floor.
 */
function hoursSql(appFilter: boolean): string {
  const app = appFilter ? 'app_id = $app AND ' : '';
  return `
WITH z (f, t, o) AS MATERIALIZED (
  SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each($zones)
),
per (hs, bi, bo) AS MATERIALIZED (
  SELECT hour_start, sum(bytes_in), sum(bytes_out) FROM usage_hourly
   WHERE ${app}hour_start >= $from AND hour_start < $to GROUP BY hour_start
)
SELECT ((per.hs + z.o) / 86400 + 3) % 7 AS weekday, (per.hs + z.o) % 86400 / 3600 AS hour,
       sum(per.bi) AS bytesIn, sum(per.bo) AS bytesOut
  FROM per CROSS JOIN z ON per.hs >= z.f AND per.hs < z.t
 GROUP BY weekday, hour`;
}

/** The heatmap's SQL over whole hours, for all apps or one (exported for the EXPLAIN QUERY PLAN test). */
export const HEATMAP_SQL = { allApps: hoursSql(false), oneApp: hoursSql(true) } as const;

/** The offset stretches as the SQL's JSON table: [from, to, offsetS] rows. */
export function zonesParam(segments: readonly OffsetSegment[]): string {
  return JSON.stringify(segments.map((s) => [s.from, s.to, s.offsetS]));
}

/**
 * Bytes by local hour of the week over [since, until): always 168 cells, Monday 00:00 first. Exact
 * wherever the hourly or raw tier holds the range; where only daily rows remain, each day is spread
 * evenly over its local hours (flagged `approximate`).
 */
export function heatmap(db: ReadableDB, request: QueryRange & { app?: string | null }): HeatmapResult {
  checkRange(request);
  const { since, until } = request;
  const app = request.app ?? null;
  const appId = app === null ? null : appIdOf(db, app);
  const unknownApp = app !== null && appId === null;
  const bytesIn = new Float64Array(CELLS);
  const bytesOut = new Float64Array(CELLS);
  const add = (cell: number, bi: number, bo: number): void => {
    bytesIn[cell] = (bytesIn[cell] ?? 0) + bi;
    bytesOut[cell] = (bytesOut[cell] ?? 0) + bo;
  };
  // From the start of the first epoch hour: an edge's cell is that of its hour's start.
  const zones = offsetSegments(hourStart(since), until);
  const provenances: Provenance[] = [];

  const coverage = readCoverage(db);
  const hourlyFrom = coverage.hourlyFrom;
  const split = Math.min(Math.max(since, hourlyFrom === Number.NEGATIVE_INFINITY ? since : localDayCeil(hourlyFrom)), until);

  if (split > since) {
    const old = { since, until: split };
    const days = bucketSeries(db, old, bucketEdges(old, 86_400), app);
    provenances.push({ ...days.provenance, approximate: true });
    for (const p of days.points) spreadOverLocalHours(zones, Math.max(p.ts, since), Math.min(p.end, split), p.bytesIn, p.bytesOut, add);
  }

  if (until > split) {
    const h0 = hourCeil(split);
    const h1 = hourStart(until);
    const edges: [number, number][] = h0 <= h1 ? [[split, h0], [h1, until]] : [[split, until]];
    const flat: BucketSegment[] = [];
    edges.forEach(([from, to], bucket) => {
      for (const seg of planRange(from, to, coverage)) flat.push({ ...seg, bucket });
    });
    if (h0 < h1) provenances.push({ tiers: ['hourly'], approximate: false });
    provenances.push(provenanceOf(flat));
    if (!unknownApp) {
      if (h0 < h1) {
        const params: Record<string, unknown> = { zones: zonesParam(zones), from: h0, to: h1 };
        if (appId !== null) params['app'] = appId;
        const sql = appId === null ? HEATMAP_SQL.allApps : HEATMAP_SQL.oneApp;
        for (const r of cachedStatement(db, sql).all(params) as (Bytes & { weekday: number; hour: number })[]) add(r.weekday * 24 + r.hour, r.bytesIn, r.bytesOut);
      }
      for (const r of sumByBucket(db, flat, appId)) {
        const edge = edges[r.bucket];
        if (edge === undefined) continue;
        const h = hourStart(edge[0]);
        add(hourOfWeek(h + segmentAt(zones, h).offsetS), r.bytesIn, r.bytesOut);
      }
    }
  }

  const cells: HeatmapCell[] = [];
  for (let cell = 0; cell < CELLS; cell += 1) {
    cells.push({ weekday: Math.floor(cell / 24), hour: cell % 24, bytesIn: Math.round(bytesIn[cell] ?? 0), bytesOut: Math.round(bytesOut[cell] ?? 0) });
  }
  const order: Tier[] = ['daily', 'hourly', 'raw'];
  const tiers = order.filter((t) => provenances.some((p) => p.tiers.includes(t)));
  return { since, until, cells, tiers, approximate: provenances.some((p) => p.approximate) };
}

/** Spreads bytes over [from, to) evenly by time, cut at local hour boundaries and offset changes. */
function spreadOverLocalHours(
  zones: readonly OffsetSegment[],
  from: number,
  to: number,
  bi: number,
  bo: number,
  add: (cell: number, bi: number, bo: number) => void,
): void {
  const span = to - from;
  if (span <= 0 || bi + bo === 0) return;
  let t = from;
  while (t < to) {
    const seg = segmentAt(zones, t);
    const local = t + seg.offsetS;
    const nextLocalHour = t + 3600 - (((local % 3600) + 3600) % 3600);
    const end = Math.min(to, nextLocalHour, seg.to);
    const share = (end - t) / span;
    add(hourOfWeek(local), bi * share, bo * share);
    t = end;
  }
}

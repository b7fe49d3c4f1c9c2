// The grids the dashboard draws: a timeline's buckets over a range, and the hour-of-week heatmap's
// 168 cells. The queries answer only where there were bytes; these make the grid whole, with every
// empty bucket or cell at zero and each row in the bucket that holds it.
import type { BucketSeconds, HeatmapCell, ResolvedRange, TimelinePoint } from '../../../src-shared/contract/types.js';
import { localDayStart } from '../store/time.js';

const DAY = 86_400;

/**
 * Start of every bucket that overlaps the range, ascending. Day buckets start at local midnight
 * (so a DST day is 23 or 25 hours); shorter ones at multiples of their width since the epoch.
 */
export function bucketStarts(range: ResolvedRange, bucketS: BucketSeconds): number[] {
  const starts: number[] = [];
  if (range.until <= range.since) return starts;
  if (bucketS === DAY) {
    const d = new Date(localDayStart(range.since) * 1000);
    while (d.getTime() / 1000 < range.until) {
      starts.push(Math.floor(d.getTime() / 1000));
      d.setDate(d.getDate() + 1);
    }
    return starts;
  }
  for (let t = Math.floor(range.since / bucketS) * bucketS; t < range.until; t += bucketS) starts.push(t);
  return starts;
}

/**
 * Every bucket of the range, each holding the sum of the rows that fall in it (whatever alignment
 * the rows came in); rows before the first bucket are left out. A bucket is `approximate` as soon as
 * one of its rows is, and so is the whole timeline.
 */
export function fillBuckets(range: ResolvedRange, bucketS: BucketSeconds, rows: Iterable<TimelinePoint>): { points: TimelinePoint[]; approximate: boolean } {
  const starts = bucketStarts(range, bucketS);
  const points: TimelinePoint[] = starts.map((ts) => ({ ts, bytesIn: 0, bytesOut: 0 }));
  let approximate = false;
  for (const row of rows) {
    // Rows land in the bucket that holds them, whatever alignment the query layer used.
    let lo = 0;
    let hi = starts.length - 1;
    if (hi < 0 || row.ts < (starts[0] ?? 0)) continue;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= row.ts) lo = mid;
      else hi = mid - 1;
    }
    const point = points[lo];
    if (point === undefined) continue;
    point.bytesIn += row.bytesIn;
    point.bytesOut += row.bytesOut;
    // A bucket is an estimate as soon as one row it holds is; an estimated row of zero bytes still is
    // (nothing proves the hour was idle), so the flag does not depend on the bytes.
    if (row.approximate === true) {
      point.approximate = true;
      approximate = true;
    }
  }
  return { points, approximate };
}

/** The 168 cells of the week, Monday 00:00 first, with the rows summed into theirs; a row outside the week is left out. */
export function heatmapGrid(rows: Iterable<HeatmapCell>): HeatmapCell[] {
  const cells: HeatmapCell[] = [];
  for (let weekday = 0; weekday < 7; weekday++) for (let hour = 0; hour < 24; hour++) cells.push({ weekday, hour, bytesIn: 0, bytesOut: 0 });
  for (const row of rows) {
    const cell = cells[row.weekday * 24 + row.hour];
    if (cell === undefined || row.weekday < 0 || row.weekday > 6 || row.hour < 0 || row.hour > 23) continue;
    cell.bytesIn += row.bytesIn;
    cell.bytesOut += row.bytesOut;
  }
  return cells;
}

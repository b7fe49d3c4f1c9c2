// The grids the dashboard draws (engine/queries/grid.ts): bucket starts in local time, rows filled
// into the bucket or cell that holds them. The test script pins TZ=Europe/Berlin; expected instants
// are written as UTC with Berlin's offset worked out by hand (CEST from 2026-03-29 01:00 UTC).
import { describe, expect, it } from 'vitest';
import { bucketStarts, fillBuckets, heatmapGrid } from '../../../../src-main/engine/queries/grid.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi) / 1000;
const berlin = process.env['TZ'] === 'Europe/Berlin';

describe.runIf(berlin)('bucket starts in local time (Europe/Berlin)', () => {
  it('day buckets follow local midnights through the 23-hour day', () => {
    const starts = bucketStarts({ since: utc(2026, 3, 27, 23), until: utc(2026, 3, 30, 22) }, 86_400);
    expect(starts).toEqual([utc(2026, 3, 27, 23), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)]);
  });

  it('a row 23½ hours into the 23-hour day fills the next day (24-hour buckets would keep it)', () => {
    const range = { since: utc(2026, 3, 28, 23), until: utc(2026, 3, 30, 22) };
    const filled = fillBuckets(range, 86_400, [
      { ts: utc(2026, 3, 29, 21, 59), bytesIn: 5, bytesOut: 1 },
      { ts: utc(2026, 3, 29, 22, 30), bytesIn: 7, bytesOut: 2 },
    ]);
    expect(filled.points).toEqual([
      { ts: utc(2026, 3, 28, 23), bytesIn: 5, bytesOut: 1 },
      { ts: utc(2026, 3, 29, 22), bytesIn: 7, bytesOut: 2 },
    ]);
  });
});

describe('bucket starts and filling, independent of the zone', () => {
  it('sub-day buckets start at multiples of their width and cover the range', () => {
    expect(bucketStarts({ since: 1000, until: 1900 }, 300)).toEqual([900, 1200, 1500, 1800]);
    expect(bucketStarts({ since: 1200, until: 1500 }, 300)).toEqual([1200]);
    expect(bucketStarts({ since: 1500, until: 1500 }, 300)).toEqual([]);
  });

  it.each([
    ['at a bucket start', 1200, 1],
    ['inside a bucket', 1499, 1],
    ['in the first bucket, before the range starts', 950, 0],
    ['in the last bucket', 1899, 3],
  ])('a row %s lands in its bucket', (_what, ts, index) => {
    const { points } = fillBuckets({ since: 1000, until: 1900 }, 300, [{ ts, bytesIn: 7, bytesOut: 3 }]);
    expect(points.map((p) => p.bytesIn)).toEqual([0, 1, 2, 3].map((i) => (i === index ? 7 : 0)));
    expect(points.map((p) => p.bytesOut)).toEqual([0, 1, 2, 3].map((i) => (i === index ? 3 : 0)));
  });

  it('leaves out a row before the first bucket, and sums rows that share one', () => {
    const { points, approximate } = fillBuckets({ since: 1000, until: 1900 }, 300, [
      { ts: 899, bytesIn: 1000, bytesOut: 1000 },
      { ts: 1200, bytesIn: 1, bytesOut: 2 },
      { ts: 1300, bytesIn: 10, bytesOut: 20 },
    ]);
    expect(points).toEqual([
      { ts: 900, bytesIn: 0, bytesOut: 0 },
      { ts: 1200, bytesIn: 11, bytesOut: 22 },
      { ts: 1500, bytesIn: 0, bytesOut: 0 },
      { ts: 1800, bytesIn: 0, bytesOut: 0 },
    ]);
    expect(approximate).toBe(false);
  });

  it('marks a bucket approximate when one of its rows is, even a row of zero bytes, and the whole with it', () => {
    const { points, approximate } = fillBuckets({ since: 1200, until: 1800 }, 300, [
      { ts: 1200, bytesIn: 5, bytesOut: 5 },
      { ts: 1500, bytesIn: 0, bytesOut: 0, approximate: true },
    ]);
    expect(points).toEqual([
      { ts: 1200, bytesIn: 5, bytesOut: 5 },
      { ts: 1500, bytesIn: 0, bytesOut: 0, approximate: true },
    ]);
    expect(approximate).toBe(true);
  });

  it('an empty range has no buckets, and its rows go nowhere', () => {
    expect(fillBuckets({ since: 1500, until: 1500 }, 300, [{ ts: 1500, bytesIn: 1, bytesOut: 1 }])).toEqual({ points: [], approximate: false });
  });
});

describe('the heatmap grid', () => {
  it('has 168 cells, Monday 00:00 first, Sunday 23:00 last, each row summed into its own', () => {
    const cells = heatmapGrid([
      { weekday: 0, hour: 0, bytesIn: 1, bytesOut: 2 },
      { weekday: 0, hour: 0, bytesIn: 10, bytesOut: 20 },
      { weekday: 2, hour: 13, bytesIn: 5, bytesOut: 6 },
      { weekday: 6, hour: 23, bytesIn: 13, bytesOut: 14 },
    ]);
    expect(cells).toHaveLength(168);
    expect(cells[0]).toEqual({ weekday: 0, hour: 0, bytesIn: 11, bytesOut: 22 });
    expect(cells[2 * 24 + 13]).toEqual({ weekday: 2, hour: 13, bytesIn: 5, bytesOut: 6 });
    expect(cells[167]).toEqual({ weekday: 6, hour: 23, bytesIn: 13, bytesOut: 14 });
    expect(cells.reduce((sum, c) => sum + c.bytesIn, 0)).toBe(29);
  });

  it.each([
    [-1, 0],
    [7, 0],
    [0, 24],
    [0, -1],
    [1, 24],
  ])('leaves out a row at weekday %i, hour %i', (weekday, hour) => {
    const cells = heatmapGrid([{ weekday, hour, bytesIn: 99, bytesOut: 99 }]);
    expect(cells.every((c) => c.bytesIn === 0 && c.bytesOut === 0)).toBe(true);
  });
});

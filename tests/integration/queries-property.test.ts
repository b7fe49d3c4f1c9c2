// Property: for random rows and random ranges, the coarsest-tier answer equals the brute-force sum of
// the rows themselves. Rows and ranges gather at hour boundaries and local midnights (± 1 s), over
// the 25-hour day of 2024-10-27 in Europe/Berlin. A second property does the same after retention,
// for ranges aligned to what the remaining tiers hold exactly. A third runs every query across DST
// changes of other zones (process.env.TZ switched inside the test: Node applies it at once), among
// them a half-hour zone and a zone whose offset changes by 30 minutes in mid epoch hour.
//
// The heatmap's brute force reads local weekday and hour with Intl in the named zone (not with the
// Date getters the code under test relies on): a row counts in the cell of its epoch hour's start,
// which in whole-hour zones is the cell of its instant ts - 1.
process.env.TZ = 'Europe/Berlin';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grandTotals, heatmap, timeline, totalsByApp, totalsByDay } from '../../src-main/engine/queries/index.js';
import { openStore, readCoverage, type Store } from '../../src-main/engine/store/index.js';
import { UNATTRIBUTED, type AppUsage } from '../../src-main/engine/types.js';
import { tempRoot, utc } from '../helpers/store.js';

// Local midnights in Berlin, by hand: CEST (UTC+2) until 2024-10-27 03:00, CET (UTC+1) after.
const MIDNIGHTS = [
  utc(2024, 10, 20, 22),
  utc(2024, 10, 21, 22),
  utc(2024, 10, 22, 22),
  utc(2024, 10, 23, 22),
  utc(2024, 10, 24, 22),
  utc(2024, 10, 25, 22),
  utc(2024, 10, 26, 22), // 2024-10-27 00:00, a 25-hour day
  utc(2024, 10, 27, 23),
  utc(2024, 10, 28, 23),
  utc(2024, 10, 29, 23),
  utc(2024, 10, 30, 23),
];
const T0 = utc(2024, 10, 24, 22); // 2024-10-25 00:00 local
const T1 = T0 + 4 * 86_400 + 3600; // 2024-10-29 00:00 local
const APPS = ['a', 'b', 'c', UNATTRIBUTED];

const dayOf = (t: number): number => Math.max(...MIDNIGHTS.filter((m) => m <= t));
const dayCeil = (t: number): number => Math.min(...MIDNIGHTS.filter((m) => m >= t));

/** How the brute force reads a zone: local dates and hour-of-week cells, by Intl. */
interface ZoneView {
  zone: string;
  dateOf(t: number): string;
  /** weekday × 24 + hour (Monday 0) of the cell a row stamped `ts` counts in. */
  cellOf(ts: number): number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function zoneView(zone: string): ZoneView {
  const date = new Intl.DateTimeFormat('sv-SE', { timeZone: zone });
  const wall = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
  const cellAt = (t: number): number => {
    const parts = wall.formatToParts(new Date(t * 1000));
    const weekday = WEEKDAYS.indexOf(parts.find((p) => p.type === 'weekday')?.value ?? '');
    const hour = Number(parts.find((p) => p.type === 'hour')?.value);
    if (weekday < 0 || !Number.isInteger(hour)) throw new Error(`unreadable wall time for ${t} in ${zone}`);
    return weekday * 24 + hour;
  };
  return { zone, dateOf: (t) => date.format(new Date(t * 1000)), cellOf: (ts) => cellAt(Math.floor((ts - 1) / 3600) * 3600) };
}

const BERLIN = zoneView('Europe/Berlin');

const instant = fc.oneof(
  fc.integer({ min: T0 - 86_400, max: T1 + 86_400 }),
  fc.tuple(fc.integer({ min: -24, max: 4 * 24 + 24 }), fc.integer({ min: -1, max: 1 })).map(([h, d]) => T0 + h * 3600 + d),
  fc.tuple(fc.constantFrom(...MIDNIGHTS.slice(2)), fc.integer({ min: -1, max: 1 })).map(([m, d]) => m + d),
);
const rowTs = fc.oneof(
  fc.integer({ min: T0 + 1, max: T1 }),
  fc.tuple(fc.integer({ min: 1, max: 4 * 24 }), fc.integer({ min: -1, max: 1 })).map(([h, d]) => T0 + h * 3600 + d),
  fc.tuple(fc.constantFrom(...MIDNIGHTS.slice(4, 9)), fc.integer({ min: 0, max: 1 })).map(([m, d]) => m + d),
);
const row = fc.record({
  ts: rowTs,
  durationS: fc.constant(5),
  app: fc.constantFrom(...APPS),
  bytesIn: fc.integer({ min: 0, max: 2e9 }),
  bytesOut: fc.integer({ min: 0, max: 5e8 }),
});
const range = fc.tuple(instant, instant).map(([a, b]) => (a <= b ? { since: a, until: b } : { since: b, until: a }));

type Sums = Record<string, { bytesIn: number; bytesOut: number }>;
function bruteByKey(rows: AppUsage[], since: number, until: number, key: (r: AppUsage) => string | number): Sums {
  const out: Sums = {};
  for (const r of rows) {
    if (!(r.ts > since && r.ts <= until)) continue; // a row is counted at ts - 1: inside [since, until)
    const k = String(key(r));
    const s = (out[k] ??= { bytesIn: 0, bytesOut: 0 });
    s.bytesIn += r.bytesIn;
    s.bytesOut += r.bytesOut;
  }
  for (const [k, v] of Object.entries(out)) if (v.bytesIn + v.bytesOut === 0) delete out[k];
  return out;
}

/** Writes the rows in chunks with a flush after each (rollups are upserted across flushes). */
function load(rows: AppUsage[], chunks: number[], options: { retention?: { rawDays: number; hourlyDays: number } } = {}): { store: Store; root: string } {
  const root = tempRoot('netmon-prop-');
  const store = openStore({ dataDir: path.join(root, 'data'), ...options });
  let at = 0;
  for (const size of [...chunks, rows.length]) {
    store.append(rows.slice(at, at + size));
    expect(store.flush().ok).toBe(true);
    at += size;
  }
  return { store, root };
}

/** The heatmap's non-zero cells as `weekday*24+hour` → bytes. */
function heatmapCells(store: Store, since: number, until: number, app?: string): Sums {
  const result = heatmap(store.db, { since, until, app });
  expect(result.cells.map((c) => c.weekday * 24 + c.hour)).toEqual(Array.from({ length: 168 }, (_, i) => i));
  return Object.fromEntries(result.cells.filter((c) => c.bytesIn + c.bytesOut > 0).map((c) => [String(c.weekday * 24 + c.hour), { bytesIn: c.bytesIn, bytesOut: c.bytesOut }]));
}

function checkRange(store: Store, rows: AppUsage[], since: number, until: number, zone: ZoneView = BERLIN): void {
  const label = `[${since}, ${until}) in ${zone.zone}`;
  const byApp = totalsByApp(store.db, { since, until });
  expect(Object.fromEntries(byApp.rows.map((r) => [r.app, { bytesIn: r.bytesIn, bytesOut: r.bytesOut }])), label).toEqual(bruteByKey(rows, since, until, (r) => r.app));
  expect(byApp.approximate, label).toBe(false);
  const all = bruteByKey(rows, since, until, () => 'all')['all'] ?? { bytesIn: 0, bytesOut: 0 };
  expect(grandTotals(store.db, { since, until }), label).toMatchObject(all);
  const a = bruteByKey(rows, since, until, (r) => r.app)['a'] ?? { bytesIn: 0, bytesOut: 0 };
  expect(grandTotals(store.db, { since, until }, { app: 'a' }), label).toMatchObject(a);
  const hours = timeline(store.db, { since, until, bucketS: 3600 });
  const gotHours = Object.fromEntries(hours.points.filter((p) => p.bytesIn + p.bytesOut > 0).map((p) => [String(p.ts), { bytesIn: p.bytesIn, bytesOut: p.bytesOut }]));
  expect(gotHours, label).toEqual(bruteByKey(rows, since, until, (r) => Math.floor((r.ts - 1) / 3600) * 3600));
  const days = totalsByDay(store.db, { since, until });
  const gotDays = Object.fromEntries(days.days.filter((d) => d.bytesIn + d.bytesOut > 0).map((d) => [d.date, { bytesIn: d.bytesIn, bytesOut: d.bytesOut }]));
  expect(gotDays, label).toEqual(bruteByKey(rows, since, until, (r) => zone.dateOf(r.ts - 1)));
  expect(heatmapCells(store, since, until), label).toEqual(bruteByKey(rows, since, until, (r) => zone.cellOf(r.ts)));
  expect(heatmapCells(store, since, until, 'a'), label).toEqual(bruteByKey(rows.filter((r) => r.app === 'a'), since, until, (r) => zone.cellOf(r.ts)));
  expect(heatmap(store.db, { since, until }).approximate, label).toBe(false);
  if (until - since <= 6 * 3600) {
    const fives = timeline(store.db, { since, until, bucketS: 300 });
    const got = Object.fromEntries(fives.points.filter((p) => p.bytesIn + p.bytesOut > 0).map((p) => [String(p.ts), { bytesIn: p.bytesIn, bytesOut: p.bytesOut }]));
    expect(got, label).toEqual(bruteByKey(rows, since, until, (r) => Math.floor((r.ts - 1) / 300) * 300));
  }
}

describe('coarsest-tier answers equal brute-force sums', () => {
  it('for random rows and random ranges, with every tier complete', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 250 }), fc.array(fc.integer({ min: 1, max: 80 }), { maxLength: 3 }), fc.array(range, { minLength: 1, maxLength: 8 }), (rows, chunks, ranges) => {
        const { store, root } = load(rows, chunks);
        try {
          for (const r of ranges) checkRange(store, rows, r.since, r.until);
          // Whole local days come from the daily table: the property is not answered by raw rows alone.
          expect(totalsByApp(store.db, { since: MIDNIGHTS[4] ?? 0, until: MIDNIGHTS[8] ?? 0 }).tiers).toEqual(['daily']);
        } finally {
          store.close();
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });

  it('after retention, for ranges aligned to what the remaining tiers hold', () => {
    const retention = fc
      .tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 36 * 3600 }))
      .map(([rawDays, extra, late]) => ({ rawDays, hourlyDays: rawDays + extra, now: T1 + late }));
    fc.assert(
      fc.property(fc.array(row, { maxLength: 250 }), retention, fc.array(range, { minLength: 1, maxLength: 8 }), (rows, ret, ranges) => {
        const { store, root } = load(rows, [], { retention: ret });
        try {
          const result = store.runMaintenance(ret.now);
          expect(result.done).toBe(true);
          const cov = readCoverage(store.db);
          // Cutoffs as documented: raw to the hour, hourly to the local day, `days` before now.
          expect(cov.rawFrom).toBe(Math.floor((ret.now - ret.rawDays * 86_400) / 3600) * 3600);
          expect(cov.hourlyFrom).toBe(dayOf(ret.now - ret.hourlyDays * 86_400));
          const align = (t: number, up: boolean): number => {
            if (t >= cov.rawFrom) return t;
            if (dayOf(t) >= cov.hourlyFrom) return (up ? Math.ceil(t / 3600) : Math.floor(t / 3600)) * 3600;
            return up ? dayCeil(t) : dayOf(t);
          };
          for (const r of ranges) {
            const since = align(r.since, false);
            const until = Math.max(since, align(r.until, true));
            checkRangeTotals(store, rows, since, until, cov.hourlyFrom);
          }
        } finally {
          store.close();
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * After retention only the totals are checked: finer buckets inside a coarse row are estimates by
 * design. The heatmap is exact where hourly rows remain; before that, day rows are spread over their
 * hours, and the cells still add up to the range's total (each cell rounded: within 84 bytes).
 */
function checkRangeTotals(store: Store, rows: AppUsage[], since: number, until: number, hourlyFrom: number): void {
  const label = `[${since}, ${until})`;
  const byApp = totalsByApp(store.db, { since, until });
  expect(byApp.approximate, label).toBe(false);
  expect(Object.fromEntries(byApp.rows.map((r) => [r.app, { bytesIn: r.bytesIn, bytesOut: r.bytesOut }])), label).toEqual(bruteByKey(rows, since, until, (r) => r.app));
  const map = heatmap(store.db, { since, until });
  if (since >= hourlyFrom || since === until) {
    expect(map.approximate, label).toBe(false);
    expect(heatmapCells(store, since, until), label).toEqual(bruteByKey(rows, since, until, (r) => BERLIN.cellOf(r.ts)));
  } else {
    expect(map.approximate, label).toBe(true);
    const total = bruteByKey(rows, since, until, () => 'all')['all'] ?? { bytesIn: 0, bytesOut: 0 };
    const sumIn = map.cells.reduce((s, c) => s + c.bytesIn, 0);
    const sumOut = map.cells.reduce((s, c) => s + c.bytesOut, 0);
    expect(Math.abs(sumIn - total.bytesIn), label).toBeLessThanOrEqual(84);
    expect(Math.abs(sumOut - total.bytesOut), label).toBeLessThanOrEqual(84);
  }
}

// Offset changes by hand (zdump -v): UTC offset in seconds just before and at `change` (epoch s).
const ZONES: { zone: string; what: string; change: number; offsets: [number, number] }[] = [
  { zone: 'Europe/Berlin', what: 'spring forward, 23-hour day', change: utc(2024, 3, 31, 1), offsets: [3600, 7200] },
  { zone: 'America/New_York', what: 'fall back, 25-hour day, UTC-5', change: utc(2024, 11, 3, 6), offsets: [-14_400, -18_000] },
  { zone: 'America/New_York', what: 'spring forward, UTC-4', change: utc(2024, 3, 10, 7), offsets: [-18_000, -14_400] },
  { zone: 'Asia/Kolkata', what: 'UTC+5:30 all year: local hours straddle epoch hours', change: utc(2024, 6, 1, 0), offsets: [19_800, 19_800] },
  { zone: 'Australia/Lord_Howe', what: '+10:30 → +11 at 15:30 UTC, in mid epoch hour', change: utc(2024, 10, 5, 15, 30), offsets: [37_800, 39_600] },
  { zone: 'Australia/Lord_Howe', what: '+11 → +10:30', change: utc(2024, 4, 6, 15), offsets: [39_600, 37_800] },
];

describe('coarsest-tier answers and the heatmap equal brute-force sums in other zones', () => {
  it.each(ZONES)('$zone, $what', ({ zone, change, offsets }) => {
    const view = zoneView(zone);
    // Around the change: any second, and every half hour ± 1 s (local midnights and hours in all these zones).
    const near = (lo: number, hi: number): fc.Arbitrary<number> =>
      fc.oneof(
        fc.integer({ min: change + lo * 1800, max: change + hi * 1800 }),
        fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: -1, max: 1 })).map(([k, d]) => change + k * 1800 + d),
      );
    const zoneRow = fc.record({
      ts: near(-96, 96),
      durationS: fc.constant(5),
      app: fc.constantFrom(...APPS),
      bytesIn: fc.integer({ min: 0, max: 2e9 }),
      bytesOut: fc.integer({ min: 0, max: 5e8 }),
    });
    const zoneRange = fc.tuple(near(-110, 110), near(-110, 110)).map(([a, b]) => (a <= b ? { since: a, until: b } : { since: b, until: a }));
    const before = process.env.TZ;
    process.env.TZ = zone;
    try {
      // The zone is really in force for the code under test (its Date local time).
      expect([change - 1, change].map((t) => -new Date(t * 1000).getTimezoneOffset() * 60)).toEqual(offsets);
      fc.assert(
        fc.property(fc.array(zoneRow, { maxLength: 200 }), fc.array(fc.integer({ min: 1, max: 80 }), { maxLength: 2 }), fc.array(zoneRange, { minLength: 1, maxLength: 6 }), (rows, chunks, ranges) => {
          const { store, root } = load(rows, chunks);
          try {
            for (const r of ranges) checkRange(store, rows, r.since, r.until, view);
          } finally {
            store.close();
            rmSync(root, { recursive: true, force: true });
          }
        }),
        { numRuns: 25 },
      );
    } finally {
      process.env.TZ = before;
    }
  });
});

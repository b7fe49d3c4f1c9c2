// Property: for random rows and random ranges, the coarsest-tier answer equals the brute-force sum of
// the rows themselves. Rows and ranges gather at hour boundaries and local midnights (± 1 s), over
// the 25-hour day of 2024-10-27 in Europe/Berlin. A second property does the same after retention,
// for ranges aligned to what the remaining tiers hold exactly.
process.env.TZ = 'Europe/Berlin';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grandTotals, timeline, totalsByApp, totalsByDay } from '../../src-main/engine/queries/index.js';
import { openStore, readCoverage, type Store } from '../../src-main/engine/store/index.js';
import { UNATTRIBUTED, type AppUsage } from '../../src-main/engine/types.js';
import { tempRoot, utc } from './store-helpers.js';

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
const dateLabel = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' });

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

function checkRange(store: Store, rows: AppUsage[], since: number, until: number): void {
  const label = `[${since}, ${until})`;
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
  expect(gotDays, label).toEqual(bruteByKey(rows, since, until, (r) => dateLabel.format(new Date((r.ts - 1) * 1000))));
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
            checkRangeTotals(store, rows, since, until);
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

/** After retention only the totals are checked: finer buckets inside a coarse row are estimates by design. */
function checkRangeTotals(store: Store, rows: AppUsage[], since: number, until: number): void {
  const label = `[${since}, ${until})`;
  const byApp = totalsByApp(store.db, { since, until });
  expect(byApp.approximate, label).toBe(false);
  expect(Object.fromEntries(byApp.rows.map((r) => [r.app, { bytesIn: r.bytesIn, bytesOut: r.bytesOut }])), label).toEqual(bruteByKey(rows, since, until, (r) => r.app));
}

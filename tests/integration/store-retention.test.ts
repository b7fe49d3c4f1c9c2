// Retention and purge on real files: which tier loses which rows, what the queries then answer
// (exact where a tier remains, labelled estimates where only a coarser one does), and a purge that
// keeps the tiers equal to one another. Europe/Berlin, July 2024 (UTC+2, 24-hour days).
process.env.TZ = 'Europe/Berlin';
import { describe, expect, it } from 'vitest';
import { grandTotals, heatmap, timeline, totalsByApp } from '../../src-main/engine/queries/index.js';
import { openStore, readCoverage, type Store } from '../../src-main/engine/store/index.js';
import type { AppUsage } from '../../src-main/engine/types.js';
import { tempDataDir } from '../helpers/store.js';

const jul = (day: number, h: number, min = 0): number => Date.UTC(2024, 6, day, h - 2, min) / 1000;
const count = (store: Store, table: string): number => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

/** One row per hour for app a, ending at :05 with 3600 bytes in: hourly rows hold 3600, days 86 400. */
function hourlyFixture(fromDay: number, until: number): AppUsage[] {
  const rows: AppUsage[] = [];
  for (let h = jul(fromDay, 0); h + 300 <= until; h += 3600) rows.push({ ts: h + 300, durationS: 5, app: 'a', bytesIn: 3600, bytesOut: 0 });
  return rows;
}

describe('runMaintenance', () => {
  const now = jul(20, 12);

  function retained(maxDeleteRows?: number): Store {
    const store = openStore({ dataDir: tempDataDir(), retention: { rawDays: 2, hourlyDays: 5 }, ...(maxDeleteRows === undefined ? {} : { maxDeleteRows }) });
    store.append(
      hourlyFixture(10, now),
      [
        { app: 'a', name: 'old', pid: 1, path: null, ts: jul(14, 23) },
        { app: 'a', name: 'recent', pid: 2, path: null, ts: jul(15, 1) },
      ],
      [
        { startMs: jul(14, 1) * 1000, endMs: jul(14, 2) * 1000, reason: 'stall' },
        { startMs: jul(16, 1) * 1000, endMs: jul(16, 2) * 1000, reason: 'stall' },
      ],
    );
    expect(store.flush().ok).toBe(true);
    return store;
  }

  it('deletes raw rows older than rawDays (to an hour) and hourly rows older than hourlyDays (to a local day); keeps every daily row', () => {
    const store = retained();
    try {
      const result = store.runMaintenance(now);
      // Raw cut: 2024-07-18 12:00; rows ending 07-10 00:05 … 07-18 11:05 go: 8 × 24 + 12 = 204.
      // Hourly cut: 2024-07-15 00:00; hours 07-10 … 07-14 go: 5 × 24 = 120.
      expect(result).toMatchObject({ rawDeleted: 204, hourlyDeleted: 120, processesDeleted: 1, gapsDeleted: 1, done: true, rawFrom: jul(18, 12), hourlyFrom: jul(15, 0) });
      expect(count(store, 'usage_daily')).toBe(11);
      expect(store.db.prepare('SELECT min(ts) FROM usage_raw').pluck().get()).toBe(jul(18, 12, 5));
      expect(store.db.prepare('SELECT min(hour_start) FROM usage_hourly').pluck().get()).toBe(jul(15, 0));
      expect(store.health().lastMaintenance).toMatchObject({ rawDeleted: 204 });
      // A second run finds nothing more.
      expect(store.runMaintenance(now)).toMatchObject({ rawDeleted: 0, hourlyDeleted: 0, done: true });
    } finally {
      store.close();
    }
  });

  it('answers exactly where a tier remains and labels estimates where only a coarser one does', () => {
    const store = retained();
    try {
      store.runMaintenance(now);
      const q = (since: number, until: number): { total: number; tiers: string[]; approximate: boolean } => {
        const r = grandTotals(store.db, { since, until });
        return { total: r.bytesIn, tiers: r.tiers, approximate: r.approximate };
      };
      // Raw still there: the row ending 19th 10:05.
      expect(q(jul(19, 10), jul(19, 10, 10))).toEqual({ total: 3600, tiers: ['raw'], approximate: false });
      // Raw gone, hourly there: whole hours exact, a half hour estimated as half its hour.
      expect(q(jul(16, 10), jul(16, 14))).toEqual({ total: 4 * 3600, tiers: ['hourly'], approximate: false });
      expect(q(jul(16, 10, 15), jul(16, 10, 45))).toEqual({ total: 1800, tiers: ['hourly'], approximate: true });
      // Only days left: whole days exact, six hours estimated as a quarter of the day.
      expect(q(jul(12, 0), jul(14, 0))).toEqual({ total: 2 * 86_400, tiers: ['daily'], approximate: false });
      expect(q(jul(12, 10), jul(12, 16))).toEqual({ total: 21_600, tiers: ['daily'], approximate: true });
      // A year-long range is still complete: all of it.
      expect(totalsByApp(store.db, { since: jul(1, 0), until: jul(31, 0) }).totals.bytesIn).toBe(hourlyFixture(10, now).length * 3600);
      const hours = timeline(store.db, { since: jul(12, 22), until: jul(13, 2), bucketS: 3600 });
      expect(hours.points.map((p) => [p.bytesIn, p.approximate])).toEqual([
        [3600, true],
        [3600, true],
        [3600, true],
        [3600, true],
      ]);
    } finally {
      store.close();
    }
  });

  it('spreads day rows evenly over their hours in the heatmap where hourly rows are gone, and says so', () => {
    const store = retained();
    try {
      store.runMaintenance(now);
      // 2024-07-12 is a Friday (weekday 4): its day row (86 400) spread over 24 hours.
      const old = heatmap(store.db, { since: jul(12, 0), until: jul(13, 0) });
      expect(old.cells.filter((c) => c.bytesIn > 0).map((c) => [c.weekday, c.hour, c.bytesIn])).toEqual(Array.from({ length: 24 }, (_, h) => [4, h, 3600]));
      expect(old).toMatchObject({ tiers: ['daily'], approximate: true });
      // Across the hourly cut (Monday 15th 00:00): Sunday afternoon estimated from its day row, Monday morning exact.
      const across = heatmap(store.db, { since: jul(14, 12), until: jul(15, 12) });
      const want = [...Array.from({ length: 12 }, (_, h) => [0, h, 3600]), ...Array.from({ length: 12 }, (_, h) => [6, 12 + h, 3600])];
      expect(across.cells.filter((c) => c.bytesIn > 0).map((c) => [c.weekday, c.hour, c.bytesIn])).toEqual(want);
      expect(across).toMatchObject({ tiers: ['daily', 'hourly'], approximate: true });
    } finally {
      store.close();
    }
  });

  it('spreads a 23-hour and a 25-hour day over the local hours they have', () => {
    const utcH = (m: number, d: number, h: number): number => Date.UTC(2024, m - 1, d, h) / 1000;
    // One row of 3600 bytes per epoch hour around both DST changes of 2024; hourly rows are then cut
    // before 2024-10-28 00:00 local (rawDays 1, hourlyDays 1 at 10-29 12:00), days stay.
    const rows: AppUsage[] = [];
    for (const [from, to] of [
      [utcH(3, 29, 0), utcH(4, 2, 0)],
      [utcH(10, 25, 0), utcH(10, 29, 10)],
    ] as const) {
      for (let h = from; h < to; h += 3600) rows.push({ ts: h + 300, durationS: 5, app: 'a', bytesIn: 3600, bytesOut: 0 });
    }
    const store = openStore({ dataDir: tempDataDir(), retention: { rawDays: 1, hourlyDays: 1 } });
    try {
      store.append(rows);
      expect(store.flush().ok).toBe(true);
      store.runMaintenance(utcH(10, 29, 11));
      expect(readCoverage(store.db).hourlyFrom).toBe(utcH(10, 27, 23));
      const sunday = (since: number, until: number): [number, number][] =>
        heatmap(store.db, { since, until })
          .cells.filter((c) => c.bytesIn > 0)
          .map((c) => [c.weekday * 24 + c.hour, c.bytesIn]);
      // 2024-03-31, a Sunday (weekday 6) of 23 hours: 02:00–03:00 never happened; 23 × 3600 bytes, 3600 an hour.
      const spring = Array.from({ length: 24 }, (_, h): [number, number] => [6 * 24 + h, 3600]).filter(([cell]) => cell !== 6 * 24 + 2);
      expect(sunday(utcH(3, 30, 23), utcH(3, 31, 22))).toEqual(spring);
      // 2024-10-27, a Sunday of 25 hours: 02:00–03:00 twice, so that cell holds two hours' share.
      const autumn = Array.from({ length: 24 }, (_, h): [number, number] => [6 * 24 + h, h === 2 ? 7200 : 3600]);
      expect(sunday(utcH(10, 26, 22), utcH(10, 27, 23))).toEqual(autumn);
      expect(heatmap(store.db, { since: utcH(10, 26, 22), until: utcH(10, 27, 23) })).toMatchObject({ tiers: ['daily'], approximate: true });
    } finally {
      store.close();
    }
  });

  it('bounds the work of one call and finishes over several, ending where one unbounded call would', () => {
    const store = retained(50);
    try {
      const first = store.runMaintenance(now);
      expect(first.done).toBe(false);
      expect(first.rawDeleted).toBeLessThanOrEqual(50);
      expect(first.rawDeleted).toBeGreaterThan(0);
      expect(readCoverage(store.db).rawFrom % 3600).toBe(0);
      let runs = 1;
      while (!store.runMaintenance(now).done) runs += 1;
      expect(runs).toBeGreaterThanOrEqual(4); // 204 raw rows at ≤ 50 a call
      expect(readCoverage(store.db)).toEqual({ rawFrom: jul(18, 12), hourlyFrom: jul(15, 0) });
      expect(count(store, 'usage_raw')).toBe(hourlyFixture(10, now).length - 204);
      expect(count(store, 'usage_hourly')).toBe(hourlyFixture(10, now).length - 120);
    } finally {
      store.close();
    }
  });

  it('keeps hourly rows at least as long as raw ones', () => {
    const store = openStore({ dataDir: tempDataDir(), retention: { rawDays: 5, hourlyDays: 1 } });
    try {
      expect(store.runMaintenance(now)).toMatchObject({ rawFrom: jul(15, 12), hourlyFrom: jul(15, 0) });
    } finally {
      store.close();
    }
  });
});

describe('purgeRange', () => {
  /** App a: a 300-byte row every 5 minutes; app b: 1000 bytes at :05 every hour; 10–12 July. */
  function fineFixture(): AppUsage[] {
    const rows: AppUsage[] = [];
    for (let h = jul(10, 0); h < jul(13, 0); h += 3600) {
      for (let k = 1; k <= 12; k += 1) rows.push({ ts: h + k * 300, durationS: 300, app: 'a', bytesIn: 300, bytesOut: 3 });
      rows.push({ ts: h + 300, durationS: 300, app: 'b', bytesIn: 1000, bytesOut: 10 });
    }
    return rows;
  }
  const sum = (rows: AppUsage[], since: number, until: number, app?: string): number =>
    rows.filter((r) => r.ts > since && r.ts <= until && (app === undefined || r.app === app)).reduce((s, r) => s + r.bytesIn, 0);

  it('removes a range with sub-hour edges from every tier, which stay equal to one another', () => {
    const store = openStore({ dataDir: tempDataDir() });
    try {
      const rows = fineFixture();
      store.append(rows);
      store.flush();
      const out = store.purgeRange(jul(11, 10, 12), jul(11, 13, 30));
      // a: rows ending 10:15 … 13:30 (40 rows); b: 11:05, 12:05, 13:05 (3 rows).
      // Hourly rows deleted: 11:00 and 12:00 for a and b (4), and b's 13:00 row, now zero (1).
      expect(out).toEqual({ since: jul(11, 10, 12), until: jul(11, 13, 30), deletedRows: 48, deleted: { raw: 43, hourly: 5, daily: 0, processes: 0 } });
      const left = rows.filter((r) => !(r.ts > out.since && r.ts <= out.until));
      const ranges: [number, number][] = [
        [jul(10, 0), jul(13, 0)], // days
        [jul(11, 0), jul(12, 0)], // the day of the purge, from the daily table
        [jul(11, 10), jul(11, 11)], // an hour half purged, from the hourly table
        [jul(11, 13), jul(11, 14)],
        [jul(11, 9), jul(11, 15)],
        [jul(11, 10, 0), jul(11, 10, 20)], // raw
      ];
      for (const [since, until] of ranges) {
        const r = totalsByApp(store.db, { since, until });
        const got = Object.fromEntries(r.rows.map((x) => [x.app, x.bytesIn]));
        const want = Object.fromEntries(['a', 'b'].map((app): [string, number] => [app, sum(left, since, until, app)]).filter(([, v]) => v !== 0));
        expect(got, `${since}–${until}`).toEqual(want);
        expect(r.approximate).toBe(false);
      }
    } finally {
      store.close();
    }
  });

  it('widens to whole hours where raw is gone and to whole days where hourly is gone', () => {
    const store = openStore({ dataDir: tempDataDir(), retention: { rawDays: 2, hourlyDays: 5 } });
    try {
      const now = jul(20, 12);
      store.append(hourlyFixture(10, now));
      store.flush();
      store.runMaintenance(now);
      const inHourly = store.purgeRange(jul(16, 10, 30), jul(16, 12, 30));
      expect([inHourly.since, inHourly.until]).toEqual([jul(16, 10), jul(16, 13)]);
      const inDaily = store.purgeRange(jul(12, 10, 30), jul(13, 12, 30));
      expect([inDaily.since, inDaily.until]).toEqual([jul(12, 0), jul(14, 0)]);
      expect(inDaily.deleted.daily).toBe(2);
      const q = (since: number, until: number): number => grandTotals(store.db, { since, until }).bytesIn;
      expect(q(jul(16, 10), jul(16, 13))).toBe(0);
      expect(q(jul(16, 0), jul(17, 0))).toBe(21 * 3600); // the day row lost exactly the three purged hours
      expect(q(jul(16, 9), jul(16, 10))).toBe(3600);
      expect(q(jul(12, 0), jul(14, 0))).toBe(0);
      expect(q(jul(11, 0), jul(12, 0))).toBe(86_400);
      expect(q(jul(14, 0), jul(15, 0))).toBe(86_400);
    } finally {
      store.close();
    }
  });

  it('drops buffered rows of the range, so that the next flush does not bring them back', () => {
    const store = openStore({ dataDir: tempDataDir() });
    try {
      store.append([
        { ts: jul(11, 10, 5), durationS: 5, app: 'a', bytesIn: 1, bytesOut: 0 },
        { ts: jul(11, 11, 5), durationS: 5, app: 'a', bytesIn: 2, bytesOut: 0 },
      ]);
      store.purgeRange(jul(11, 10), jul(11, 11));
      store.flush();
      expect(grandTotals(store.db, { since: jul(11, 0), until: jul(12, 0) }).bytesIn).toBe(2);
      expect(() => store.purgeRange(5, 5)).toThrow(RangeError);
    } finally {
      store.close();
    }
  });
});

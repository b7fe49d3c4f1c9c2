// The query layer over a small hand-made fixture whose every expected figure is worked out by hand
// (Europe/Berlin, July 2024, UTC+2), and the EXPLAIN QUERY PLAN of every hot query.
process.env.TZ = 'Europe/Berlin';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  HEATMAP_SQL,
  QUERY_SQL,
  aggregateSql,
  gapsInRange,
  grandTotals,
  heatmap,
  lastUsageAt,
  listApps,
  timeline,
  totalsByApp,
  totalsByDay,
} from '../../src-main/engine/queries/index.js';
import { openDatabase, openStore, type Store } from '../../src-main/engine/store/index.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';
import { tempDataDir } from '../helpers/store.js';

/** Epoch seconds of local Berlin wall time on July `day` 2024 (UTC+2). */
const jul = (day: number, h: number, min = 0, s = 0): number => Date.UTC(2024, 6, day, h - 2, min, s) / 1000;

let store: Store;

beforeAll(() => {
  store = openStore({ dataDir: tempDataDir() });
  const u = (ts: number, app: string, bytesIn: number, bytesOut: number): { ts: number; durationS: number; app: string; bytesIn: number; bytesOut: number } => ({
    ts,
    durationS: 5,
    app,
    bytesIn,
    bytesOut,
  });
  store.append(
    [
      u(jul(10, 0, 0, 5), 'Firefox', 100, 1), // day 10, hour 00
      u(jul(10, 10), 'Firefox', 200, 2), // ends 10:00:00 → hour 09
      u(jul(10, 10, 30), 'Firefox', 400, 4), // hour 10
      u(jul(11, 0), 'Firefox', 800, 8), // ends at midnight → day 10, hour 23
      u(jul(11, 12, 0, 5), 'Firefox', 1600, 16), // day 11, hour 12
      u(jul(10, 10, 30), 'Slack', 3000, 300), // hour 10
      u(jul(12, 9, 15), 'Slack', 5000, 500), // day 12, hour 09
      u(jul(10, 10, 45), UNATTRIBUTED, 7, 0), // hour 10
    ],
    [],
    [{ startMs: jul(10, 13) * 1000, endMs: jul(10, 14) * 1000, reason: 'sleep-or-clock-jump' }],
  );
  expect(store.flush().ok).toBe(true);
});

afterAll(() => {
  store.close();
});

describe('totalsByApp', () => {
  it('over whole days answers from the daily table, largest first', () => {
    expect(totalsByApp(store.db, { since: jul(10, 0), until: jul(13, 0) })).toEqual({
      since: jul(10, 0),
      until: jul(13, 0),
      rows: [
        { app: 'Slack', bytesIn: 8000, bytesOut: 800 },
        { app: 'Firefox', bytesIn: 3100, bytesOut: 31 },
        { app: UNATTRIBUTED, bytesIn: 7, bytesOut: 0 },
      ],
      totals: { bytesIn: 11107, bytesOut: 831 },
      tiers: ['daily'],
      approximate: false,
    });
  });

  it('over one hour answers from the hourly table', () => {
    const r = totalsByApp(store.db, { since: jul(10, 10), until: jul(10, 11) });
    expect(r.rows).toEqual([
      { app: 'Slack', bytesIn: 3000, bytesOut: 300 },
      { app: 'Firefox', bytesIn: 400, bytesOut: 4 },
      { app: UNATTRIBUTED, bytesIn: 7, bytesOut: 0 },
    ]);
    expect(r.tiers).toEqual(['hourly']);
  });

  it('over minutes answers from the raw table', () => {
    const r = totalsByApp(store.db, { since: jul(10, 10, 15), until: jul(10, 10, 40) });
    expect(r.rows).toEqual([
      { app: 'Slack', bytesIn: 3000, bytesOut: 300 },
      { app: 'Firefox', bytesIn: 400, bytesOut: 4 },
    ]);
    expect(r.tiers).toEqual(['raw']);
  });

  it('across a midnight without a whole day uses hours on both sides', () => {
    const r = totalsByApp(store.db, { since: jul(10, 9), until: jul(11, 13) });
    // Firefox: 200 (ends 10:00, hour 09) + 400 + 800 (ends at midnight, hour 23) + 1600 (12:00:05); Slack: 3000.
    expect(r.rows).toEqual([
      { app: 'Slack', bytesIn: 3000, bytesOut: 300 },
      { app: 'Firefox', bytesIn: 3000, bytesOut: 30 },
      { app: UNATTRIBUTED, bytesIn: 7, bytesOut: 0 },
    ]);
    expect(r.tiers).toEqual(['hourly']);
  });

  it('honours a limit but keeps the totals of all apps', () => {
    const r = totalsByApp(store.db, { since: jul(10, 0), until: jul(13, 0) }, { limit: 1 });
    expect(r.rows.map((x) => x.app)).toEqual(['Slack']);
    expect(r.totals).toEqual({ bytesIn: 11107, bytesOut: 831 });
  });

  it('an empty range has no rows; a reversed one is refused', () => {
    expect(totalsByApp(store.db, { since: jul(10, 0), until: jul(10, 0) }).rows).toEqual([]);
    expect(() => totalsByApp(store.db, { since: jul(10, 1), until: jul(10, 0) })).toThrow(RangeError);
    expect(() => totalsByApp(store.db, { since: 1.5, until: 3 })).toThrow(RangeError);
  });
});

describe('grandTotals', () => {
  it('for all apps, one app, and an unknown app', () => {
    const range = { since: jul(10, 0), until: jul(13, 0) };
    expect(grandTotals(store.db, range)).toMatchObject({ bytesIn: 11107, bytesOut: 831, app: null, tiers: ['daily'] });
    expect(grandTotals(store.db, range, { app: 'Slack' })).toMatchObject({ bytesIn: 8000, bytesOut: 800, app: 'Slack' });
    expect(grandTotals(store.db, range, { app: 'Nope' })).toMatchObject({ bytesIn: 0, bytesOut: 0 });
  });
});

describe('timeline', () => {
  it('hourly buckets, empty ones included', () => {
    const t = timeline(store.db, { since: jul(10, 9), until: jul(10, 12), bucketS: 3600 });
    expect(t.points.map(({ ts, bytesIn, bytesOut }) => ({ ts, bytesIn, bytesOut }))).toEqual([
      { ts: jul(10, 9), bytesIn: 200, bytesOut: 2 },
      { ts: jul(10, 10), bytesIn: 3407, bytesOut: 304 },
      { ts: jul(10, 11), bytesIn: 0, bytesOut: 0 },
    ]);
    expect(t.tiers).toEqual(['hourly']);
  });

  it('5-minute buckets from raw rows, for one app', () => {
    const all = timeline(store.db, { since: jul(10, 10, 25), until: jul(10, 10, 50), bucketS: 300 });
    expect(all.points.map((p) => [p.ts, p.bytesIn])).toEqual([
      [jul(10, 10, 25), 3400], // rows ending 10:30:00 belong to 10:25–10:30
      [jul(10, 10, 30), 0],
      [jul(10, 10, 35), 0],
      [jul(10, 10, 40), 7],
      [jul(10, 10, 45), 0],
    ]);
    const slack = timeline(store.db, { since: jul(10, 10, 25), until: jul(10, 10, 50), bucketS: 300, app: 'Slack' });
    expect(slack.points.map((p) => p.bytesIn)).toEqual([3000, 0, 0, 0, 0]);
    expect(slack.app).toBe('Slack');
  });

  it('buckets are aligned to the bucket size; the first is clipped to the range', () => {
    const t = timeline(store.db, { since: jul(10, 10, 20), until: jul(10, 11), bucketS: 3600 });
    expect(t.points).toEqual([{ ts: jul(10, 10), end: jul(10, 11), bytesIn: 3407, bytesOut: 304, approximate: false }]);
    expect(t.tiers).toEqual(['raw']);
  });

  it('day buckets are local days', () => {
    const t = timeline(store.db, { since: jul(10, 0), until: jul(13, 0), bucketS: 86_400, app: 'Firefox' });
    expect(t.points.map((p) => [p.ts, p.bytesIn])).toEqual([
      [jul(10, 0), 1500],
      [jul(11, 0), 1600],
      [jul(12, 0), 0],
    ]);
  });

  it('refuses more buckets than it may answer', () => {
    expect(() => timeline(store.db, { since: 0, until: 86_400 * 365, bucketS: 60 })).toThrow(/more than/);
  });
});

describe('totalsByDay', () => {
  it('one entry per local day, clipped to the range', () => {
    const r = totalsByDay(store.db, { since: jul(10, 12), until: jul(13, 0) });
    expect(r.days.map(({ date, dayStart, dayEnd, bytesIn, bytesOut }) => ({ date, dayStart, dayEnd, bytesIn, bytesOut }))).toEqual([
      { date: '2024-07-10', dayStart: jul(10, 0), dayEnd: jul(11, 0), bytesIn: 800, bytesOut: 8 },
      { date: '2024-07-11', dayStart: jul(11, 0), dayEnd: jul(12, 0), bytesIn: 1600, bytesOut: 16 },
      { date: '2024-07-12', dayStart: jul(12, 0), dayEnd: jul(13, 0), bytesIn: 5000, bytesOut: 500 },
    ]);
    expect(r.tiers).toEqual(['daily', 'hourly']);
  });
});

describe('heatmap', () => {
  it('168 cells, Monday 00:00 first, in local hours', () => {
    const r = heatmap(store.db, { since: jul(10, 0), until: jul(13, 0) });
    expect(r.cells).toHaveLength(168);
    expect(r.cells[0]).toMatchObject({ weekday: 0, hour: 0 });
    const nonZero = r.cells.filter((c) => c.bytesIn + c.bytesOut > 0);
    // 2024-07-10 is a Wednesday (weekday 2).
    expect(nonZero).toEqual([
      { weekday: 2, hour: 0, bytesIn: 100, bytesOut: 1 },
      { weekday: 2, hour: 9, bytesIn: 200, bytesOut: 2 },
      { weekday: 2, hour: 10, bytesIn: 3407, bytesOut: 304 },
      { weekday: 2, hour: 23, bytesIn: 800, bytesOut: 8 },
      { weekday: 3, hour: 12, bytesIn: 1600, bytesOut: 16 },
      { weekday: 4, hour: 9, bytesIn: 5000, bytesOut: 500 },
    ]);
    expect(r).toMatchObject({ tiers: ['hourly'], approximate: false });
  });

  it('for one app; an unknown app has 168 empty cells', () => {
    const slack = heatmap(store.db, { since: jul(10, 0), until: jul(13, 0), app: 'Slack' });
    expect(slack.cells.filter((c) => c.bytesIn + c.bytesOut > 0)).toEqual([
      { weekday: 2, hour: 10, bytesIn: 3000, bytesOut: 300 },
      { weekday: 4, hour: 9, bytesIn: 5000, bytesOut: 500 },
    ]);
    const nope = heatmap(store.db, { since: jul(10, 0), until: jul(13, 0), app: 'Nope' });
    expect(nope.cells).toHaveLength(168);
    expect(nope.cells.every((c) => c.bytesIn === 0 && c.bytesOut === 0)).toBe(true);
  });

  it('sub-hour edges come from raw rows and land in their hour', () => {
    // 10:20–10:40 holds the rows ending 10:30 (Firefox 400, Slack 3000); 09:59:59–10:00:00 the row ending 10:00 (200).
    const r = heatmap(store.db, { since: jul(10, 9, 59, 59), until: jul(10, 10, 40) });
    expect(r.cells.filter((c) => c.bytesIn + c.bytesOut > 0)).toEqual([
      { weekday: 2, hour: 9, bytesIn: 200, bytesOut: 2 },
      { weekday: 2, hour: 10, bytesIn: 3400, bytesOut: 304 },
    ]);
    expect(r).toMatchObject({ tiers: ['raw'], approximate: false });
  });
});

describe('small queries', () => {
  it('apps, gaps, newest row', () => {
    expect(listApps(store.db).map((a) => a.name)).toEqual([UNATTRIBUTED, 'Firefox', 'Slack']);
    expect(gapsInRange(store.db, { since: jul(10, 13, 30), until: jul(10, 20) })).toEqual([{ start: jul(10, 13), end: jul(10, 14), reason: 'sleep-or-clock-jump' }]);
    expect(gapsInRange(store.db, { since: jul(10, 14), until: jul(10, 20) })).toEqual([]);
    expect(lastUsageAt(store.db)).toBe(jul(12, 9, 15));
  });
});

describe('EXPLAIN QUERY PLAN', () => {
  const plan = (sql: string, params: unknown): string[] =>
    (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);

  it.each([
    ['bucket-app', false],
    ['bucket-app', true],
    ['bucket', false],
    ['bucket', true],
  ] as const)('usage sums (%s, app filter %s) search every usage table by index, never scan one', (shape, appFilter) => {
    const details = plan(aggregateSql(shape, appFilter), appFilter ? { segments: '[]', app: 1 } : { segments: '[]' });
    const usage = details.filter((d) => /\busage_|\bt\b/.test(d) && !d.startsWith('CO-ROUTINE') && !d.startsWith('MATERIALIZE'));
    // Five branches: daily, hourly, raw, hourly estimate, daily estimate.
    expect(usage).toHaveLength(5);
    for (const d of usage) expect(d).toMatch(appFilter ? /^SEARCH t USING INDEX usage_\w+_app_\w+ \(app_id=\? AND/ : /^SEARCH t USING PRIMARY KEY \(/);
    expect(details.some((d) => /^SCAN (t|usage_)/.test(d))).toBe(false);
  });

  it.each([
    ['processes', QUERY_SQL.processes, ['x', 0, 1, 10], /SEARCH p USING INDEX processes_app_last_seen \(app_id=\? AND last_seen>\?\)/],
    ['last seen by app', QUERY_SQL.lastSeen, [0, 1], /SEARCH p USING INDEX processes_last_seen \(last_seen>\?\)/],
    ['gaps', QUERY_SQL.gaps, [0, 1], /SEARCH gaps USING INDEX gaps_end \(end_ts>\?\)/],
    ['app id', QUERY_SQL.appId, ['x'], /SEARCH apps USING COVERING INDEX sqlite_autoindex_apps_1 \(name=\?\)/],
    ['newest raw row', QUERY_SQL.lastRaw, [], /SEARCH usage_raw|USING (COVERING INDEX|PRIMARY KEY)/],
  ] as const)('%s uses an index', (_name, sql, params, want) => {
    const details = plan(sql, params);
    expect(details.join('\n')).toMatch(want);
    expect(details.some((d) => /^SCAN (usage_|processes|gaps|p\b)/.test(d))).toBe(false);
  });

  it.each([false, true])('heatmap hours (app filter %s) walk usage_hourly by index, never scan it', (appFilter) => {
    const details = plan(appFilter ? HEATMAP_SQL.oneApp : HEATMAP_SQL.allApps, { zones: '[]', from: 0, to: 1, ...(appFilter ? { app: 1 } : {}) });
    expect(details.join('\n')).toMatch(
      appFilter
        ? /SEARCH usage_hourly USING INDEX usage_hourly_app_hour \(app_id=\? AND hour_start>\? AND hour_start<\?\)/
        : /SEARCH usage_hourly USING PRIMARY KEY \(hour_start>\? AND hour_start<\?\)/,
    );
    expect(details.some((d) => /^SCAN usage_/.test(d))).toBe(false);
    // Rows are summed per hour in key order; only the per-hour sums are sorted into cells.
    expect(details.filter((d) => d.includes('TEMP B-TREE'))).toHaveLength(1);
  });

  it('retention deletes walk the primary keys', () => {
    // Planned on a writable connection to a database of the same schema: the store's read handle
    // refuses to prepare a DELETE, even to explain it.
    const { db } = openDatabase(tempDataDir());
    onTestFinished(() => void db.close());
    const plan = (sql: string, params: unknown): string[] => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
    expect(plan('DELETE FROM usage_raw WHERE ts <= ?', [0]).join('\n')).toMatch(/SEARCH usage_raw USING PRIMARY KEY \(ts<\?\)/);
    expect(plan('DELETE FROM usage_hourly WHERE hour_start < ?', [0]).join('\n')).toMatch(/SEARCH usage_hourly USING PRIMARY KEY \(hour_start<\?\)/);
  });
});

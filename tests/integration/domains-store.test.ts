// Domain rows in the store (schema v3) and the query over them, on a real SQLite file: the three
// tiers upserted together, rows counted at ts − 1, the coarsest tier answering, retention and purge
// keeping the tiers equal, the estimate kept apart, and the query plan using the indexes. Fixture in
// Europe/Berlin, July 2024 (UTC+2); every expected figure is summed by hand from the rows below.
process.env.TZ = 'Europe/Berlin';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainUsage } from '../../src-main/engine/domains/index.js';
import { domainTotalsSql, totalsByDomain } from '../../src-main/engine/queries/index.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';
import { tempDataDir } from '../helpers/store.js';

/** Epoch seconds of Berlin wall time on July `day` 2024. */
const jul = (day: number, h: number, min = 0, s = 0): number => Date.UTC(2024, 6, day, h - 2, min, s) / 1000;

const row = (ts: number, app: string, domain: string, estimate: boolean, bytesIn: number, bytesOut: number): DomainUsage => ({ ts, durationS: 5, app, domain, estimate, bytesIn, bytesOut });

const ROWS: DomainUsage[] = [
  row(jul(10, 9, 0, 5), 'Chromium', 'a.test', false, 1000, 10),
  row(jul(10, 9, 30, 0), 'Chromium', 'b.test', false, 500, 5),
  // Stamped exactly 10:00:00: its interval lies before, so it counts in 09:00–10:00.
  row(jul(10, 10, 0, 0), 'Chromium', 'a.test', true, 200, 2),
  row(jul(10, 10, 0, 5), 'Firefox', 'a.test', false, 300, 3),
  row(jul(11, 12, 0, 5), 'Chromium', UNATTRIBUTED, false, 70, 7),
  row(jul(11, 12, 0, 5), 'Chromium', 'a.test', false, 30, 0),
];

let store: Store;
beforeEach(() => {
  store = openStore({ dataDir: tempDataDir(), clock: { now: () => jul(11, 13) * 1000 } });
  store.appendDomains(ROWS);
  expect(store.flush()).toEqual({ ok: true, written: { usage: 0, processes: 0, gaps: 0, domains: 6 } });
  // The same interval again in a later flush: upserted into the same rows.
  store.appendDomains([ROWS[0] as DomainUsage]);
  expect(store.flush().ok).toBe(true);
});
afterEach(() => store.close());

const tierSums = (s: Store): number[][] =>
  ['domain_raw', 'domain_hourly', 'domain_daily'].map((t) => {
    const r = s.db.prepare(`SELECT total(bytes_in) AS i, total(bytes_out) AS o FROM ${t}`).get() as { i: number; o: number };
    return [r.i, r.o];
  });

describe('domain rows in the store', () => {
  it('upserts raw, hourly and daily together', () => {
    // 1000·2 + 500 + 200 + 300 + 70 + 30 = 3100 in; 10·2 + 5 + 2 + 3 + 7 + 0 = 37 out.
    expect(tierSums(store)).toEqual([
      [3100, 37],
      [3100, 37],
      [3100, 37],
    ]);
    expect(store.db.prepare('SELECT count(*) FROM domain_raw').pluck().get()).toBe(6);
    expect(store.db.prepare("SELECT hour_start FROM domain_hourly WHERE estimate = 1").pluck().all()).toEqual([jul(10, 9)]);
  });

  it('refuses a row whose name is not a hostname (a URL, upper case) and writes the rest', () => {
    store.appendDomains([row(jul(12, 8), 'Chromium', 'a.test/path?q=1', false, 1, 1), row(jul(12, 8), 'Chromium', 'A.TEST', false, 1, 1), row(jul(12, 8), 'Chromium', 'ok.test', false, 4, 0)]);
    expect(store.health().rejectedRows).toBe(2);
    expect(store.flush()).toMatchObject({ ok: true, written: { domains: 1 } });
    expect(store.db.prepare('SELECT name FROM domains ORDER BY name').pluck().all()).toEqual([UNATTRIBUTED, 'a.test', 'b.test', 'ok.test']);
  });
});

describe('totalsByDomain', () => {
  it('over two days: every domain, the estimate apart, totals that add up', () => {
    const r = totalsByDomain(store.db, { since: jul(10, 0), until: jul(12, 0) });
    expect(r.rows).toEqual([
      // a: 2000 + 200 + 300 + 30 in, 20 + 2 + 3 out; the estimate is the 200/2 row.
      { domain: 'a.test', bytesIn: 2530, bytesOut: 25, estimated: { bytesIn: 200, bytesOut: 2 } },
      { domain: 'b.test', bytesIn: 500, bytesOut: 5, estimated: { bytesIn: 0, bytesOut: 0 } },
      { domain: UNATTRIBUTED, bytesIn: 70, bytesOut: 7, estimated: { bytesIn: 0, bytesOut: 0 } },
    ]);
    expect(r.totals).toEqual({ bytesIn: 3100, bytesOut: 37 });
    expect(r.estimated).toEqual({ bytesIn: 200, bytesOut: 2 });
    expect({ tiers: r.tiers, approximate: r.approximate }).toEqual({ tiers: ['daily'], approximate: false });
  });

  it('for one app, with a limit that keeps the totals whole', () => {
    const r = totalsByDomain(store.db, { since: jul(10, 0), until: jul(12, 0) }, { app: 'Chromium', limit: 1 });
    // Chromium's a.test: 2000 + 200 + 30 in, 22 out; all of Chromium: 2230 + 500 + 70 = 2800 in, 22 + 5 + 7 = 34 out.
    expect(r.rows).toEqual([{ domain: 'a.test', bytesIn: 2230, bytesOut: 22, estimated: { bytesIn: 200, bytesOut: 2 } }]);
    expect(r.totals).toEqual({ bytesIn: 2800, bytesOut: 34 });
    expect(totalsByDomain(store.db, { since: jul(10, 0), until: jul(12, 0) }, { app: 'Safari' }).rows).toEqual([]);
  });

  it('an hour from the hourly tier, a quarter hour from raw rows', () => {
    const hour = totalsByDomain(store.db, { since: jul(10, 9), until: jul(10, 10) });
    expect(hour.tiers).toEqual(['hourly']);
    expect(hour.rows.map((d) => [d.domain, d.bytesIn, d.bytesOut, d.estimated.bytesIn])).toEqual([
      ['a.test', 2200, 22, 200],
      ['b.test', 500, 5, 0],
    ]);
    const quarter = totalsByDomain(store.db, { since: jul(10, 9), until: jul(10, 9, 15) });
    expect(quarter.tiers).toEqual(['raw']);
    expect(quarter.rows.map((d) => [d.domain, d.bytesIn, d.bytesOut])).toEqual([['a.test', 2000, 20]]);
  });

  it('after retention cut the raw rows, a quarter hour is prorated from its hour and says so', () => {
    const result = store.runMaintenance(jul(18, 12, 30));
    // Raw cut at the hour 7 days back, 11 July 12:00: the four rows of the 10th go, the two of 12:00:05 stay.
    expect(result.domainRowsDeleted).toBe(4);
    expect(store.db.prepare('SELECT count(*) FROM domain_raw').pluck().get()).toBe(2);
    const quarter = totalsByDomain(store.db, { since: jul(10, 9), until: jul(10, 9, 15) });
    expect(quarter.approximate).toBe(true);
    // A quarter of hour 9: a 2000/20 → 500/5 exact part, 200/2 → 50/0.5 → 1 estimated; b 500/5 → 125/1.25 → 1.
    expect(quarter.rows).toEqual([
      { domain: 'a.test', bytesIn: 550, bytesOut: 6, estimated: { bytesIn: 50, bytesOut: 1 } },
      { domain: 'b.test', bytesIn: 125, bytesOut: 1, estimated: { bytesIn: 0, bytesOut: 0 } },
    ]);
  });

  it('purge removes the range from every domain tier and keeps them equal', () => {
    const out = store.purgeRange(jul(10, 9), jul(10, 9, 30));
    // Raw rows with instants 09:00:04 and 09:29:59 (Chromium a 2000/20, b 500/5); the hourly and daily
    // rows that held only them are now zero and go too: 2 raw + 2 hourly + 2 daily.
    expect(out.deleted.domains).toBe(6);
    expect(tierSums(store)).toEqual([
      [600, 12],
      [600, 12],
      [600, 12],
    ]);
    expect(totalsByDomain(store.db, { since: jul(10, 0), until: jul(12, 0) }).rows.map((d) => d.domain)).toEqual(['a.test', UNATTRIBUTED]);
  });
});

describe('EXPLAIN QUERY PLAN of the domain query', () => {
  it.each([false, true])('app filter %s: every domain tier searched by index, none scanned', (appFilter) => {
    const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${domainTotalsSql(appFilter)}`).all(appFilter ? { segments: '[]', app: 1 } : { segments: '[]' }) as { detail: string }[]).map((r) => r.detail);
    const tiers = details.filter((d) => /^SEARCH t\b/.test(d));
    // Five branches: daily, hourly, raw, hourly estimate, daily estimate.
    expect(tiers).toHaveLength(5);
    // Without an app the daily tier is read from v6's covering index, which leads on day_start as its key does.
    for (const d of tiers) expect(d).toMatch(appFilter ? /USING INDEX domain_\w+_app_\w+ \(app_id=\? AND/ : /USING (PRIMARY KEY|COVERING INDEX domain_daily_day_domain) \((day_start|hour_start|ts)>/);
    expect(details.some((d) => /^SCAN (t|domain_)/.test(d))).toBe(false);
    expect(details.join('\n')).toMatch(/SEARCH domains USING INTEGER PRIMARY KEY/);
  });
});

// Purge is one transaction over everything stored for a range: the usage tiers, the domain tiers
// and the browser extension's active-tab reports, over the same (possibly widened) range. A failure
// anywhere leaves every table as it was. Europe/Berlin, July 2024.
process.env.TZ = 'Europe/Berlin';
import { describe, expect, it } from 'vitest';
import { browserReportsIn, openStore, type Store } from '../../../../src-main/engine/store/index.js';
import { sideConnection } from '../../../helpers/side-connection.js';
import { tempDataDir } from '../../../helpers/store.js';

const jul = (day: number, h: number, min = 0): number => Date.UTC(2024, 6, day, h - 2, min) / 1000;
const count = (store: Store, table: string): number => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

function seeded(): Store {
  const store = openStore({ dataDir: tempDataDir() });
  store.append([
    { ts: jul(10, 9, 5), durationS: 5, app: 'Firefox', bytesIn: 100, bytesOut: 10 },
    { ts: jul(10, 11, 5), durationS: 5, app: 'Firefox', bytesIn: 7, bytesOut: 1 },
  ]);
  store.appendDomains([{ ts: jul(10, 9, 5), durationS: 5, app: 'Firefox', domain: 'example.org', estimate: false, bytesIn: 100, bytesOut: 10 }]);
  expect(store.flush().ok).toBe(true);
  store.recordBrowserReport({ receivedAt: jul(10, 9, 6), ts: jul(10, 9, 4), hostname: 'www.example.org', domain: 'example.org', browser: 'firefox' });
  store.recordBrowserReport({ receivedAt: jul(10, 11, 6), ts: jul(10, 11, 4), hostname: 'kept.example', domain: 'kept.example', browser: 'firefox' });
  return store;
}

describe('purgeRange', () => {
  it('deletes usage rows, domain rows and browser reports of the range together, and counts them all', () => {
    const store = seeded();
    try {
      const out = store.purgeRange(jul(10, 9), jul(10, 10));
      expect(out.deleted.browserReports).toBe(1);
      expect(out.deleted.domains).toBeGreaterThan(0);
      expect(out.deletedRows).toBe(out.deleted.raw + out.deleted.hourly + out.deleted.daily + out.deleted.processes + (out.deleted.domains ?? 0) + 1);
      expect(browserReportsIn(store.db, { since: 0, until: jul(11, 0) }).map((r) => r.hostname)).toEqual(['kept.example']);
      expect(count(store, 'domain_raw')).toBe(0);
      expect(store.db.prepare('SELECT sum(bytes_in) FROM usage_raw').pluck().get()).toBe(7);
    } finally {
      store.close();
    }
  });

  it('deletes the alerts given inside the range and the cycle summaries that overlap it; the alert state stays', () => {
    const store = seeded();
    try {
      store.withWriter((db) => {
        const alert = db.prepare("INSERT INTO alerts (at, subject, kind, percent, cycle_start, title, body) VALUES (?, 'plan:1', 'threshold', 80, ?, 't', 'Top apps: Firefox')");
        alert.run(jul(10, 9, 30), jul(1, 0));
        alert.run(jul(10, 12), jul(1, 0));
        const summary = db.prepare('INSERT INTO cycle_history (plan_id, cycle_start, cycle_end, quota_bytes, used_bytes, offset_bytes, overage_bytes, top, closed_at) VALUES (1, ?, ?, 1, 1, 0, 0, ?, 0)');
        summary.run(jul(1, 0), jul(11, 0), '{}');
        summary.run(jul(11, 0), jul(12, 0), '{}');
        db.prepare("INSERT INTO alert_state (subject, state) VALUES ('plan:1', ?)").run(JSON.stringify({ fired: [80] }));
      });
      const out = store.purgeRange(jul(10, 9), jul(10, 10));
      expect(out.deleted.planRecords).toBe(2);
      expect(store.db.prepare('SELECT at FROM alerts').pluck().all()).toEqual([jul(10, 12)]);
      expect(store.db.prepare('SELECT cycle_start FROM cycle_history').pluck().all()).toEqual([jul(11, 0)]);
      expect(count(store, 'alert_state')).toBe(1);
    } finally {
      store.close();
    }
  });

  it('is all or nothing: a failure on the browser reports keeps the usage and domain rows too', () => {
    const store = seeded();
    const side = sideConnection(store);
    try {
      side.exec("CREATE TRIGGER no_report_delete BEFORE DELETE ON browser_reports BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
      const before = { usage: count(store, 'usage_raw'), hourly: count(store, 'usage_hourly'), domains: count(store, 'domain_raw'), reports: count(store, 'browser_reports') };
      expect(() => store.purgeRange(jul(10, 9), jul(10, 10))).toThrow(/injected fault/);
      expect({ usage: count(store, 'usage_raw'), hourly: count(store, 'usage_hourly'), domains: count(store, 'domain_raw'), reports: count(store, 'browser_reports') }).toEqual(before);
    } finally {
      side.close();
      store.close();
    }
  });

  it('refuses to write through the read handle it hands out', () => {
    const store = seeded();
    try {
      expect(() => store.db.prepare('DELETE FROM browser_reports')).toThrow(/refuses a statement that writes/);
      expect(() => store.db.prepare("INSERT INTO apps (name) VALUES ('x')")).toThrow(/refuses a statement that writes/);
      expect(count(store, 'browser_reports')).toBe(2);
    } finally {
      store.close();
    }
  });
});

// The browser extension's active-tab reports, in the browser_reports table that the store's
// migration v2 creates (with CHECKs that keep URLs out). Only a normalized hostname and its
// registrable domain are stored: never a URL.
import type Database from 'better-sqlite3';
import type { ResolvedRange } from '../../src-shared/api.js';
import type { BrowserReportRow, BrowserReportSink } from './handlers.js';

/** The table's reader/writer: the sink the handlers record into, plus what purge and tests need. */
export interface BrowserReportStore extends BrowserReportSink {
  /** Rows whose report time lies in [since, until). */
  list(range: ResolvedRange): BrowserReportRow[];
  count(): number;
}

interface Row {
  received_at: number;
  ts: number;
  hostname: string;
  domain: string;
  browser: string;
}

/** Prepared statements over a database the store opened (schema version 2 or later). */
export function createBrowserReportStore(db: Database.Database): BrowserReportStore {
  const insert = db.prepare<[number, number, string, string, string]>(
    'INSERT INTO browser_reports (received_at, ts, hostname, domain, browser) VALUES (?, ?, ?, ?, ?)',
  );
  const remove = db.prepare<[number, number]>('DELETE FROM browser_reports WHERE ts >= ? AND ts < ?');
  const select = db.prepare<[number, number], Row>(
    'SELECT received_at, ts, hostname, domain, browser FROM browser_reports WHERE ts >= ? AND ts < ? ORDER BY ts, id',
  );
  const countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM browser_reports');
  return {
    record(report) {
      const info = insert.run(report.receivedAt, report.ts, report.hostname, report.domain, report.browser);
      return Number(info.lastInsertRowid);
    },
    purge(range) {
      return remove.run(range.since, range.until).changes;
    },
    list(range) {
      return select.all(range.since, range.until).map((r) => ({
        receivedAt: r.received_at,
        ts: r.ts,
        hostname: r.hostname,
        domain: r.domain,
        browser: r.browser,
      }));
    },
    count: () => countAll.get()?.n ?? 0,
  };
}

// The browser extension's active-tab reports, in their own table (a step for the store's numbered
// migrations; created on first use until the list has it). Only a normalized hostname and its
// registrable domain are stored: never a URL.
import type Database from 'better-sqlite3';
import type { ResolvedRange } from '../../src-shared/api.js';
import { createLogger } from '../engine/log.js';
import type { BrowserReportRow, BrowserReportSink } from './handlers.js';

const log = createLogger('api:browser-reports');

// The CHECKs repeat the boundary's rules so that no other writer can put a URL in this table.
const CREATE_BROWSER_REPORTS = `
CREATE TABLE IF NOT EXISTS browser_reports (
  id INTEGER PRIMARY KEY,
  received_at INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  hostname TEXT NOT NULL CHECK (length(hostname) BETWEEN 1 AND 253 AND hostname = lower(hostname)
    AND hostname NOT GLOB '*[^a-z0-9._-]*'),
  domain TEXT NOT NULL CHECK (length(domain) BETWEEN 1 AND 253 AND domain NOT GLOB '*[^a-z0-9._-]*'),
  browser TEXT NOT NULL CHECK (length(browser) BETWEEN 1 AND 32)
) STRICT;
CREATE INDEX IF NOT EXISTS browser_reports_ts ON browser_reports (ts);
`;

/**
 * Migration step that creates the browser_reports table. Idempotent, so that it can join the store's
 * MIGRATIONS list after databases that got the table from `createBrowserReportStore` already exist.
 */
export function createBrowserReportsTable(db: Database.Database): void {
  db.exec(CREATE_BROWSER_REPORTS);
}

function hasTable(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'browser_reports'").get() !== undefined;
}

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

/** Prepared statements over an open, migrated database (the table is created if no migration made it yet). */
export function createBrowserReportStore(db: Database.Database): BrowserReportStore {
  if (!hasTable(db)) {
    log.info('creating the browser_reports table (not yet in the store migrations)');
    createBrowserReportsTable(db);
  }
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

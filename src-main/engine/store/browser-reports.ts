// The browser extension's active-tab reports, in the browser_reports table that migration v2 creates
// (with CHECKs that keep URLs out). Only a normalized hostname and its registrable domain are stored:
// never a URL. The store writes them (`Store.recordBrowserReport`) and purges them in the same
// transaction as the usage and domain tiers (purge.ts); reading them is a query on the read handle.
import type Database from 'better-sqlite3';
import type { ReadableDB } from './readable.js';

/** An active-tab report, reduced and ready to store. */
export interface BrowserReportRow {
  /** Epoch seconds the engine received it. */
  receivedAt: number;
  /** Epoch seconds the tab became active, as the extension says. */
  ts: number;
  hostname: string;
  domain: string;
  browser: string;
  /** The extension's id for the report (32 random hex characters, schema v8); absent from older extensions. */
  reportId?: string | undefined;
}

interface Row {
  received_at: number;
  ts: number;
  hostname: string;
  domain: string;
  browser: string;
}

export const BROWSER_REPORT_SQL = {
  insert: 'INSERT INTO browser_reports (received_at, ts, hostname, domain, browser, report_id) VALUES (?, ?, ?, ?, ?, ?)',
  purge: 'DELETE FROM browser_reports WHERE ts >= ? AND ts < ?',
} as const;

/** Inserts one report on the store's connection; returns its row id. */
export function insertBrowserReport(db: Database.Database, report: BrowserReportRow): number {
  const info = db.prepare<[number, number, string, string, string, string | null]>(BROWSER_REPORT_SQL.insert).run(report.receivedAt, report.ts, report.hostname, report.domain, report.browser, report.reportId ?? null);
  return Number(info.lastInsertRowid);
}

/** Reports whose report time lies in [since, until), oldest first. */
export function browserReportsIn(db: ReadableDB, range: { since: number; until: number }): BrowserReportRow[] {
  return db
    .prepare<[number, number], Row>('SELECT received_at, ts, hostname, domain, browser FROM browser_reports WHERE ts >= ? AND ts < ? ORDER BY ts, id')
    .all(range.since, range.until)
    .map((r) => ({ receivedAt: r.received_at, ts: r.ts, hostname: r.hostname, domain: r.domain, browser: r.browser }));
}

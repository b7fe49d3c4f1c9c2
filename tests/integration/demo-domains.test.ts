// `netmon demo` writes domain rows that keep the engine's invariant in every tier (per app and
// interval, or hour, or day, the domain rows add up to the usage row), and `netmon report --by domain`
// works on the folder. Expected sums are read straight from the tables in SQL, not through the query layer.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main.js';
import { setLogLevel } from '../../src-main/engine/log.js';
import { domainGroups, domainUsageMismatches } from '../helpers/invariants.js';

setLogLevel('warn');
// One folder for the file's tests (the store helpers' folders go after each test).
let dataDir = '';
let db: Database.Database;
beforeAll(async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-demo-'));
  dataDir = path.join(root, 'data');
  const out: string[] = [];
  expect(await main(['demo', '--days', '3', '--data-dir', dataDir], (t) => out.push(t))).toBe(0);
  expect(out.join('\n')).toMatch(/3 days of synthetic history \(\d+ rows, [1-9]\d* domain rows\)/);
  db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
  return () => {
    db.close();
    rmSync(root, { recursive: true, force: true });
  };
}, 60_000);

async function netmon(args: string[]): Promise<string> {
  const out: string[] = [];
  expect(await main([...args, '--data-dir', dataDir], (t) => out.push(t))).toBe(0);
  return out.join('\n');
}

describe('netmon demo domain rows', () => {
  it.each(['raw', 'hourly', 'daily'] as const)('in the %s tier every group of domain rows equals its app usage row', (tier) => {
    // Three or four local days (three days from an hour boundary), each with ten or more named apps.
    expect(domainGroups(db, tier)).toBeGreaterThanOrEqual(30);
    expect(domainUsageMismatches(db, { tier, everyUsageRow: false })).toEqual([]);
  });

  it('report --by domain over a whole day: the totals the daily table holds, the active tab part apart, and all the named apps usage', async () => {
    const days = db.prepare('SELECT DISTINCT day_start FROM usage_daily ORDER BY day_start').pluck().all() as number[];
    // The second local day is whole (the history starts mid-day and ends now).
    const [since, until] = [days[1] ?? 0, days[2] ?? 0];
    const sums = db
      .prepare(
        `SELECT sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut, total(bytes_in * estimate) AS estIn, total(bytes_out * estimate) AS estOut
           FROM domain_daily WHERE day_start >= ? AND day_start < ?`,
      )
      .get(since, until) as { bytesIn: number; bytesOut: number; estIn: number; estOut: number };
    const usage = db
      .prepare(
        `SELECT sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut FROM usage_daily
          WHERE day_start >= ? AND day_start < ? AND app_id IN (SELECT DISTINCT app_id FROM domain_daily)`,
      )
      .get(since, until) as { bytesIn: number; bytesOut: number };
    const iso = (s: number): string => new Date(s * 1000).toISOString();
    const report = JSON.parse(await netmon(['report', '--by', 'domain', '--json', '--since', iso(since), '--until', iso(until)])) as {
      approximate: boolean;
      rows: { domain: string; estimated: { bytesIn: number } }[];
      totals: { bytesIn: number; bytesOut: number; estimated: { bytesIn: number; bytesOut: number } };
    };
    expect(report.approximate).toBe(false);
    expect(report.totals).toEqual({ bytesIn: sums.bytesIn, bytesOut: sums.bytesOut, estimated: { bytesIn: sums.estIn, bytesOut: sums.estOut } });
    expect({ bytesIn: report.totals.bytesIn, bytesOut: report.totals.bytesOut }).toEqual(usage);
    expect(report.rows.length).toBeGreaterThan(20);
    expect(report.rows.some((r) => r.domain === '(unattributed)')).toBe(true);
    expect(report.totals.estimated.bytesIn).toBeGreaterThan(0);
  });

  it('report --by domain --app for a browser: its sites, the unnamed rest, the guessed figures marked', async () => {
    const table = (await netmon(['report', '--by', 'domain', '--app', 'Google Chrome', '--since', '24h'])).split('\n');
    expect(table[0]).toMatch(/^Traffic of Google Chrome by domain/);
    expect(table.some((l) => /^youtube\.com\s+~/.test(l))).toBe(true);
    expect(table.some((l) => l.startsWith('(unattributed)'))).toBe(true);
    expect(table.at(-1)).toMatch(/^~ estimate: includes bytes placed by the browser's active tab/);
  });
});

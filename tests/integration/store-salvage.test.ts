// A damaged database is salvaged: before the file is moved aside, every row that can still be read is
// copied into the fresh one. Here a populated database gets one page of an index and one page of a
// table overwritten (as a bad sector or a torn write would leave them); the fresh database must hold
// exactly the rows of the undamaged pages, and reports over the old range must show what survived.
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grandTotals } from '../../src-main/engine/queries/index.js';
import { DB_FILE_NAME, openStore, salvageReportPath, type ReadableDB } from '../../src-main/engine/store/index.js';
import type { AppUsage } from '../../src-main/engine/types.js';
import { netmon } from '../helpers/cli.js';
import { tempDataDir, utc } from '../helpers/store.js';

const APPS = ['firefox', 'curl', 'Spotify', 'git', 'ssh', 'apt'];
const FROM = utc(2026, 3, 10);
const DAYS = 3;

/** Three days of 5-minute rows for six apps, written through the real store. */
function populate(dataDir: string): void {
  const store = openStore({ dataDir, clock: { now: () => (FROM + DAYS * 86_400) * 1000 }, retention: { rawDays: 3650, hourlyDays: 3650 } });
  for (let day = 0; day < DAYS; day += 1) {
    const rows: AppUsage[] = [];
    for (let i = 1; i <= 288; i += 1) {
      const ts = FROM + day * 86_400 + i * 300;
      APPS.forEach((app, k) => rows.push({ ts, durationS: 300, app, bytesIn: 1000 * (k + 1) + (ts % 997), bytesOut: 10 * (k + 1) + (ts % 13) }));
    }
    store.append(rows);
    expect(store.flush().ok).toBe(true);
  }
  store.close();
}

type Row = [number, number, number, number, number];

function rawRows(db: ReadableDB): Map<string, Row> {
  const rows = db.prepare('SELECT ts, app_id, duration_s, bytes_in, bytes_out FROM usage_raw').raw(true).all() as Row[];
  return new Map(rows.map((r) => [`${r[0]}|${r[1]}`, r]));
}

function overwritePage(file: string, pageNo: number, pageSize: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (pageNo - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe('salvaging a damaged database', () => {
  it('keeps exactly the rows of undamaged pages when an index page and a table page are overwritten', () => {
    const dataDir = tempDataDir();
    populate(dataDir);
    const file = path.join(dataDir, DB_FILE_NAME);

    const before = new Database(file, { readonly: true });
    const original = rawRows(before);
    const names = new Map((before.prepare('SELECT id, name FROM apps').all() as { id: number; name: string }[]).map((r) => [r.id, r.name]));
    const pageSize = before.pragma('page_size', { simple: true }) as number;
    const leaves = before.prepare("SELECT pageno, ncell FROM dbstat WHERE name = 'usage_raw' AND pagetype = 'leaf' ORDER BY pageno").all() as { pageno: number; ncell: number }[];
    const indexPages = before.prepare("SELECT pageno FROM dbstat WHERE name = 'usage_raw_app_ts' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    const range = { since: FROM, until: FROM + DAYS * 86_400 + 3600 };
    const totalsBefore = grandTotals(before, range);
    before.close();
    const pristine = `${file}.pristine`;
    copyFileSync(file, pristine);
    expect(leaves.length).toBeGreaterThan(10);
    expect(indexPages.length).toBeGreaterThan(2);
    const victim = leaves[Math.floor(leaves.length / 2)]!;
    overwritePage(file, victim.pageno, pageSize);
    overwritePage(file, indexPages[1]!, pageSize);

    const store = openStore({ dataDir, retention: { rawDays: 3650, hourlyDays: 3650 } });
    try {
      const recovered = store.recovered;
      expect(recovered).not.toBeNull();
      expect(recovered!.reason).toMatch(/integrity check failed|malformed/);
      expect(existsSync(recovered!.movedTo)).toBe(true);
      const salvaged = rawRows(store.db);
      // Exactly the rows of the undamaged pages: all but the overwritten leaf's, each as it was.
      expect(salvaged.size).toBe(original.size - victim.ncell);
      for (const [key, row] of salvaged) expect(original.get(key)).toEqual(row);
      // The rows lost are one contiguous stretch of keys (one page), nothing else.
      const lost = [...original.keys()].filter((k) => !salvaged.has(k)).sort();
      expect(lost).toHaveLength(victim.ncell);
      // The other tables (and the rebuilt indexes) are whole.
      expect(store.db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
      for (const [id, name] of names) expect(store.db.prepare('SELECT name FROM apps WHERE id = ?').pluck().get(id)).toBe(name);
      expect(store.db.prepare('SELECT count(*) FROM usage_hourly').pluck().get()).toBe(DAYS * 24 * APPS.length);
      // The report over the old range shows what survived: the hourly and daily tiers were undamaged.
      expect(grandTotals(store.db, range)).toMatchObject({ bytesIn: totalsBefore.bytesIn, bytesOut: totalsBefore.bytesOut });
      // Sub-hour ranges read the raw rows: every range reports what the undamaged copy minus the lost rows reports.
      const survivor = new Database(pristine);
      const del = survivor.prepare('DELETE FROM usage_raw WHERE ts = ? AND app_id = ?');
      for (const key of lost) del.run(...key.split('|').map(Number));
      const t = original.get(lost[0]!)![0];
      const hour = t - (t % 3600);
      for (const r of [range, { since: hour + 60, until: hour + 3540 }, { since: hour - 1800, until: hour + 5400 }, { since: hour, until: hour + 3600 }]) {
        expect(grandTotals(store.db, r)).toEqual(grandTotals(survivor, r));
      }
      survivor.close();
      // Said once, kept beside the damaged file for doctor.
      const report = JSON.parse(readFileSync(salvageReportPath(recovered!.movedTo), 'utf8')) as { tables: Record<string, { rows: number; damagedStretches: number }> };
      expect(recovered!.salvage?.tables['usage_raw']).toEqual({ rows: original.size - victim.ncell, damagedStretches: 1 });
      expect(report.tables['usage_raw']?.rows).toBe(original.size - victim.ncell);
      expect(report.tables['apps']).toEqual({ rows: APPS.length + 1, damagedStretches: 0 });
    } finally {
      store.close();
    }
    // doctor lists the kept file with its size, date and what was salvaged from it.
    const doctor = netmon(['doctor', '--json', '--data-dir', dataDir]);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; ok: boolean; detail: string }[] }).checks.filter((c) => c.name === 'kept damaged database');
    expect(checks).toHaveLength(1);
    expect(checks[0]!.detail).toContain(`${file}.corrupt-`);
    expect(checks[0]!.detail).toMatch(/KB|MB/);
    expect(checks[0]!.detail).toMatch(/\d{4}-\d\d-\d\dT/);
    expect(checks[0]!.detail).toContain(`usage_raw ${original.size - victim.ncell} (1 damaged stretch lost)`);
  });

  it('an index page alone: every row is kept', () => {
    const dataDir = tempDataDir();
    populate(dataDir);
    const file = path.join(dataDir, DB_FILE_NAME);
    const before = new Database(file, { readonly: true });
    const original = rawRows(before);
    const pageSize = before.pragma('page_size', { simple: true }) as number;
    const indexPage = before.prepare("SELECT pageno FROM dbstat WHERE name = 'usage_hourly_app_hour' ORDER BY pageno").pluck().get() as number;
    const hourly = before.prepare('SELECT count(*) FROM usage_hourly').pluck().get();
    before.close();
    overwritePage(file, indexPage, pageSize);
    const store = openStore({ dataDir });
    try {
      expect(store.recovered).not.toBeNull();
      expect(rawRows(store.db)).toEqual(original);
      expect(store.db.prepare('SELECT count(*) FROM usage_hourly').pluck().get()).toBe(hourly);
      expect(Object.values(store.recovered!.salvage!.tables).every((t) => t.damagedStretches === 0)).toBe(true);
    } finally {
      store.close();
    }
  });
});

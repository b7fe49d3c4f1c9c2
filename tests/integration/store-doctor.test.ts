// `netmon doctor` over real data folders, run as a user runs it (the compiled build): it reports the
// store's full integrity check (verifyDatabase) and the schema, and it changes nothing: the database
// stays byte for byte, no migration, no recovery, no chmod, no config.json written. The only files
// it may leave are SQLite's own reader side files of a WAL database (an empty -wal and the -shm).
process.env.TZ = 'Europe/Berlin';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DB_FILE_NAME, MIGRATIONS, openStore } from '../../src-main/engine/store/index.js';
import { netmon } from '../helpers/cli.js';
import { tempDataDir } from '../helpers/store.js';

interface Report {
  healthy: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Every file of the folder with its mode and content hash. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = { '.': (statSync(dir).mode & 0o777).toString(8) };
  for (const name of readdirSync(dir)) out[name] = `${(statSync(path.join(dir, name)).mode & 0o777).toString(8)} ${sha(path.join(dir, name))}`;
  return out;
}

/** A closed database with some usage, at the newest schema or at `version`. */
function populated(dir: string, migrations = MIGRATIONS): string {
  const store = openStore({ dataDir: dir, migrations });
  const base = Date.UTC(2024, 6, 10) / 1000;
  store.append(Array.from({ length: 2000 }, (_, i) => ({ ts: base + i * 5, durationS: 5, app: `app${i % 7}`, bytesIn: 1000 + i, bytesOut: i })));
  expect(store.flush().ok).toBe(true);
  store.close();
  return path.join(dir, DB_FILE_NAME);
}

function doctor(dir: string): { code: number | null; report: Report } {
  const result = netmon(['doctor', '--json', '--data-dir', dir]);
  return { code: result.code, report: JSON.parse(result.stdout) as Report };
}

const check = (report: Report, name: string): { ok: boolean; detail: string } | undefined => {
  const found = report.checks.find((c) => c.name === name);
  return found === undefined ? undefined : { ok: found.ok, detail: found.detail };
};

/** What doctor may add: SQLite's reader side files, the -wal empty, both 600 like the database. */
function expectOnlyReaderSideFiles(before: Record<string, string>, after: Record<string, string>, dbPath: string): void {
  const added = Object.keys(after).filter((k) => !(k in before));
  for (const name of added) expect([`${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`]).toContain(name);
  for (const name of added) expect(statSync(path.join(path.dirname(dbPath), name)).mode & 0o777, name).toBe(0o600);
  if (added.includes(`${DB_FILE_NAME}-wal`)) expect(statSync(`${dbPath}-wal`).size).toBe(0);
  const kept = Object.fromEntries(Object.entries(after).filter(([k]) => k in before));
  expect(kept).toEqual(before);
}

describe('netmon doctor', () => {
  it('reports a healthy database through the full check and changes nothing, loose modes and no config.json included', () => {
    const dir = tempDataDir();
    const dbPath = populated(dir);
    // Looser than netmon leaves them: doctor must report, not tighten.
    chmodSync(dir, 0o755);
    const before = snapshot(dir);
    expect(Object.keys(before)).not.toContain('config.json');
    const { report } = doctor(dir);
    expect(check(report, 'database integrity')).toEqual({ ok: true, detail: 'quick_check ok' });
    expect(check(report, 'database schema')).toEqual({ ok: true, detail: `version ${MIGRATIONS.length} (this netmon: ${MIGRATIONS.length})` });
    expect(check(report, 'data folder')?.ok).toBe(false);
    expect(check(report, 'config.json')).toEqual({ ok: true, detail: 'none yet: defaults apply (written by netmon serve)' });
    expectOnlyReaderSideFiles(before, snapshot(dir), dbPath);
  });

  it('reports damage found by the full check, and neither repairs nor moves the file', () => {
    const dir = tempDataDir();
    const dbPath = populated(dir);
    // The root page of usage_raw overwritten: the header and the small tables are fine.
    const raw = new Database(dbPath, { readonly: true });
    const page = raw.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'usage_raw'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const bytes = readFileSync(dbPath);
    bytes.fill(0xa5, (page - 1) * pageSize, page * pageSize);
    writeFileSync(dbPath, bytes);
    const before = snapshot(dir);
    const { code, report } = doctor(dir);
    // The damage is named, and doctor exits 1.
    const integrity = check(report, 'database integrity');
    expect(integrity?.ok).toBe(false);
    expect(integrity?.detail).toMatch(/^quick_check: /);
    expect(code).toBe(1);
    expectOnlyReaderSideFiles(before, snapshot(dir), dbPath);
  });

  it('reports an older schema without upgrading it', () => {
    const dir = tempDataDir();
    const dbPath = populated(dir, MIGRATIONS.slice(0, 1));
    const before = snapshot(dir);
    const { report } = doctor(dir);
    expect(check(report, 'database schema')).toEqual({ ok: true, detail: `version 1 (this netmon: ${MIGRATIONS.length}; the next netmon serve upgrades it)` });
    expect(check(report, 'database integrity')).toEqual({ ok: true, detail: 'quick_check ok' });
    expect(check(report, 'database size')?.detail).toMatch(/last sample 2024-07-10T02:46:35\.000Z/);
    expectOnlyReaderSideFiles(before, snapshot(dir), dbPath);
    const after = new Database(dbPath, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(1);
    after.close();
  });
});

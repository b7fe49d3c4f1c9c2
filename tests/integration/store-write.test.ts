// Writing for real: one transaction per flush with the rollups alongside, and no row lost when the
// disk is full (a tiny tmpfs) or refuses writes (an immutable file: root ignores permission bits,
// but not the immutable attribute), with the buffer bounded meanwhile.
process.env.TZ = 'Europe/Berlin';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { grandTotals, processesForApp, timeline } from '../../src-main/engine/queries/index.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import type { AppUsage } from '../../src-main/engine/types.js';
import { tempDataDir, tempRoot, utc } from '../helpers/store.js';
import { sideConnection } from '../helpers/side-connection.js';

const isRoot = process.getuid?.() === 0;
// 2024-07-10 10:00 local (UTC+2).
const H = utc(2024, 7, 10, 8);

function table(store: Store, sql: string): unknown[] {
  return store.db.prepare(sql).all();
}

describe('flush', () => {
  it('writes raw rows and upserts the hourly and daily rollups of the same rows; zero rows are not stored', () => {
    const store = openStore({ dataDir: tempDataDir() });
    try {
      store.append([
        { ts: H + 5, durationS: 5, app: 'a', bytesIn: 100, bytesOut: 10 },
        { ts: H + 3600, durationS: 5, app: 'a', bytesIn: 200, bytesOut: 20 }, // ends 11:00:00 → the 10:00 hour
        { ts: H + 3605, durationS: 5, app: 'a', bytesIn: 400, bytesOut: 40 },
        { ts: H + 5, durationS: 5, app: 'b', bytesIn: 1000, bytesOut: 0 },
        { ts: H + 5, durationS: 5, app: 'c', bytesIn: 0, bytesOut: 0 },
      ]);
      expect(store.pendingRows()).toBe(4);
      expect(store.flush()).toEqual({ ok: true, written: { usage: 4, processes: 0, gaps: 0 } });
      expect(store.pendingRows()).toBe(0);
      expect(table(store, 'SELECT name FROM apps ORDER BY id')).toEqual([{ name: '(unattributed)' }, { name: 'a' }, { name: 'b' }]);
      expect(table(store, 'SELECT ts, duration_s, a.name AS app, bytes_in, bytes_out FROM usage_raw JOIN apps a ON a.id = app_id ORDER BY ts, app')).toEqual([
        { ts: H + 5, duration_s: 5, app: 'a', bytes_in: 100, bytes_out: 10 },
        { ts: H + 5, duration_s: 5, app: 'b', bytes_in: 1000, bytes_out: 0 },
        { ts: H + 3600, duration_s: 5, app: 'a', bytes_in: 200, bytes_out: 20 },
        { ts: H + 3605, duration_s: 5, app: 'a', bytes_in: 400, bytes_out: 40 },
      ]);
      expect(table(store, 'SELECT hour_start, a.name AS app, bytes_in, bytes_out FROM usage_hourly JOIN apps a ON a.id = app_id ORDER BY hour_start, app')).toEqual([
        { hour_start: H, app: 'a', bytes_in: 300, bytes_out: 30 },
        { hour_start: H, app: 'b', bytes_in: 1000, bytes_out: 0 },
        { hour_start: H + 3600, app: 'a', bytes_in: 400, bytes_out: 40 },
      ]);
      expect(table(store, 'SELECT day_start, day_end, a.name AS app, bytes_in, bytes_out FROM usage_daily JOIN apps a ON a.id = app_id ORDER BY app')).toEqual([
        { day_start: utc(2024, 7, 9, 22), day_end: utc(2024, 7, 10, 22), app: 'a', bytes_in: 700, bytes_out: 70 },
        { day_start: utc(2024, 7, 9, 22), day_end: utc(2024, 7, 10, 22), app: 'b', bytes_in: 1000, bytes_out: 0 },
      ]);
      // A later flush into the same hour and day adds to the rollups (and to a raw row of the same end and app).
      store.append([
        { ts: H + 3605, durationS: 5, app: 'a', bytesIn: 1, bytesOut: 1 },
        { ts: H + 3700, durationS: 5, app: 'a', bytesIn: 2, bytesOut: 2 },
      ]);
      expect(store.flush().ok).toBe(true);
      expect(table(store, `SELECT bytes_in, bytes_out FROM usage_raw WHERE ts = ${H + 3605}`)).toEqual([{ bytes_in: 401, bytes_out: 41 }]);
      expect(table(store, `SELECT bytes_in FROM usage_hourly WHERE hour_start = ${H + 3600}`)).toEqual([{ bytes_in: 403 }]);
      expect(table(store, "SELECT bytes_in FROM usage_daily JOIN apps ON apps.id = app_id WHERE name = 'a'")).toEqual([{ bytes_in: 703 }]);
    } finally {
      store.close();
    }
  });

  it('keeps each process once with its first and last sighting, and stores gaps in seconds', () => {
    const store = openStore({ dataDir: tempDataDir() });
    try {
      store.append([], [
        { app: 'Firefox', name: 'Web Content', pid: 42, path: '/usr/lib/firefox/firefox', ts: 2000 },
        { app: 'Firefox', name: 'Web Content', pid: 42, path: '/usr/lib/firefox/firefox', ts: 1000 },
        { app: 'Firefox', name: 'firefox', pid: 41, path: null, ts: 1500 },
      ], [{ startMs: 10_000, endMs: 70_500, reason: 'sleep-or-clock-jump' }]);
      expect(store.flush()).toEqual({ ok: true, written: { usage: 0, processes: 2, gaps: 1 } });
      store.append([], [{ app: 'Firefox', name: 'Web Content', pid: 42, path: '/usr/lib/firefox/firefox', ts: 3000 }]);
      store.flush();
      expect(processesForApp(store.db, { app: 'Firefox' })).toEqual([
        { name: 'Web Content', pid: 42, path: '/usr/lib/firefox/firefox', firstSeen: 1000, lastSeen: 3000 },
        { name: 'firefox', pid: 41, path: null, firstSeen: 1500, lastSeen: 1500 },
      ]);
      expect(processesForApp(store.db, { app: 'Firefox', since: 1600, until: 5000 }).map((p) => p.pid)).toEqual([42]);
      expect(table(store, 'SELECT start_ts, end_ts, reason FROM gaps')).toEqual([{ start_ts: 10, end_ts: 71, reason: 'sleep-or-clock-jump' }]);
    } finally {
      store.close();
    }
  });

  it('is one transaction: a failure on the last statement leaves no row of the batch, and the retry writes each once', () => {
    const store = openStore({ dataDir: tempDataDir() });
    try {
      // Gaps are written last in a flush; this trigger makes that last write fail (a test-only fault).
      const side = sideConnection(store);
      side.exec("CREATE TRIGGER fail_gap BEFORE INSERT ON gaps WHEN NEW.reason = 'stall' BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
      store.append([{ ts: H + 5, durationS: 5, app: 'new-app', bytesIn: 5, bytesOut: 6 }], [{ app: 'new-app', name: 'n', pid: 1, path: null, ts: H }], [
        { startMs: 0, endMs: 1000, reason: 'stall' },
      ]);
      const failed = store.flush();
      expect(failed.ok).toBe(false);
      expect(!failed.ok && failed.error.message).toMatch(/injected fault/);
      for (const t of ['usage_raw', 'usage_hourly', 'usage_daily', 'processes', 'gaps']) {
        expect(store.db.prepare(`SELECT count(*) FROM ${t}`).pluck().get(), t).toBe(0);
      }
      expect(store.db.prepare("SELECT count(*) FROM apps WHERE name = 'new-app'").pluck().get()).toBe(0);
      expect(store.pendingRows()).toBe(3);
      side.exec('DROP TRIGGER fail_gap');
      side.close();
      expect(store.flush().ok).toBe(true);
      expect(table(store, 'SELECT bytes_in, bytes_out FROM usage_raw')).toEqual([{ bytes_in: 5, bytes_out: 6 }]);
      expect(table(store, 'SELECT bytes_in FROM usage_daily')).toEqual([{ bytes_in: 5 }]);
      expect(store.db.prepare('SELECT count(*) FROM gaps').pluck().get()).toBe(1);
    } finally {
      store.close();
    }
  });

  it('close() flushes what is buffered', () => {
    const dir = tempDataDir();
    const store = openStore({ dataDir: dir });
    store.append([{ ts: H + 5, durationS: 5, app: 'a', bytesIn: 7, bytesOut: 8 }]);
    expect(store.close()).toEqual({ ok: true, written: { usage: 1, processes: 0, gaps: 0 } });
    expect(() => store.append([])).toThrow(/closed/);
    const again = openStore({ dataDir: dir });
    expect(grandTotals(again.db, { since: H, until: H + 60 })).toMatchObject({ bytesIn: 7, bytesOut: 8 });
    again.close();
  });

  it("sees another connection's commit at every flush: a name renamed there gets a new id here, not the cached one", () => {
    const store = openStore({ dataDir: tempDataDir() });
    const side = sideConnection(store);
    try {
      const appNames = (): unknown[] => table(store, "SELECT a.name, sum(bytes_in) AS bytes_in FROM usage_raw JOIN apps a ON a.id = app_id GROUP BY a.name ORDER BY a.name");
      // Several flushes first, so that the writer has read the version more than once before the change.
      for (let i = 0; i < 3; i += 1) {
        store.append([{ ts: H + 5 + i * 5, durationS: 5, app: 'a', bytesIn: 1, bytesOut: 0 }]);
        expect(store.flush().ok).toBe(true);
      }
      // What the CLI's forget or fold does from its own process: the id the writer cached no longer means 'a'.
      side.prepare("UPDATE apps SET name = 'renamed' WHERE name = 'a'").run();
      store.append([{ ts: H + 60, durationS: 5, app: 'a', bytesIn: 100, bytesOut: 0 }]);
      expect(store.flush().ok).toBe(true);
      expect(appNames()).toEqual([
        { name: 'a', bytes_in: 100 },
        { name: 'renamed', bytes_in: 3 },
      ]);
      // And again after a second commit there (the statement reads the version each time it runs).
      side.prepare("UPDATE apps SET name = 'renamed again' WHERE name = 'a'").run();
      store.append([{ ts: H + 120, durationS: 5, app: 'a', bytesIn: 1000, bytesOut: 0 }]);
      expect(store.flush().ok).toBe(true);
      expect(appNames()).toEqual([
        { name: 'a', bytes_in: 1000 },
        { name: 'renamed', bytes_in: 3 },
        { name: 'renamed again', bytes_in: 100 },
      ]);
    } finally {
      side.close();
      store.close();
    }
  });
});

/** 5-s rows for `apps` over `hours` from H, with bytes that differ per row. */
function rowsFor(apps: string[], hours: number): AppUsage[] {
  const out: AppUsage[] = [];
  for (let i = 1; i <= hours * 720; i += 1) {
    for (const [k, app] of apps.entries()) out.push({ ts: H + i * 5, durationS: 5, app, bytesIn: 1000 + ((i * 31 + k * 7) % 997), bytesOut: (i * 13 + k) % 101 });
  }
  return out;
}

/** Sums per epoch hour (of ts - 1) and app, by brute force. */
function hourlyExpected(rows: AppUsage[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of rows) {
    const hour = H + Math.floor((r.ts - 1 - H) / 3600) * 3600;
    m.set(hour, (m.get(hour) ?? 0) + r.bytesIn + r.bytesOut);
  }
  return m;
}

/** A tmpfs of `size` mounted inside a temp folder; `fill()` takes all its free space, `free()` gives it back. */
function tinyDisk(size: string): { dir: string; fill: () => void; free: () => void; unmount: () => void } {
  const mnt = path.join(tempRoot('netmon-full-'), 'mnt');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mnt]);
  const filler = path.join(mnt, 'filler');
  return {
    dir: path.join(mnt, 'data'),
    fill() {
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch {
        // ENOSPC: the disk is full now.
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', mnt]);
    },
  };
}

/** Empties the WAL before the disk is filled (through a second connection: the store only reads on `db`). */
function checkpoint(store: Store): void {
  const side = sideConnection(store);
  side.pragma('wal_checkpoint(TRUNCATE)');
  side.close();
}

describe.skipIf(!isRoot)('write failures (root: a real full disk and a real immutable file)', () => {
  it('a full disk keeps the rows in memory, reports SQLITE_FULL, and writes them once there is room', () => {
    const disk = tinyDisk('2m');
    try {
      const store = openStore({ dataDir: disk.dir, clock: { now: () => 1_720_000_000_000 } });
      checkpoint(store);
      disk.fill();
      const rows = rowsFor(['a', 'b', 'c'], 2);
      store.append(rows);
      const first = store.flush();
      expect(first.ok).toBe(false);
      expect(!first.ok && first.error.code).toBe('SQLITE_FULL');
      expect(store.flush().ok).toBe(false);
      const health = store.health();
      expect(health).toMatchObject({ ok: false, consecutiveFailures: 2, pendingUsageRows: rows.length, lastFlushAt: null });
      expect(health.lastError?.message).toMatch(/^the disk is full: /);
      disk.free();
      expect(store.flush()).toEqual({ ok: true, written: { usage: rows.length, processes: 0, gaps: 0 } });
      expect(store.health()).toMatchObject({ ok: true, lastError: null, consecutiveFailures: 0, pendingRows: 0, lastFlushAt: 1_720_000_000_000 });
      const want = rows.reduce((s, r) => s + r.bytesIn, 0);
      expect(grandTotals(store.db, { since: H, until: H + 3 * 3600 }).bytesIn).toBe(want);
      expect(store.db.prepare('SELECT count(*) FROM usage_raw').pluck().get()).toBe(rows.length);
      store.close();
    } finally {
      disk.unmount();
    }
  });

  it('while writes fail the buffer stays under its cap by folding old rows per hour; hourly sums survive', () => {
    const disk = tinyDisk('2m');
    try {
      const store = openStore({ dataDir: disk.dir, maxPendingRows: 200 });
      checkpoint(store);
      disk.fill();
      const rows = rowsFor(['a', 'b'], 3);
      for (let i = 0; i < rows.length; i += 24) {
        store.append(rows.slice(i, i + 24)); // two minutes of rows, then a (failing) flush
        expect(store.flush().ok).toBe(false);
        expect(store.health().pendingUsageRows).toBeLessThanOrEqual(200);
      }
      expect(store.health().folds).toBeGreaterThan(0);
      disk.free();
      expect(store.flush().ok).toBe(true);
      // Only the oldest rows were folded: the last minute is still there as 5-s rows.
      const lastMinute = rows.filter((r) => r.ts > H + 3 * 3600 - 60);
      expect(store.db.prepare('SELECT count(*) FROM usage_raw WHERE ts > ? AND duration_s = 5').pluck().get(H + 3 * 3600 - 60)).toBe(lastMinute.length);
      const hours = timeline(store.db, { since: H, until: H + 3 * 3600, bucketS: 3600 });
      const want = hourlyExpected(rows);
      expect(hours.points.map((p) => [p.ts, p.bytesIn + p.bytesOut])).toEqual([...want.entries()].sort((x, y) => x[0] - y[0]));
      expect(hours.approximate).toBe(false);
      store.close();
    } finally {
      disk.unmount();
    }
  });

  it('an I/O error (immutable -wal) keeps the rows, and the same connection writes them once the file is writable', () => {
    const dir = tempDataDir();
    const store = openStore({ dataDir: dir });
    const wal = path.join(dir, 'network_monitor.db-wal');
    try {
      store.append([{ ts: H - 5, durationS: 5, app: 'a', bytesIn: 1, bytesOut: 1 }]);
      expect(store.flush().ok).toBe(true);
      execFileSync('chattr', ['+i', wal]);
      store.append(rowsFor(['a'], 1));
      const failed = store.flush();
      expect(failed.ok).toBe(false);
      expect(!failed.ok && failed.error.code).toMatch(/^SQLITE_IOERR/);
      expect(store.health().lastError?.message).toMatch(/I\/O error/);
      expect(store.pendingRows()).toBe(720);
      execFileSync('chattr', ['-i', wal]);
      expect(store.flush().ok).toBe(true);
      expect(store.db.prepare('SELECT count(*) FROM usage_raw').pluck().get()).toBe(721);
    } finally {
      execFileSync('chattr', ['-i', wal]);
      store.close();
    }
  });
});

// Measurements of the store for `npm run bench` (and the figures in the store's report): ingest
// rate, bytes per day on disk, the p95 of "totals per app" over a year, and the open-time check on
// a large file. Each function takes an empty folder of its own and leaves the data there.
import { statSync } from 'node:fs';
import path from 'node:path';
import { heatmap } from '../queries/heatmap.js';
import { timeline, totalsByApp, totalsByDay } from '../queries/queries.js';
import { UNATTRIBUTED, type AppUsage } from '../types.js';
import { DB_FILE_NAME, openDatabase } from './open.js';
import { openStore, type Store } from './store.js';
import { localDayStart } from './time.js';
import { seededRandom } from '../random.js';


/** What a realistic machine looks like: how many apps, how many active per interval, how long an interval. */
export interface WorkloadShape {
  apps: number;
  activePerInterval: number;
  intervalS: number;
}

export const REALISTIC: WorkloadShape = { apps: 40, activePerInterval: 10, intervalS: 5 };

function appNames(n: number): string[] {
  return [UNATTRIBUTED, ...Array.from({ length: n - 1 }, (_, i) => `Bench App ${String(i + 1).padStart(2, '0')}`)];
}

/** Rows of one interval ending at `ts`: `active` apps drawn with a skew (a few apps are busy most of the time). */
function intervalRows(ts: number, names: string[], shape: WorkloadShape, random: () => number): AppUsage[] {
  const chosen = new Set<number>([0]);
  while (chosen.size < Math.min(shape.activePerInterval, names.length)) chosen.add(Math.floor(random() ** 2 * names.length));
  return [...chosen].map((i) => {
    const bytesIn = Math.round(10 ** (2 + random() * 5)); // 100 B … 10 MB per interval
    return { ts, durationS: shape.intervalS, app: names[i] ?? UNATTRIBUTED, bytesIn, bytesOut: Math.round(bytesIn * random() * 0.3) };
  });
}

/** Ingest rate: `batches` flushes of `batchRows` rows each (60 ≈ 30 s of 10 active apps every 5 s). */
export function benchIngest(dataDir: string, options: { batches?: number; batchRows?: number; startTs?: number } = {}): {
  rows: number;
  batchRows: number;
  seconds: number;
  rowsPerSecond: number;
  msPerFlush: number;
} {
  const batches = options.batches ?? 500;
  const shape = { ...REALISTIC, activePerInterval: Math.min(REALISTIC.activePerInterval, options.batchRows ?? 60) };
  const perInterval = shape.activePerInterval;
  const intervalsPerBatch = Math.max(1, Math.round((options.batchRows ?? 60) / perInterval));
  const store = openStore({ dataDir });
  const random = seededRandom(1);
  const names = appNames(shape.apps);
  let ts = options.startTs ?? 1_700_000_000;
  const prepared: AppUsage[][] = [];
  for (let b = 0; b < batches; b += 1) {
    const batch: AppUsage[] = [];
    for (let i = 0; i < intervalsPerBatch; i += 1) {
      ts += shape.intervalS;
      batch.push(...intervalRows(ts, names, shape, random));
    }
    prepared.push(batch);
  }
  const rows = prepared.reduce((s, b) => s + b.length, 0);
  const started = performance.now();
  for (const batch of prepared) {
    store.append(batch);
    const result = store.flush();
    if (!result.ok) throw new Error(result.error.message);
  }
  const seconds = (performance.now() - started) / 1000;
  store.close();
  return { rows, batchRows: rows / batches, seconds, rowsPerSecond: rows / seconds, msPerFlush: (seconds * 1000) / batches };
}

function fileBytes(dbPath: string): number {
  return statSync(dbPath).size;
}

/** Database bytes one realistic day adds (raw rows + rollups + indexes), flushed every 30 s. */
export function benchDayBytes(dataDir: string, shape: WorkloadShape = REALISTIC): { rows: number; bytesPerDay: number; bytesPerRow: number; byTable: Record<string, number> } {
  const store = openStore({ dataDir });
  const dbPath = path.join(dataDir, DB_FILE_NAME);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const before = fileBytes(dbPath);
  const random = seededRandom(2);
  const names = appNames(shape.apps);
  const day0 = localDayStart(1_700_000_000);
  const intervals = 86_400 / shape.intervalS;
  const perFlush = Math.round(30 / shape.intervalS);
  let rows = 0;
  for (let i = 1; i <= intervals; i += 1) {
    const batch = intervalRows(day0 + i * shape.intervalS, names, shape, random);
    rows += batch.length;
    store.append(batch);
    if (i % perFlush === 0) store.flush();
  }
  store.flush();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const byTable: Record<string, number> = {};
  for (const r of store.db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[]) {
    byTable[r.name] = r.bytes;
  }
  const bytesPerDay = fileBytes(dbPath) - before;
  store.close();
  return { rows, bytesPerDay, bytesPerRow: bytesPerDay / rows, byTable };
}

/**
 * Fills a store with `days` of history ending at `nowS` as retention would leave it: 5-s rows for the
 * last `rawDays`, one row per app and hour before that, then runs maintenance.
 */
export function fillYear(store: Store, nowS: number, options: { days?: number; rawDays?: number; shape?: WorkloadShape } = {}): { rows: number } {
  const days = options.days ?? 365;
  const rawDays = options.rawDays ?? 7;
  const shape = options.shape ?? REALISTIC;
  const random = seededRandom(3);
  const names = appNames(shape.apps);
  const start = Math.floor((nowS - days * 86_400) / 3600) * 3600;
  const fineFrom = nowS - rawDays * 86_400;
  let rows = 0;
  let batch: AppUsage[] = [];
  const push = (r: AppUsage[]): void => {
    batch.push(...r);
    rows += r.length;
    if (batch.length >= 20_000) {
      store.append(batch);
      store.flush();
      batch = [];
    }
  };
  for (let hour = start; hour < nowS; hour += 3600) {
    if (hour + 3600 <= fineFrom) {
      // An hour as retention leaves it: one row per app that was active, the hour's bytes summed.
      push(intervalRows(hour + 3600, names, { ...shape, activePerInterval: Math.round(shape.activePerInterval * 1.8) }, random).map((r) => ({ ...r, durationS: 3600, bytesIn: r.bytesIn * 120, bytesOut: r.bytesOut * 120 })));
    } else {
      for (let t = hour + shape.intervalS; t <= Math.min(hour + 3600, nowS); t += shape.intervalS) push(intervalRows(t, names, shape, random));
    }
  }
  store.append(batch);
  store.flush();
  while (!store.runMaintenance(nowS).done) {
    // Bounded runs: repeat until retention has caught up.
  }
  return { rows };
}

/** Milliseconds percentiles of `totalsByApp` over a year of history, per named range and overall. */
export function benchTotalsQuery(dataDir: string, options: { nowS?: number; runs?: number } = {}): {
  fillSeconds: number;
  databaseBytes: number;
  byRange: Record<string, { p50: number; p95: number; max: number; tiers: string }>;
  overall: { p50: number; p95: number; max: number };
  views: Record<string, { p50: number; p95: number }>;
} {
  const nowS = options.nowS ?? 1_735_000_000;
  const runs = options.runs ?? 40;
  const store = openStore({ dataDir });
  const fillStarted = performance.now();
  fillYear(store, nowS);
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const today = localDayStart(nowS);
  const ranges: Record<string, [number, number]> = {
    '1h': [nowS - 3600, nowS],
    today: [today, nowS],
    '24h': [nowS - 86_400, nowS],
    '7d': [nowS - 7 * 86_400, nowS],
    '30d': [nowS - 30 * 86_400, nowS],
    '90d': [nowS - 90 * 86_400, nowS],
    '365d': [nowS - 365 * 86_400, nowS],
    'odd edges, 200 days ago': [nowS - 200 * 86_400 + 1234, nowS - 150 * 86_400 - 4321],
  };
  const pct = (xs: number[], p: number): number => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  };
  const all: number[] = [];
  const byRange: Record<string, { p50: number; p95: number; max: number; tiers: string }> = {};
  for (const [name, [since, until]] of Object.entries(ranges)) {
    const times: number[] = [];
    let tiers = '';
    for (let i = 0; i < runs; i += 1) {
      const t0 = performance.now();
      const r = totalsByApp(store.db, { since, until });
      times.push(performance.now() - t0);
      tiers = `${r.tiers.join('+')}${r.approximate ? ' (estimated edges)' : ''}`;
    }
    all.push(...times);
    byRange[name] = { p50: pct(times, 50), p95: pct(times, 95), max: Math.max(...times), tiers };
  }
  // The other views, a few runs each: how long the dashboard's charts take on the same year.
  const views: Record<string, () => unknown> = {
    'timeline 5 min × 24 h': () => timeline(store.db, { since: nowS - 86_400, until: nowS, bucketS: 300 }),
    'timeline 5 min × 24 h, one app': () => timeline(store.db, { since: nowS - 86_400, until: nowS, bucketS: 300, app: 'Bench App 01' }),
    'timeline 1 h × 7 d': () => timeline(store.db, { since: nowS - 7 * 86_400, until: nowS, bucketS: 3600 }),
    'timeline 1 h × 30 d': () => timeline(store.db, { since: nowS - 30 * 86_400, until: nowS, bucketS: 3600 }),
    'days × 365 d': () => totalsByDay(store.db, { since: nowS - 365 * 86_400, until: nowS }),
    'heatmap 90 d': () => heatmap(store.db, { since: nowS - 90 * 86_400, until: nowS }),
    'heatmap 365 d': () => heatmap(store.db, { since: nowS - 365 * 86_400, until: nowS }),
  };
  const viewTimes: Record<string, { p50: number; p95: number }> = {};
  for (const [name, run] of Object.entries(views)) {
    const times: number[] = [];
    for (let i = 0; i < Math.max(5, Math.floor(runs / 4)); i += 1) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
    }
    viewTimes[name] = { p50: pct(times, 50), p95: pct(times, 95) };
  }
  const databaseBytes = fileBytes(path.join(dataDir, DB_FILE_NAME));
  store.close();
  return { fillSeconds, databaseBytes, byRange, overall: { p50: pct(all, 50), p95: pct(all, 95), max: Math.max(...all) }, views: viewTimes };
}

/** Milliseconds the open-time check takes on a database of about `targetMb` MB: the cheap one and a full quick_check. */
export function benchOpenCheck(dataDir: string, targetMb = 100): { fileBytes: number; cheapMs: number; fullMs: number; openCheapMs: number; openFullMs: number } {
  const store = openStore({ dataDir });
  const random = seededRandom(4);
  const names = appNames(REALISTIC.apps);
  let ts = 1_600_000_000;
  const dbPath = path.join(dataDir, DB_FILE_NAME);
  while (fileBytes(dbPath) < targetMb * 1_000_000) {
    const batch: AppUsage[] = [];
    for (let i = 0; i < 2000; i += 1) {
      ts += REALISTIC.intervalS;
      batch.push(...intervalRows(ts, names, REALISTIC, random));
    }
    store.append(batch);
    store.flush();
    store.db.pragma('wal_checkpoint(TRUNCATE)');
  }
  store.close();
  const timeOpen = (fullCheckMaxBytes: number): { total: number; check: number } => {
    const t0 = performance.now();
    const opened = openDatabase(dataDir, { fullCheckMaxBytes });
    const total = performance.now() - t0;
    opened.db.close();
    return { total, check: opened.check.ms };
  };
  const cheap = timeOpen(0);
  const full = timeOpen(Number.MAX_SAFE_INTEGER);
  return { fileBytes: fileBytes(dbPath), cheapMs: cheap.check, fullMs: full.check, openCheapMs: cheap.total, openFullMs: full.total };
}

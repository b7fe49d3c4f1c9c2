// `npm run bench -- soak`: 30 simulated days through the real Monitor and store, in a few minutes.
// A synthetic sampler (a world of apps whose sockets open, move bytes and close, plus traffic no socket
// explains) and an injected clock drive the pipeline as life would: a sample every 10 s, a flush every
// 30 s, retention every hour (7 days raw, 90 hourly), nightly sleep (the counters stand still, the wall
// clock jumps, the monotonic one does not), clock jumps both ways, sampler stalls, a full disk for six
// hours (a trigger fails every write, as a full disk would: rows wait in the buffer), and a few
// kill -9 restarts (the connection closed without the final flush, the world moving on while netmon is
// down, then a new store and monitor resumed from the stored baselines).
//
// Reported: resident memory at the end of day 1 and day 30 and its drift, database bytes per simulated
// day, and whether every tier's total equals the bytes the world moved: daily and hourly over the whole
// run, raw over the hours it still holds. Day 1 is the first simulated day as it is, no warm-up left out
// (its database is a seventh of the steady size). The full disk is shown as the store saw it: how many
// flushes failed, for how long, how many rows waited, and whether the tiers held every byte at the first
// flush that wrote again (part of "totals exact").
//
// The soak measures the process users run: `benchSoak` runs the 30 days in a child process started as
// `netmon serve` starts (bin/netmon.js, the systemd unit): serve's V8 flags and, on Linux, its
// environment (src-main/cli/serve-process.ts, MALLOC_ARENA_MAX). A value already in the bench's
// environment is kept, as serve keeps it (to measure another); BENCH_SOAK_ENV=none runs the child
// without serve's environment, for a comparison in one sitting. The report says which it was. (Run in
// the bench's own process, which has loaded every other bench's code, the soak measured a 166 MB
// process whose main malloc arena had grown large at start-up, unlike serve's.)
//
// Between two samples the soak lets Node's event loop turn, as serve's sampler timer does. It used not
// to, and what Node defers to the loop never ran: better-sqlite3 frees a statement's
// native memory (about 2.5 KB) only after V8 collected it AND the loop turned, so every `db.pragma()`
// statement of the run stayed resident. That was the main arena's growth the soak reported (to 12.7 MB
// by day 27, 4.7-7.3 % drift; 5 MB a day once the writer read PRAGMA data_version with `db.pragma()` each
// flush) and not serve's: with the loop turning, the same code's main arena stays at its day-1 size.
//
// Memory is read each day twice. After a full GC (gc() twice): what is still resident then is not
// garbage V8 has yet to collect, the usual way to tell a leak from uncollected garbage; but V8 keeps
// the pages it freed pooled for reuse, and the soak's loop never idles, so that figure carries the pool
// of the busiest moment so far (the full-disk day's waiting rows: +3 MB for the rest of the run). Then
// after V8's memory-reducing GC, which an idle serve runs by itself (`reducedRss`): the goal's figure;
// the full-GC drift is reported beside it. Each day's line (stderr) splits resident memory: anonymous
// and file-backed, glibc's main malloc arena (`[heap]`: SQLite and better-sqlite3 allocate there) and
// its thread arenas (V8's helper threads), V8's heap as committed and used per space, and external
// memory; on a kill day, resident memory before the kill, after the connection closed and after the
// reopen. What the line cannot show is how much of an arena is free memory glibc keeps: it counts as
// resident though nothing uses it (see the commit that added MALLOC_ARENA_MAX).
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Monitor } from '../dist/src-main/engine/monitor.js';
import { setLogLevel } from '../dist/src-main/engine/log.js';
import { seededRandom } from '../dist/src-main/engine/random.js';
import { prepareResume } from '../dist/src-main/engine/resume/index.js';
import { SERVE_START_FLAGS, SERVE_V8_FLAGS, serveEnv } from '../dist/src-main/cli/serve-process.js';
import { openStore, readCoverage, type Store } from '../dist/src-main/engine/store/index.js';
import type { Clock, FlowCounter, Sample, Sampler, SamplerHealth } from '../dist/src-main/engine/types.js';
import type { Figure } from './engine.ts';

const DAY_MS = 86_400_000;
const SAMPLE_MS = 10_000;
const FLUSH_EVERY = 3; // samples: 30 s
const BOOT = 'f00dfeed-0000-4000-8000-000000000001';

/** A sampler the bench pushes samples through (the Monitor cannot tell it from a real one). */
class PushSampler implements Sampler {
  readonly name = 'linux';
  private emit: ((s: Sample) => void) | null = null;
  start(onSample: (s: Sample) => void): void {
    this.emit = onSample;
  }
  stop(): Promise<void> {
    this.emit = null;
    return Promise.resolve();
  }
  health(): SamplerHealth {
    return { sampler: this.name, state: 'running', reason: null, restarts: 0, malformedLines: 0, lastSampleAt: null, details: {} };
  }
  push(sample: Sample): void {
    this.emit?.(sample);
  }
}

interface Flow {
  id: string;
  app: number;
  bytesIn: number;
  bytesOut: number;
}

const APPS = ['firefox', 'chromium', 'curl', 'git', 'ssh', 'spotify', 'slack', 'zoom', 'apt', 'dropbox', 'steam', 'node'];

/** The machine: sockets with cumulative counters, and interface totals that also see what no socket explains. */
class World {
  readonly random = seededRandom(20261205);
  flows = new Map<string, Flow>();
  closed: Flow[] = [];
  iface = { bytesIn: 1_000_000_000, bytesOut: 200_000_000 };
  private next = 1;
  private opened = new Set<string>();

  /** One sample period of traffic; `hourOfDay` shapes it. */
  move(hourOfDay: number): void {
    const busy = hourOfDay >= 8 && hourOfDay < 23 ? 1 : 0.1;
    for (const f of this.flows.values()) {
      const r = this.random();
      const bytesIn = Math.floor(r * r * 400_000 * busy);
      const bytesOut = Math.floor(this.random() * 20_000 * busy);
      f.bytesIn += bytesIn;
      f.bytesOut += bytesOut;
      this.iface.bytesIn += bytesIn;
      this.iface.bytesOut += bytesOut;
    }
    // Headers, UDP and the like: only the interface sees them.
    this.iface.bytesIn += Math.floor(this.random() * 5_000 * busy);
    this.iface.bytesOut += Math.floor(this.random() * 3_000 * busy);
    for (const f of [...this.flows.values()]) {
      if (this.random() < 0.05) {
        this.flows.delete(f.id);
        this.closed.push(f);
      }
    }
    while (this.flows.size < 24) {
      const f: Flow = { id: `sk:${(this.next++).toString(16)}`, app: Math.floor(this.random() * APPS.length), bytesIn: 0, bytesOut: 0 };
      const first = Math.floor(this.random() * 50_000 * busy);
      f.bytesIn = first;
      this.iface.bytesIn += first;
      this.flows.set(f.id, f);
      this.opened.add(f.id);
    }
  }

  /** What a sampler would report now; `resumed` drops the per-poll memory a new sampler would not have. */
  sample(wallMs: number, monoMs: number, fresh: boolean): Sample {
    const counter = (f: Flow): FlowCounter => ({ id: f.id, owner: { pid: 1000 + f.app, name: APPS[f.app]!, startTime: 42 + f.app }, bytesIn: f.bytesIn, bytesOut: f.bytesOut });
    const flows = [...this.flows.values()].map((f) => {
      const c = counter(f);
      if (!fresh && this.opened.has(f.id)) c.newSincePrevious = true;
      return c;
    });
    const closed = fresh ? [] : this.closed.map(counter);
    this.closed = [];
    this.opened.clear();
    return { wallMs, monoMs, mode: 'cumulative', flows, closed, iface: { ...this.iface } };
  }
}

interface Run {
  store: Store;
  monitor: Monitor;
  sampler: PushSampler;
  monoBase: number;
  fresh: boolean;
}

type Gc = (options?: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;
let gcFunction: Gc | null = null;

function gc(): Gc {
  if (gcFunction === null) {
    v8.setFlagsFromString('--expose-gc');
    gcFunction = vm.runInNewContext('gc') as Gc;
  }
  return gcFunction;
}

/** Resident memory after a full GC (twice): what is retained, not garbage V8 has yet to collect. */
function gcRss(): number {
  gc()();
  gc()();
  return process.memoryUsage().rss;
}

/**
 * Resident memory after V8's memory-reducing GC (CollectAllAvailableGarbage, what its memory reducer
 * runs once a process is idle): besides the garbage, V8 gives back the pages it freed and keeps pooled
 * for reuse. A full GC keeps them, and the soak's loop never idles, so without this the pool (sized by
 * the busiest moment so far, e.g. the rows that waited through the full disk) counts as resident though
 * serve returns it: idle between its samples, V8's memory reducer runs these GCs there by itself (seen
 * with `--trace-gc --trace-memory-reducer`: "Mark-Compact (reduce) … pooled: 0 MB" within half a minute
 * of start, and again after later growth). Both figures are reported.
 */
function reducedRss(): number {
  gc()({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return process.memoryUsage().rss;
}

/** Linux: resident memory split into anonymous (heaps, SQLite's memory) and file-backed (code, mapped files). */
function rssParts(): string {
  if (!existsSync('/proc/self/status')) return '';
  const status = readFileSync('/proc/self/status', 'utf8');
  const mb = (key: string): string => ((Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024).toFixed(1));
  return `, anon ${mb('RssAnon')} MB, file ${mb('RssFile')} MB${mallocHeap()}`;
}

/**
 * Linux: resident memory of glibc's malloc arenas, from /proc/self/smaps: the main thread's (`[heap]`,
 * where SQLite and better-sqlite3 allocate) and the other threads' (anonymous mappings that start on a
 * 64 MiB boundary: glibc reserves each thread arena's heap as one aligned 64 MiB region, its heap_info
 * first), with how many of those there are.
 */
function mallocHeap(): string {
  if (!existsSync('/proc/self/smaps')) return '';
  const maps = [...readFileSync('/proc/self/smaps', 'utf8').matchAll(/^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(\S*)\n(?:(?![0-9a-f]+-).*\n)*?Rss:\s+(\d+) kB/gm)].map((m) => ({
    start: BigInt(`0x${m[1]}`),
    end: BigInt(`0x${m[2]}`),
    perms: m[3]!,
    anon: m[4] === '0' && m[5] === '',
    name: m[5]!,
    rssKb: Number(m[6]),
  }));
  const HEAP_MAX = 64n << 20n;
  let heap = 0;
  let arenas = 0;
  let count = 0;
  maps.forEach((m, i) => {
    if (m.name === '[heap]') heap += m.rssKb;
    // A thread arena's heap: readable and writable from a 64 MiB boundary, the rest of its 64 MiB
    // reserved without access (or none left).
    const rest = maps[i + 1];
    const whole = m.end - m.start === HEAP_MAX || (rest !== undefined && rest.anon && rest.perms.startsWith('---') && rest.start === m.end && rest.end - m.start === HEAP_MAX);
    if (m.anon && m.perms.startsWith('rw') && m.start % HEAP_MAX === 0n && whole) {
      arenas += m.rssKb;
      count += 1;
    }
  });
  return ` (malloc [heap] ${(heap / 1024).toFixed(1)} MB, ${count} thread arenas ${(arenas / 1024).toFixed(1)} MB)`;
}

/** V8's heap as committed (pages it holds) and used, in MB: the total and per space. */
function v8Spaces(): string {
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  const spaces = v8.getHeapSpaceStatistics().filter((s) => s.space_size > 0);
  const committed = spaces.reduce((n, s) => n + s.physical_space_size, 0);
  return `v8 committed ${mb(committed)} MB [${spaces.map((s) => `${s.space_name.replace('_space', '')} ${mb(s.physical_space_size)}/${mb(s.space_used_size)}`).join(' ')}]`;
}

function side(store: Store, sql: string): void {
  const db = new Database(store.path);
  db.pragma('busy_timeout = 5000');
  db.exec(sql);
  db.close();
}

function tierTotals(store: Store): { raw: number; hourly: number; daily: number; hourlyFromRaw: number } {
  const sum = (sql: string, ...args: number[]): number => (store.db.prepare(sql).pluck().get(...args) as number | null) ?? 0;
  const cov = readCoverage(store.db);
  const rawFrom = Number.isFinite(cov.rawFrom) ? cov.rawFrom : 0;
  return {
    raw: sum('SELECT sum(bytes_in + bytes_out) FROM usage_raw'),
    hourly: sum('SELECT sum(bytes_in + bytes_out) FROM usage_hourly'),
    daily: sum('SELECT sum(bytes_in + bytes_out) FROM usage_daily'),
    hourlyFromRaw: sum('SELECT sum(bytes_in + bytes_out) FROM usage_hourly WHERE hour_start >= ?', rawFrom),
  };
}

function hours(fromMs: number, toMs: number | null): string {
  if (toMs === null) return 'the rest of the run (writes never resumed)';
  const min = Math.round((toMs - fromMs) / 60_000);
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** The soak in a child process set up as `netmon serve` runs (see the top of this file). */
export async function benchSoak(): Promise<Figure[]> {
  const flags = [...SERVE_START_FLAGS, ...SERVE_V8_FLAGS.split(' ')];
  const env: Record<string, string | undefined> = { ...process.env };
  const without = process.env['BENCH_SOAK_ENV'] === 'none';
  for (const [key, value] of Object.entries(serveEnv(process.platform))) {
    if (without) delete env[key];
    else env[key] ??= value;
  }
  const shown = Object.keys(serveEnv(process.platform)).map((key) => `${key}=${env[key] ?? '(unset)'}`);
  const how = `node ${[...flags, ...shown].join(' ')}${without ? ' (BENCH_SOAK_ENV=none: without serve\'s environment)' : ' (as netmon serve runs)'}`;
  process.stderr.write(`  child: ${how}\n`);
  const child = spawn(process.execPath, [...flags, '--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, 'soak-child.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const last = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('[')) throw new Error(`the soak's child failed (exit ${code}): ${out.slice(-2000)}`);
  const figures = JSON.parse(last) as Figure[];
  return [{ name: 'soak process', value: without ? 0 : 1, unit: without ? '(plain)' : '(as serve)', note: how }, ...figures];
}

/** The 30 simulated days in this process (bench/soak-child.ts runs it). */
export async function soakInProcess(days = Number(process.env['BENCH_SOAK_DAYS'] ?? 30)): Promise<Figure[]> {
  setLogLevel('error');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-soak-'));
  const dataDir = path.join(dir, 'data');
  const started = performance.now();
  const world = new World();
  let wall = Date.UTC(2026, 0, 5, 0, 0, 0);
  let mono = 0;
  const clock: Clock = { now: () => wall, mono: () => mono };

  const open = async (): Promise<Run> => {
    const store = openStore({ dataDir, clock });
    const sampler = new PushSampler();
    const resume = await prepareResume({ db: store.db, sampler: sampler.name, nowMs: wall, bootId: BOOT });
    const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: SAMPLE_MS, clock, flushIntervalMs: 2_000_000_000, maintenanceIntervalMs: 2_000_000_000, resume });
    monitor.start();
    // A new process: its own monotonic clock.
    return { store, monitor, sampler, monoBase: mono, fresh: true };
  };

  let run = await open();
  // The bytes the world moves from the first sample on (the first sample is a baseline).
  let injectedStart: number | null = null;
  let rssPeak = 0;
  /** Per day: after a full GC, and after V8's memory-reducing GC (the goal's figure). */
  const rssByDay: number[] = [];
  const reducedByDay: number[] = [];
  let failedFlushes = 0;
  /** The full disk as the store saw it: failed flushes, when writes failed and resumed, rows waiting. */
  const disk = { failedFlushes: 0, firstFailedAt: null as number | null, firstOkAfterAt: null as number | null, maxPendingRows: 0, error: '', offAfter: null as number | null };
  let kills = 0;
  const kill9Days = new Set([3, 11, 19, 26]);
  const fullDiskDay = 14;
  const step = (): void => {
    run.sampler.push(world.sample(wall, mono - run.monoBase, run.fresh));
    run.fresh = false;
    injectedStart ??= world.iface.bytesIn + world.iface.bytesOut;
  };

  for (let day = 0; day < days; day += 1) {
    for (let tick = 0; tick < DAY_MS / SAMPLE_MS; tick += 1) {
      const tod = tick * SAMPLE_MS;
      const hour = Math.floor(tod / 3_600_000);
      // Night: the machine sleeps 01:00–07:00 on most days (counters stand still, mono does not advance).
      if (day % 5 !== 4 && hour >= 1 && hour < 7) {
        wall += SAMPLE_MS;
        continue;
      }
      wall += SAMPLE_MS;
      mono += SAMPLE_MS;
      // Clock jumps: NTP steps the wall clock 90 s back on day 6, 40 min forward on day 9.
      if (day === 6 && tick === 4000) wall -= 90_000;
      if (day === 9 && tick === 5000) wall += 2_400_000;
      // A sampler stall of 40 s on a few afternoons (its poll hung; the counters kept counting).
      if (day % 7 === 2 && tick === 6000) {
        world.move(hour);
        wall += 40_000;
        mono += 40_000;
      }
      world.move(hour);
      step();
      if (tick % FLUSH_EVERY === 0) {
        const before = run.store.health().consecutiveFailures;
        run.monitor.flush();
        const health = run.store.health();
        if (health.consecutiveFailures > before) {
          failedFlushes += 1;
          if (day === fullDiskDay) {
            disk.failedFlushes += 1;
            disk.firstFailedAt ??= wall;
            disk.maxPendingRows = Math.max(disk.maxPendingRows, health.pendingUsageRows);
            disk.error ||= health.lastError?.message ?? '';
          }
        } else if (disk.firstFailedAt !== null && disk.firstOkAfterAt === null) {
          // The first flush after the disk cleared wrote all that waited: every tier holds every byte so far.
          disk.firstOkAfterAt = wall;
          const t = tierTotals(run.store);
          disk.offAfter = t.daily - (world.iface.bytesIn + world.iface.bytesOut - (injectedStart ?? 0));
        }
      }
      // serve's event loop turns between two samples (the sampler's timer); so does the soak's. Work that
      // Node defers to the loop runs there, as in serve: better-sqlite3 frees a collected statement's
      // native memory only then (a loop that never turned kept every `db.pragma()` statement ever made).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (tod % 3_600_000 === 0) {
        for (let pass = 0; pass < 20 && !run.store.runMaintenance(Math.floor(wall / 1000)).done; pass += 1);
      }
      // A full disk from 12:00 to 18:00 on one day.
      if (day === fullDiskDay && tod === 12 * 3_600_000) {
        // Every write fails as on a full disk (a trigger on a side connection: the store hands out only a read handle).
        side(run.store, "CREATE TRIGGER soak_full BEFORE INSERT ON usage_raw BEGIN SELECT raise(ABORT, 'database or disk is full'); END");
      }
      if (day === fullDiskDay && tod === 18 * 3_600_000) side(run.store, 'DROP TRIGGER soak_full');
      // kill -9 at 15:00:10 on a few days, between two flushes: the buffer is lost, 75 s of downtime.
      if (kill9Days.has(day) && tod === 15 * 3_600_000 + 10_000) {
        // No final flush: the buffer is lost; the connection is closed as it is and the run's timers are
        // cleared, as the kernel would end the killed process (left alive, each killed run kept its
        // connection and page cache in this process: about 16 MB of resident memory per kill).
        const beforeKill = gcRss();
        run.monitor.abandon();
        const afterAbandon = gcRss();
        kills += 1;
        for (let i = 0; i < 7; i += 1) {
          wall += SAMPLE_MS + 800;
          mono += SAMPLE_MS + 800;
          world.move(hour);
        }
        run = await open();
        step();
        process.stderr.write(`  day ${day + 1} kill: rss ${(beforeKill / 1048576).toFixed(1)} → ${(afterAbandon / 1048576).toFixed(1)} MB closed → ${(gcRss() / 1048576).toFixed(1)} MB reopened${rssParts()}\n`);
      }
    }
    const full = gcRss();
    rssByDay.push(full);
    const rss = reducedRss();
    reducedByDay.push(rss);
    rssPeak = Math.max(rssPeak, rss);
    const mem = process.memoryUsage();
    process.stderr.write(`  day ${day + 1}: rss ${(rss / 1048576).toFixed(1)} MB (full GC only ${(full / 1048576).toFixed(1)} MB)${rssParts()} (heapUsed ${(mem.heapUsed / 1048576).toFixed(1)} MB, heapTotal ${(mem.heapTotal / 1048576).toFixed(1)} MB, ${v8Spaces()}, external ${(mem.external / 1048576).toFixed(1)} MB), db ${(statSync(path.join(dataDir, 'network_monitor.db')).size / 1048576).toFixed(2)} MB, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  await run.monitor.stop();
  const injected = world.iface.bytesIn + world.iface.bytesOut - (injectedStart ?? 0);
  const totals = tierTotals(run.store);
  const gaps = run.store.db.prepare('SELECT reason, count(*) AS n FROM gaps GROUP BY reason').all() as { reason: string; n: number }[];
  run.store.close();
  const dbBytes = ['', '-wal'].reduce((sum, s) => sum + (statSync(path.join(dataDir, `network_monitor.db${s}`), { throwIfNoEntry: false })?.size ?? 0), 0);
  rmSync(dir, { recursive: true, force: true });
  const rssDay1 = reducedByDay[0] ?? 0;
  const rssLast = reducedByDay.at(-1) ?? 0;
  const drift = (from: number, to: number): number => +(((to - from) / from) * 100).toFixed(1);
  // Drift over the steady part: day 8 (raw retention running) to the last day.
  const steady = reducedByDay[Math.min(7, reducedByDay.length - 1)] ?? rssDay1;
  const [fullDay1 = 0, fullLast = 0] = [rssByDay[0], rssByDay.at(-1)];
  const exact = disk.offAfter === 0 && totals.daily === injected && totals.hourly === injected && totals.raw === totals.hourlyFromRaw;
  return [
    { name: 'soak simulated days', value: days, unit: 'days', note: `${kills} kill -9 restarts, ${failedFlushes} failed flushes (full disk), gaps: ${gaps.map((g) => `${g.reason} ${g.n}`).join(', ')}` },
    { name: 'soak wall time', value: +((performance.now() - started) / 1000).toFixed(1), unit: 's' },
    { name: 'soak RSS day 1', value: +(rssDay1 / 1048576).toFixed(1), unit: 'MB', note: "after V8's memory-reducing GC, as an idle serve" },
    { name: `soak RSS day ${days}`, value: +(rssLast / 1048576).toFixed(1), unit: 'MB', note: `peak ${(rssPeak / 1048576).toFixed(1)} MB` },
    { name: 'soak RSS drift day 1 → last', value: drift(rssDay1, rssLast), unit: '%', goal: '< 5 %' },
    { name: 'soak RSS drift day 8 → last', value: drift(steady, rssLast), unit: '%', note: 'with raw retention running' },
    { name: 'soak RSS full GC only, day 1 → last', value: drift(fullDay1, fullLast), unit: '%', note: `${(fullDay1 / 1048576).toFixed(1)} → ${(fullLast / 1048576).toFixed(1)} MB: V8's freed pages still pooled, which the busy loop never lets it return` },
    { name: 'soak database bytes per day', value: Math.round(dbBytes / days), unit: 'B/day', note: `${(dbBytes / 1048576).toFixed(2)} MB after ${days} days (raw rows kept 7 days)` },
    {
      name: 'soak full disk: failed flushes',
      value: disk.failedFlushes,
      unit: 'flushes',
      goal: '> 0',
      note: disk.firstFailedAt === null ? 'no write failed: the full disk was not exercised' : `writes failed for ${hours(disk.firstFailedAt, disk.firstOkAfterAt)} of simulated time (day ${fullDiskDay + 1}, first failed flush to the first that wrote), up to ${disk.maxPendingRows} usage rows waiting; "${disk.error}"`,
    },
    { name: 'soak full disk: tiers vs injected once it cleared', value: disk.offAfter ?? Number.NaN, unit: 'B off', goal: '0', note: 'daily tier total at the first flush that wrote again' },
    { name: 'soak injected bytes', value: injected, unit: 'B' },
    { name: 'soak daily / hourly tier totals', value: totals.daily - injected, unit: 'B off', note: `hourly off by ${totals.hourly - injected}`, goal: '0' },
    { name: 'soak raw tier vs hourly over its hours', value: totals.raw - totals.hourlyFromRaw, unit: 'B off', goal: '0' },
    { name: 'soak totals exact', value: exact ? 1 : 0, unit: exact ? '(yes)' : '(NO)', goal: '1' },
  ];
}

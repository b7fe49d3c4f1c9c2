// Engine benchmarks: nettop parse rate, store ingest rate, report-query latency over a year of demo
// data, database bytes per day, and the idle cost (RSS, CPU) of `netmon serve`. Each figure comes with
// a baseline measured in the same run, so ratios stay meaningful on a noisy shared machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NettopParser } from '../dist/src-main/engine/samplers/nettop/parse.js';
import { openStore } from '../dist/src-main/engine/store/index.js';
import { totalsByApp } from '../dist/src-main/engine/queries/index.js';
import type { AppUsage } from '../dist/src-main/engine/types.js';
import { processTree } from '../tests/helpers/proc-usage.ts';

export const REPO = path.resolve(import.meta.dirname, '..');
export const NETMON = path.join(REPO, 'bin', 'netmon.js');

export interface Figure {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  note?: string;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A synthetic nettop `-L 0` stream: `frames` frames of `processes` rows, each with two connection rows. */
function nettopStream(frames: number, processes: number): string {
  const lines: string[] = [];
  for (let f = 0; f < frames; f += 1) {
    lines.push('time,,interface,state,bytes_in,bytes_out,');
    for (let p = 0; p < processes; p += 1) {
      lines.push(`12:00:${String(f % 60).padStart(2, '0')}.123456,Google Chrome H.${1000 + p},,,${f * 1000 + p},${f * 100 + p},`);
      lines.push(`12:00:00.1,tcp4 10.0.0.5:${50000 + p}<->203.0.113.${p % 250}:443,en0,Established,${f * 600},${f * 60},`);
      lines.push(`12:00:00.1,tcp6 2001:db8::${p.toString(16)}.${40000 + p}<->2001:db8::1.443,en0,Established,${f * 400},${f * 40},`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function benchNettopParse(): Figure[] {
  const text = nettopStream(2000, 170); // ≈ 1.02 M lines
  const lineCount = text.split('\n').length - 1;
  // Baseline: splitting the same text into fields, the least any CSV reader must do.
  let t = performance.now();
  let fields = 0;
  for (const line of text.split('\n')) fields += line.split(',').length;
  const baselineMs = performance.now() - t;
  let processes = 0;
  const parser = new NettopParser({ onFrame: (frame) => (processes += frame.processes.length) });
  t = performance.now();
  for (let i = 0; i < text.length; i += 65_536) parser.push(text.slice(i, i + 65_536));
  parser.end();
  const ms = performance.now() - t;
  if (processes !== 2000 * 170 || fields === 0) throw new Error(`nettop bench parsed ${processes} process rows, expected ${2000 * 170}`);
  return [
    { name: 'nettop parse rate', value: Math.round(lineCount / (ms / 1000)), unit: 'lines/s', note: `${lineCount} lines in 64 KiB chunks` },
    { name: 'nettop parse vs bare split', value: +(ms / baselineMs).toFixed(2), unit: '× the time of split(",") per line' },
  ];
}

export function benchIngest(): Figure[] {
  const dir = tempDir('netmon-bench-ingest-');
  try {
    const store = openStore({ dataDir: path.join(dir, 'data') });
    const apps = Array.from({ length: 40 }, (_, i) => `app-${i}`);
    const start = Math.floor(Date.now() / 1000) - 86_400;
    const intervals = 17_280; // one day of 5-s intervals, 10 active apps each
    let rows = 0;
    const t = performance.now();
    for (let i = 0; i < intervals; i += 1) {
      const batch: AppUsage[] = [];
      for (let k = 0; k < 10; k += 1) batch.push({ ts: start + i * 5, durationS: 5, app: apps[(i + k * 3) % 40] ?? 'x', bytesIn: 1000 + k, bytesOut: 100 + k });
      store.append(batch);
      rows += batch.length;
      if (i % 6 === 5) store.flush(); // 30 s batches, as the monitor writes them
    }
    store.flush();
    const ms = performance.now() - t;
    store.close();
    const dbBytes = statSync(path.join(dir, 'data', 'network_monitor.db')).size;
    return [
      { name: 'store ingest rate', value: Math.round(rows / (ms / 1000)), unit: 'rows/s', note: `${rows} rows in 30-s batches of 60, raw + hourly + daily upserts` },
      { name: 'database bytes, one live day (raw tier)', value: dbBytes, unit: 'bytes', note: '10 active apps per 5-s interval, before retention' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function benchYear(): Figure[] {
  const dir = tempDir('netmon-bench-year-');
  try {
    const data = path.join(dir, 'data');
    const demo = spawnSync(process.execPath, [NETMON, 'demo', '--days', '365', '--data-dir', data], { encoding: 'utf8' });
    if (demo.status !== 0) throw new Error(`demo failed: ${demo.stderr}`);
    const store = openStore({ dataDir: data });
    const now = Math.floor(Date.now() / 1000);
    const spans = [3600, 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400, 365 * 86_400];
    const times: number[] = [];
    let seed = 7;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 300; i += 1) {
      const span = spans[i % spans.length] ?? 86_400;
      const until = now - Math.floor(random() * 30 * 86_400);
      const t = performance.now();
      totalsByApp(store.db, { since: until - span, until });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    store.close();
    const dbFile = path.join(data, 'network_monitor.db');
    const size = statSync(dbFile).size;
    spawnSync('sqlite3', [dbFile, 'VACUUM']);
    return [
      { name: 'report query p50 over a year', value: +percentile(times, 50).toFixed(2), unit: 'ms', note: '300 random ranges, 1 h to 365 d' },
      { name: 'report query p95 over a year', value: +percentile(times, 95).toFixed(2), unit: 'ms', goal: '≤ 50 ms' },
      { name: 'database bytes per day of demo data', value: Math.round(size / 365), unit: 'bytes/day', goal: '≤ 1 MB', note: `${size} bytes for 365 days (7 raw, 90 hourly, daily forever)` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ProcSample {
  /** CPU seconds of the process itself (utime + stime). */
  ownCpuS: number;
  /** CPU seconds of its waited-for children (cutime + cstime): the sampler's `ss` polls. */
  childCpuS: number;
  rssBytes: number;
  anonBytes: number;
  fileBytes: number;
}

function procTimes(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = 100; // USER_HZ is 100 on Linux
  // utime, stime, cutime, cstime: fields 14-17 of stat, 11-14 after the command name.
  const sum = (indices: number[]): number => indices.reduce((total, i) => total + Number(fields[i]), 0) / ticks;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) * 1024;
  return { ownCpuS: sum([11, 12]), childCpuS: sum([13, 14]), rssBytes: kb('VmRSS'), anonBytes: kb('RssAnon'), fileBytes: kb('RssFile') };
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** CPU and memory of a serve process and the helper it may run (its descendants), summed, at one moment. */
function treeTimes(pid: number): ProcSample & { helperRssBytes: number } {
  const own = procTimes(pid);
  let helperRssBytes = 0;
  for (const child of processTree(pid)) {
    if (child === pid) continue;
    try {
      const c = procTimes(child);
      own.ownCpuS += c.ownCpuS;
      helperRssBytes += c.rssBytes;
    } catch {
      // gone between the listing and the read (an ss poll)
    }
  }
  return { ...own, helperRssBytes };
}

const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');

/**
 * Idle cost of `netmon serve` sampling every 5 s, once per sampler (`--sampler linux`, and `--sampler ebpf`
 * when root with the helper built), side by side with a bare Node process doing nothing, all in the same run.
 * serve's RSS is its node alone; the eBPF helper's is given apart, and its CPU is counted in serve's.
 */
export async function benchIdle(seconds: number): Promise<Figure[]> {
  const dir = tempDir('netmon-bench-idle-');
  const samplers = ['linux'];
  const ebpfSkip = process.getuid?.() !== 0 ? 'not root' : existsSync(HELPER) ? null : `${HELPER} not built`;
  if (ebpfSkip === null) samplers.push('ebpf');
  const serves = samplers.map((sampler) => ({
    sampler,
    child: spawn(process.execPath, [NETMON, 'serve', '--port', '0', '--sampler', sampler, '--interval', '5', '--no-open', '--data-dir', path.join(dir, sampler)], { stdio: ['ignore', 'ignore', 'pipe'] }),
  }));
  for (const s of serves) s.child.stderr?.resume();
  const bareNode = spawn(process.execPath, ['-e', 'setInterval(() => {}, 5000)'], { stdio: 'ignore' });
  try {
    const warmup = Math.min(60, Math.max(5, Math.floor(seconds / 10)));
    await new Promise((r) => setTimeout(r, warmup * 1000));
    const before = serves.map((s) => treeTimes(s.child.pid ?? 0));
    const t0 = performance.now();
    // Sampled every 5 s so that a peak between the two readings shows too.
    const peaks = before.map((b) => b.rssBytes);
    for (let left = seconds - warmup; left > 0; left -= 5) {
      await new Promise((r) => setTimeout(r, Math.min(5, left) * 1000));
      serves.forEach((s, i) => (peaks[i] = Math.max(peaks[i] ?? 0, procTimes(s.child.pid ?? 0).rssBytes)));
    }
    const after = serves.map((s) => treeTimes(s.child.pid ?? 0));
    const wall = (performance.now() - t0) / 1000;
    const bare = procTimes(bareNode.pid ?? 0);
    const share = (cpuS: number): number => (cpuS / wall) * 100;
    const figures: Figure[] = [];
    serves.forEach((s, i) => {
      const a = before[i];
      const b = after[i];
      if (a === undefined || b === undefined) return;
      const own = share(b.ownCpuS - a.ownCpuS);
      const children = share(b.childCpuS - a.childCpuS);
      const helper = s.sampler === 'ebpf' ? `; its helper ${mb(b.helperRssBytes)} MB besides` : '';
      figures.push(
        {
          name: `serve RSS after ${seconds} s idle, ${s.sampler} sampler`,
          value: +mb(b.rssBytes),
          unit: 'MB',
          goal: '≤ 60 MB',
          note: `serve's node; bare node: ${mb(bare.rssBytes)} MB (ratio ${(b.rssBytes / bare.rssBytes).toFixed(2)}); anonymous ${mb(b.anonBytes)} vs ${mb(bare.anonBytes)}, file-backed ${mb(b.fileBytes)} vs ${mb(bare.fileBytes)}; peak ${mb(peaks[i] ?? 0)} MB after the warm-up${helper}`,
        },
        {
          name: `serve CPU share while idle, ${s.sampler} sampler`,
          value: +(own + children).toFixed(3),
          unit: '% of one core',
          goal: '≤ 0.3 %',
          note: `over the last ${Math.round(wall)} s: netmon ${own.toFixed(3)} % (with its helper, if any), its reaped children (ss) ${children.toFixed(3)} %${s.sampler === 'ebpf' ? '; the helper counts the whole machine\'s traffic, other work included' : ''}`,
        },
      );
    });
    if (ebpfSkip !== null) figures.push({ name: 'serve idle, ebpf sampler', value: NaN, unit: '', note: `skipped: ${ebpfSkip}` });
    return figures;
  } finally {
    for (const s of serves) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      const exited = new Promise((r) => s.child.once('exit', r));
      s.child.kill('SIGTERM');
      await exited;
    }
    bareNode.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

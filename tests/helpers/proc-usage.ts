// CPU time and memory of a process and its descendants, read from /proc, for the cost figures of the
// namespace test and bench/capture.ts (netmon serve with its privileged helper; nethogs).
//
// CPU: the tree's utime+stime plus the root's cutime+cstime (children it already reaped), so a child that
// came and went (an `ss` poll, a restarted helper) is still counted. Memory: VmRSS summed over the tree,
// sampled every `everyMs` (peak and last), and each process's VmHWM (the kernel's own peak).
//
// Usage:
//   const usage = watchProcessTree(serve.pid);
//   … load …
//   const figures = usage.stop();   // { cpuSeconds, wallSeconds, peakRssKb, endRssKb, hwmKb, processes }
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI in use

/** What a process tree cost over a watch. */
export interface TreeUsage {
  /** CPU seconds (user + system) the tree used during the watch. */
  cpuSeconds: number;
  wallSeconds: number;
  /** CPU as a share of one core, percent. */
  cpuPercent: number;
  /** Largest sum of VmRSS over the tree seen in a sample (KiB). */
  peakRssKb: number;
  /** Sum of VmRSS at the last sample (KiB). */
  endRssKb: number;
  /** Largest VmHWM of any single process of the tree (KiB): the kernel's peak, between samples too. */
  hwmKb: number;
  /** Names (comm) of the processes seen in the tree. */
  processes: string[];
  /** Largest VmRSS seen per process name (KiB), e.g. serve's node apart from its helper. */
  peakRssByName: Record<string, number>;
}

/** A running watch of a process tree. */
export interface TreeWatch {
  /** Takes a last sample, stops, and returns the figures. */
  stop(): TreeUsage;
}

function readStat(pid: number): { comm: string; ppid: number; ticks: number; childTicks: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm is in parentheses and may hold spaces or parentheses itself: split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is field 3 (state): field N is fields[N - 3].
  const num = (n: number): number => Number(fields[n - 3] ?? 0);
  return { comm, ppid: num(4), ticks: num(14) + num(15), childTicks: num(16) + num(17) };
}

function readMemory(pid: number): { rssKb: number; hwmKb: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return { rssKb: 0, hwmKb: 0 };
  }
}

/** `root` and every process descending from it, now. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== null) parents.set(Number(entry), stat.ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree.filter((pid) => parents.has(pid));
}

/** CPU ticks of the tree under `root`: its live processes' own plus what the root reaped. */
function treeTicks(root: number, seen: Set<string>): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = readStat(pid);
    if (stat === null) continue;
    seen.add(stat.comm);
    ticks += stat.ticks + (pid === root ? stat.childTicks : 0);
  }
  return ticks;
}

/** Starts watching the tree under `root` (sampling memory every `everyMs`). */
export function watchProcessTree(root: number, everyMs = 500): TreeWatch {
  const seen = new Set<string>();
  const startTicks = treeTicks(root, seen);
  const startMs = performance.now();
  let peakRssKb = 0;
  let endRssKb = 0;
  let hwmKb = 0;
  let lastTicks = startTicks;
  const byName: Record<string, number> = {};
  const sample = (): void => {
    let rss = 0;
    for (const pid of processTree(root)) {
      const memory = readMemory(pid);
      rss += memory.rssKb;
      hwmKb = Math.max(hwmKb, memory.hwmKb);
      const comm = readStat(pid)?.comm;
      if (comm !== undefined) byName[comm] = Math.max(byName[comm] ?? 0, memory.rssKb);
    }
    // A tree that is gone keeps its last figures.
    if (rss > 0) {
      endRssKb = rss;
      peakRssKb = Math.max(peakRssKb, rss);
      lastTicks = Math.max(lastTicks, treeTicks(root, seen));
    }
  };
  sample();
  let timer: NodeJS.Timeout | null = null;
  const loop = (): void => {
    sample();
    timer = setTimeout(loop, everyMs);
  };
  timer = setTimeout(loop, everyMs);
  return {
    stop: () => {
      if (timer !== null) clearTimeout(timer);
      sample();
      const wallSeconds = (performance.now() - startMs) / 1000;
      const cpuSeconds = (lastTicks - startTicks) / TICKS_PER_SECOND;
      return { cpuSeconds, wallSeconds, cpuPercent: (100 * cpuSeconds) / wallSeconds, peakRssKb, endRssKb, hwmKb, processes: [...seen].sort(), peakRssByName: { ...byName } };
    },
  };
}

/** What the BPF programs a process holds have cost in the kernel (needs `kernel.bpf_stats_enabled=1`). */
export interface BpfStats {
  /** Programs found (by id, each counted once however many fds point at it). */
  programs: number;
  /** Nanoseconds spent running them, and how many times they ran, since the stats were enabled. */
  runTimeNs: number;
  runCount: number;
}

/**
 * Sums `run_time_ns` and `run_cnt` over the BPF programs whose file descriptors the processes `pids`
 * hold, from /proc/PID/fdinfo (a link's fd names only its prog_id, a program's fd has the counters).
 */
export function bpfProgramStats(pids: readonly number[]): BpfStats {
  const programs = new Map<string, { ns: number; count: number }>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
      } catch {
        continue;
      }
      const id = /^prog_id:\s+(\d+)/m.exec(text)?.[1];
      if (id === undefined) continue;
      const ns = Number(/^run_time_ns:\s+(\d+)/m.exec(text)?.[1] ?? 0);
      const count = Number(/^run_cnt:\s+(\d+)/m.exec(text)?.[1] ?? 0);
      const known = programs.get(id);
      programs.set(id, { ns: Math.max(ns, known?.ns ?? 0), count: Math.max(count, known?.count ?? 0) });
    }
  }
  let runTimeNs = 0;
  let runCount = 0;
  for (const p of programs.values()) {
    runTimeNs += p.ns;
    runCount += p.count;
  }
  return { programs: programs.size, runTimeNs, runCount };
}

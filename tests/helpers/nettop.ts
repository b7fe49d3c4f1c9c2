// Helpers for the nettop integration tests: the fake nettop, its event log, and process checks made
// straight from /proc (independently of the sampler's own `ps` reading).
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NettopSamplerOptions } from '../../src-main/engine/samplers/nettop/sampler.js';
import type { FlowCounter, Sample } from '../../src-main/engine/types.js';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const fixtures = path.join(repoRoot, 'tests', 'fixtures', 'nettop');
export const FAKE_NETTOP = path.join(fixtures, 'fake-nettop');
export const FAKE_NETSTAT = path.join(fixtures, 'fake-netstat');
export const THREE_FRAMES = path.join(fixtures, 'streams', 'three-frames.csv');
export const capturesDir = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'nettop');

/**
 * The NettopSampler options the integration tests share: the fake nettop, fast, no pty, no netstat, no CPU
 * cost, and `-P` (per process), the mode most of them check; a test of per connection (the sampler's
 * default) says `perConnection: true`.
 */
export const FAKE_NETTOP_OPTIONS = {
  executable: FAKE_NETTOP,
  perConnection: false,
  intervalS: 0.2,
  ptyWrapper: null,
  interfaceReader: null,
  strategy: 'streaming',
  cpuReader: () => Promise.resolve(0),
} as const satisfies NettopSamplerOptions;

/** Short restart and kill timings for the fake. */
export const FAKE_NETTOP_TIMING = { backoffInitialMs: 100, startGraceMs: 1000, killGraceMs: 500 } as const;

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'netmon-nettop-'));
}

export interface FakeEvent {
  ev: 'start' | 'frame' | 'child' | 'stdin-eof' | 'exit' | 'ignored-sigterm';
  pid: number;
  t: number;
  argv?: string[];
  n?: number;
  child?: number;
  code?: number;
}

/** The fake nettop's event log. */
export function events(file: string): FakeEvent[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as FakeEvent);
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function sum(flows: readonly FlowCounter[]): [number, number] {
  return [flows.reduce((n, f) => n + f.bytesIn, 0), flows.reduce((n, f) => n + f.bytesOut, 0)];
}

export function summary(samples: readonly Sample[]): [Sample['mode'], number, number][] {
  return samples.map((s) => [s.mode, ...sum(s.flows)]);
}

interface ProcStat {
  pid: number;
  state: string;
  pgid: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces: the fields that follow start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', pgid: Number(rest[2]) };
  } catch {
    return null;
  }
}

/** Processes of a group that are alive, zombies excluded (this container's init does not reap orphans). */
export function liveGroupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat !== null && stat.pgid === pgid && stat.state !== 'Z') out.push(stat.pid);
  }
  return out;
}

/**
 * Whether nothing of a process group lives: `kill(-pgid, 0)` fails with ESRCH, or (where orphans are not
 * reaped) every member left is a zombie.
 */
export function groupGone(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  return liveGroupMembers(pgid).length === 0;
}

/** Whether a process is alive (a zombie is not). */
export function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** A process's command line as `ps` shows it (arguments joined by spaces). */
export function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a.length > 0).join(' ');
}

// The process table, from `ps`: who descends from whom (a child under a pseudo-terminal sits in another
// session, outside our group, and is found only by parent pid), and how much CPU a tree has used.
import { execFile } from 'node:child_process';

/** One row of the process table. */
export interface ProcessRow {
  pid: number;
  ppid: number;
  pgid: number;
  /** `ps` state letters; `Z…` is a zombie. */
  stat: string;
  /** User + system CPU time, seconds. */
  cpuSeconds: number;
  /** Command line as `ps` shows it. */
  args: string;
}

/** Reads the process table (pid, ppid, pgid, state, CPU time, command line). */
export type ProcessTableReader = () => Promise<ProcessRow[]>;

/** Columns asked of `ps`; the same spelling works with macOS and procps. */
export const PS_ARGS: readonly string[] = ['-A', '-o', 'pid=,ppid=,pgid=,stat=,time=,args='];

/** Parses `ps -A -o pid=,ppid=,pgid=,stat=,time=,args=` output. Unreadable lines are skipped. */
export function parsePsTable(text: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line);
    if (m === null) continue;
    const cpuSeconds = parseCpuTime(m[5] ?? '');
    if (cpuSeconds === null) continue;
    rows.push({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), stat: m[4] ?? '', cpuSeconds, args: (m[6] ?? '').trimEnd() });
  }
  return rows;
}

/**
 * Parses a `ps` CPU time: macOS prints `MMM:SS.ss` (minutes may exceed 59), procps `[DD-]HH:MM:SS`.
 * Read right to left: seconds (with an optional fraction), minutes, hours, then days before a `-`.
 */
export function parseCpuTime(text: string): number | null {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (m === null) return null;
  const days = Number(m[1] ?? 0);
  const hours = Number(m[2] ?? 0);
  return days * 86400 + hours * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** A ProcessTableReader that runs `ps` (default `ps` on PATH). */
export function psProcessTable(psPath = 'ps'): ProcessTableReader {
  return () =>
    new Promise((resolve, reject) => {
      execFile(psPath, [...PS_ARGS], { timeout: 5000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
        if (error !== null) reject(new Error(`ps failed: ${error.message}`));
        else resolve(parsePsTable(stdout));
      });
    });
}

/** `root` and every process below it (by parent pid), from one table. */
export function processTree(table: readonly ProcessRow[], root: number): ProcessRow[] {
  const children = new Map<number, ProcessRow[]>();
  for (const row of table) {
    const list = children.get(row.ppid);
    if (list === undefined) children.set(row.ppid, [row]);
    else list.push(row);
  }
  const out: ProcessRow[] = [];
  const self = table.find((row) => row.pid === root);
  if (self !== undefined) out.push(self);
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** CPU seconds used so far by `root` and everything below it; null when `root` is not in the table. */
export function treeCpuSeconds(table: readonly ProcessRow[], root: number): number | null {
  const tree = processTree(table, root);
  if (tree.length === 0) return null;
  return tree.reduce((sum, row) => sum + row.cpuSeconds, 0);
}

/** Zombies count as gone: they hold nothing, and where init does not reap orphans they would look alive forever. */
export function isZombie(row: ProcessRow): boolean {
  return row.stat.startsWith('Z');
}

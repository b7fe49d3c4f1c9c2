// Child processes for samplers: each in its own process group, restarted with backoff, killed as a whole
// tree, and remembered in a pid file so that a later run can reap what a crashed run left behind.
//
// Why each piece exists:
// - Own process group (`detached: true`): a signal to `-pgid` reaches the child and everything it forked,
//   and a Ctrl-C in our terminal does not reach the child behind our back.
// - Whole tree, not only the group: a child run under a pseudo-terminal (`script … nettop`) sits in a new
//   session, outside our group. The tree (from `ps`, by parent pid) finds it.
// - stdin stays an open pipe for the child's whole life: some tools (nettop) spin a core at end of file.
// - Zombies count as gone: they hold no resources, and where init does not reap orphans (some containers)
//   they would otherwise look alive forever.
// - The pid file records pid + command line as `ps` shows them; a stray is killed at start-up only while
//   both still match, so a pid reused by an unrelated program is left alone.
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { createLogger, type Logger } from '../log.js';
import { systemClock, type Clock } from '../types.js';

/** What to run. */
export interface SpawnSpec {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv | undefined;
  cwd?: string | undefined;
}

/** How a child ended. `error` is set when it could not be started at all (ENOENT, EACCES). */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error: NodeJS.ErrnoException | null;
}

/** A child running in its own process group: its pid is the group id. */
export interface GroupChild {
  /** Pid and process group id; null when the child could not be started. */
  readonly pid: number | null;
  readonly spec: SpawnSpec;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Held open, never ended by us: see the header comment. */
  readonly stdin: Writable;
  /** Resolves when the child process has exited (its output may still be draining). */
  readonly exited: Promise<ChildExit>;
  /** Resolves when its output streams are closed too (after `exited`), or 2 s after it, whichever first. */
  readonly closed: Promise<ChildExit>;
  /** Whether `exited` has resolved. */
  hasExited(): boolean;
}

/** Starts `spec` in a new process group with stdin, stdout and stderr as pipes. Never throws. */
export function spawnInGroup(spec: SpawnSpec): GroupChild {
  const proc = spawn(spec.command, [...spec.args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  let exitedFlag = false;
  let startError: NodeJS.ErrnoException | null = null;
  // Writing to a child that died raises EPIPE on stdin: expected, not an error of ours.
  proc.stdin.on('error', () => undefined);
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('error', (error: NodeJS.ErrnoException) => {
      if (proc.pid === undefined) {
        startError = error;
        exitedFlag = true;
        resolve({ code: null, signal: null, error });
      }
    });
    proc.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal, error: null });
    });
  });
  const closed = new Promise<ChildExit>((resolve) => {
    proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal, error: startError }));
    void exited.then((exit) => {
      const timer = setTimeout(() => resolve(exit), 2000);
      timer.unref();
    });
  });
  return {
    pid: proc.pid ?? null,
    spec,
    stdout: proc.stdout,
    stderr: proc.stderr,
    stdin: proc.stdin,
    exited,
    closed,
    hasExited: () => exitedFlag,
  };
}

/** How a short command run by `runOnce` ended, and what it printed (each stream capped). */
export interface RunOnceResult {
  /** Exit status, or null when it was killed, timed out or never started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Why it could not be started (not found, not executable), or null. */
  spawnError: NodeJS.ErrnoException | null;
  /** It did not end within the time allowed; its whole group was killed. */
  timedOut: boolean;
}

/**
 * Runs a short command in its own process group and collects its output, killing the group if it does not
 * end within `timeoutMs`. Never throws. Output past `maxStdout`/`maxStderr` characters is dropped.
 */
export async function runOnce(command: string, args: readonly string[], options: { timeoutMs: number; maxStdout?: number; maxStderr?: number }): Promise<RunOnceResult> {
  const child = spawnInGroup({ command, args });
  const maxStdout = options.maxStdout ?? 1_000_000;
  const maxStderr = options.maxStderr ?? 4096;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (stdout.length < maxStdout) stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < maxStderr) stderr += chunk.toString('utf8');
  });
  let timer: NodeJS.Timeout | null = null;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
  });
  const exit = await Promise.race([child.closed, timeout]);
  if (timer !== null) clearTimeout(timer);
  if (exit === 'timeout') {
    if (child.pid !== null) await terminateTree(child.pid, { graceMs: 500 });
    return { code: null, signal: null, stdout, stderr, spawnError: null, timedOut: true };
  }
  return { code: exit.code, signal: exit.signal, stdout, stderr, spawnError: exit.error, timedOut: false };
}

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

function isZombie(row: ProcessRow): boolean {
  return row.stat.startsWith('Z');
}

/** Whether `kill(pid, 0)` finds the process (EPERM means it exists but is not ours). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // ESRCH: already gone. EPERM: not ours to kill; nothing more we can do.
  }
}

/** Options of `terminateTree`. */
export interface TerminateOptions {
  /** Time between SIGTERM and SIGKILL. Default 2000 ms. */
  graceMs?: number;
  /** Default: `ps`. Without a working table only the group is signalled. */
  processTable?: ProcessTableReader;
  logger?: Logger;
}

/**
 * Kills a child's whole tree: its process group, every descendant (found by parent pid, including those
 * in other sessions), and the groups those lead. SIGTERM, then SIGKILL after the grace period. Resolves
 * when none of them is alive any more (zombies count as gone), or after giving up (logged).
 */
export async function terminateTree(pgid: number, options: TerminateOptions = {}): Promise<void> {
  const graceMs = options.graceMs ?? 2000;
  const readTable = options.processTable ?? psProcessTable();
  const log = options.logger ?? createLogger('child');
  const table = await readTable().catch(() => [] as ProcessRow[]);
  const targets = new Set<number>([pgid]);
  for (const row of processTree(table, pgid)) targets.add(row.pid);
  for (const row of table) if (row.pgid === pgid) targets.add(row.pid);
  const groups = new Set<number>([pgid]);
  for (const row of table) if (targets.has(row.pid) && row.pgid === row.pid) groups.add(row.pid);

  const send = (sig: NodeJS.Signals): void => {
    for (const group of groups) signal(-group, sig);
    for (const pid of targets) signal(pid, sig);
  };
  const anyAlive = async (): Promise<boolean> => {
    const maybe = [...groups].some((g) => pidExists(-g)) || [...targets].some((p) => pidExists(p));
    if (!maybe) return false;
    const now = await readTable().catch(() => null);
    if (now === null) return true;
    return now.some((row) => !isZombie(row) && (targets.has(row.pid) || groups.has(row.pgid)));
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (!(await anyAlive())) return true;
      if (Date.now() >= deadline) return false;
      await sleep(50);
    }
  };

  send('SIGTERM');
  if (await waitGone(graceMs)) return;
  log.warn('child ignored SIGTERM; sending SIGKILL', { pgid, pids: [...targets].join(' ') });
  send('SIGKILL');
  if (!(await waitGone(2000))) log.error('child processes survived SIGKILL', { pgid, pids: [...targets].join(' ') });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Exponential backoff: `initialMs`, × `factor` per failure, capped at `maxMs`. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Default 2. */
  factor?: number;
}

/** The delays between restarts of a failing child. */
export class Backoff {
  private readonly options: Required<BackoffOptions>;
  private current: number;

  constructor(options: BackoffOptions) {
    this.options = { factor: 2, ...options };
    this.current = options.initialMs;
  }

  /** The delay to wait now; the next one grows. */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.options.maxMs, this.current * this.options.factor);
    return delay;
  }

  /** What `next()` would return. */
  peek(): number {
    return this.current;
  }

  reset(): void {
    this.current = this.options.initialMs;
  }
}

interface PidEntry {
  pid: number;
  pgid: number;
  /** The child we started that this process belongs to (itself, or an ancestor). */
  root: number;
  /** Command line as `ps` showed it; null until seen (then the entry cannot be verified, so is not reaped). */
  args: string | null;
}

/**
 * A pid file (`DIR/NAME.pids.json`, mode 600) naming the processes a sampler started, so that the next
 * start can kill those a crash left running.
 */
export class PidRegistry {
  private readonly file: string;
  private entries: PidEntry[] = [];

  constructor(dir: string, name: string) {
    this.file = path.join(dir, `${name}.pids.json`);
  }

  /** Path of the pid file. */
  get path(): string {
    return this.file;
  }

  /** Records a newly started child (its command line is filled in by `observe`). */
  track(pid: number): void {
    if (!this.entries.some((e) => e.pid === pid)) this.entries.push({ pid, pgid: pid, root: pid, args: null });
    this.save();
  }

  /** Records `root`'s tree as the table shows it: the command lines, and descendants in other sessions. */
  observe(root: number, table: readonly ProcessRow[]): void {
    const tree = processTree(table, root).filter((row) => !isZombie(row));
    let changed = false;
    for (const row of tree) {
      const entry = this.entries.find((e) => e.pid === row.pid);
      if (entry === undefined) {
        this.entries.push({ pid: row.pid, pgid: row.pgid, root, args: row.args });
        changed = true;
      } else if (entry.args !== row.args) {
        entry.args = row.args;
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /** Forgets `root` and what was recorded below it (after it was killed or exited). */
  forget(root: number): void {
    this.entries = this.entries.filter((e) => e.root !== root);
    this.save();
  }

  /** Pids currently recorded. */
  pids(): number[] {
    return this.entries.map((e) => e.pid);
  }

  /**
   * Kills what an earlier run recorded and left alive, where pid and command line still match, then
   * empties the file. Returns how many processes were killed.
   */
  async reapStrays(processTable: ProcessTableReader, logger?: Logger): Promise<number> {
    const log = logger ?? createLogger('child');
    let recorded: PidEntry[];
    try {
      recorded = parseEntries(readFileSync(this.file, 'utf8'));
    } catch {
      recorded = [];
    }
    if (recorded.length === 0) {
      this.entries = [];
      return 0;
    }
    const table = await processTable().catch(() => [] as ProcessRow[]);
    const strays = recorded.filter((entry) => {
      const row = table.find((r) => r.pid === entry.pid);
      return row !== undefined && !isZombie(row) && entry.args !== null && row.args === entry.args;
    });
    for (const stray of strays) {
      log.warn('killing a stray child left by an earlier run', { pid: stray.pid, command: stray.args });
      await terminateTree(stray.pid, { processTable, logger: log, graceMs: 1000 });
    }
    this.entries = [];
    this.save();
    return strays.length;
  }

  private save(): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      if (this.entries.length === 0) {
        rmSync(this.file, { force: true });
        return;
      }
      const temp = `${this.file}.tmp`;
      writeFileSync(temp, JSON.stringify(this.entries), { mode: 0o600 });
      renameSync(temp, this.file);
    } catch (error) {
      createLogger('child').warn('could not write the pid file', { file: this.file, error });
    }
  }
}

function parseEntries(text: string): PidEntry[] {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) return [];
  const out: PidEntry[] = [];
  for (const item of data as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { pid, pgid, root, args } = item as Record<string, unknown>;
    if (typeof pid !== 'number' || typeof pgid !== 'number' || !Number.isInteger(pid) || pid <= 1) continue;
    out.push({ pid, pgid, root: typeof root === 'number' ? root : pid, args: typeof args === 'string' ? args : null });
  }
  return out;
}

/** Options of a RestartingChild. */
export interface RestartingChildOptions {
  /** Names the child in logs. */
  name: string;
  /** What to run; asked again at every (re)start. */
  spec: () => SpawnSpec;
  /** A child has just been started (attach output readers here). */
  onSpawn?: (child: GroupChild) => void;
  /**
   * A child ended by itself (not through `restart` or `stop`); its tree is already killed and its output
   * drained. `nextDelayMs` is when the next one starts.
   */
  onExit?: (exit: ChildExit, child: GroupChild, nextDelayMs: number) => void;
  /** Default: 1 s doubling to 60 s. */
  backoff?: BackoffOptions;
  /** A child that ran this long before failing resets the backoff. Default 60 s. */
  resetAfterMs?: number;
  /** Where to record the children for stray reaping; null for none. */
  registry?: PidRegistry | null;
  processTable?: ProcessTableReader;
  killGraceMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Keeps one child running: restarts it with exponential backoff when it dies or is declared stuck. */
export class RestartingChild {
  private readonly options: RestartingChildOptions;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly log: Logger;
  private child: GroupChild | null = null;
  private startedAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private restartCount = 0;
  /** Kills in flight (after an exit, or a restart): `stop` waits for them too. */
  private readonly killing = new Set<Promise<void>>();

  constructor(options: RestartingChildOptions) {
    this.options = options;
    this.backoff = new Backoff(options.backoff ?? { initialMs: 1000, maxMs: 60_000 });
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? createLogger('child');
  }

  /** Restarts so far (after exits and after `restart`). */
  get restarts(): number {
    return this.restartCount;
  }

  /** The running child, if any. */
  get current(): GroupChild | null {
    return this.child;
  }

  /** Starts the first child now. */
  start(): void {
    this.stopping = false;
    if (this.child === null && this.timer === null) this.spawnNow();
  }

  /** Kills the current child (e.g. stalled) and starts another after the backoff. */
  async restart(reason: string): Promise<number> {
    const child = this.child;
    this.child = null;
    if (child !== null && child.pid !== null) {
      this.log.warn(`restarting ${this.options.name}`, { reason, pid: child.pid });
      await this.kill(child.pid);
    }
    return this.scheduleNext();
  }

  /** Kills the current child and starts no other. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const child = this.child;
    this.child = null;
    if (child !== null && child.pid !== null) await this.kill(child.pid);
    await Promise.all([...this.killing]);
  }

  private kill(pid: number): Promise<void> {
    const done = terminateTree(pid, { graceMs: this.options.killGraceMs, processTable: this.options.processTable, logger: this.log }).then(() => {
      this.options.registry?.forget(pid);
      this.killing.delete(done);
    });
    this.killing.add(done);
    return done;
  }

  private scheduleNext(): number {
    if (this.stopping) return 0;
    if (this.clock.mono() - this.startedAt >= (this.options.resetAfterMs ?? 60_000)) this.backoff.reset();
    const delay = this.backoff.next();
    this.restartCount += 1;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopping) this.spawnNow();
    }, delay);
    return delay;
  }

  private spawnNow(): void {
    const child = spawnInGroup(this.options.spec());
    this.child = child;
    this.startedAt = this.clock.mono();
    if (child.pid !== null) this.options.registry?.track(child.pid);
    this.options.onSpawn?.(child);
    void child.exited.then(async (exit) => {
      if (this.child !== child) return; // killed on purpose by restart or stop
      if (child.pid !== null) await this.kill(child.pid); // what it left behind in its group
      await child.closed;
      if (this.child !== child) return;
      this.child = null;
      const delay = this.scheduleNext();
      this.options.onExit?.(exit, child, delay);
    });
  }
}

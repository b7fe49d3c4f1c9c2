// Named processes that move real TCP bytes and count them (tests/fixtures/traffic-tool.js), for checking
// what a sampler attributes against what each process says it moved.
//
// The process name: the kernel sets a process's `comm` from the file it executed, so each tool runs
// through a symlink to node named after the process we want (`nmdown`, `nmburst`, …; 15 characters at
// most). `ss -p` and /proc/PID/stat then show that name; /proc/PID/exe is the node binary, `testNode()`:
// a hard link (or copy) of ours in a world-readable folder, so that a tool can also run as another
// user (`user` in TrafficSpec) when our own node lives under an unreadable home.
//
// Usage:
//   const server = await startTrafficServer(pair.server, { host: pair.serverAddress, port: 9000 });
//   const report = await runTraffic(pair.client, { name: 'nmdown', mode: 'download', host: pair.serverAddress, port: 9000, bytes: 5e6 });
//   report.bytesReceived   // what nmdown read from its sockets, header included
//   await server.stop();   // SIGTERM; resolves with the server's own totals
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, linkSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { netnsArgv } from './netns.js';

/** The traffic script. */
export const TRAFFIC_TOOL = path.join(import.meta.dirname, '..', 'fixtures', 'traffic-tool.js');

const CHECKOUT = path.resolve(import.meta.dirname, '..', '..');
const copied = new Set<string>();

/**
 * `relative` (a path inside the checkout) and each of `alongside`, copied into the world-readable
 * folder with the same layout, for a process that runs as another user: the checkout itself may sit in
 * a folder only root can read (a clone under /root, a chmod 700 folder). Returns the copy of `relative`.
 */
export function readableCopy(relative: string, alongside: readonly string[] = []): string {
  const root = bin();
  if (copied.size === 0) writeFileSync(path.join(root, 'package.json'), '{"type":"module"}\n', { mode: 0o644 });
  const fresh = [relative, ...alongside].filter((item) => !copied.has(item));
  for (const item of fresh) {
    cpSync(path.join(CHECKOUT, item), path.join(root, item), { recursive: true });
    copied.add(item);
  }
  // cpSync keeps the modes of the files; the folders it makes follow the umask. Open them all.
  if (fresh.length > 0) execWorldReadable(root);
  return path.join(root, relative);
}

function execWorldReadable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) execWorldReadable(full);
    else if (entry.isFile()) chmodSync(full, statSync(full).mode | 0o444);
  }
}

/** What a traffic process says it did: the ground truth. */
export interface TrafficReport {
  pid: number;
  mode: 'serve' | 'download' | 'upload';
  /** Bytes written to its sockets, protocol header included. */
  bytesSent: number;
  /** Bytes read from its sockets. */
  bytesReceived: number;
  connections: number;
  /** Clients only: the local port of each connection, in the order they connected. */
  localPorts?: number[];
  durationMs?: number;
}

/** A client run: what to do and under which process name. */
export interface TrafficSpec {
  /** Process name (comm) the sampler will see: at most 15 characters. */
  name: string;
  mode: 'download' | 'upload';
  host: string;
  port: number;
  /** Payload bytes per connection (the 24-byte header comes on top). */
  bytes: number;
  connections?: number;
  parallel?: number;
  /** Spread each transfer over this many ms, so that it outlives sampler polls. */
  paceMs?: number;
  /** Keep each connection open this long after its transfer. */
  holdMs?: number;
  /** Run as this user instead of ours (through `setpriv`). */
  user?: { uid: number; gid: number };
}

/** A traffic client that is running; `done` resolves with its report when it exits. */
export interface RunningTraffic {
  readonly pid: number;
  readonly name: string;
  readonly done: Promise<TrafficReport>;
}

/** A running traffic server. */
export interface TrafficServer {
  readonly pid: number;
  readonly port: number;
  /** SIGTERM; resolves with the server's totals. */
  stop(): Promise<TrafficReport>;
}

let binDir: string | null = null;

/** A world-readable folder for the node binary and its named links (made once, removed at exit). */
function bin(): string {
  if (binDir === null) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-traffic-bin-'));
    chmodSync(dir, 0o755);
    binDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return binDir;
}

/** The node binary every named process runs: ours, hard-linked (or copied) where any user may run it. */
export function testNode(): string {
  const target = path.join(bin(), 'node');
  if (!existsSync(target)) {
    try {
      linkSync(process.execPath, target);
    } catch {
      copyFileSync(process.execPath, target);
    }
    chmodSync(target, 0o755);
  }
  return target;
}

/**
 * A hard link to `testNode()` called `name`: a process started through it is named `name` (comm), and
 * its /proc/PID/exe is that path too, so attribution by executable names it `name` like any program.
 */
export function namedNode(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(name)) throw new Error(`process name must be 1-15 plain characters: ${JSON.stringify(name)}`);
  const link = path.join(bin(), name);
  if (!existsSync(link)) {
    try {
      linkSync(testNode(), link);
    } catch {
      symlinkSync(testNode(), link);
    }
  }
  return link;
}

/** `[setpriv --reuid U --regid G --clear-groups] <name> traffic-tool.js …` */
function toolArgv(name: string, args: string[], user?: { uid: number; gid: number }): string[] {
  const tool = user === undefined ? TRAFFIC_TOOL : readableCopy('tests/fixtures/traffic-tool.js', ['tests/fixtures/paced-send.js']);
  const argv = [namedNode(name), tool, ...args];
  return user === undefined ? argv : ['setpriv', '--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', ...argv];
}

interface JsonLines {
  next(predicate: (record: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  stderr(): string;
}

/** Reads a child's JSON lines; `next` waits for the first line (already seen or to come) that matches. */
function jsonLines(child: ChildProcess): JsonLines {
  const records: Record<string, unknown>[] = [];
  const waiters: { predicate: (r: Record<string, unknown>) => boolean; resolve: (r: Record<string, unknown>) => void }[] = [];
  let rest = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      records.push(record);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(record)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(record);
        }
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return {
    next: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        const found = records.find(predicate);
        if (found !== undefined) {
          resolve(found);
          return;
        }
        const timer = setTimeout(() => reject(new Error(`traffic tool: no matching output within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        const onExit = (): void => {
          clearTimeout(timer);
          // Let the last stdout chunk through before giving up.
          setTimeout(() => {
            const late = records.find(predicate);
            if (late !== undefined) resolve(late);
            else reject(new Error(`traffic tool exited (${child.exitCode ?? child.signalCode}) without the expected output; stderr: ${stderr}`));
          }, 50);
        };
        waiters.push({
          predicate,
          resolve: (r) => {
            clearTimeout(timer);
            child.off('exit', onExit);
            resolve(r);
          },
        });
        child.once('exit', onExit);
      }),
    stderr: () => stderr,
  };
}

function toReport(record: Record<string, unknown>): TrafficReport {
  const report = record as unknown as TrafficReport;
  if (typeof report.bytesSent !== 'number' || typeof report.bytesReceived !== 'number' || typeof report.pid !== 'number') {
    throw new Error(`traffic tool: unexpected report ${JSON.stringify(record)}`);
  }
  return report;
}

/** Starts a traffic server in namespace `ns`; resolves once it listens. */
export async function startTrafficServer(ns: string, options: { host: string; port: number; name?: string }): Promise<TrafficServer> {
  const [command, ...args] = netnsArgv(ns, toolArgv(options.name ?? 'nmserver', ['serve', '--host', options.host, '--port', String(options.port)]));
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = jsonLines(child);
  const listening = await lines.next((r) => r['event'] === 'listening', 10_000);
  return {
    pid: Number(listening['pid']),
    port: Number(listening['port']),
    stop: async () => {
      // `ip netns exec` execs the tool, so the child's pid is the tool's.
      child.kill('SIGTERM');
      return toReport(await lines.next((r) => r['event'] === 'done', 10_000));
    },
  };
}

/** Starts a traffic client in namespace `ns` under the process name `spec.name`. */
export function startTraffic(ns: string, spec: TrafficSpec): RunningTraffic {
  const args = [
    spec.mode,
    '--host',
    spec.host,
    '--port',
    String(spec.port),
    '--bytes',
    String(spec.bytes),
    '--connections',
    String(spec.connections ?? 1),
    '--parallel',
    String(spec.parallel ?? 1),
    '--pace-ms',
    String(spec.paceMs ?? 0),
    '--hold-ms',
    String(spec.holdMs ?? 0),
  ];
  const [command, ...rest] = netnsArgv(ns, toolArgv(spec.name, args, spec.user));
  const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = jsonLines(child);
  const done = lines.next((r) => r['event'] === 'done', 120_000).then(toReport);
  // Keep an unhandled rejection from surfacing before the caller awaits `done`.
  done.catch(() => undefined);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name}`);
  return { pid: child.pid, name: spec.name, done };
}

/** Runs a traffic client to the end and returns its report. */
export function runTraffic(ns: string, spec: TrafficSpec): Promise<TrafficReport> {
  return startTraffic(ns, spec).done;
}

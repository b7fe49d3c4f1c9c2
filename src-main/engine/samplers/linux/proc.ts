// Process details from /proc for the owners of sockets, and the network facts of the namespace we run
// in (/proc/net/dev, local addresses). The root is injectable so tests can point it at a fake tree.
import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { InterfaceTotals, ProcessInfo } from '../../types.js';
import { canonicalIpv6 } from './ss-parse.js';

/** The fields of /proc/PID/stat we use. */
export interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** Field 22: start time in clock ticks since boot; with the pid it names one process. */
  startTime: number;
}

/**
 * Parses /proc/PID/stat. The name (field 2) is in parentheses and may itself hold spaces and
 * parentheses (`(a (b) c)`), so it runs from the first `(` to the last `)`; the numbered fields follow.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // After the name: field 3 (state) is at index 0, so field N is at index N − 3.
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const ppid = Number(fields[4 - 3]);
  const startTime = Number(fields[22 - 3]);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !Number.isSafeInteger(ppid) || ppid < 0 || !Number.isSafeInteger(startTime) || startTime < 0) return null;
  return { pid, comm, ppid, startTime };
}

/** The cgroup v2 path (`0::/user.slice/…`) from /proc/PID/cgroup, or null on a v1-only system. */
export function parseProcCgroup(text: string): string | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) {
      const p = line.slice(3).trim();
      return p === '' ? null : p;
    }
  }
  return null;
}

/** The real uid from /proc/PID/status (`Uid:\treal\teffective\tsaved\tfs`). */
export function parseProcStatusUid(text: string): number | null {
  const match = /^Uid:\s+(\d+)/m.exec(text);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** /proc/PID/cmdline: arguments separated (and ended) by NUL; shown joined by spaces. */
export function parseProcCmdline(buffer: Buffer): string | undefined {
  const text = buffer.toString('utf8').replace(/\0+$/, '').replaceAll('\0', ' ');
  return text === '' ? undefined : text;
}

/** Interface counters: the sum over every interface but loopback, and the per-interface figures. */
export interface NetDevTotals extends InterfaceTotals {
  interfaces: Record<string, InterfaceTotals>;
}

/**
 * Parses /proc/net/dev. Lines are `name: rx_bytes rx_packets … (8 receive fields) tx_bytes …`; with
 * large counters the first number can touch the colon (`eth0:123456`), so split at the colon first.
 * Loopback is left out: a loopback↔loopback socket never crosses a real interface.
 */
export function parseNetDev(text: string): NetDevTotals | null {
  const interfaces: Record<string, InterfaceTotals> = {};
  let bytesIn = 0;
  let bytesOut = 0;
  let any = false;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    if (name === '' || fields.length < 16) continue;
    const rx = Number(fields[0]);
    const tx = Number(fields[8]);
    if (!Number.isSafeInteger(rx) || !Number.isSafeInteger(tx)) continue;
    any = true;
    if (name === 'lo') continue;
    interfaces[name] = { bytesIn: rx, bytesOut: tx };
    bytesIn += rx;
    bytesOut += tx;
  }
  return any ? { bytesIn, bytesOut, interfaces } : null;
}

/**
 * The IPv4 addresses of this namespace, from /proc/net/fib_trie: each `|-- A.B.C.D` leaf followed by a
 * `/32 host LOCAL` line is an address of ours. A connection to one of them goes over loopback.
 */
export function parseFibTrieLocal(text: string): Set<string> {
  const local = new Set<string>();
  let leaf: string | null = null;
  for (const line of text.split('\n')) {
    const leafMatch = /\|--\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (leafMatch?.[1] !== undefined) {
      leaf = leafMatch[1];
      continue;
    }
    if (line.includes('+--')) {
      leaf = null;
      continue;
    }
    if (leaf !== null && /\/32 host LOCAL/.test(line)) local.add(leaf);
  }
  return local;
}

/** The IPv6 addresses of this namespace, from /proc/net/if_inet6 (32 hex digits per line). */
export function parseIfInet6(text: string): Set<string> {
  const local = new Set<string>();
  for (const line of text.split('\n')) {
    const hex = line.trim().split(/\s+/)[0];
    if (hex === undefined || !/^[0-9a-f]{32}$/i.test(hex)) continue;
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    const address = canonicalIpv6(groups.join(':'));
    if (address !== null) local.add(address);
  }
  return local;
}

/** True for 127.0.0.0/8 and ::1: traffic that stays on the loopback interface. */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

interface CachedProcess {
  info: ProcessInfo;
  seenAt: number;
}

/** Reads process details under a /proc root, cached by (pid, start time, name): a reused pid is a new process. */
export class ProcReader {
  readonly #root: string;
  readonly #cache = new Map<string, CachedProcess>();
  #generation = 0;

  constructor(procRoot = '/proc') {
    this.#root = procRoot;
  }

  /** The details of `pid`, or null when it is gone (or /proc/PID/stat is unreadable). */
  async process(pid: number): Promise<ProcessInfo | null> {
    const stat = await this.#stat(pid);
    if (stat === null) return null;
    // exec() keeps the pid and start time but changes the name: read the details again then.
    const key = `${pid}:${stat.startTime}:${stat.comm}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) {
      cached.seenAt = this.#generation;
      return cached.info;
    }
    const info = await this.#read(stat);
    this.#cache.set(key, { info, seenAt: this.#generation });
    return info;
  }

  /** Forgets processes not asked about since the previous call (they exited or closed their sockets). */
  sweep(): void {
    for (const [key, entry] of this.#cache) {
      if (entry.seenAt < this.#generation) this.#cache.delete(key);
    }
    this.#generation += 1;
  }

  get size(): number {
    return this.#cache.size;
  }

  async #stat(pid: number): Promise<ProcStat | null> {
    const text = await this.#text(pid, 'stat');
    if (text === null) return null;
    const stat = parseProcStat(text);
    return stat !== null && stat.pid === pid ? stat : null;
  }

  async #read(stat: ProcStat): Promise<ProcessInfo> {
    const [exe, cmdline, cgroup, status, parent] = await Promise.all([
      this.#exe(stat.pid),
      this.#buffer(stat.pid, 'cmdline'),
      this.#text(stat.pid, 'cgroup'),
      this.#text(stat.pid, 'status'),
      stat.ppid > 0 ? this.#parent(stat.ppid) : Promise.resolve(null),
    ]);
    const info: ProcessInfo = { pid: stat.pid, name: stat.comm, ppid: stat.ppid, startTime: stat.startTime };
    if (exe !== null) info.path = exe;
    const args = cmdline === null ? undefined : parseProcCmdline(cmdline);
    if (args !== undefined) info.cmdline = args;
    const cg = cgroup === null ? null : parseProcCgroup(cgroup);
    if (cg !== null) info.cgroup = cg;
    const uid = status === null ? null : parseProcStatusUid(status);
    if (uid !== null) info.uid = uid;
    if (parent !== null) {
      info.parentName = parent.name;
      if (parent.path !== null) info.parentPath = parent.path;
    }
    return info;
  }

  async #parent(ppid: number): Promise<{ name: string; path: string | null } | null> {
    const stat = await this.#stat(ppid);
    if (stat === null) return null;
    return { name: stat.comm, path: await this.#exe(ppid) };
  }

  async #exe(pid: number): Promise<string | null> {
    try {
      // The link reads `… (deleted)` after the binary was replaced (an upgrade): still the same program.
      return (await readlink(path.join(this.#root, String(pid), 'exe'))).replace(/ \(deleted\)$/, '');
    } catch {
      // Another user's process (EACCES) or a kernel thread (ENOENT): no path.
      return null;
    }
  }

  async #text(pid: number, file: string): Promise<string | null> {
    try {
      return await readFile(path.join(this.#root, String(pid), file), 'utf8');
    } catch {
      return null;
    }
  }

  async #buffer(pid: number, file: string): Promise<Buffer | null> {
    try {
      return await readFile(path.join(this.#root, String(pid), file));
    } catch {
      return null;
    }
  }
}

// Interface byte counters on macOS, from `netstat -ibn` (cheap, exact, and what attribution reconciles
// nettop's per-process bytes against).
//
// The format (BSD netstat, as published in many captures):
//
//   Name       Mtu   Network       Address            Ipkts Ierrs     Ibytes    Opkts Oerrs     Obytes  Coll
//   lo0        16384 <Link#1>                       5128706     0 1575192126  5128706     0 1575192126     0
//   lo0        16384 127           localhost        5128706     - 1575192126  5128706     - 1575192126     -
//   en0        1500  <Link#4>    a4:83:e7:1c:2b:04   290197     0  987654321   324460     0  123456789     0
//   utun3      1380  <Link#19>                          100     0      50000      200     0      60000     0
//
// One `<Link#N>` row per interface carries its counters; the rows after it repeat them per address and
// are skipped. The Address column is empty on interfaces without a hardware address (lo0, utun…), so the
// columns are found counting from the right, by the header's names (`-d` adds a `Drop` column at the end).
// A trailing `*` on a name marks an interface that is down.
import { execFile } from 'node:child_process';
import type { InterfaceTotals } from '../../types.js';
import { createLogger } from '../../log.js';

/** Counters of one interface, from its link row. */
export interface InterfaceCounters {
  name: string;
  bytesIn: number;
  bytesOut: number;
}

/**
 * One reading of the interface counters: the counted interfaces summed, and each of them by name (so the
 * tunnel stage can tell a VPN's utun from the physical link and never add the two: engine/network).
 */
export interface InterfaceReading extends InterfaceTotals {
  interfaces?: Record<string, InterfaceTotals> | undefined;
}

/** Reads the machine's interface counters, or null when it cannot. */
export type InterfaceReader = () => Promise<InterfaceReading | null>;

/** Parses `netstat -ibn` output into per-interface counters; null when there is no header to read it by. */
export function parseNetstatIbn(text: string): InterfaceCounters[] | null {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((line) => /^Name\s/.test(line) && /\sIbytes\s/.test(line) && /\sObytes(\s|$)/.test(line));
  if (headerAt < 0) return null;
  const header = (lines[headerAt] ?? '').trim().split(/\s+/);
  const fromEnd = (name: string): number => header.length - 1 - header.indexOf(name);
  const ibytes = fromEnd('Ibytes');
  const obytes = fromEnd('Obytes');
  const out: InterfaceCounters[] = [];
  const seen = new Set<string>();
  for (const line of lines.slice(headerAt + 1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || !(fields[2] ?? '').startsWith('<Link#')) continue;
    const name = (fields[0] ?? '').replace(/\*$/, '');
    const bytesIn = counter(fields[fields.length - 1 - ibytes]);
    const bytesOut = counter(fields[fields.length - 1 - obytes]);
    if (name.length === 0 || bytesIn === null || bytesOut === null || seen.has(name)) continue;
    seen.add(name);
    out.push({ name, bytesIn, bytesOut });
  }
  return out;
}

function counter(field: string | undefined): number | null {
  if (field === undefined || !/^\d{1,20}$/.test(field)) return null;
  return Number(field);
}

/** The interfaces whose bytes count as the machine's traffic: all but loopback. */
export function isCountedInterface(name: string): boolean {
  return !/^lo\d*$/.test(name);
}

/** Sums the counted interfaces. */
export function sumInterfaces(counters: readonly InterfaceCounters[], include: (name: string) => boolean = isCountedInterface): InterfaceTotals {
  let bytesIn = 0;
  let bytesOut = 0;
  for (const c of counters) {
    if (!include(c.name)) continue;
    bytesIn += c.bytesIn;
    bytesOut += c.bytesOut;
  }
  return { bytesIn, bytesOut };
}

/** Options of the `netstat -ibn` reader. */
export interface NetstatReaderOptions {
  /** Default `/usr/sbin/netstat`. */
  netstatPath?: string;
  /** Which interfaces count; default: all but loopback. */
  include?: (name: string) => boolean;
  /** Default 5 s. */
  timeoutMs?: number;
}

/** An InterfaceReader that runs `netstat -ibn` once per call. */
export function netstatInterfaceReader(options: NetstatReaderOptions = {}): InterfaceReader {
  const netstatPath = options.netstatPath ?? '/usr/sbin/netstat';
  const include = options.include ?? isCountedInterface;
  const timeout = options.timeoutMs ?? 5000;
  const log = createLogger('sampler:nettop');
  let warned = false;
  return () =>
    new Promise((resolve) => {
      execFile(netstatPath, ['-ibn'], { timeout, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
        const counters = error === null ? parseNetstatIbn(stdout) : null;
        if (counters === null) {
          // Once is enough: without interface counters the samples still flow, with iface null.
          if (!warned) log.warn('interface counters unavailable', { netstat: netstatPath, error: error ?? 'no header in netstat -ibn output' });
          warned = true;
          resolve(null);
          return;
        }
        const counted = counters.filter((c) => include(c.name));
        resolve({ ...sumInterfaces(counted, () => true), interfaces: Object.fromEntries(counted.map((c) => [c.name, { bytesIn: c.bytesIn, bytesOut: c.bytesOut }])) });
      });
    });
}

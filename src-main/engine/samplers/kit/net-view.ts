// A network namespace as /proc shows it (`/proc/net` or `/proc/PID/net`): the interface totals without
// loopback (net/dev) and this machine's own addresses (fib_trie, if_inet6), so that traffic that never
// leaves the machine is left out of the flows, as the interface totals leave it out.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../log.js';
import type { InterfaceTotals } from '../../types.js';
import { parseFibTrieLocal, parseIfInet6, parseNetDev, type NetDevTotals } from '../linux/proc.js';

/** What one reading of a namespace gives. */
export interface NetView {
  /** Interface totals, or null when unreadable (then `problem` says why). */
  netDev: NetDevTotals | null;
  /** Addresses of this machine in the namespace. */
  localAddresses: Set<string>;
}

/** Reads net/dev and the local addresses, and remembers why the totals could not be read. */
export class NetViewReader {
  readonly #procRoot: string;
  readonly #log: Logger;
  #problem: string | null = null;

  constructor(procRoot: string, log: Logger) {
    this.#procRoot = procRoot;
    this.#log = log;
  }

  /** Why the interface totals were unreadable at the last reading; null when they were read. */
  get problem(): string | null {
    return this.#problem;
  }

  /** The namespace of process `pid` (a helper's, which may differ from ours in tests) when readable, else ours. */
  async dirOf(pid: number | null): Promise<string> {
    const ours = path.join(this.#procRoot, 'net');
    if (pid === null) return ours;
    const theirs = path.join(this.#procRoot, String(pid), 'net');
    try {
      await access(path.join(theirs, 'dev'), constants.R_OK);
      return theirs;
    } catch {
      return ours;
    }
  }

  /** One reading of the namespace whose net folder is `netDir` (default ours). */
  async read(netDir: string = path.join(this.#procRoot, 'net')): Promise<NetView> {
    const [netDev, localAddresses] = await Promise.all([this.#readNetDev(netDir), readLocalAddresses(netDir)]);
    return { netDev, localAddresses };
  }

  async #readNetDev(netDir: string): Promise<NetDevTotals | null> {
    const file = path.join(netDir, 'dev');
    try {
      const totals = parseNetDev(await readFile(file, 'utf8'));
      if (totals === null) throw new Error('no interface lines');
      this.#problem = null;
      return totals;
    } catch (error) {
      const message = `interface counters unreadable (${file}: ${error instanceof Error ? error.message : String(error)})`;
      if (this.#problem !== message) this.#log.warn(message);
      this.#problem = message;
      return null;
    }
  }
}

async function readLocalAddresses(netDir: string): Promise<Set<string>> {
  const read = (file: string): Promise<string> => readFile(path.join(netDir, file), 'utf8').catch(() => '');
  const [fib, inet6] = await Promise.all([read('fib_trie'), read('if_inet6')]);
  return new Set([...parseFibTrieLocal(fib), ...parseIfInet6(inet6)]);
}

/** The sample's interface totals from a reading of net/dev. */
export function ifaceTotals(netDev: NetDevTotals | null): InterfaceTotals | null {
  return netDev === null ? null : { bytesIn: netDev.bytesIn, bytesOut: netDev.bytesOut };
}

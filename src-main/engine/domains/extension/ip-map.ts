// The IP → domain map, learnt from the browser extension's reports: the server address the browser
// itself connected to for each host. A connection's bytes to that address are the host's. Several
// hosts can share one address (a CDN, HTTP/2 connection coalescing): then an interval's bytes at the
// address are shared out by what the browser fetched from each host during that interval (its
// reports carry when the transfers ran; one of unknown size weighs a byte); where none ran then (a
// connection kept open), by how often each host was seen there. An address stands for a host from `ttlMs` before its first report to
// `ttlMs` after its last; the map holds at most `maxIps` addresses.
import { bytesWithin, type Transfer } from './transfers.js';

/** A host's weight at one address. */
export interface NameWeight {
  name: string;
  weight: number;
}

interface Entry {
  firstMs: number;
  lastMs: number;
  sightings: number;
  /** The browser's transfers, oldest first, at most MAX_TRANSFERS (the oldest merged). */
  transfers: Transfer[];
}

/** Options of `IpDomainMap`. */
export interface IpMapOptions {
  /** How long before its first and after its last report an address still names the host (default 10 min). */
  ttlMs?: number;
  /** Most addresses kept; past it the least recently reported go (default 4096). */
  maxIps?: number;
  /** Clock skew allowed between the browser's transfer times and the sampler's intervals (default 1 s). */
  slackMs?: number;
}

const MAX_TRANSFERS = 64;

/** Addresses and the hosts the browser reached at them. */
export class IpDomainMap {
  private readonly ttlMs: number;
  private readonly maxIps: number;
  private readonly slackMs: number;
  private readonly byIp = new Map<string, Map<string, Entry>>();

  constructor(options: IpMapOptions = {}) {
    this.ttlMs = options.ttlMs ?? 600_000;
    this.maxIps = options.maxIps ?? 4096;
    this.slackMs = options.slackMs ?? 1000;
  }

  /** Records that the browser fetched `bytes` from `name` at `ip` between `fromMs` and `toMs`. */
  observe(ip: string, name: string, bytes: number, fromMs: number, toMs: number): void {
    let names = this.byIp.get(ip);
    if (names === undefined) {
      names = new Map();
      this.byIp.set(ip, names);
    } else {
      // Re-inserted so that the Map's order stays least recently reported first.
      this.byIp.delete(ip);
      this.byIp.set(ip, names);
    }
    const from = Math.min(fromMs, toMs);
    const to = Math.max(fromMs, toMs);
    let e = names.get(name);
    if (e === undefined) {
      e = { firstMs: from, lastMs: to, sightings: 0, transfers: [] };
      names.set(name, e);
    }
    e.firstMs = Math.min(e.firstMs, from);
    e.lastMs = Math.max(e.lastMs, to);
    e.sightings += 1;
    // A transfer of unknown size (a bare sighting, a size the browser did not tell) still says the
    // host was active then: it weighs one byte, next to nothing beside a measured one.
    e.transfers.push({ fromMs: from, toMs: to, bytes: Number.isFinite(bytes) && bytes > 1 ? bytes : 1 });
    e.transfers.sort((x, y) => x.fromMs - y.fromMs);
    if (e.transfers.length > MAX_TRANSFERS) {
      const [x, y] = e.transfers.splice(0, 2);
      if (x !== undefined && y !== undefined) e.transfers.unshift({ fromMs: Math.min(x.fromMs, y.fromMs), toMs: Math.max(x.toMs, y.toMs), bytes: x.bytes + y.bytes });
    }
    while (this.byIp.size > this.maxIps) {
      const oldest = this.byIp.keys().next();
      if (oldest.done === true) break;
      this.byIp.delete(oldest.value);
    }
  }

  /**
   * The hosts `ip` stood for during [startMs, endMs], weighted by the bytes the browser moved from
   * each in that time (a transfer's bytes spread evenly over its span); when it moved none then, by
   * sightings. Empty when the address is unknown then.
   */
  lookup(ip: string, startMs: number, endMs: number = startMs): NameWeight[] {
    const names = this.byIp.get(ip);
    if (names === undefined) return [];
    const valid = [...names].filter(([, e]) => endMs >= e.firstMs - this.ttlMs && startMs <= e.lastMs + this.ttlMs);
    const timed: NameWeight[] = [];
    for (const [name, e] of valid) {
      const weight = e.transfers.reduce((sum, t) => sum + bytesWithin(t, startMs, endMs, this.slackMs), 0);
      if (weight > 0) timed.push({ name, weight });
    }
    const out = timed.length > 0 ? timed : valid.map(([name, e]) => ({ name, weight: e.sightings }));
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Forgets what can no longer match an interval ending at or after `beforeMs`. */
  prune(beforeMs: number): void {
    for (const [ip, names] of this.byIp) {
      for (const [name, e] of names) if (e.lastMs + this.ttlMs < beforeMs) names.delete(name);
      if (names.size === 0) this.byIp.delete(ip);
    }
  }

  /** Addresses held. */
  size(): number {
    return this.byIp.size;
  }
}

// The IP → domain map, learnt from the browser extension's reports: the server address the browser
// itself connected to for each host. A connection's bytes to that address are the host's. Several
// hosts can share one address (a CDN, HTTP/2 connection coalescing): then the address's bytes are
// shared out by what the browser counted for each host there. Entries expire: an address is valid
// for `ttlMs` around the times the browser reported it, and the map holds at most `maxIps` addresses.

/** A host's weight at one address. */
export interface NameWeight {
  name: string;
  weight: number;
}

interface Entry {
  firstMs: number;
  lastMs: number;
  /** Bytes the browser counted here, plus one per report, so that a bare sighting counts too. */
  weight: number;
}

/** Options of `IpDomainMap`. */
export interface IpMapOptions {
  /** How long before its first and after its last report an address still names the host (default 10 min). */
  ttlMs?: number;
  /** Most addresses kept; past it the least recently reported go (default 4096). */
  maxIps?: number;
}

/** Addresses and the hosts the browser reached at them. */
export class IpDomainMap {
  private readonly ttlMs: number;
  private readonly maxIps: number;
  private readonly byIp = new Map<string, Map<string, Entry>>();

  constructor(options: IpMapOptions = {}) {
    this.ttlMs = options.ttlMs ?? 600_000;
    this.maxIps = options.maxIps ?? 4096;
  }

  /** Records that the browser reached `name` at `ip` between `fromMs` and `toMs`, counting `bytes` there. */
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
    const seen = names.get(name);
    const add = Math.max(0, Number.isFinite(bytes) ? bytes : 0) + 1;
    if (seen === undefined) names.set(name, { firstMs: Math.min(fromMs, toMs), lastMs: Math.max(fromMs, toMs), weight: add });
    else {
      seen.firstMs = Math.min(seen.firstMs, fromMs);
      seen.lastMs = Math.max(seen.lastMs, toMs);
      seen.weight += add;
    }
    while (this.byIp.size > this.maxIps) {
      const oldest = this.byIp.keys().next();
      if (oldest.done === true) break;
      this.byIp.delete(oldest.value);
    }
  }

  /** The hosts `ip` stood for at `atMs`, with their weights; empty when the address is unknown then. */
  lookup(ip: string, atMs: number): NameWeight[] {
    const names = this.byIp.get(ip);
    if (names === undefined) return [];
    const out: NameWeight[] = [];
    for (const [name, e] of names) {
      if (atMs >= e.firstMs - this.ttlMs && atMs <= e.lastMs + this.ttlMs) out.push({ name, weight: e.weight });
    }
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

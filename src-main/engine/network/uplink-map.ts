// The live map interface → network, refreshed in the background (every 30 s, and soon after an interface
// with bytes shows up unknown) so the pipeline resolves synchronously. A network keeps its id while its
// gateway stays the same: a neighbour entry that expired (no MAC for a moment) does not make a new network.
import { readLinuxUplinkFacts, readMacUplinkFacts, uplinkOf, type CommandRunner, type Uplink, type UplinkFacts } from './uplinks.js';

export interface UplinkMapOptions {
  /** Reads the uplinks' facts; default: the platform's reader. */
  read?: () => Promise<UplinkFacts[]>;
  maxAgeMs?: number;
  /** How soon an unknown interface with bytes triggers a re-read. */
  retryMs?: number;
}

export class UplinkMap {
  #byIface = new Map<string, Uplink>();
  /** `iface|gateway` → the id it had with a MAC, so a passing neighbour-table miss keeps the network. */
  readonly #sticky = new Map<string, Uplink>();
  #readAt = -Infinity;
  #reading: Promise<void> | null = null;
  readonly #read: () => Promise<UplinkFacts[]>;
  readonly #maxAgeMs: number;
  readonly #retryMs: number;

  constructor(options: UplinkMapOptions = {}) {
    this.#read = options.read ?? (() => Promise.resolve([]));
    this.#maxAgeMs = options.maxAgeMs ?? 30_000;
    this.#retryMs = options.retryMs ?? 2_000;
  }

  /** Every uplink known now. */
  list(): Uplink[] {
    return [...this.#byIface.values()];
  }

  /** The network of a physical interface, or null (not read yet, or no uplink): its bytes are "unknown network". */
  networkOf(iface: string, nowMs: number = performance.now()): Uplink | null {
    const hit = this.#byIface.get(iface) ?? null;
    // Soon again only for a gateway whose MAC is not known yet; an interface without an uplink (no
    // address, no default route) waits for the ordinary refresh, so an idle one costs no extra reads.
    const waiting = hit !== null && hit.gatewayMac === null && hit.gateway !== null;
    const stale = nowMs - this.#readAt > (waiting ? this.#retryMs : this.#maxAgeMs);
    if (stale && this.#reading === null) void this.refresh(nowMs);
    return hit;
  }

  /**
   * Whether an interface's network is final: the map has been read, and the interface has no uplink, or
   * one named by its gateway's MAC (or with no gateway). A gateway whose MAC is not in the neighbour
   * table yet (the first packets on a new uplink) is not: a re-read soon will name it.
   */
  settled(iface: string, nowMs: number = performance.now()): boolean {
    if (this.#readAt === -Infinity) {
      if (this.#reading === null) void this.refresh(nowMs);
      return false;
    }
    const hit = this.networkOf(iface, nowMs);
    return hit === null ? this.#readAt > -Infinity : hit.gatewayMac !== null || hit.gateway === null;
  }

  refresh(nowMs: number = performance.now()): Promise<void> {
    this.#reading ??= (async () => {
      try {
        const facts = await this.#read();
        const next = new Map<string, Uplink>();
        for (const f of facts) {
          const key = `${f.iface}|${f.gateway ?? ''}`;
          let uplink = uplinkOf(f);
          const before = this.#sticky.get(key);
          if (f.gatewayMac === null && before !== undefined) uplink = { ...uplink, id: before.id, gatewayMac: before.gatewayMac, label: f.nm?.connection ?? before.label };
          if (uplink.gatewayMac !== null) this.#sticky.set(key, uplink);
          next.set(f.iface, uplink);
        }
        if (this.#sticky.size > 256) this.#sticky.clear();
        this.#byIface = next;
      } catch {
        // keep the last map
      } finally {
        this.#readAt = nowMs;
        this.#reading = null;
      }
    })();
    return this.#reading;
  }
}

/** The map as `serve` runs it: Linux `ip`/nmcli, macOS route/arp/networksetup; elsewhere empty. */
export function createUplinkMap(isPhysical: (iface: string) => boolean, run?: CommandRunner): UplinkMap {
  const read =
    process.platform === 'linux'
      ? () => readLinuxUplinkFacts({ isPhysical, ...(run === undefined ? {} : { run }) })
      : process.platform === 'darwin'
        ? () => readMacUplinkFacts(run === undefined ? {} : { run })
        : () => Promise.resolve([]);
  return new UplinkMap({ read });
}

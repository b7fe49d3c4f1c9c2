// Tunnel and proxy providers: the processes (or the kernel) that carry other processes' bytes again,
// encapsulated or relayed, over a network. Found three ways:
// - by name (`knownProvider`): the VPN clients, mesh daemons, secure-web-gateway agents and local proxies
//   whose names are seen in the wild (nettop labels cut to 15 characters included);
// - by behaviour (`ProviderDetector`): a process whose physical bytes track the sum of the tunnel
//   sockets' bytes — ratio 1.00–1.25 and Pearson r ≥ 0.9 over at least 5 active intervals, talking to
//   at most 4 remote endpoints;
// - by the user (`NetworkOverrides.tunnel`), and for kernel WireGuard by the kernel: physical bytes no
//   process owns while a wg interface is up.

/** How a provider relays: over a tunnel interface, a loopback proxy, or transparently (a filter). */
export type ProviderStyle = 'tunnel' | 'proxy' | 'transparent';

export interface KnownProvider {
  /** Label for the overhead row, e.g. `OpenVPN`. */
  label: string;
  style: ProviderStyle;
}

interface KnownRule extends KnownProvider {
  pattern: RegExp;
}

// Matched against the process name as the OS gives it: Linux `comm` (15 characters), nettop's label
// (cut to 15 characters), or a full macOS executable name.
const KNOWN: readonly KnownRule[] = [
  { pattern: /^openvpn/i, label: 'OpenVPN', style: 'tunnel' },
  { pattern: /^(tailscaled|io\.tailscale\.)/i, label: 'Tailscale', style: 'tunnel' },
  { pattern: /^wireguard-go$|^com\.wireguard\./i, label: 'WireGuard', style: 'tunnel' },
  { pattern: /^MacPacketTunnel/, label: 'MacPacketTunnel', style: 'tunnel' },
  { pattern: /^(vpnagentd|acwebsecagent|cisco secure cl)/i, label: 'Cisco Secure Client', style: 'tunnel' },
  { pattern: /^(warp-svc|Cloudflare WARP|com\.cloudflare\.)/i, label: 'Cloudflare WARP', style: 'tunnel' },
  { pattern: /^(ZscalerTunnel|Zscaler|com\.zscaler\.)/i, label: 'Zscaler', style: 'transparent' },
  { pattern: /^(stAgentSvc|stAgentSvcMon|Netskope|com\.netskope\.)/i, label: 'Netskope', style: 'transparent' },
  { pattern: /^(nordvpnd|NordVPN|nordlynx)/i, label: 'NordVPN', style: 'tunnel' },
  { pattern: /^(mullvad-daemon|mullvad-vpn)/i, label: 'Mullvad', style: 'tunnel' },
  { pattern: /^(expressvpnd|ExpressVPN)/i, label: 'ExpressVPN', style: 'tunnel' },
  { pattern: /^(ProtonVPN|protonvpn)/i, label: 'Proton VPN', style: 'tunnel' },
  { pattern: /^(openconnect|vpnc$|charon|racoon|strongswan|GlobalProtect|PanGPS|forticlient|fortitray)/i, label: 'VPN client', style: 'tunnel' },
  { pattern: /^(zerotier-one)/i, label: 'ZeroTier', style: 'tunnel' },
  { pattern: /^(netbird)/i, label: 'NetBird', style: 'tunnel' },
  { pattern: /^(sshuttle|clash|mihomo|v2ray|xray|sing-box|shadowsocks|ss-local|privoxy|tinyproxy)/i, label: 'local proxy', style: 'proxy' },
  // nettop's `Tunnel.<pid>` rows (a proxy app's network extension): a relay whatever its kind.
  { pattern: /^Tunnel$/, label: 'Tunnel', style: 'proxy' },
];

/** The known provider a process name belongs to, or null. */
export function knownProvider(name: string): KnownProvider | null {
  for (const rule of KNOWN) if (rule.pattern.test(name)) return { label: rule.label, style: rule.style };
  return null;
}

/** The user's per-process decisions (process names as shown, compared case-insensitively). */
export interface NetworkOverrides {
  /** Treat these processes as a tunnel or proxy provider. */
  tunnel?: readonly string[] | undefined;
  /** Leave these processes out of totals: their traffic only duplicates bytes counted elsewhere. */
  exclude?: readonly string[] | undefined;
}

export function matchesOverride(list: readonly string[] | undefined, name: string): boolean {
  if (list === undefined || list.length === 0) return false;
  const lower = name.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === lower);
}

/** What a process did in one interval, as the behavioural rule sees it. */
export interface ProcessObservation {
  /** Process key (stable for the process's life, e.g. `name.pid`). */
  process: string;
  /** Bytes (in + out) of its sockets on physical interfaces. */
  physical: number;
  /** Distinct remote endpoints of those sockets (`address:port`). */
  endpoints: readonly string[];
}

export interface DetectorOptions {
  /** Intervals remembered per process. */
  window?: number;
  minIntervals?: number;
  minRatio?: number;
  maxRatio?: number;
  minCorrelation?: number;
  maxEndpoints?: number;
}

interface Series {
  physical: number[];
  tunnel: number[];
  endpoints: Set<string>;
  lastSeen: number;
}

/**
 * The behavioural rule: a process is a provider when, over its recent active intervals (intervals where
 * there was tunnel traffic or it moved physical bytes), its physical bytes are 1.00–1.25 × the sum of
 * the other processes' tunnel bytes, correlated with it (Pearson r ≥ 0.9), over ≥ 5 such intervals and
 * ≤ 4 remote endpoints. A bulk download that happens to run beside a VPN fails the correlation; a relay
 * (Tailscale's DERP over TCP 443, a VPN client nobody listed) passes it.
 */
export class ProviderDetector {
  readonly #series = new Map<string, Series>();
  readonly #window: number;
  readonly #minIntervals: number;
  readonly #minRatio: number;
  readonly #maxRatio: number;
  readonly #minCorrelation: number;
  readonly #maxEndpoints: number;
  #tick = 0;

  constructor(options: DetectorOptions = {}) {
    this.#window = options.window ?? 30;
    this.#minIntervals = options.minIntervals ?? 5;
    this.#minRatio = options.minRatio ?? 1.0;
    this.#maxRatio = options.maxRatio ?? 1.25;
    this.#minCorrelation = options.minCorrelation ?? 0.9;
    this.#maxEndpoints = options.maxEndpoints ?? 4;
  }

  /**
   * Feeds one interval: `tunnelBytes` is the sum (in + out) of every socket's bytes on tunnel interfaces
   * (and loopback-proxy client sockets), `processes` each process's physical bytes. A process's own
   * tunnel bytes belong in `tunnelBytes` only if it is not the one observed: pass `ownTunnel` to subtract.
   */
  observe(tunnelBytes: number, processes: readonly (ProcessObservation & { ownTunnel?: number })[]): void {
    this.#tick += 1;
    for (const p of processes) {
      const tunnel = Math.max(0, tunnelBytes - (p.ownTunnel ?? 0));
      if (tunnel === 0 && p.physical === 0) continue;
      let s = this.#series.get(p.process);
      if (s === undefined) {
        s = { physical: [], tunnel: [], endpoints: new Set(), lastSeen: this.#tick };
        this.#series.set(p.process, s);
      }
      s.physical.push(p.physical);
      s.tunnel.push(tunnel);
      if (s.physical.length > this.#window) {
        s.physical.shift();
        s.tunnel.shift();
      }
      for (const e of p.endpoints) if (s.endpoints.size <= this.#maxEndpoints) s.endpoints.add(e);
      s.lastSeen = this.#tick;
    }
    // Forget processes gone for a whole window: bounded memory under process churn.
    for (const [key, s] of this.#series) if (this.#tick - s.lastSeen > this.#window) this.#series.delete(key);
  }

  /** Whether the process currently behaves as a provider. */
  isProvider(process: string): boolean {
    const s = this.#series.get(process);
    if (s === undefined || s.physical.length < this.#minIntervals) return false;
    if (s.endpoints.size > this.#maxEndpoints) return false;
    const p = s.physical.reduce((a, b) => a + b, 0);
    const t = s.tunnel.reduce((a, b) => a + b, 0);
    if (t === 0) return false;
    const ratio = p / t;
    if (ratio < this.#minRatio || ratio > this.#maxRatio) return false;
    if (pearson(s.physical, s.tunnel) >= this.#minCorrelation) return true;
    // A steady relay has (nearly) constant series, where r says nothing: then every interval on its own
    // must keep the ratio, which is the stronger test.
    return s.physical.every((x, i) => {
      const y = s.tunnel[i] ?? 0;
      return y > 0 && x / y >= this.#minRatio && x / y <= this.#maxRatio;
    });
  }

  /** Processes that currently pass the rule. */
  providers(): string[] {
    return [...this.#series.keys()].filter((k) => this.isProvider(k));
  }
}

/** Pearson's correlation coefficient; 0 when either series is constant. */
export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] ?? 0;
    my += ys[i] ?? 0;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx;
    const dy = (ys[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return 0;
  return sxy / Math.sqrt(sxx * syy);
}

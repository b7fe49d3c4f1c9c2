// Each byte once, on the network it crossed: the Android-style migration of tunnel and proxy traffic.
//
// An app inside a VPN is counted on the tunnel interface, and the VPN's provider counts the same bytes
// again, encapsulated, on the physical one. Android's NetworkStats.migrateTun settles this per direction
// with a pool = min(Σ app bytes on the tunnel, provider's bytes on the underlay): the apps are charged
// the pool, the provider keeps only what is left — its overhead. Here:
// - apps keep their tunnel bytes (they are what the app moved);
// - each provider's sockets are replaced by one overhead row = provider's bytes − pool (≥ 0); when the
//   tunnel carried more than the underlay (compression), the overhead is 0, never negative;
// - nested tunnels are settled innermost first: an inner provider (its own sockets on a tunnel) is
//   settled against its apps, and its raw bytes on the outer tunnel are then part of the outer pool;
// - a loopback proxy the same way with loopback as the tunnel: its clients' loopback sockets are charged
//   their share of the pool (a cache hit moves no network bytes), the rest of loopback is dropped;
// - a transparent filter (Zscaler, Netskope) whose clients' sockets sit on the physical interface itself:
//   those sockets stay, the filter's own copy becomes overhead;
// - kernel WireGuard: the provider is the kernel, its bytes the physical bytes no socket owns; its
//   overhead is capped at 25 % of the tunnel bytes (the ratio the behavioural rule accepts), the rest
//   stays unattributed.
// Pure: sockets and interface bytes of one interval in, the sockets that count and the overhead rows out.
import type { InterfaceTotals } from '../types.js';
import type { InterfaceBytes, InterfaceKind } from './interfaces.js';
import { networkTotal } from './interfaces.js';
import type { ProviderStyle } from './providers.js';

export interface Endpoint {
  address: string;
  port: number | null;
}

/** One socket's (or one process remainder's) bytes in an interval, with the interface it used. */
export interface SocketBytes {
  id: string;
  /** The owning process's key (`name.pid`), or null when no process owns it. */
  process: string | null;
  /** The owning process's name, as the OS gives it. */
  name: string | null;
  /** The interface the socket's packets used, or null when unknown. */
  iface: string | null;
  local?: Endpoint | undefined;
  remote?: Endpoint | undefined;
  bytesIn: number;
  bytesOut: number;
}

/** A process (or the kernel) that carries other sockets' bytes again. */
export interface Provider {
  /** Process key, or `kernel` for kernel WireGuard. */
  process: string;
  /** For the overhead row: `VPN overhead (LABEL)`. */
  label: string;
  style: ProviderStyle;
  /** Tunnel interfaces it serves, where known (Linux: the tun fd's `iff`; kernel: the wg interfaces). */
  serves?: readonly string[] | undefined;
  reason: 'known' | 'behaviour' | 'override' | 'kernel';
}

export const KERNEL_PROVIDER = 'kernel';

/** Bytes a provider moved beyond what it carried: its own cost, shown as such, never as an app. */
export interface OverheadRow {
  process: string;
  label: string;
  /** The row's name as stored and shown: `VPN overhead (LABEL)`. */
  app: string;
  bytesIn: number;
  bytesOut: number;
  /** The provider's bytes that were the apps' bytes again (moved to them, not counted twice). */
  pool: InterfaceTotals;
}

export interface MigrationInput {
  sockets: readonly SocketBytes[];
  kindOf: (iface: string) => InterfaceKind;
  /** The interval's per-interface bytes; null when the interface counters are unknown. */
  interfaces: readonly InterfaceBytes[] | null;
  providers: readonly Provider[];
  /** Process keys the user left out of totals (duplicate traffic only). */
  excluded?: ReadonlySet<string> | undefined;
}

export interface MigrationResult {
  /** The sockets that count, with the bytes they count for. Providers' sockets are not among them. */
  sockets: SocketBytes[];
  overhead: OverheadRow[];
  /** Sum of physical interfaces, or null when unknown. */
  network: InterfaceTotals | null;
  /** Bytes of excluded processes. */
  excluded: InterfaceTotals;
  /** Bytes that stayed on this machine (loopback, bridges) and were not a proxy's clients'. */
  local: InterfaceTotals;
}

/** The overhead row's name. */
export function overheadName(label: string): string {
  return `VPN overhead (${label})`;
}

// Whether a stored row's name is a provider's overhead: shared with the views (src-shared/networks.ts).
export { isOverheadName } from '../../../src-shared/networks.js';

const KERNEL_OVERHEAD_CAP = 0.25;

interface Pair {
  bytesIn: number;
  bytesOut: number;
}

const zero = (): Pair => ({ bytesIn: 0, bytesOut: 0 });
const add = (to: Pair, from: Pair): void => {
  to.bytesIn += from.bytesIn;
  to.bytesOut += from.bytesOut;
};

/** Settles one interval: see the header. */
export function migrate(input: MigrationInput): MigrationResult {
  const kindOf = (iface: string | null): InterfaceKind | 'unknown' => (iface === null ? 'unknown' : input.kindOf(iface));
  const excluded = zero();
  const local = zero();
  const live: SocketBytes[] = [];
  for (const s of input.sockets) {
    if (s.bytesIn === 0 && s.bytesOut === 0) continue;
    if (s.process !== null && input.excluded?.has(s.process) === true) add(excluded, s);
    else live.push(s);
  }

  const byProcess = new Map<string, SocketBytes[]>();
  for (const s of live) {
    if (s.process === null) continue;
    const list = byProcess.get(s.process) ?? [];
    list.push(s);
    byProcess.set(s.process, list);
  }
  const ownOf = (p: Provider): SocketBytes[] => byProcess.get(p.process) ?? [];
  const ownTunnels = (p: Provider): Set<string> =>
    new Set(ownOf(p).flatMap((s) => (s.iface !== null && kindOf(s.iface) === 'tunnel' ? [s.iface] : [])));

  // Innermost first: providers whose own sockets ride a tunnel, then the rest (kernel last).
  const providers = [...input.providers].sort((a, b) => depth(b) - depth(a));
  function depth(p: Provider): number {
    if (p.process === KERNEL_PROVIDER) return -1;
    return ownTunnels(p).size > 0 ? 1 : 0;
  }

  // Which tunnels each provider serves: its own list where known. The others share the tunnels nobody
  // claimed: one such provider takes them all (but those it rides itself); several are matched best-fit,
  // smallest tunnel first, each to the provider with the least room left that still holds it (else the
  // most room), so an inner provider takes the inner tunnel and a small GUI helper takes none.
  const allTunnels = new Set<string>();
  for (const s of live) if (s.iface !== null && kindOf(s.iface) === 'tunnel') allTunnels.add(s.iface);
  for (const i of input.interfaces ?? []) if (i.kind === 'tunnel') allTunnels.add(i.name);
  const claimed = new Set<string>(providers.flatMap((p) => p.serves ?? []));
  const serves = new Map<Provider, Set<string>>();
  const open = providers.filter((p) => p.serves === undefined);
  for (const p of providers) serves.set(p, new Set(p.serves ?? []));
  const tunnelBytes = new Map<string, number>();
  for (const s of live) if (s.iface !== null && allTunnels.has(s.iface)) tunnelBytes.set(s.iface, (tunnelBytes.get(s.iface) ?? 0) + s.bytesIn + s.bytesOut);
  const room = new Map<Provider, number>(open.map((p) => [p, ownOf(p).reduce((n, s) => n + (kindOf(s.iface) === 'local' ? 0 : s.bytesIn + s.bytesOut), 0)]));
  const unclaimed = [...allTunnels].filter((t) => !claimed.has(t)).sort((a, b) => (tunnelBytes.get(a) ?? 0) - (tunnelBytes.get(b) ?? 0));
  for (const t of unclaimed) {
    const eligible = open.filter((p) => !ownTunnels(p).has(t));
    if (eligible.length === 0) continue;
    const need = tunnelBytes.get(t) ?? 0;
    const fits = eligible.filter((p) => (room.get(p) ?? 0) >= need).sort((a, b) => (room.get(a) ?? 0) - (room.get(b) ?? 0));
    const chosen = fits[0] ?? [...eligible].sort((a, b) => (room.get(b) ?? 0) - (room.get(a) ?? 0))[0];
    if (chosen === undefined) continue;
    serves.get(chosen)?.add(t);
    room.set(chosen, (room.get(chosen) ?? 0) - need);
  }

  const providerKeys = new Set(providers.map((p) => p.process));
  // Loopback client sockets get a share of their proxy's pool; track what they count for.
  const counted = new Map<SocketBytes, Pair>();
  for (const s of live) {
    if (s.process !== null && providerKeys.has(s.process)) continue;
    if (kindOf(s.iface) === 'local') add(local, s);
    else counted.set(s, { bytesIn: s.bytesIn, bytesOut: s.bytesOut });
  }

  const network = input.interfaces === null ? null : networkTotal(input.interfaces);
  const overhead: OverheadRow[] = [];
  for (const p of providers) {
    const served = serves.get(p) ?? new Set<string>();
    const own = ownOf(p);
    const underlay = zero();
    if (p.process === KERNEL_PROVIDER) {
      if (network === null) continue;
      // The kernel's bytes: physical bytes that no socket on a physical interface owns.
      const onPhysical = zero();
      for (const s of live) if (kindOf(s.iface) === 'physical') add(onPhysical, s);
      underlay.bytesIn = Math.max(0, network.bytesIn - onPhysical.bytesIn);
      underlay.bytesOut = Math.max(0, network.bytesOut - onPhysical.bytesOut);
    } else {
      for (const s of own) if (kindOf(s.iface) !== 'local') add(underlay, s);
    }

    // What the provider carried: other sockets on its tunnels (providers' raw bytes included: that is
    // how a nested tunnel's outer layer sees the inner one), its loopback clients, or its filtered apps.
    const tunnelInner = zero();
    for (const s of live) if (s.process !== p.process && s.iface !== null && served.has(s.iface)) add(tunnelInner, s);
    const proxyPorts = new Set(
      own.flatMap((s) => (kindOf(s.iface) === 'local' && s.local?.port != null ? [s.local.port] : [])),
    );
    // A loopback proxy's clients: other processes' loopback sockets to one of its ports (to any of its
    // loopback sockets when no ports are known). Only proxies: a VPN app's GUI talking to its daemon over
    // loopback is not tunnelled traffic.
    const clients =
      p.style !== 'proxy'
        ? []
        : live.filter(
            (s) =>
              s.process !== p.process &&
              kindOf(s.iface) === 'local' &&
              (proxyPorts.size === 0 || (s.remote?.port != null && proxyPorts.has(s.remote.port))),
          );
    const loopInner = zero();
    for (const s of clients) add(loopInner, s);
    const filtered = zero();
    if (p.style === 'transparent' && tunnelInner.bytesIn + tunnelInner.bytesOut === 0) {
      for (const s of live) if (s.process !== null && !providerKeys.has(s.process) && kindOf(s.iface) === 'physical') add(filtered, s);
    }
    const inner: Pair = {
      bytesIn: tunnelInner.bytesIn + loopInner.bytesIn + filtered.bytesIn,
      bytesOut: tunnelInner.bytesOut + loopInner.bytesOut + filtered.bytesOut,
    };
    const pool: Pair = { bytesIn: Math.min(inner.bytesIn, underlay.bytesIn), bytesOut: Math.min(inner.bytesOut, underlay.bytesOut) };

    // Loopback clients are charged their share of the pool (by their loopback bytes).
    for (const s of clients) {
      counted.set(s, {
        bytesIn: inner.bytesIn === 0 ? 0 : Math.round((pool.bytesIn * s.bytesIn) / inner.bytesIn),
        bytesOut: inner.bytesOut === 0 ? 0 : Math.round((pool.bytesOut * s.bytesOut) / inner.bytesOut),
      });
      add(local, { bytesIn: -s.bytesIn, bytesOut: -s.bytesOut });
    }

    let left: Pair = { bytesIn: underlay.bytesIn - pool.bytesIn, bytesOut: underlay.bytesOut - pool.bytesOut };
    if (p.process === KERNEL_PROVIDER) {
      left = {
        bytesIn: Math.min(left.bytesIn, Math.round(inner.bytesIn * KERNEL_OVERHEAD_CAP)),
        bytesOut: Math.min(left.bytesOut, Math.round(inner.bytesOut * KERNEL_OVERHEAD_CAP)),
      };
      if (pool.bytesIn + pool.bytesOut === 0) continue;
    }
    overhead.push({ process: p.process, label: p.label, app: overheadName(p.label), bytesIn: left.bytesIn, bytesOut: left.bytesOut, pool });
  }

  const sockets: SocketBytes[] = [];
  for (const [s, bytes] of counted) {
    if (bytes.bytesIn === 0 && bytes.bytesOut === 0) continue;
    sockets.push(bytes.bytesIn === s.bytesIn && bytes.bytesOut === s.bytesOut ? s : { ...s, ...bytes });
  }
  return { sockets, overhead, network, excluded, local };
}

/** The rows an interval comes to, by process name (tests, reports): apps, overhead rows, and the rest. */
export interface Settled {
  apps: Map<string, InterfaceTotals>;
  /** Physical total less what the rows and the excluded processes account for (≥ 0), null when unknown. */
  unattributed: InterfaceTotals | null;
  /** Counted sockets plus overhead. */
  rows: InterfaceTotals;
}

export function settle(result: MigrationResult, nameOf: (s: SocketBytes) => string = (s) => s.name ?? '(unknown)'): Settled {
  const apps = new Map<string, InterfaceTotals>();
  const rows = zero();
  const put = (name: string, b: Pair): void => {
    const sum = apps.get(name) ?? zero();
    add(sum, b);
    apps.set(name, sum);
    add(rows, b);
  };
  for (const s of result.sockets) put(nameOf(s), s);
  for (const o of result.overhead) if (o.bytesIn + o.bytesOut > 0) put(o.app, o);
  const unattributed =
    result.network === null
      ? null
      : {
          bytesIn: Math.max(0, result.network.bytesIn - rows.bytesIn - result.excluded.bytesIn),
          bytesOut: Math.max(0, result.network.bytesOut - rows.bytesOut - result.excluded.bytesOut),
        };
  return { apps, unattributed, rows };
}

// Which providers an interval has: known names, the user's overrides, the behavioural rule, and the
// kernel for a WireGuard interface no process serves. Feeds the detector as it goes.
import type { InterfaceBytes, InterfaceKind } from './interfaces.js';
import type { Provider, SocketBytes } from './migrate.js';
import { KERNEL_PROVIDER } from './migrate.js';
import type { NetworkOverrides, ProviderDetector } from './providers.js';
import { knownProvider, matchesOverride } from './providers.js';

export interface FindInput {
  sockets: readonly SocketBytes[];
  kindOf: (iface: string) => InterfaceKind;
  interfaces: readonly InterfaceBytes[] | null;
  overrides?: NetworkOverrides | undefined;
  detector?: ProviderDetector | undefined;
  /** Tunnel interfaces a process is known to serve (Linux: the `iff` of its /dev/net/tun descriptor). */
  servesOf?: ((process: string) => readonly string[] | undefined) | undefined;
}

export interface Found {
  providers: Provider[];
  /** Process keys the user left out of totals. */
  excluded: Set<string>;
}

/** Linux names WireGuard devices as the user likes; by default wg*, and the kernel says `wireguard`. */
const WIREGUARD = /^(wg|nordlynx)/;

export function findProviders(input: FindInput): Found {
  const kindOf = (iface: string | null): InterfaceKind | 'unknown' => (iface === null ? 'unknown' : input.kindOf(iface));
  const names = new Map<string, string>();
  const physical = new Map<string, { bytes: number; endpoints: Set<string>; ownTunnel: number }>();
  let tunnelBytes = 0;
  for (const s of input.sockets) {
    if (s.process === null) continue;
    if (s.name !== null) names.set(s.process, s.name);
    const kind = kindOf(s.iface);
    const p = physical.get(s.process) ?? { bytes: 0, endpoints: new Set<string>(), ownTunnel: 0 };
    if (kind === 'physical') {
      p.bytes += s.bytesIn + s.bytesOut;
      if (s.remote !== undefined && (s.bytesIn > 0 || s.bytesOut > 0)) p.endpoints.add(`${s.remote.address}:${s.remote.port ?? '*'}`);
    } else if (kind === 'tunnel') {
      tunnelBytes += s.bytesIn + s.bytesOut;
      p.ownTunnel += s.bytesIn + s.bytesOut;
    }
    physical.set(s.process, p);
  }
  input.detector?.observe(
    tunnelBytes,
    [...physical].map(([process, p]) => ({ process, physical: p.bytes, endpoints: [...p.endpoints], ownTunnel: p.ownTunnel })),
  );

  const providers: Provider[] = [];
  const excluded = new Set<string>();
  for (const [process, name] of names) {
    if (matchesOverride(input.overrides?.exclude, name)) {
      excluded.add(process);
      continue;
    }
    const serves = input.servesOf?.(process);
    const known = knownProvider(name);
    if (matchesOverride(input.overrides?.tunnel, name)) {
      providers.push({ process, label: known?.label ?? name, style: known?.style ?? 'tunnel', serves, reason: 'override' });
    } else if (known !== null) {
      providers.push({ process, label: known.label, style: known.style, serves, reason: 'known' });
    } else if (input.detector?.isProvider(process) === true) {
      providers.push({ process, label: name, style: 'tunnel', serves, reason: 'behaviour' });
    }
  }

  // Kernel WireGuard: a wg interface up that no process provider was given.
  const servedByProcess = new Set(providers.flatMap((p) => p.serves ?? []));
  const wg = new Set<string>();
  for (const i of input.interfaces ?? []) if (i.kind === 'tunnel' && WIREGUARD.test(i.name) && !servedByProcess.has(i.name)) wg.add(i.name);
  const processTunnel = providers.some((p) => p.style === 'tunnel' && p.serves === undefined);
  if (wg.size > 0 && !processTunnel) providers.push({ process: KERNEL_PROVIDER, label: 'kernel', style: 'tunnel', serves: [...wg], reason: 'kernel' });
  return { providers, excluded };
}

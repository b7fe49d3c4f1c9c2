// Which interfaces carry the machine's traffic to a network, and which only carry it again.
//
// - physical: the link to a network (Wi-Fi, Ethernet, a USB tether, a namespace's veth uplink). The
//   network total of an interval is the sum of these, and of nothing else.
// - tunnel: a virtual interface whose bytes leave again, encapsulated, over a physical one (utun, ipsec,
//   ppp, tun, tap, wg, tailscale; on Linux any interface with `tun_flags`, or of a tunnel link type).
//   Summing a tunnel with its underlay counts every byte twice.
// - local: traffic that never reaches a network (loopback, Apple's peer-to-peer awdl/llw, bridges and
//   the veth ends of containers on this machine), or reaches it counted elsewhere too (a bond's members,
//   tc's ifb mirrors).
//
// Names decide where nothing better is known (macOS, recorded captures). On Linux the kernel's facts from
// /sys/class/net decide first: `type` (ARPHRD_*), `tun_flags` (tun/tap), `bridge`/`brport`, uevent DEVTYPE.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InterfaceTotals } from '../types.js';

export type InterfaceKind = 'physical' | 'tunnel' | 'local';

/** What Linux tells about an interface under /sys/class/net/NAME (each fact optional). */
export interface LinuxInterfaceFacts {
  /** ARPHRD_* link type: 1 Ethernet, 772 loopback, 65534 none (tun, WireGuard), 512 PPP, 768+ IP tunnels. */
  type?: number | undefined;
  /** `tun_flags` exists: a tun or tap device (OpenVPN, tailscale0, wireguard-go). */
  tunFlags?: boolean | undefined;
  /** The interface is a bridge (`bridge/`), or a port of one (`brport/`). */
  bridge?: boolean | undefined;
  bridgePort?: boolean | undefined;
  /** A bond's member (`bonding_slave/`): its bytes are counted again on the bond. */
  bondSlave?: boolean | undefined;
  /** uevent's DEVTYPE (`wlan`, `wireguard`, `bridge`, `vlan`, …), where set. */
  devType?: string | undefined;
}

/** ARPHRD types of tunnels: PPP, IPIP, IP6IP6, SIT, IPGRE, IP6GRE, and NONE (tun, WireGuard). */
const TUNNEL_TYPES = new Set([512, 768, 769, 776, 778, 823, 65534]);
const LOOPBACK_TYPE = 772;

const TUNNEL_NAMES = /^(utun|ipsec|ppp|tun|tap|wg|tailscale|zt|gpd|vpn|nordlynx|proton|mullvad|cscotun)/i;
const LOCAL_NAMES = /^(lo\d*$|lo$|awdl|llw|bridge|ap\d|anpi|vmenet|xhc|gif|stf|docker|br-|virbr|veth|vnet|lxcbr|lxdbr|cni|flannel|cali|kube-ipvs|podman|ifb|dummy|nlmon)/i;

/** The class of an interface, from the kernel's facts where known, else from its name. */
export function classifyInterface(name: string, facts?: LinuxInterfaceFacts): InterfaceKind {
  if (facts !== undefined) {
    if (facts.type === LOOPBACK_TYPE) return 'local';
    if (facts.tunFlags === true || facts.devType === 'wireguard') return 'tunnel';
    if (facts.type !== undefined && TUNNEL_TYPES.has(facts.type)) return 'tunnel';
    if (facts.bridge === true || facts.bridgePort === true || facts.devType === 'bridge' || facts.bondSlave === true) return 'local';
  }
  if (TUNNEL_NAMES.test(name)) return 'tunnel';
  if (LOCAL_NAMES.test(name)) return 'local';
  return 'physical';
}

/** Reads an interface's facts from sysfs (`root` is /sys/class/net); missing files leave facts unset. */
export function readLinuxInterfaceFacts(name: string, root = '/sys/class/net'): LinuxInterfaceFacts {
  const dir = join(root, name);
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(join(dir, file), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const type = Number(read('type'));
  const devType = /^DEVTYPE=(.*)$/m.exec(read('uevent') ?? '')?.[1];
  return {
    type: Number.isInteger(type) && read('type') !== undefined ? type : undefined,
    tunFlags: existsSync(join(dir, 'tun_flags')),
    bridge: existsSync(join(dir, 'bridge')),
    bridgePort: existsSync(join(dir, 'brport')),
    bondSlave: existsSync(join(dir, 'bonding_slave')),
    devType,
  };
}

/** Classifies Linux interfaces by sysfs, remembering each name's class (an interface keeps its type). */
export function linuxInterfaceClassifier(root = '/sys/class/net'): (name: string) => InterfaceKind {
  const known = new Map<string, InterfaceKind>();
  return (name) => {
    let kind = known.get(name);
    if (kind === undefined) {
      kind = existsSync(join(root, name)) ? classifyInterface(name, readLinuxInterfaceFacts(name, root)) : classifyInterface(name);
      if (known.size > 256) known.clear();
      known.set(name, kind);
    }
    return kind;
  };
}

/** One interface's bytes in an interval (or cumulative, as the caller says), with its class. */
export interface InterfaceBytes extends InterfaceTotals {
  name: string;
  kind: InterfaceKind;
}

/** The interval's network total: physical interfaces only. Tunnels and local links are never added. */
export function networkTotal(interfaces: readonly InterfaceBytes[]): InterfaceTotals {
  let bytesIn = 0;
  let bytesOut = 0;
  for (const i of interfaces) {
    if (i.kind !== 'physical') continue;
    bytesIn += Math.max(0, i.bytesIn);
    bytesOut += Math.max(0, i.bytesOut);
  }
  return { bytesIn, bytesOut };
}

/**
 * Per-interface bytes between two cumulative readings. An interface that vanished, appeared, or whose
 * counter went down (a VPN reconnect makes utun4 into utun6, or restarts tun0's counters) contributes
 * nothing for that interval: a restarted counter is a new baseline, never a negative or a spike.
 */
export function interfaceDeltas(
  before: Readonly<Record<string, InterfaceTotals>>,
  after: Readonly<Record<string, InterfaceTotals>>,
  kindOf: (name: string) => InterfaceKind,
): InterfaceBytes[] {
  const out: InterfaceBytes[] = [];
  for (const [name, now] of Object.entries(after)) {
    const then = before[name];
    if (then === undefined) continue;
    const bytesIn = now.bytesIn >= then.bytesIn ? now.bytesIn - then.bytesIn : 0;
    const bytesOut = now.bytesOut >= then.bytesOut ? now.bytesOut - then.bytesOut : 0;
    out.push({ name, kind: kindOf(name), bytesIn, bytesOut });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

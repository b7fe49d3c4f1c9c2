// Which network each uplink is on, without special permission: a network id per physical interface from
// its default gateway's MAC address and the link kind (Wi-Fi, wired, a phone's hotspot, a USB tether,
// cellular), with NetworkManager's connection UUID, name and Metered flag where nmcli is there. macOS:
// `route -n get default`, `arp -n`, `networksetup -listallhardwareports`; the SSID needs Location
// permission there since 15.6, so a Wi-Fi network is labelled "Wi-Fi · 4d5e" until the user names it.
//
// The metered guess says why: the user's word, else the OS's flag (NetworkManager's Metered, guessed
// "yes" included; its guessed "no" only when nothing below says otherwise), else a phone hotspot's subnet
// (iPhone 172.20.10.0/28, Android 192.168.42.0/24 USB and 192.168.43.0/24 Wi-Fi), else a phone or modem
// driver (ipheth, rndis_host, qmi_wwan, cdc_mbim, …; macOS's "iPhone USB" port).
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { addressBits } from './routes.js';
import {
  parseArp,
  parseHardwarePorts,
  parseIpAddr,
  parseIpDefaultRoutes,
  parseIpNeigh,
  parseNmcliDevices,
  parseRouteGetDefault,
  type NmDevice,
} from './uplink-parse.js';

/** The medium, part of the network id; `hotspot` and `tether` are what the kind adds for people. */
export type LinkMedium = 'wifi' | 'wired' | 'cellular';
export type LinkKind = LinkMedium | 'hotspot' | 'tether';

export const UNKNOWN_NETWORK = 'unknown';
export const UNKNOWN_NETWORK_LABEL = 'unknown network';

export interface MeteredGuess {
  metered: boolean;
  source: 'user' | 'os' | 'subnet' | 'driver' | 'none';
  reason: string;
}

export interface Uplink {
  iface: string;
  /** Stable network id: `MEDIUM:GATEWAY-MAC`, else `nm:UUID`, else `MEDIUM:IFACE` (a point-to-point link). */
  id: string;
  label: string;
  kind: LinkKind;
  gateway: string | null;
  gatewayMac: string | null;
  nmUuid: string | null;
  metered: MeteredGuess;
}

/** What the OS told about one physical interface, gathered by a reader (or a test). */
export interface UplinkFacts {
  iface: string;
  gateway: string | null;
  gatewayMac: string | null;
  addresses: readonly { address: string; prefix: number }[];
  medium: LinkMedium;
  driver: string | null;
  /** macOS hardware port name ("Wi-Fi", "iPhone USB"), where known. */
  port?: string | null | undefined;
  nm?: NmDevice | null | undefined;
}

const HOTSPOT_SUBNETS: readonly { net: string; prefix: number; what: string }[] = [
  { net: '172.20.10.0', prefix: 28, what: "an iPhone's hotspot subnet (172.20.10.0/28)" },
  { net: '192.168.42.0', prefix: 24, what: "an Android phone's USB tether subnet (192.168.42.0/24)" },
  { net: '192.168.43.0', prefix: 24, what: "an Android phone's hotspot subnet (192.168.43.0/24)" },
];

/** Drivers of phones tethered over USB and of cellular modems. */
const METERED_DRIVERS = new Map<string, string>([
  ['ipheth', 'an iPhone tethered over USB (ipheth)'],
  ['rndis_host', 'an Android phone tethered over USB (rndis_host)'],
  ['qmi_wwan', 'a cellular modem (qmi_wwan)'],
  ['cdc_mbim', 'a cellular modem (cdc_mbim)'],
  ['huawei_cdc_ncm', 'a cellular modem (huawei_cdc_ncm)'],
  ['sierra_net', 'a cellular modem (sierra_net)'],
  ['option', 'a cellular modem (option)'],
]);

function inSubnet(address: string, net: string, prefix: number): boolean {
  const a = addressBits(address);
  const n = addressBits(net);
  if (a === null || n === null || a.family !== 4 || n.family !== 4) return false;
  const shift = BigInt(32 - prefix);
  return a.bits >> shift === n.bits >> shift;
}

function hotspotSubnet(facts: UplinkFacts): string | null {
  const candidates = [...facts.addresses.map((a) => a.address), ...(facts.gateway === null ? [] : [facts.gateway])];
  for (const s of HOTSPOT_SUBNETS) if (candidates.some((a) => inSubnet(a, s.net, s.prefix))) return s.what;
  return null;
}

function phoneDriver(facts: UplinkFacts): string | null {
  if (facts.driver !== null) {
    const d = METERED_DRIVERS.get(facts.driver);
    if (d !== undefined) return d;
  }
  if (facts.port != null && /iphone|ipad|bluetooth pan/i.test(facts.port)) return `a phone tethered (${facts.port})`;
  return null;
}

/** The link kind people see: a hotspot or tether where the subnet or driver says so, else the medium. */
export function linkKind(facts: UplinkFacts): LinkKind {
  if (facts.medium === 'cellular') return 'cellular';
  const driver = phoneDriver(facts);
  const subnet = hotspotSubnet(facts);
  if (facts.medium === 'wifi') return subnet === null ? 'wifi' : 'hotspot';
  return driver !== null || subnet !== null ? 'tether' : 'wired';
}

/** Metered or not, and why: user > OS flag > hotspot subnet > driver. */
export function guessMetered(facts: UplinkFacts, user?: boolean | null): MeteredGuess {
  if (user === true || user === false) return { metered: user, source: 'user', reason: user ? 'you marked it metered' : 'you marked it not metered' };
  const os = facts.nm?.metered ?? 'unknown';
  if (os === 'yes' || os === 'no') return { metered: os === 'yes', source: 'os', reason: `NetworkManager's Metered flag is ${os}` };
  if (os === 'guess-yes') return { metered: true, source: 'os', reason: 'NetworkManager guesses metered' };
  const subnet = hotspotSubnet(facts);
  if (subnet !== null) return { metered: true, source: 'subnet', reason: `the address is in ${subnet}` };
  const driver = phoneDriver(facts);
  if (driver !== null) return { metered: true, source: 'driver', reason: `the link is ${driver}` };
  if (facts.medium === 'cellular') return { metered: true, source: 'driver', reason: 'the link is cellular' };
  if (os === 'guess-no') return { metered: false, source: 'os', reason: 'NetworkManager guesses not metered' };
  return { metered: false, source: 'none', reason: 'no sign of a metered link' };
}

const KIND_WORD: Record<LinkKind, string> = { wifi: 'Wi-Fi', wired: 'Wired', hotspot: 'Hotspot', tether: 'Tether', cellular: 'Cellular' };

/** The uplink's network: id, label, kind and metered guess. */
export function uplinkOf(facts: UplinkFacts, user?: { metered?: boolean | null } | null): Uplink {
  const kind = linkKind(facts);
  const uuid = facts.nm?.uuid ?? null;
  const id = facts.gatewayMac !== null ? `${facts.medium}:${facts.gatewayMac}` : uuid !== null ? `nm:${uuid}` : `${facts.medium}:${facts.iface}`;
  const tail = facts.gatewayMac !== null ? facts.gatewayMac.replace(/:/g, '').slice(-4) : facts.iface;
  const label = facts.nm?.connection ?? `${KIND_WORD[kind]} · ${tail}`;
  return { iface: facts.iface, id, label, kind, gateway: facts.gateway, gatewayMac: facts.gatewayMac, nmUuid: uuid, metered: guessMetered(facts, user?.metered) };
}

/** Runs a command, resolving its stdout, or null when it is missing or fails. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string | null>;

export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => resolve(error === null ? stdout : null));
  });

/** Linux sysfs facts for the medium and the driver. */
export interface LinkSysFacts {
  medium: LinkMedium;
  driver: string | null;
}

export function readLinuxLinkFacts(iface: string, root = '/sys/class/net'): LinkSysFacts {
  const dir = join(root, iface);
  let devType: string | undefined;
  try {
    devType = /^DEVTYPE=(.*)$/m.exec(readFileSync(join(dir, 'uevent'), 'utf8'))?.[1];
  } catch {
    devType = undefined;
  }
  let driver: string | null;
  try {
    driver = basename(readlinkSync(join(dir, 'device', 'driver')));
  } catch {
    driver = null;
  }
  const medium: LinkMedium = devType === 'wlan' || existsSync(join(dir, 'wireless')) ? 'wifi' : devType === 'wwan' ? 'cellular' : 'wired';
  return { medium, driver };
}

const json = (text: string | null): unknown => {
  if (text === null || text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

export const NMCLI_ARGS = ['-t', '-f', 'GENERAL.DEVICE,GENERAL.TYPE,GENERAL.DRIVER,GENERAL.CONNECTION,GENERAL.CON-UUID,GENERAL.METERED', 'device', 'show'] as const;

/**
 * Linux: every interface with a default route in any table (policy-routed uplinks included) or with a
 * global IPv4 address, which `isPhysical` accepts. nmcli is optional: its absence leaves NM's facts unset.
 */
export async function readLinuxUplinkFacts(options: {
  run?: CommandRunner;
  isPhysical: (iface: string) => boolean;
  sys?: (iface: string) => LinkSysFacts;
}): Promise<UplinkFacts[]> {
  const run = options.run ?? runCommand;
  const sys = options.sys ?? ((i: string) => readLinuxLinkFacts(i));
  const [routes, neigh, addr, nm] = await Promise.all([
    run('ip', ['-j', '-4', 'route', 'show', 'table', 'all']),
    run('ip', ['-j', 'neigh', 'show']),
    run('ip', ['-j', '-4', 'addr', 'show']),
    run('nmcli', NMCLI_ARGS),
  ]);
  const gateways = parseIpDefaultRoutes(json(routes));
  const macs = parseIpNeigh(json(neigh));
  const addresses = parseIpAddr(json(addr));
  const nmDevices = new Map((nm === null ? [] : parseNmcliDevices(nm)).map((d) => [d.device, d]));
  const names = new Set([...gateways.map((g) => g.iface), ...[...addresses].filter(([, list]) => list.some((a) => !a.address.startsWith('127.'))).map(([n]) => n)]);
  const out: UplinkFacts[] = [];
  for (const iface of names) {
    if (!options.isPhysical(iface)) continue;
    const gateway = gateways.find((g) => g.iface === iface && g.gateway !== null)?.gateway ?? null;
    const s = sys(iface);
    const dev = nmDevices.get(iface) ?? null;
    out.push({
      iface,
      gateway,
      gatewayMac: gateway === null ? null : (macs.get(`${iface}|${gateway}`) ?? null),
      addresses: addresses.get(iface) ?? [],
      medium: dev?.type === 'wifi' ? 'wifi' : dev?.type === 'gsm' || dev?.type === 'cdma' ? 'cellular' : s.medium,
      driver: dev?.driver ?? s.driver,
      nm: dev,
    });
  }
  return out;
}

/** macOS: the default route's interface, its gateway's MAC (`arp -n`), and the hardware port's name. */
export async function readMacUplinkFacts(options: { run?: CommandRunner } = {}): Promise<UplinkFacts[]> {
  const run = options.run ?? runCommand;
  const [route, ports] = await Promise.all([run('route', ['-n', 'get', 'default']), run('networksetup', ['-listallhardwareports'])]);
  const def = route === null ? null : parseRouteGetDefault(route);
  if (def === null) return [];
  const arp = def.gateway === null ? null : await run('arp', ['-n', def.gateway]);
  const port = (ports === null ? new Map<string, string>() : parseHardwarePorts(ports)).get(def.iface) ?? null;
  const medium: LinkMedium = port !== null && /wi-?fi|airport/i.test(port) ? 'wifi' : 'wired';
  return [{ iface: def.iface, gateway: def.gateway, gatewayMac: arp === null || def.gateway === null ? null : parseArp(arp, def.gateway), addresses: [], medium, driver: null, port }];
}

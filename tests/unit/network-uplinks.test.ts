// Network ids per uplink without special permission, from parsed command output (synthetic fixtures
// written from the documented formats: tests/fixtures/network/README.md), and the metered guess with
// its reason in order user > OS flag > hotspot subnet > driver.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  normalizeMac,
  parseArp,
  parseHardwarePorts,
  parseIpAddr,
  parseIpDefaultRoutes,
  parseIpNeigh,
  parseNmcliDevices,
  parseRouteGetDefault,
} from '../../src-main/engine/network/uplink-parse.js';
import { guessMetered, readLinuxUplinkFacts, readMacUplinkFacts, uplinkOf, type CommandRunner, type UplinkFacts } from '../../src-main/engine/network/uplinks.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'network');
const fixture = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** Answers each command from a fixture; anything else (or a name in `missing`) is absent. */
function fakeRunner(table: Record<string, string | null>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = (command: string, args: readonly string[]): Promise<string | null> => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    const hit = Object.entries(table).find(([prefix]) => line.startsWith(prefix));
    return Promise.resolve(hit === undefined ? null : hit[1]);
  };
  return Object.assign(run, { calls });
}

describe('parsers', () => {
  it('normalizes MAC addresses (macOS drops leading zeros) and refuses broadcast, zero and junk', () => {
    expect(normalizeMac('2:a:3b:4c:5d:e')).toBe('02:0a:3b:4c:5d:0e');
    expect(normalizeMac('02-1A-2B-3C-4D-5E')).toBe('02:1a:2b:3c:4d:5e');
    expect(normalizeMac('00:00:00:00:00:00')).toBeNull();
    expect(normalizeMac('ff:ff:ff:ff:ff:ff')).toBeNull();
    expect(normalizeMac('(incomplete)')).toBeNull();
    expect(normalizeMac(undefined)).toBeNull();
  });

  it('reads default routes lowest metric first, neighbours with a MAC only, IPv4 addresses per interface', () => {
    expect(parseIpDefaultRoutes(JSON.parse(fixture('linux-ip-route.json')))).toEqual([
      { iface: 'enp3s0', gateway: '198.51.100.1', metric: 100 },
      { iface: 'usb0', gateway: '192.168.42.129', metric: 600 },
      { iface: 'wlp2s0', gateway: '203.0.113.1', metric: 700 },
    ]);
    const neigh = parseIpNeigh(JSON.parse(fixture('linux-ip-neigh.json')));
    expect(neigh.get('enp3s0|198.51.100.1')).toBe('02:00:5e:10:00:01');
    expect(neigh.has('wlp2s0|203.0.113.1')).toBe(false); // FAILED: no lladdr
    expect(parseIpAddr(JSON.parse(fixture('linux-ip-addr.json'))).get('usb0')).toEqual([{ address: '192.168.42.17', prefix: 24 }]);
    expect(parseIpDefaultRoutes('not json')).toEqual([]);
    expect(parseIpNeigh([{ dst: 1 }, null, 'x'])).toEqual(new Map());
  });

  it('reads nmcli terse device blocks: UUID, connection name, metered flag with guesses apart', () => {
    const devices = parseNmcliDevices(fixture('nmcli-device-show.txt'));
    expect(devices.map((d) => [d.device, d.metered])).toEqual([
      ['enp3s0', 'guess-no'],
      ['wlp2s0', 'yes'],
      ['usb0', 'unknown'],
      ['lo', 'unknown'],
    ]);
    expect(devices[1]).toMatchObject({ type: 'wifi', driver: 'iwlwifi', connection: 'Cafe Guest', uuid: '6f2d9a10-8b3c-4e55-a1d2-77c0e4b9f013' });
    expect(devices[3]).toMatchObject({ connection: null, uuid: null });
    // Terse mode escapes colons in values.
    expect(parseNmcliDevices('GENERAL.DEVICE:eth0\nGENERAL.CONNECTION:a\\:b\n')[0]?.connection).toBe('a:b');
  });

  it('reads macOS route get, arp and hardware ports', () => {
    expect(parseRouteGetDefault(fixture('macos-route-get-default.txt'))).toEqual({ iface: 'en0', gateway: '172.20.10.1', metric: 0 });
    expect(parseRouteGetDefault('route: writing to routing socket: not in table\n')).toBeNull();
    expect(parseArp(fixture('macos-arp.txt'), '172.20.10.1')).toBe('02:0a:3b:4c:5d:0e');
    expect(parseArp('? (172.20.10.1) at (incomplete) on en0 ifscope [ethernet]\n', '172.20.10.1')).toBeNull();
    expect(parseArp(fixture('macos-arp.txt'), '172.20.10.9')).toBeNull();
    const ports = parseHardwarePorts(fixture('macos-hardware-ports.txt'));
    expect(ports.get('en0')).toBe('Wi-Fi');
    expect(ports.get('en8')).toBe('iPhone USB');
    expect(ports.get('bridge0')).toBe('Thunderbolt Bridge');
  });
});

const base: UplinkFacts = { iface: 'eth0', gateway: '198.51.100.1', gatewayMac: '02:00:5e:10:00:01', addresses: [{ address: '198.51.100.23', prefix: 24 }], medium: 'wired', driver: 'r8169' };
const nm = (metered: 'yes' | 'no' | 'guess-yes' | 'guess-no' | 'unknown'): UplinkFacts['nm'] => ({ device: 'eth0', type: 'ethernet', driver: 'r8169', connection: null, uuid: null, metered });

describe('guessMetered: user > OS flag > hotspot subnet > driver', () => {
  it.each<[string, UplinkFacts, boolean | null, boolean, string, RegExp]>([
    ['user says not metered over every other sign', { ...base, nm: nm('yes'), driver: 'ipheth', addresses: [{ address: '172.20.10.2', prefix: 28 }] }, false, false, 'user', /you marked it not metered/],
    ['user says metered on a plain wired link', base, true, true, 'user', /you marked it metered/],
    ['NM Metered=yes', { ...base, nm: nm('yes') }, null, true, 'os', /Metered flag is yes/],
    ['NM Metered=no beats a hotspot subnet', { ...base, nm: nm('no'), addresses: [{ address: '192.168.43.5', prefix: 24 }] }, null, false, 'os', /Metered flag is no/],
    ['NM guesses yes', { ...base, nm: nm('guess-yes') }, null, true, 'os', /guesses metered/],
    ['NM guesses no, but the iPhone hotspot subnet says yes', { ...base, medium: 'wifi', nm: nm('guess-no'), gateway: '172.20.10.1', addresses: [{ address: '172.20.10.3', prefix: 28 }] }, null, true, 'subnet', /iPhone's hotspot subnet/],
    ['Android USB tether subnet', { ...base, addresses: [{ address: '192.168.42.17', prefix: 24 }], gateway: '192.168.42.129' }, null, true, 'subnet', /192\.168\.42\.0\/24/],
    ['Android Wi-Fi hotspot subnet', { ...base, medium: 'wifi', addresses: [{ address: '192.168.43.20', prefix: 24 }], gateway: '192.168.43.1' }, null, true, 'subnet', /192\.168\.43\.0\/24/],
    ['just outside the iPhone /28', { ...base, addresses: [{ address: '172.20.10.17', prefix: 24 }], gateway: '172.20.10.16' }, null, false, 'none', /no sign/],
    ['iPhone USB driver', { ...base, driver: 'ipheth' }, null, true, 'driver', /ipheth/],
    ['macOS iPhone USB port', { ...base, driver: null, port: 'iPhone USB' }, null, true, 'driver', /iPhone USB/],
    ['cellular modem', { ...base, medium: 'cellular', driver: null, gatewayMac: null }, null, true, 'driver', /cellular/],
    ['NM guesses no, nothing else', { ...base, nm: nm('guess-no') }, null, false, 'os', /guesses not metered/],
    ['no sign at all', base, null, false, 'none', /no sign of a metered link/],
  ])('%s', (_name, facts, user, metered, source, reason) => {
    const g = guessMetered(facts, user);
    expect(g.metered).toBe(metered);
    expect(g.source).toBe(source);
    expect(g.reason).toMatch(reason);
  });
});

describe('uplinkOf: id, kind, label', () => {
  it('ids by medium and gateway MAC; labels by the MAC tail until named; NM name where NM gives it', () => {
    expect(uplinkOf(base)).toMatchObject({ id: 'wired:02:00:5e:10:00:01', kind: 'wired', label: 'Wired · 0001' });
    expect(uplinkOf({ ...base, medium: 'wifi' })).toMatchObject({ id: 'wifi:02:00:5e:10:00:01', kind: 'wifi', label: 'Wi-Fi · 0001' });
    expect(uplinkOf({ ...base, nm: { ...nm('no')!, connection: 'Home', uuid: 'u-1' } })).toMatchObject({ id: 'wired:02:00:5e:10:00:01', label: 'Home', nmUuid: 'u-1' });
    // No gateway MAC (not resolved, point-to-point): NM's UUID, else medium and interface.
    expect(uplinkOf({ ...base, gatewayMac: null, nm: { ...nm('no')!, uuid: 'u-2' } }).id).toBe('nm:u-2');
    expect(uplinkOf({ ...base, iface: 'wwan0', medium: 'cellular', gatewayMac: null, gateway: null })).toMatchObject({ id: 'cellular:wwan0', kind: 'cellular', label: 'Cellular · wwan0' });
  });

  it('a hotspot is Wi-Fi on a phone subnet; a tether is a wired link with a phone driver or subnet', () => {
    expect(uplinkOf({ ...base, medium: 'wifi', gateway: '172.20.10.1', addresses: [{ address: '172.20.10.2', prefix: 28 }] }).kind).toBe('hotspot');
    expect(uplinkOf({ ...base, driver: 'rndis_host' }).kind).toBe('tether');
    // The id keeps the medium, so one network keeps one id whatever the kind guess says.
    expect(uplinkOf({ ...base, driver: 'rndis_host' }).id).toBe('wired:02:00:5e:10:00:01');
  });
});

describe('readers on recorded outputs', () => {
  const sys = (iface: string): { medium: 'wifi' | 'wired'; driver: string | null } => (iface.startsWith('wl') ? { medium: 'wifi', driver: 'iwlwifi' } : { medium: 'wired', driver: iface === 'usb0' ? 'rndis_host' : 'r8169' });

  it('Linux with nmcli: every physical uplink with gateway MAC, NM UUID and flag; lo is not one', async () => {
    const run = fakeRunner({
      'ip -j -4 route': fixture('linux-ip-route.json'),
      'ip -j neigh': fixture('linux-ip-neigh.json'),
      'ip -j -4 addr': fixture('linux-ip-addr.json'),
      nmcli: fixture('nmcli-device-show.txt'),
    });
    const facts = await readLinuxUplinkFacts({ run, isPhysical: (i) => i !== 'lo', sys });
    const uplinks = facts.map((f) => uplinkOf(f));
    expect(uplinks.map((u) => [u.iface, u.id, u.kind, u.metered.metered, u.metered.source])).toEqual([
      ['enp3s0', 'wired:02:00:5e:10:00:01', 'wired', false, 'os'],
      ['usb0', 'wired:02:1a:2b:3c:4d:5e', 'tether', true, 'subnet'],
      // The Wi-Fi gateway's neighbour entry FAILED: no MAC, so NM's UUID names it.
      ['wlp2s0', 'nm:6f2d9a10-8b3c-4e55-a1d2-77c0e4b9f013', 'wifi', true, 'os'],
    ]);
    expect(uplinks[2]?.label).toBe('Cafe Guest');
    expect(run.calls).toContain('ip -j -4 route show table all');
  });

  it('Linux without nmcli (absent here): ids from gateway MACs, kind and driver from sysfs', async () => {
    const run = fakeRunner({ 'ip -j -4 route': fixture('linux-ip-route.json'), 'ip -j neigh': fixture('linux-ip-neigh.json'), 'ip -j -4 addr': fixture('linux-ip-addr.json') });
    const facts = await readLinuxUplinkFacts({ run, isPhysical: (i) => i !== 'lo', sys });
    const uplinks = facts.map((f) => uplinkOf(f));
    expect(uplinks.map((u) => [u.iface, u.id, u.label, u.metered.source])).toEqual([
      ['enp3s0', 'wired:02:00:5e:10:00:01', 'Wired · 0001', 'none'],
      ['usb0', 'wired:02:1a:2b:3c:4d:5e', 'Tether · 4d5e', 'subnet'],
      ['wlp2s0', 'wifi:wlp2s0', 'Wi-Fi · wlp2s0', 'none'],
    ]);
    expect(uplinks.every((u) => u.nmUuid === null)).toBe(true);
  });

  it('Linux with ip failing: no uplinks, no throw', async () => {
    expect(await readLinuxUplinkFacts({ run: fakeRunner({}), isPhysical: () => true, sys })).toEqual([]);
  });

  it('macOS: route get default + arp + hardware ports; an iPhone hotspot over Wi-Fi', async () => {
    const run = fakeRunner({ 'route -n get default': fixture('macos-route-get-default.txt'), 'arp -n 172.20.10.1': fixture('macos-arp.txt'), networksetup: fixture('macos-hardware-ports.txt') });
    const [u] = (await readMacUplinkFacts({ run })).map((f) => uplinkOf(f));
    expect(u).toMatchObject({ iface: 'en0', id: 'wifi:02:0a:3b:4c:5d:0e', kind: 'hotspot', label: 'Hotspot · 5d0e', gatewayMac: '02:0a:3b:4c:5d:0e' });
    expect(u?.metered).toMatchObject({ metered: true, source: 'subnet' });
    expect(await readMacUplinkFacts({ run: fakeRunner({}) })).toEqual([]);
  });
});

describe('UplinkMap', () => {
  it('keeps a network id while the gateway stays, through a moment without its MAC; re-reads soon when unknown', async () => {
    const { UplinkMap } = await import('../../src-main/engine/network/uplink-map.js');
    const reads: UplinkFacts[][] = [[base], [{ ...base, gatewayMac: null }], [{ ...base, gatewayMac: null, gateway: '198.51.100.254' }]];
    let n = 0;
    const map = new UplinkMap({ read: () => Promise.resolve(reads[Math.min(n++, reads.length - 1)] ?? []), maxAgeMs: 1000, retryMs: 10 });
    expect(map.networkOf('eth0', 0)).toBeNull(); // not read yet: starts a read
    await map.refresh(0);
    expect(map.networkOf('eth0', 1)?.id).toBe('wired:02:00:5e:10:00:01');
    await map.refresh(2000);
    expect(map.networkOf('eth0', 2001)?.id).toBe('wired:02:00:5e:10:00:01');
    await map.refresh(4000);
    // Another gateway without a MAC is another network: not the old one's id.
    expect(map.networkOf('eth0', 4001)?.id).toBe('wired:eth0');
    expect(map.list()).toHaveLength(1);
  });
});

describe('UplinkMap.settled', () => {
  it('is not settled before the first read, nor while a gateway has no MAC; settled with one, or without an uplink', async () => {
    const { UplinkMap } = await import('../../src-main/engine/network/uplink-map.js');
    let facts: UplinkFacts[] = [{ ...base, gatewayMac: null }];
    const map = new UplinkMap({ read: () => Promise.resolve(facts), maxAgeMs: 1000, retryMs: 10 });
    expect(map.settled('eth0', 0)).toBe(false);
    await map.refresh(0);
    expect(map.settled('eth0', 1)).toBe(false);
    expect(map.settled('eth9', 1)).toBe(true);
    facts = [base];
    await map.refresh(20);
    expect(map.settled('eth0', 21)).toBe(true);
    facts = [{ ...base, iface: 'wwan0', gateway: null, gatewayMac: null, medium: 'cellular' }];
    await map.refresh(40);
    expect(map.settled('wwan0', 41)).toBe(true);
  });

  it('re-reads soon only for a gateway without its MAC, not for an interface that has no uplink', async () => {
    const { UplinkMap } = await import('../../src-main/engine/network/uplink-map.js');
    let reads = 0;
    const map = new UplinkMap({ read: () => Promise.resolve((reads++, [{ ...base, gatewayMac: null }])), maxAgeMs: 30_000, retryMs: 2000 });
    await map.refresh(0);
    expect(reads).toBe(1);
    map.networkOf('eth9', 5000); // no uplink: no read before 30 s
    expect(reads).toBe(1);
    map.networkOf('eth0', 5000); // its gateway's MAC is missing: read again
    expect(reads).toBe(2);
  });
});

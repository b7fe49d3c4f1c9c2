// Interface classes: names where nothing better is known, the kernel's sysfs facts on Linux first.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyInterface, linuxInterfaceClassifier, networkTotal, readLinuxInterfaceFacts } from '../../src-main/engine/network/interfaces.js';
import { knownProvider, pearson, ProviderDetector } from '../../src-main/engine/network/providers.js';

describe('classifyInterface by name', () => {
  it.each([
    ['en0', 'physical'],
    ['en7', 'physical'],
    ['eth0', 'physical'],
    ['wlp2s0', 'physical'],
    ['enx00e04c680001', 'physical'],
    ['utun4', 'tunnel'],
    ['ipsec0', 'tunnel'],
    ['ppp0', 'tunnel'],
    ['tun0', 'tunnel'],
    ['tap1', 'tunnel'],
    ['wg0', 'tunnel'],
    ['tailscale0', 'tunnel'],
    ['lo0', 'local'],
    ['lo', 'local'],
    ['awdl0', 'local'],
    ['llw0', 'local'],
    ['bridge100', 'local'],
    ['docker0', 'local'],
    ['br-5f3a', 'local'],
    ['veth1a2b3c', 'local'],
    ['anpi0', 'local'],
    ['ap1', 'local'],
    ['vmenet0', 'local'],
    ['ifb0', 'local'],
  ] as const)('%s is %s', (name, kind) => {
    expect(classifyInterface(name)).toBe(kind);
  });
});

describe('classifyInterface with Linux facts', () => {
  it('facts outrank names', () => {
    // A tun device named like a NIC (OpenVPN's `dev myvpn`), a WireGuard device named `office`.
    expect(classifyInterface('myvpn', { type: 65534, tunFlags: true })).toBe('tunnel');
    expect(classifyInterface('office', { type: 65534, devType: 'wireguard' })).toBe('tunnel');
    expect(classifyInterface('tapx', { type: 1, tunFlags: true })).toBe('tunnel');
    expect(classifyInterface('gre1', { type: 778 })).toBe('tunnel');
    expect(classifyInterface('lan', { type: 1, bridge: true })).toBe('local');
    expect(classifyInterface('eth1', { type: 1, bridgePort: true })).toBe('local');
    expect(classifyInterface('eth2', { type: 1, bondSlave: true })).toBe('local');
    // A namespace's veth uplink (not a bridge port, not named veth*) is the namespace's network.
    expect(classifyInterface('nmt-cli', { type: 1 })).toBe('physical');
    expect(classifyInterface('wlan0', { type: 1, devType: 'wlan' })).toBe('physical');
    expect(classifyInterface('whatever', { type: 772 })).toBe('local');
  });

  const root = mkdtempSync(path.join(tmpdir(), 'netmon-sysfs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  function fakeDevice(name: string, files: Record<string, string>, dirs: string[] = []): void {
    mkdirSync(path.join(root, name), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(root, name, file), text);
    for (const dir of dirs) mkdirSync(path.join(root, name, dir));
  }

  it('reads type, tun_flags, bridge, brport and DEVTYPE from a sysfs tree', () => {
    fakeDevice('tun0', { type: '65534\n', tun_flags: '0x1001\n', uevent: 'INTERFACE=tun0\nIFINDEX=5\n' });
    fakeDevice('wg0', { type: '65534\n', uevent: 'DEVTYPE=wireguard\nINTERFACE=wg0\n' });
    fakeDevice('eth0', { type: '1\n', uevent: 'INTERFACE=eth0\n' });
    fakeDevice('br0', { type: '1\n', uevent: 'DEVTYPE=bridge\n' }, ['bridge']);
    expect(readLinuxInterfaceFacts('tun0', root)).toEqual({ type: 65534, tunFlags: true, bridge: false, bridgePort: false, bondSlave: false, devType: undefined });
    expect(readLinuxInterfaceFacts('wg0', root).devType).toBe('wireguard');
    const kindOf = linuxInterfaceClassifier(root);
    expect(['tun0', 'wg0', 'eth0', 'br0', 'ppp9'].map(kindOf)).toEqual(['tunnel', 'tunnel', 'physical', 'local', 'tunnel']);
  });

  it('reads this machine’s loopback as local', () => {
    expect(linuxInterfaceClassifier()('lo')).toBe('local');
    expect(readLinuxInterfaceFacts('lo').type).toBe(772);
  });
});

describe('networkTotal', () => {
  it('sums physical interfaces only, never tunnels or local links', () => {
    expect(
      networkTotal([
        { name: 'en0', kind: 'physical', bytesIn: 104, bytesOut: 5 },
        { name: 'en7', kind: 'physical', bytesIn: 10, bytesOut: 1 },
        { name: 'utun4', kind: 'tunnel', bytesIn: 100, bytesOut: 4 },
        { name: 'lo0', kind: 'local', bytesIn: 9, bytesOut: 9 },
      ]),
    ).toEqual({ bytesIn: 114, bytesOut: 6 });
  });
});

describe('providers', () => {
  it.each([
    ['openvpn', 'OpenVPN'],
    ['tailscaled', 'Tailscale'],
    ['io.tailscale.ip', 'Tailscale'],
    ['wireguard-go', 'WireGuard'],
    ['MacPacketTunnel', 'MacPacketTunnel'],
    ['vpnagentd', 'Cisco Secure Client'],
    ['warp-svc', 'Cloudflare WARP'],
    ['ZscalerTunnel', 'Zscaler'],
    ['stAgentSvc', 'Netskope'],
    ['Tunnel', 'Tunnel'],
  ])('%s is known as %s', (name, label) => {
    expect(knownProvider(name)?.label).toBe(label);
  });

  it.each(['curl', 'firefox', 'Google Chrome H', 'zoom.us', 'Tunnelblick-helper-not-a-thing', 'ssh'])('%s is not a provider by name', (name) => {
    expect(knownProvider(name)).toBeNull();
  });

  it('pearson: 1 for proportional series, 0 for a constant one', () => {
    expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(pearson([5, 5, 5], [1, 2, 3])).toBe(0);
  });

  it('a steady relay (constant series) is found by its per-interval ratio; a ratio outside 1.00–1.25 or many endpoints is not', () => {
    const d = new ProviderDetector();
    for (let i = 0; i < 5; i++) {
      d.observe(1000, [
        { process: 'relay.1', physical: 1050, endpoints: ['203.0.113.1:443'] },
        { process: 'fat.2', physical: 1400, endpoints: ['203.0.113.2:443'] },
        { process: 'spray.3', physical: 1100, endpoints: ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'] },
      ]);
      if (i < 4) expect(d.providers()).toEqual([]);
    }
    expect(d.providers()).toEqual(['relay.1']);
  });

  it('a process whose own tunnel bytes make up the tunnel sum is measured against the others only', () => {
    const d = new ProviderDetector();
    for (let i = 1; i <= 6; i++) d.observe(100 * i, [{ process: 'curl.1', physical: 100 * i, endpoints: ['x:1'], ownTunnel: 100 * i }]);
    expect(d.isProvider('curl.1')).toBe(false);
  });
});

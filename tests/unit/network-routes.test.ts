// The egress device of a socket, by the kernel's policy routing replayed from `ip -j` output: longest
// prefix, metrics, tables by rule priority, fwmark (wg-quick's bypass mark), suppress_prefixlength, `not`.
import { describe, expect, it } from 'vitest';
import { addressBits, parseIpRoutes, parseIpRules, resolveEgress, type RoutingSnapshot } from '../../src-main/engine/network/routes.js';

// `ip -j -4 rule show` after `wg-quick up wg0` (fwmark 0xca6c = 51820), plus a marked policy rule.
const rules4 = [
  { priority: 0, src: 'all', table: 'local' },
  { priority: 32763, src: 'all', fwmark: '0x10', fwmask: '0xff', table: '100' },
  { priority: 32764, src: 'all', table: 'main', suppress_prefixlen: 0 },
  { priority: 32765, not: null, src: 'all', fwmark: '0xca6c', table: '51820' },
  { priority: 32766, src: 'all', table: 'main' },
  { priority: 32767, src: 'all', table: 'default' },
];
const routes4 = [
  { dst: 'default', gateway: '198.51.100.1', dev: 'eth0', flags: [] },
  { dst: 'default', gateway: '198.51.100.254', dev: 'eth1', metric: 600, flags: [] },
  { dst: '198.51.100.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '198.51.100.2', flags: [] },
  { dst: '203.0.113.0/24', dev: 'tun0', flags: [] },
  { dst: 'default', dev: 'wg0', table: '51820', flags: [] },
  { dst: 'default', dev: 'eth1', table: '100', flags: [] },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local', flags: [] },
  { type: 'local', dst: '198.51.100.2', dev: 'eth0', table: 'local', flags: [] },
  { type: 'unreachable', dst: '203.0.113.128/25', table: 'main', flags: [] },
];
const snapshot: RoutingSnapshot = {
  rules: [...parseIpRules(rules4, 4), ...parseIpRules([{ priority: 32766, src: 'all', table: 'main' }], 6)],
  routes: [...parseIpRoutes(routes4, 4), ...parseIpRoutes([{ dst: 'default', dev: 'eth0', metric: 1024 }, { dst: '2001:db8:5::/48', dev: 'wg1' }], 6)],
};

describe('resolveEgress', () => {
  it.each([
    ['192.0.2.77', 0, 'wg0', 'wg-quick: unmarked traffic goes into the tunnel (suppress_prefixlength 0 skips main’s default)'],
    ['203.0.113.9', 0, 'tun0', 'a more specific route in main is not suppressed'],
    ['203.0.113.9', 0xca6c, 'tun0', 'the tunnel’s own marked socket bypasses it: main, the /24 route'],
    ['192.0.2.77', 0xca6c, 'eth0', 'marked, to the internet: main’s default (lowest metric)'],
    ['198.51.100.1', 0, 'eth0', 'a connected /24 is longer than 0: not suppressed'],
    ['192.0.2.77', 0x110, 'eth1', 'fwmark 0x10/0xff: table 100'],
    ['203.0.113.200', 0xca6c, null, 'unreachable'],
    ['127.0.0.1', 0, 'lo', 'local table'],
    ['2001:db8:5::1', 0, 'wg1', 'IPv6 longest prefix'],
    ['2001:db8:9::1', 0, 'eth0', 'IPv6 default'],
    ['::ffff:203.0.113.9', 0xca6c, 'tun0', 'IPv4-mapped IPv6 is IPv4'],
    ['not-an-address', 0, null, 'garbage'],
  ] as const)('%s mark %s → %s (%s)', (dst, mark, dev, _why) => {
    expect(resolveEgress(snapshot, dst, mark)).toBe(dev);
  });

  it('reads addresses as the kernel does', () => {
    expect(addressBits('198.51.100.2')).toEqual({ family: 4, bits: 0xc6336402n });
    expect(addressBits('2001:db8::1')?.bits).toBe(0x20010db8000000000000000000000001n);
    expect(addressBits('::')?.bits).toBe(0n);
    expect(addressBits('1.2.3')).toBeNull();
  });
});

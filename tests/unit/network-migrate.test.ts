// T1–T10 of the wave-2 research note (shared/notes/wave2-research.md §2d), one table: each case gives the
// interval's sockets (with their interface) and interface bytes; providers are found as the monitor
// finds them (known names, the kernel for WireGuard), the migration runs, and the rows are compared with
// the note's expected outcome. Figures in MB (10^6 bytes), hand-computed from the setup.
import { describe, expect, it } from 'vitest';
import {
  classifyInterface,
  findProviders,
  interfaceDeltas,
  migrate,
  networkTotal,
  NetworkLedger,
  ProviderDetector,
  settle,
  type InterfaceBytes,
  type SocketBytes,
} from '../../src-main/engine/network/index.js';

const MB = 1_000_000;

interface Sock {
  app: string;
  pid?: number;
  iface: string | null;
  in?: number;
  out?: number;
  local?: [string, number];
  remote?: [string, number];
}

function sockets(list: readonly Sock[]): SocketBytes[] {
  return list.map((s, i) => ({
    id: `s${i}`,
    process: `${s.app}.${s.pid ?? 100 + i}`,
    name: s.app,
    iface: s.iface,
    bytesIn: Math.round((s.in ?? 0) * MB),
    bytesOut: Math.round((s.out ?? 0) * MB),
    ...(s.local === undefined ? {} : { local: { address: s.local[0], port: s.local[1] } }),
    ...(s.remote === undefined ? {} : { remote: { address: s.remote[0], port: s.remote[1] } }),
  }));
}

function ifaces(list: Record<string, [number, number]>): InterfaceBytes[] {
  return Object.entries(list).map(([name, [i, o]]) => ({ name, kind: classifyInterface(name), bytesIn: Math.round(i * MB), bytesOut: Math.round(o * MB) }));
}

interface Case {
  id: string;
  setup: string;
  sockets: Sock[];
  interfaces: Record<string, [number, number]>;
  /** Expected rows (MB in, MB out); every other name must be absent. */
  rows: Record<string, [number, number]>;
  total: [number, number];
  unattributed?: [number, number];
  providers?: string[];
}

const cases: Case[] = [
  {
    id: 'T1',
    setup: 'mac WireGuard full tunnel: curl 100 on utun4, the NE 104 on en0',
    sockets: [
      { app: 'curl', iface: 'utun4', in: 100, out: 1 },
      { app: 'com.wireguard.m', iface: 'en0', in: 104, out: 1.04, remote: ['203.0.113.9', 51820] },
    ],
    interfaces: { en0: [104, 1.04], utun4: [100, 1] },
    rows: { curl: [100, 1], 'VPN overhead (WireGuard)': [4, 0.04] },
    total: [104, 1.04],
    unattributed: [0, 0],
    providers: ['WireGuard'],
  },
  {
    id: 'T2',
    setup: 'split tunnel: 50 via utun, 50 direct on en0',
    sockets: [
      { app: 'Safari', pid: 7, iface: 'utun4', in: 50 },
      { app: 'Safari', pid: 7, iface: 'en0', in: 50 },
      { app: 'MacPacketTunnel', iface: 'en0', in: 52 },
    ],
    interfaces: { en0: [102, 0], utun4: [50, 0] },
    rows: { Safari: [100, 0], 'VPN overhead (MacPacketTunnel)': [2, 0] },
    total: [102, 0],
    unattributed: [0, 0],
  },
  {
    id: 'T4',
    setup: 'no VPN: Zoom 200 UDP on en0',
    sockets: [{ app: 'zoom.us', iface: 'en0', in: 150, out: 50 }],
    interfaces: { en0: [150, 50], lo0: [3, 3] },
    rows: { 'zoom.us': [150, 50] },
    total: [150, 50],
    unattributed: [0, 0],
    providers: [],
  },
  {
    id: 'T5',
    setup: 'Zscaler transparent proxy: app 100 on en0, provider 102 on en0, en0 input reads 0',
    sockets: [
      { app: 'Safari', iface: 'en0', in: 100, out: 2 },
      { app: 'ZscalerTunnel', iface: 'en0', in: 102, out: 2.1 },
    ],
    interfaces: { en0: [0, 2.1] },
    rows: { Safari: [100, 2], 'VPN overhead (Zscaler)': [2, 0.1] },
    total: [0, 2.1],
    providers: ['Zscaler'],
  },
  {
    id: 'T7',
    setup: 'Linux kernel wg0: curl 100 on wg0, wlan0 +104, wg0 +100',
    sockets: [{ app: 'curl', iface: 'wg0', out: 100 }],
    interfaces: { wlan0: [0, 104], wg0: [0, 100] },
    rows: { curl: [0, 100], 'VPN overhead (kernel)': [0, 4] },
    total: [0, 104],
    unattributed: [0, 0],
    providers: ['kernel'],
  },
  {
    id: 'T8',
    setup: 'Linux openvpn on tun0: curl 100 on tun0, openvpn 105 on eth0',
    sockets: [
      { app: 'curl', iface: 'tun0', in: 100, out: 2 },
      { app: 'openvpn', iface: 'eth0', in: 105, out: 2.5, remote: ['198.51.100.1', 1194] },
    ],
    interfaces: { eth0: [105, 2.5], tun0: [100, 2] },
    rows: { curl: [100, 2], 'VPN overhead (OpenVPN)': [5, 0.5] },
    total: [105, 2.5],
    unattributed: [0, 0],
    providers: ['OpenVPN'],
  },
  {
    id: 'T9',
    setup: 'Tailscale inside a corporate VPN: ssh 20 on utun7 (tailnet), curl 50 on utun3 (corporate), tailscaled 21 on utun3, vpnagentd 74 on en0',
    sockets: [
      { app: 'ssh', iface: 'utun7', in: 20 },
      { app: 'curl', iface: 'utun3', in: 50 },
      { app: 'io.tailscale.ip', iface: 'utun3', in: 21 },
      { app: 'vpnagentd', iface: 'en0', in: 74 },
    ],
    interfaces: { en0: [74, 0], utun3: [71, 0], utun7: [20, 0] },
    rows: { ssh: [20, 0], curl: [50, 0], 'VPN overhead (Tailscale)': [1, 0], 'VPN overhead (Cisco Secure Client)': [3, 0] },
    total: [74, 0],
    unattributed: [0, 0],
  },
  {
    id: 'T10',
    setup: 'local SOCKS proxy on 127.0.0.1:7890: firefox 40 and curl 20 through it, a database client on lo0 beside',
    sockets: [
      { app: 'firefox', iface: 'lo0', in: 40, out: 1, local: ['127.0.0.1', 50001], remote: ['127.0.0.1', 7890] },
      { app: 'curl', iface: 'lo0', in: 20, out: 1, local: ['127.0.0.1', 50002], remote: ['127.0.0.1', 7890] },
      { app: 'clash', pid: 9, iface: 'lo0', in: 2, out: 60, local: ['127.0.0.1', 7890], remote: ['127.0.0.1', 50001] },
      { app: 'clash', pid: 9, iface: 'en0', in: 61, out: 2.2, remote: ['203.0.113.5', 443] },
      { app: 'psql', iface: 'lo0', in: 5, out: 5, local: ['127.0.0.1', 50003], remote: ['127.0.0.1', 5432] },
    ],
    interfaces: { en0: [61, 2.2], lo0: [72, 72] },
    rows: { firefox: [40, 1], curl: [20, 1], 'VPN overhead (local proxy)': [1, 0.2] },
    total: [61, 2.2],
    unattributed: [0, 0],
  },
  {
    id: 'compression',
    setup: 'the tunnel carried more than the underlay (compression): overhead 0, never negative',
    sockets: [
      { app: 'curl', iface: 'tun0', in: 100 },
      { app: 'openvpn', iface: 'eth0', in: 80 },
    ],
    interfaces: { eth0: [80, 0], tun0: [100, 0] },
    rows: { curl: [100, 0] },
    total: [80, 0],
    unattributed: [0, 0],
  },
];

function run(c: Case) {
  const socks = sockets(c.sockets);
  const interfaces = ifaces(c.interfaces);
  const found = findProviders({ sockets: socks, kindOf: (n) => classifyInterface(n), interfaces });
  const result = migrate({ sockets: socks, kindOf: (n) => classifyInterface(n), interfaces, providers: found.providers, excluded: found.excluded });
  return { found, result, settled: settle(result) };
}

const mb = (b: { bytesIn: number; bytesOut: number }): [number, number] => [b.bytesIn / MB, b.bytesOut / MB];

describe('tunnel migration: the research note’s cases', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const { found, result, settled } = run(c);
    if (c.providers !== undefined) expect(found.providers.map((p) => p.label).sort()).toEqual([...c.providers].sort());
    const rows = Object.fromEntries([...settled.apps].map(([name, b]) => [name, mb(b)]));
    expect(Object.keys(rows).sort()).toEqual(Object.keys(c.rows).sort());
    for (const [name, [i, o]] of Object.entries(c.rows)) {
      expect(rows[name]?.[0]).toBeCloseTo(i, 6);
      expect(rows[name]?.[1]).toBeCloseTo(o, 6);
    }
    expect(mb(result.network ?? { bytesIn: -1, bytesOut: -1 })).toEqual(c.total);
    if (c.unattributed !== undefined) expect(mb(settled.unattributed ?? { bytesIn: -1, bytesOut: -1 })).toEqual(c.unattributed);
  });

  it('never stores a provider under its own name, and the rows never exceed the physical total where counters are sound', () => {
    for (const c of cases.filter((x) => x.id !== 'T5' && x.id !== 'compression')) {
      const { settled, result } = run(c);
      const network = result.network ?? { bytesIn: 0, bytesOut: 0 };
      expect(settled.rows.bytesIn).toBeLessThanOrEqual(network.bytesIn);
      expect(settled.rows.bytesOut).toBeLessThanOrEqual(network.bytesOut);
      for (const p of ['openvpn', 'vpnagentd', 'clash', 'io.tailscale.ip', 'MacPacketTunnel', 'com.wireguard.m']) expect(settled.apps.has(p)).toBe(false);
    }
  });

  it('T5: the ledger flags the hour whose sockets exceed 1.2 × the physical counters, and falls back to the sockets', () => {
    const c = cases.find((x) => x.id === 'T5');
    if (c === undefined) throw new Error('T5 missing');
    const ledger = new NetworkLedger();
    const hour = Date.UTC(2026, 11, 5, 8);
    ledger.add(hour + 60_000, run(c).result);
    const h = ledger.hour(hour);
    expect(h?.mismatch).toBe(true);
    expect(h?.reason).toMatch(/interface counters disagree with the sockets \(received/);
    expect(mb(h?.total ?? { bytesIn: 0, bytesOut: 0 })).toEqual([102, 2.1]);
    expect(h?.unattributed).toEqual({ bytesIn: 0, bytesOut: 0 });
    // T8's sound counters are not flagged.
    const t8 = cases.find((x) => x.id === 'T8');
    if (t8 === undefined) throw new Error('T8 missing');
    ledger.add(hour + 3_600_000 + 60_000, run(t8).result);
    const h8 = ledger.hour(hour + 3_600_000);
    expect(h8?.mismatch).toBe(false);
    expect(mb(h8?.physical ?? { bytesIn: 0, bytesOut: 0 })).toEqual([105, 2.5]);
    expect(mb(h8?.attributed ?? { bytesIn: 0, bytesOut: 0 })).toEqual([100, 2]);
    expect(h8?.overhead.bytesIn).toBe(5 * MB);
    expect(h8?.overhead.bytesOut).toBe(0.5 * MB);
    expect(h8?.unattributed).toEqual({ bytesIn: 0, bytesOut: 0 });
  });

  it('T6: a VPN reconnect (utun4 → utun6, counters restarting) gives no negative and no spike', () => {
    const kindOf = (n: string) => classifyInterface(n);
    const t0 = { en0: { bytesIn: 1000 * MB, bytesOut: 50 * MB }, utun4: { bytesIn: 700 * MB, bytesOut: 30 * MB } };
    const t1 = { en0: { bytesIn: 1010.4 * MB, bytesOut: 50.2 * MB }, utun6: { bytesIn: 4 * MB, bytesOut: 0.1 * MB } };
    const t2 = { en0: { bytesIn: 1020.8 * MB, bytesOut: 50.4 * MB }, utun6: { bytesIn: 2 * MB, bytesOut: 0.05 * MB } };
    const d1 = interfaceDeltas(t0, t1, kindOf);
    expect(d1).toEqual([{ name: 'en0', kind: 'physical', bytesIn: Math.round(10.4 * MB), bytesOut: Math.round(0.2 * MB) }]);
    const d2 = interfaceDeltas(t1, t2, kindOf);
    expect(d2.find((d) => d.name === 'utun6')).toEqual({ name: 'utun6', kind: 'tunnel', bytesIn: 0, bytesOut: 0 });
    expect(networkTotal(d2)).toEqual({ bytesIn: Math.round(10.4 * MB), bytesOut: Math.round(0.2 * MB) });
    // Sockets of the same app on both tunnels in the reconnect interval: counted once each, overhead ≥ 0.
    const socks = sockets([
      { app: 'curl', iface: 'utun4', in: 6 },
      { app: 'curl', iface: 'utun6', in: 4 },
      { app: 'openvpn', iface: 'en0', in: 10.4, out: 0.2 },
    ]);
    const found = findProviders({ sockets: socks, kindOf, interfaces: d1 });
    const settled = settle(migrate({ sockets: socks, kindOf, interfaces: d1, providers: found.providers }));
    expect(mb(settled.apps.get('curl') ?? { bytesIn: 0, bytesOut: 0 })).toEqual([10, 0]);
    expect(settled.apps.get('VPN overhead (OpenVPN)')?.bytesIn).toBe(Math.round(0.4 * MB));
    for (const b of settled.apps.values()) {
      expect(b.bytesIn).toBeGreaterThanOrEqual(0);
      expect(b.bytesOut).toBeGreaterThanOrEqual(0);
    }
  });

  it('T3: a DERP relay nobody listed is found by correlation, and then counted once', () => {
    const detector = new ProviderDetector();
    const kindOf = (n: string) => classifyInterface(n);
    const tailnet = [3, 7, 1, 9, 4, 6]; // MB per interval, 30 in all
    let last: ReturnType<typeof settle> | null = null;
    let lastFound: ReturnType<typeof findProviders> | null = null;
    for (const [i, mbs] of tailnet.entries()) {
      const socks = sockets([
        { app: 'ssh', iface: 'utun5', in: mbs },
        { app: 'derp-relay', iface: 'en0', in: mbs * 1.04, remote: ['203.0.113.20', 443] },
        // A steady download beside it, on one endpoint: not a provider (its bytes do not track the tunnel).
        { app: 'curl', iface: 'en0', in: 5 + (i % 2), remote: ['203.0.113.30', 443] },
      ]);
      const interfaces = ifaces({ en0: [mbs * 1.04 + 5 + (i % 2), 0], utun5: [mbs, 0] });
      lastFound = findProviders({ sockets: socks, kindOf, interfaces, detector });
      last = settle(migrate({ sockets: socks, kindOf, interfaces, providers: lastFound.providers }));
      if (i < 4) expect(lastFound.providers).toEqual([]);
    }
    expect(lastFound?.providers.map((p) => [p.label, p.reason])).toEqual([['derp-relay', 'behaviour']]);
    expect(detector.isProvider('curl.102')).toBe(false);
    expect(last?.apps.get('ssh')?.bytesIn).toBe(6 * MB);
    expect(last?.apps.get('VPN overhead (derp-relay)')?.bytesIn).toBe(Math.round(0.24 * MB));
    expect(last?.apps.has('derp-relay')).toBe(false);
    expect(last?.unattributed).toEqual({ bytesIn: 0, bytesOut: 0 });
  });
});

describe('manual overrides', () => {
  const kindOf = (n: string) => classifyInterface(n);
  it('"treat as tunnel/proxy" makes an unknown relay a provider; "exclude" leaves a process out without making it unattributed', () => {
    const socks = sockets([
      { app: 'curl', iface: 'tun3', in: 10 },
      { app: 'myrelay', iface: 'eth0', in: 10.5 },
      { app: 'mirror', iface: 'eth0', in: 7 },
    ]);
    const interfaces = ifaces({ eth0: [17.5, 0], tun3: [10, 0] });
    const found = findProviders({ sockets: socks, kindOf, interfaces, overrides: { tunnel: ['MyRelay'], exclude: ['mirror'] } });
    expect(found.providers.map((p) => [p.label, p.reason])).toEqual([['myrelay', 'override']]);
    const result = migrate({ sockets: socks, kindOf, interfaces, providers: found.providers, excluded: found.excluded });
    const settled = settle(result);
    expect([...settled.apps.keys()].sort()).toEqual(['VPN overhead (myrelay)', 'curl']);
    expect(result.excluded.bytesIn).toBe(7 * MB);
    expect(settled.unattributed).toEqual({ bytesIn: 0, bytesOut: 0 });
  });

  it('without overrides the same relay is an app and the sum exceeds the network: the double count the override removes', () => {
    const socks = sockets([
      { app: 'curl', iface: 'tun3', in: 10 },
      { app: 'myrelay', iface: 'eth0', in: 10.5 },
    ]);
    const interfaces = ifaces({ eth0: [10.5, 0], tun3: [10, 0] });
    const found = findProviders({ sockets: socks, kindOf, interfaces });
    expect(found.providers).toEqual([]);
    const settled = settle(migrate({ sockets: socks, kindOf, interfaces, providers: found.providers }));
    expect(settled.rows.bytesIn).toBe(20.5 * MB);
  });
});

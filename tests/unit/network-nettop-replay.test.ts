// nettop per-connection output with tunnel processes (MacPacketTunnel, io.tailscale.ip, Tunnel.<pid>),
// written in the format of the real captures (shared/fixtures/nettop), replayed through the sampler's own
// parser and connection flows, then the providers and the migration: each byte once. Expected figures
// are worked out by hand in each fixture's header.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyInterface, findProviders, migrate, settle, socketOf, type InterfaceBytes } from '../../src-main/engine/network/index.js';
import { ConnectionFlows } from '../../src-main/engine/samplers/nettop/flows.js';
import { parseNettop } from '../../src-main/engine/samplers/nettop/parse.js';
import type { InterfaceTotals } from '../../src-main/engine/types.js';

const dir = path.resolve(import.meta.dirname, '..', 'fixtures', 'nettop', 'tunnels');

function replay(file: string, interfacesPerFrame: Record<string, [number, number]>[]) {
  const text = readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
  const parsed = parseNettop(text);
  expect(parsed.frames.length).toBe(interfacesPerFrame.length + 1);
  const connections = new ConnectionFlows();
  const [baseline, ...frames] = parsed.frames;
  if (baseline === undefined) throw new Error('no frames');
  connections.flows(baseline, 'cumulative');
  const kindOf = (n: string) => classifyInterface(n);
  const totals = new Map<string, InterfaceTotals>();
  const network: InterfaceTotals = { bytesIn: 0, bytesOut: 0 };
  const providers = new Set<string>();
  for (const [i, frame] of frames.entries()) {
    const sockets = connections.flows(frame, 'delta').map(socketOf);
    const interfaces: InterfaceBytes[] = Object.entries(interfacesPerFrame[i] ?? {}).map(([name, [bytesIn, bytesOut]]) => ({ name, kind: kindOf(name), bytesIn, bytesOut }));
    const found = findProviders({ sockets, kindOf, interfaces });
    for (const p of found.providers) providers.add(`${p.label}:${p.reason}`);
    const settled = settle(migrate({ sockets, kindOf, interfaces, providers: found.providers }));
    expect(settled.unattributed).toEqual({ bytesIn: 0, bytesOut: 0 });
    for (const [name, b] of settled.apps) {
      const sum = totals.get(name) ?? { bytesIn: 0, bytesOut: 0 };
      totals.set(name, { bytesIn: sum.bytesIn + b.bytesIn, bytesOut: sum.bytesOut + b.bytesOut });
    }
    network.bytesIn += settled.rows.bytesIn;
    network.bytesOut += settled.rows.bytesOut;
  }
  return { totals: Object.fromEntries(totals), network, providers: [...providers] };
}

describe('nettop replay with tunnel processes', () => {
  type Row = { bytesIn: number; bytesOut: number };
  const row = (bytesIn: number, bytesOut: number): Row => ({ bytesIn, bytesOut });
  const scenarios: { what: string; file: string; interfaces: Record<string, [number, number]>[]; provider: string; totals: Record<string, Row> }[] = [
    {
      what: 'WireGuard network extension (MacPacketTunnel): curl inside utun4 once, the extension as overhead',
      file: 'wireguard-ne-d.csv',
      interfaces: [
        { en0: [13_400_000, 217_000], utun4: [10_000_000, 200_000], lo0: [500, 500] },
        { en0: [7_240_000, 127_800], utun4: [6_000_000, 120_000] },
      ],
      provider: 'MacPacketTunnel:known',
      totals: { curl: row(16_000_000, 320_000), 'Google Chrome H': row(4_000_000, 12_000), 'VPN overhead (MacPacketTunnel)': row(640_000, 12_800) },
    },
    {
      what: 'Tailscale (io.tailscale.ip): tailnet apps once, a split app’s direct and unlisted bytes kept',
      file: 'tailscale-d.csv',
      interfaces: [{ en0: [4_130_000, 1_172_000], utun6: [2_800_000, 1_050_000] }],
      provider: 'Tailscale:known',
      totals: { ssh: row(2_000_000, 1_000_000), Safari: row(2_030_000, 122_000), 'VPN overhead (Tailscale)': row(100_000, 50_000) },
    },
    {
      what: 'a proxy’s Tunnel.<pid> rows beside the apps on lo0: the apps are charged, lo0 is not counted, the rest is overhead',
      file: 'tunnel-proxy-d.csv',
      interfaces: [{ en0: [4_080_000, 160_000], lo0: [4_150_000, 4_150_000] }],
      provider: 'Tunnel:known',
      totals: { Safari: row(3_000_000, 100_000), 'Slack Helper': row(1_000_000, 50_000), 'VPN overhead (Tunnel)': row(80_000, 10_000) },
    },
  ];

  it.each(scenarios.map((x) => [x.what, x] as const))('%s', (_what, x) => {
    const r = replay(x.file, x.interfaces);
    expect(r.providers).toEqual([x.provider]);
    expect(r.totals).toEqual(x.totals);
    // Every frame's rows add up to its physical interfaces (en0): each byte once.
    const physical = x.interfaces.reduce((sum, f) => row(sum.bytesIn + (f.en0?.[0] ?? 0), sum.bytesOut + (f.en0?.[1] ?? 0)), row(0, 0));
    expect(r.network).toEqual(physical);
  });

  it('without the migration the same output counts the tunnelled bytes twice (what the migration removes)', () => {
    const text = readFileSync(path.join(dir, 'wireguard-ne-d.csv'), 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    const [, frame] = parseNettop(text).frames;
    if (frame === undefined) throw new Error('no frame');
    const sum = frame.processes.reduce((s, p) => s + p.bytesIn, 0);
    expect(sum).toBe(23_400_000);
    expect(sum).toBeGreaterThan(13_400_000 * 1.7);
  });

  it('the real macOS 26 capture (a TUN-mode proxy as Tunnel.41723, apps on utun8, Tailscale beside): the proxy is overhead only', () => {
    // One cumulative frame (-L 1), taken as one interval from zero. By awk over the capture:
    //   apps' connection rows on utun8 (A):           28 074 071 in, 17 861 227 out
    //   Tunnel's row less its own lo0 rows (U):     145 786 200 in, 198 160 492 out
    //   → pool = min(A, U) = A, VPN overhead (Tunnel) = U − A = 117 712 129 / 180 299 265
    // The loopback between Tailscale's GUI and its extension, and between OpenCode's helpers, is local:
    // no proxy's clients, so not counted (io.tailscale.ip is a VPN, not a proxy; nobody connects to 10808).
    const captures = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'nettop');
    const text = readFileSync(path.join(captures, 'per-connection-csv-2-numeric.txt'), 'utf8');
    const frame = parseNettop(text.slice(text.indexOf('\n') + 1)).frames[0];
    if (frame === undefined) throw new Error('no frame');
    const sockets = new ConnectionFlows().flows(frame, 'delta').map(socketOf);
    const kindOf = (n: string) => classifyInterface(n);
    const found = findProviders({ sockets, kindOf, interfaces: null });
    expect(found.providers.map((p) => `${p.process}:${p.label}:${p.style}`).sort()).toEqual(['Tunnel.41723:Tunnel:proxy', 'io.tailscale.ip.1982:Tailscale:tunnel']);
    const result = migrate({ sockets, kindOf, interfaces: null, providers: found.providers });
    const tunnel = result.overhead.find((o) => o.process === 'Tunnel.41723');
    expect(tunnel?.pool).toEqual({ bytesIn: 28_074_071, bytesOut: 17_861_227 });
    expect([tunnel?.bytesIn, tunnel?.bytesOut]).toEqual([117_712_129, 180_299_265]);
    const apps = settle(result).apps;
    for (const name of ['Tunnel', 'io.tailscale.ip']) expect(apps.has(name)).toBe(false);
    expect(result.sockets.some((s) => s.iface === 'lo0')).toBe(false);
    expect(result.local.bytesIn).toBeGreaterThan(345_000_000);
  });
});

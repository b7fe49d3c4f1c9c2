// Each interval's bytes on the network of the interface they crossed: two uplinks (each socket on its
// own), a tunnel's apps on their provider's underlay, overhead on the provider's interface, unknown
// flows taken off the remainders, and the per-network rows adding up to the physical interfaces.
import { describe, expect, it } from 'vitest';
import { classifyInterface } from '../../src-main/engine/network/interfaces.js';
import type { NetworkUsage } from '../../src-main/engine/network/network-rows.js';
import { networkUsage, splitByInterface } from '../../src-main/engine/network/split.js';
import { HOLD_MS, TunnelStage } from '../../src-main/engine/network/stage.js';
import type { Uplink } from '../../src-main/engine/network/uplinks.js';
import type { FlowCounter, FlowDelta, InterfaceTotals, Interval, Sample } from '../../src-main/engine/types.js';

const kindOf = (n: string): ReturnType<typeof classifyInterface> => classifyInterface(n);

function delta(id: string, name: string, pid: number, iface: string | undefined, bytesIn: number, bytesOut: number): FlowDelta {
  return { id, owner: { name, pid }, iface, bytesIn, bytesOut };
}

const interval = (flows: FlowDelta[], iface: InterfaceTotals | null): Interval => ({ startMs: 0, endMs: 5000, flows, iface });
const sum = (rows: readonly { bytesIn: number; bytesOut: number }[]): InterfaceTotals => rows.reduce((a, r) => ({ bytesIn: a.bytesIn + r.bytesIn, bytesOut: a.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
const byNet = (rows: readonly NetworkUsage[]): Record<string, [string, number, number][]> => {
  const out: Record<string, [string, number, number][]> = {};
  for (const r of rows) (out[`${r.network}/${r.iface}`] ??= []).push([r.app, r.bytesIn, r.bytesOut]);
  return out;
};
const nets: Record<string, string> = { eth0: 'wired:02:00:00:00:00:01', eth1: 'wired:02:00:00:00:00:02' };
const networkOf = (iface: string): string => nets[iface] ?? 'unknown';

describe('splitByInterface + networkUsage', () => {
  it('two uplinks: each socket counts on its own interface, each remainder is that interface’s unattributed', () => {
    const flows = [delta('a', 'curl', 1, 'eth0', 1000, 100), delta('b', 'wget', 2, 'eth1', 3000, 300)];
    const interfaces = [
      { name: 'eth0', kind: 'physical' as const, bytesIn: 1200, bytesOut: 110 },
      { name: 'eth1', kind: 'physical' as const, bytesIn: 3000, bytesOut: 300 },
    ];
    const parts = splitByInterface({ flows, before: flows, providers: new Map(), interfaces, total: { bytesIn: 4200, bytesOut: 410 }, kindOf });
    const rows = networkUsage(interval(flows, null), parts, 'linux', networkOf, new Map());
    expect(byNet(rows)).toEqual({
      'wired:02:00:00:00:00:01/eth0': [
        ['(unattributed)', 200, 10],
        ['curl', 1000, 100],
      ],
      'wired:02:00:00:00:00:02/eth1': [['wget', 3000, 300]],
    });
    expect(sum(rows)).toEqual({ bytesIn: 4200, bytesOut: 410 });
  });

  it('a tunnel’s apps and the provider’s overhead land on the provider’s physical interface', () => {
    const before = [delta('a', 'curl', 1, 'tun0', 100_000, 2_000), delta('v', 'openvpn', 9, 'eth1', 108_000, 2_500), delta('c', 'wget', 2, 'eth0', 50_000, 1_000)];
    const after: FlowDelta[] = [before[0]!, before[2]!, { id: 'overhead:openvpn.9', owner: null, app: 'VPN overhead (OpenVPN)', bytesIn: 8_000, bytesOut: 500 }];
    const interfaces = [
      { name: 'eth0', kind: 'physical' as const, bytesIn: 50_000, bytesOut: 1_000 },
      { name: 'eth1', kind: 'physical' as const, bytesIn: 108_000, bytesOut: 2_500 },
      { name: 'tun0', kind: 'tunnel' as const, bytesIn: 100_000, bytesOut: 2_000 },
    ];
    const parts = splitByInterface({ flows: after, before, providers: new Map([['openvpn.9', undefined]]), interfaces, total: null, kindOf });
    const rows = networkUsage(interval(after, null), parts, 'linux', networkOf, new Map());
    expect(byNet(rows)).toEqual({
      'wired:02:00:00:00:00:01/eth0': [['wget', 50_000, 1_000]],
      'wired:02:00:00:00:00:02/eth1': [
        ['VPN overhead (OpenVPN)', 8_000, 500],
        ['curl', 100_000, 2_000],
      ],
    });
    // Counted once: the rows add up to the physical interfaces, the tunnel is not added.
    expect(sum(rows)).toEqual({ bytesIn: 158_000, bytesOut: 3_500 });
  });

  it('a flow of unknown interface: on the only moving uplink; with two, on "" and off both remainders', () => {
    const one = [delta('a', 'curl', 1, undefined, 500, 50)];
    const single = [
      { name: 'eth0', kind: 'physical' as const, bytesIn: 800, bytesOut: 80 },
      { name: 'eth1', kind: 'physical' as const, bytesIn: 0, bytesOut: 0 },
    ];
    const p1 = splitByInterface({ flows: one, before: one, providers: new Map(), interfaces: single, total: null, kindOf });
    expect(byNet(networkUsage(interval(one, null), p1, 'linux', networkOf, new Map()))['wired:02:00:00:00:00:01/eth0']).toEqual([
      ['(unattributed)', 300, 30],
      ['curl', 500, 50],
    ]);

    const flows = [delta('a', 'curl', 1, undefined, 600, 60), delta('b', 'wget', 2, 'eth1', 1000, 100)];
    const two = [
      { name: 'eth0', kind: 'physical' as const, bytesIn: 900, bytesOut: 90 },
      { name: 'eth1', kind: 'physical' as const, bytesIn: 1300, bytesOut: 130 },
    ];
    const parts = splitByInterface({ flows, before: flows, providers: new Map(), interfaces: two, total: null, kindOf });
    const rows = networkUsage(interval(flows, null), parts, 'linux', networkOf, new Map());
    const got = byNet(rows);
    expect(got['unknown/']).toEqual([['curl', 600, 60]]);
    // Remainders 900 and 300 lose 600 in proportion (450 and 150).
    expect(got['wired:02:00:00:00:00:01/eth0']).toEqual([['(unattributed)', 450, 45]]);
    expect(got['wired:02:00:00:00:00:02/eth1']).toEqual([
      ['(unattributed)', 150, 15],
      ['wget', 1000, 100],
    ]);
    expect(sum(rows)).toEqual({ bytesIn: 2200, bytesOut: 220 });
  });

  it('without per-interface counters: one part, on the interface the flows name, with the interval total', () => {
    const flows = [delta('a', 'curl', 1, 'en0', 500, 50)];
    const parts = splitByInterface({ flows, before: flows, providers: new Map(), interfaces: null, total: { bytesIn: 700, bytesOut: 70 }, kindOf });
    expect(parts).toEqual([{ iface: 'en0', flows, total: { bytesIn: 700, bytesOut: 70 } }]);
  });

  it('a surplus on one interface is carried to its next remainder, not stored twice', () => {
    const carry = new Map<string, InterfaceTotals>();
    const interfaces = (bytesIn: number) => [{ name: 'eth0', kind: 'physical' as const, bytesIn, bytesOut: 0 }];
    const f1 = [delta('a', 'curl', 1, 'eth0', 1200, 0)];
    const r1 = networkUsage(interval(f1, null), splitByInterface({ flows: f1, before: f1, providers: new Map(), interfaces: interfaces(1000), total: null, kindOf }), 'linux', networkOf, carry);
    const f2 = [delta('a', 'curl', 1, 'eth0', 800, 0)];
    const r2 = networkUsage(interval(f2, null), splitByInterface({ flows: f2, before: f2, providers: new Map(), interfaces: interfaces(1000), total: null, kindOf }), 'linux', networkOf, carry);
    expect(sum([...r1, ...r2]).bytesIn).toBe(2000);
  });
});

describe('TunnelStage.networkRecord', () => {
  const uplink = (iface: string, id: string): Uplink => ({ iface, id, label: id, kind: 'wired', gateway: null, gatewayMac: null, nmUuid: null, metered: { metered: false, source: 'none', reason: 'no sign of a metered link' } });
  const uplinks = { networkOf: (iface: string): Uplink | null => (iface === 'eth0' ? uplink('eth0', 'wired:a') : iface === 'eth1' ? uplink('eth1', 'wired:b') : null) };
  const counter = (id: string, name: string, iface: string, bytesIn: number): FlowCounter => ({ id, owner: { name, pid: id.length }, iface, bytesIn, bytesOut: 0 });
  const sample = (wallMs: number, flows: FlowCounter[], interfaces: Sample['interfaces']): Sample => ({ wallMs, monoMs: wallMs, mode: 'cumulative', flows, closed: [], iface: null, interfaces });

  it('gives the rows of the interval it handed on, with each network’s facts and the ledger sums; once', () => {
    const stage = new TunnelStage({ kindOf, uplinks });
    stage.apply(sample(1000, [], { eth0: { bytesIn: 0, bytesOut: 0 }, eth1: { bytesIn: 0, bytesOut: 0 } }), null);
    const flows = [counter('a', 'curl', 'eth0', 4000), counter('bb', 'wget', 'eth1', 6000)];
    const out = stage.apply(sample(3_601_000, flows, { eth0: { bytesIn: 5000, bytesOut: 0 }, eth1: { bytesIn: 6000, bytesOut: 0 } }), {
      startMs: 1000,
      endMs: 3_601_000,
      flows: flows.map(({ id, owner, bytesIn, bytesOut }) => ({ id, owner, bytesIn, bytesOut })),
      iface: null,
    });
    const [record] = stage.networkRecords(out!, 'linux');
    expect(record?.rows.map((r) => [r.network, r.iface, r.app, r.bytesIn])).toEqual([
      ['wired:a', 'eth0', '(unattributed)', 1000],
      ['wired:a', 'eth0', 'curl', 4000],
      ['wired:b', 'eth1', 'wget', 6000],
    ]);
    expect(record?.networks.map((n) => n.key)).toEqual(['wired:a', 'wired:b']);
    expect(record?.ledger).toMatchObject({ hourStart: 3600, physical: { bytesIn: 11_000, bytesOut: 0 }, attributed: { bytesIn: 10_000, bytesOut: 0 }, unknownIntervals: 0 });
    expect(stage.networkRecords(out!, 'linux')).toEqual([]);
    expect(stage.networkRecords({ startMs: 0, endMs: 1, flows: [], iface: null }, 'linux')).toEqual([]);
  });

  it('holds an interval while its interface’s network is not settled, up to HOLD_MS, in order; drains at stop', () => {
    let settled = false;
    const stage = new TunnelStage({ kindOf, uplinks: { networkOf: uplinks.networkOf, settled: () => settled } });
    const at = (ms: number, bytes: number): Interval | null =>
      stage.apply(sample(ms, [counter('a', 'curl', 'eth0', bytes)], { eth0: { bytesIn: bytes, bytesOut: 0 } }), { startMs: ms - 1000, endMs: ms, flows: [{ id: 'a', owner: { name: 'curl', pid: 1 }, bytesIn: 100, bytesOut: 0 }], iface: null });
    at(1000, 0);
    expect(stage.networkRecords(at(2000, 100)!, 'linux')).toEqual([]);
    expect(stage.networkRecords(at(3000, 200)!, 'linux')).toEqual([]);
    settled = true;
    expect(stage.networkRecords(at(4000, 300)!, 'linux').map((r) => r.rows.map((u) => [u.ts, u.network]))).toEqual([[[2, 'wired:a']], [[3, 'wired:a']], [[4, 'wired:a']]]);
    settled = false;
    expect(stage.networkRecords(at(5000, 400)!, 'linux')).toEqual([]);
    // Past HOLD_MS the oldest goes with what is known then.
    expect(stage.networkRecords(at(5000 + HOLD_MS, 500)!, 'linux').map((r) => r.rows[0]?.ts)).toEqual([5]);
    expect(stage.drainNetworkRecords('linux').map((r) => r.rows[0]?.ts)).toEqual([20]);
    expect(stage.drainNetworkRecords('linux')).toEqual([]);
  });
});

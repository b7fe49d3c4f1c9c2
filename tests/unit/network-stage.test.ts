// The pipeline stage: flows routed to their interface by the routing snapshot (the Linux samplers give
// none), providers settled, overhead as named flows, the interval's total from physical interfaces only.
import { describe, expect, it } from 'vitest';
import { classifyInterface } from '../../src-main/engine/network/interfaces.js';
import { parseIpRoutes, parseIpRules } from '../../src-main/engine/network/routes.js';
import { TunnelStage } from '../../src-main/engine/network/stage.js';
import type { FlowCounter, Interval, Sample } from '../../src-main/engine/types.js';

const routes = {
  current: () => ({
    rules: parseIpRules([{ priority: 32766, src: 'all', table: 'main' }], 4),
    routes: parseIpRoutes([{ dst: '198.51.100.0/24', dev: 'eth0' }, { dst: '203.0.113.1', dev: 'tun0' }], 4),
  }),
};

function flow(id: string, name: string, pid: number, address: string, bytesIn: number, bytesOut: number): FlowCounter {
  return { id, owner: { name, pid }, remote: { protocol: 'tcp4', address, port: 80 }, bytesIn, bytesOut };
}

function sample(wallMs: number, flows: FlowCounter[], interfaces: Sample['interfaces']): Sample {
  return { wallMs, monoMs: wallMs, mode: 'cumulative', flows, closed: [], iface: null, interfaces };
}

describe('TunnelStage', () => {
  it('routes, settles openvpn into its overhead, and totals the physical interface only', () => {
    const stage = new TunnelStage({ kindOf: (n) => classifyInterface(n), routes });
    const first = sample(1000, [], { eth0: { bytesIn: 1000, bytesOut: 1000 }, tun0: { bytesIn: 500, bytesOut: 500 } });
    expect(stage.apply(first, null)).toBeNull();
    const flows = [flow('a', 'curl', 10, '203.0.113.1', 100_000, 2_000), flow('b', 'openvpn', 11, '198.51.100.1', 108_000, 2_500), flow('c', 'wget', 12, '198.51.100.1', 50_000, 1_000)];
    const s = sample(2000, flows, { eth0: { bytesIn: 1000 + 158_000, bytesOut: 1000 + 3_500 }, tun0: { bytesIn: 500 + 100_000, bytesOut: 500 + 2_000 } });
    // The interval as the delta engine makes it (the stage never changes bytes other than the providers').
    const interval: Interval = { startMs: 1000, endMs: 2000, flows: flows.map(({ id, owner, remote, bytesIn, bytesOut }) => ({ id, owner, remote, bytesIn, bytesOut })), iface: { bytesIn: 258_000, bytesOut: 5_500 } };
    const out = stage.apply(s, interval);
    expect(out?.iface).toEqual({ bytesIn: 158_000, bytesOut: 3_500 });
    expect(out?.flows.map((f) => [f.app ?? f.owner?.name, f.iface ?? null, f.bytesIn, f.bytesOut])).toEqual([
      ['curl', 'tun0', 100_000, 2_000],
      ['wget', 'eth0', 50_000, 1_000],
      ['VPN overhead (OpenVPN)', null, 8_000, 500],
    ]);
    expect([...stage.stats.providers]).toEqual([['OpenVPN', 'known']]);
    expect(stage.ledger.hours()[0]).toMatchObject({ physical: { bytesIn: 158_000, bytesOut: 3_500 }, overhead: { bytesIn: 8_000, bytesOut: 500 }, unattributed: { bytesIn: 0, bytesOut: 0 }, mismatch: false });
  });

  it('passes an interval through unchanged where the sampler gives no per-interface counters and no tunnel is in sight', () => {
    const stage = new TunnelStage({ kindOf: (n) => classifyInterface(n) });
    const f = flow('a', 'curl', 10, '198.51.100.1', 10, 20);
    const interval: Interval = { startMs: 0, endMs: 1000, flows: [{ id: 'a', owner: f.owner, remote: f.remote, bytesIn: 10, bytesOut: 20 }], iface: { bytesIn: 40, bytesOut: 50 } };
    const out = stage.apply(sample(1000, [f], undefined), interval);
    expect(out?.iface).toEqual({ bytesIn: 40, bytesOut: 50 });
    expect(out?.flows.map((x) => [x.owner?.name, x.bytesIn, x.bytesOut])).toEqual([['curl', 10, 20]]);
  });
});

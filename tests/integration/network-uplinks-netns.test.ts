// Issue 12's second uplink: bytes land on the network of the interface that carried them. A client
// namespace with two veth uplinks, each to its own gateway namespace (A 198.51.100.0/24 by the main
// table's default route, B 203.0.113.0/24 by policy routing, `from 203.0.113.2 lookup 100`); one app
// downloads through A, another through B, at once, with `netmon serve` (ss, then eBPF) beside them.
// After SIGTERM, from the stored per-network tiers (schema v7):
// - two networks, each named by its gateway's MAC (`wired:MAC`), on its own interface;
// - each network's stored total equals its interface's counters within 1 %;
// - each app's bytes are on its own uplink's network (each socket counts on its own interface);
// - the per-network rows add up to the usage rows (nothing counted twice, nothing lost).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwoUplinks, deviceBytes, execInNetns, netnsArgv, netnsSupport, type TwoUplinks } from '../helpers/netns.js';
import { startApp, startPeers, type AppPlan, type AppReport } from '../helpers/netns-apps.js';
import { testNode } from '../helpers/traffic.js';
import { NETMON, REPO, netmon, startServe } from '../helpers/cli.js';
import type { LedgerHour } from '../../src-main/engine/network/ledger.js';
import { storedLedgerHours } from '../../src-main/engine/network/ledger-store.js';

const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');
const supported = netnsSupport();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  bytesIn: number;
  bytesOut: number;
}

function macOf(ns: string, device: string): string {
  const [link] = JSON.parse(execInNetns(ns, ['ip', '-j', 'link', 'show', 'dev', device])) as { address: string }[];
  return link?.address ?? '';
}

describe.each(['linux', 'ebpf'])('two uplinks with netmon serve --sampler %s', (sampler) => {
  const skip = !supported.ok ? supported.reason : sampler === 'ebpf' && !existsSync(HELPER) ? `the capture helper is not built (${HELPER})` : null;
  let net: TwoUplinks;
  let root: string;
  let dataDir: string;
  const truth = new Map<string, AppReport>();
  const counters = new Map<string, Row>();
  let perNetwork: { key: string; iface: string; label: string; bytesIn: number; bytesOut: number }[] = [];
  let perApp: { key: string; app: string; bytesIn: number; bytesOut: number }[] = [];
  let usage: Row = { bytesIn: 0, bytesOut: 0 };
  let ledger: LedgerHour[] = [];
  let serveCode: number | null = null;
  let serveStderr = '';
  /** The Prometheus textfile serve wrote (netmon_network_bytes_total), read before it stopped. */
  let metricsText = '';

  beforeAll(async () => {
    if (skip !== null) return;
    net = createTwoUplinks();
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-uplinks-'));
    dataDir = path.join(root, 'data');
    const [a, b] = net.uplinks;
    // The gateways are not in the neighbour table before the apps start: the first second of each
    // uplink waits for its MAC (stage.ts HOLD_MS) instead of being stored under a provisional network.
    const plans: Record<string, AppPlan> = {
      nmupa: { dns: a.gatewayAddress, tasks: [{ kind: 'tcp', address: a.gatewayAddress, port: 80, op: 'download', bytes: 3_000_000, paceMs: 3000 }] },
      nmupb: {
        dns: b.gatewayAddress,
        tasks: [
          { kind: 'tcp', address: b.gatewayAddress, port: 80, op: 'download', bytes: 2_000_000, paceMs: 3000 },
          { kind: 'tcp', address: b.gatewayAddress, port: 80, op: 'upload', bytes: 1_000_000, paceMs: 2000 },
        ],
      },
    };
    const peers = await Promise.all(net.uplinks.map((u, i) => startPeers(u.gateway, { tcp: [{ host: u.gatewayAddress, port: 80 }] }, `nmpeers${i}`)));
    try {
      const before = net.uplinks.map((u) => deviceBytes(net.client, u.clientDevice));
      const textfile = path.join(root, 'netmon.prom');
      const served = await startServe(netnsArgv(net.client, [testNode(), NETMON, 'serve', '--port', '0', '--sampler', sampler, '--interval', '1', '--no-open', '--data-dir', dataDir, '--metrics-textfile', textfile]));
      await sleep(2500);
      const running = Object.entries(plans).map(([name, plan]) => startApp(net.client, name, plan));
      for (const app of running) truth.set(app.name, await app.done);
      await sleep(2500);
      metricsText = existsSync(textfile) ? readFileSync(textfile, 'utf8') : '';
      serveCode = await served.stop();
      serveStderr = served.stderr();
      net.uplinks.forEach((u, i) => {
        const after = deviceBytes(net.client, u.clientDevice);
        counters.set(u.clientDevice, { bytesIn: after.bytesIn - (before[i]?.bytesIn ?? 0), bytesOut: after.bytesOut - (before[i]?.bytesOut ?? 0) });
      });
    } finally {
      await Promise.all(peers.map((p) => p.stop()));
    }
    const db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
    try {
      perNetwork = db
        .prepare(`SELECT n.key, t.iface, n.label, sum(t.bytes_in) AS bytesIn, sum(t.bytes_out) AS bytesOut FROM network_raw t JOIN networks n ON n.id = t.network_id GROUP BY n.key, t.iface ORDER BY t.iface`)
        .all() as typeof perNetwork;
      perApp = db
        .prepare(`SELECT n.key, a.name AS app, sum(t.bytes_in) AS bytesIn, sum(t.bytes_out) AS bytesOut FROM network_raw t JOIN networks n ON n.id = t.network_id JOIN apps a ON a.id = t.app_id GROUP BY 1, 2`)
        .all() as typeof perApp;
      usage = db.prepare('SELECT coalesce(sum(bytes_in), 0) AS bytesIn, coalesce(sum(bytes_out), 0) AS bytesOut FROM usage_raw').get() as Row;
      ledger = storedLedgerHours(db, 0);
    } finally {
      db.close();
    }
    const mb = (n: number): string => (n / 1e6).toFixed(3);
    console.log(
      [
        `two uplinks, --sampler ${sampler} (MB in/out):`,
        ...perNetwork.map((r) => `${r.key} (${r.label}) on ${r.iface || '—'}: stored ${mb(r.bytesIn)}/${mb(r.bytesOut)}, counters ${mb(counters.get(r.iface)?.bytesIn ?? 0)}/${mb(counters.get(r.iface)?.bytesOut ?? 0)}`),
        ...perApp.map((r) => `  ${r.key} ${r.app}: ${mb(r.bytesIn)}/${mb(r.bytesOut)}`),
      ].join('\n'),
    );
  }, 120_000);

  afterAll(() => {
    net?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(skip !== null)('the metrics textfile counts each network\'s bytes: what its rows hold, within 1 %', () => {
    const counted = (key: string, direction: 'in' | 'out'): number => {
      const line = metricsText.split('\n').find((l) => l.startsWith('netmon_network_bytes_total{') && l.includes(`network="${key}"`) && l.includes(`direction="${direction}"`));
      return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const stored = new Map<string, Row>();
    for (const r of perNetwork) {
      const s = stored.get(r.key) ?? { bytesIn: 0, bytesOut: 0 };
      stored.set(r.key, { bytesIn: s.bytesIn + r.bytesIn, bytesOut: s.bytesOut + r.bytesOut });
    }
    // Both uplinks' networks (the unknown network may also show a few bytes).
    expect([...stored.keys()].filter((k) => k !== 'unknown').length).toBeGreaterThanOrEqual(2);
    for (const [key, s] of stored) {
      if (s.bytesIn + s.bytesOut < 100_000) continue;
      expect(Math.abs(counted(key, 'in') - s.bytesIn), `${key} in: textfile ${counted(key, 'in')}, stored ${s.bytesIn}`).toBeLessThanOrEqual(s.bytesIn * 0.01 + 1000);
      expect(Math.abs(counted(key, 'out') - s.bytesOut), `${key} out: textfile ${counted(key, 'out')}, stored ${s.bytesOut}`).toBeLessThanOrEqual(s.bytesOut * 0.01 + 1000);
    }
  });

  it.skipIf(skip !== null)('serve stops on SIGTERM with exit 0', () => {
    expect(serveCode, serveStderr).toBe(0);
  });

  it.skipIf(skip !== null)('two networks, each named by its gateway’s MAC, each on its own interface', () => {
    const expected = net.uplinks.map((u) => ({ key: `wired:${macOf(u.gateway, u.gatewayDevice)}`, iface: u.clientDevice }));
    expect(perNetwork.map((r) => ({ key: r.key, iface: r.iface }))).toEqual(expect.arrayContaining(expected));
    // Nothing under another network or interface but what an unknown flow could leave (none expected here).
    expect(perNetwork.filter((r) => !expected.some((e) => e.key === r.key)).reduce((n, r) => n + r.bytesIn + r.bytesOut, 0)).toBe(0);
  });

  it.skipIf(skip !== null).each([0, 1])('uplink %i: the network’s stored total equals its interface’s counters within 1 percent', (i) => {
    const u = net.uplinks[i]!;
    const stored = perNetwork.find((r) => r.iface === u.clientDevice) ?? { bytesIn: 0, bytesOut: 0 };
    const real = counters.get(u.clientDevice)!;
    expect(real.bytesIn + real.bytesOut).toBeGreaterThan(1_000_000);
    expect(Math.abs(stored.bytesIn - real.bytesIn), `in: stored ${stored.bytesIn}, counters ${real.bytesIn}`).toBeLessThanOrEqual(real.bytesIn * 0.01);
    expect(Math.abs(stored.bytesOut - real.bytesOut), `out: stored ${stored.bytesOut}, counters ${real.bytesOut}`).toBeLessThanOrEqual(real.bytesOut * 0.01);
  });

  it.skipIf(skip !== null)('each app’s bytes are on its own uplink’s network', () => {
    const keyOf = (i: number): string => `wired:${macOf(net.uplinks[i]!.gateway, net.uplinks[i]!.gatewayDevice)}`;
    const bytes = (key: string, app: string): number => perApp.filter((r) => r.key === key && r.app === app).reduce((n, r) => n + r.bytesIn + r.bytesOut, 0);
    const a = truth.get('nmupa')!;
    const b = truth.get('nmupb')!;
    expect(bytes(keyOf(0), 'nmupa')).toBeGreaterThanOrEqual(0.98 * (a.bytesReceived + a.bytesSent));
    expect(bytes(keyOf(1), 'nmupb')).toBeGreaterThanOrEqual(0.98 * (b.bytesReceived + b.bytesSent));
    expect(bytes(keyOf(1), 'nmupa')).toBe(0);
    expect(bytes(keyOf(0), 'nmupb')).toBe(0);
  });

  it.skipIf(skip !== null)('the per-network rows add up to the usage rows', () => {
    const sum = perNetwork.reduce((s, r) => ({ bytesIn: s.bytesIn + r.bytesIn, bytesOut: s.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
    expect(Math.abs(sum.bytesIn - usage.bytesIn)).toBeLessThanOrEqual(usage.bytesIn * 0.001);
    expect(Math.abs(sum.bytesOut - usage.bytesOut)).toBeLessThanOrEqual(Math.max(usage.bytesOut * 0.001, 1000));
  });

  it.skipIf(skip !== null)('the stored ledger’s physical bytes are both interfaces’ counters within 1 percent, and doctor shows its hours', () => {
    const sum = <T>(list: readonly T[], pick: (t: T) => Row): Row => list.reduce((s, t) => ({ bytesIn: s.bytesIn + pick(t).bytesIn, bytesOut: s.bytesOut + pick(t).bytesOut }), { bytesIn: 0, bytesOut: 0 });
    const physical = sum(ledger, (h) => h.physical);
    const real = sum([...counters.values()], (r) => r);
    expect(Math.abs(physical.bytesIn - real.bytesIn)).toBeLessThanOrEqual(real.bytesIn * 0.01);
    expect(Math.abs(physical.bytesOut - real.bytesOut)).toBeLessThanOrEqual(real.bytesOut * 0.01);
    expect(ledger.every((h) => !h.mismatch)).toBe(true);
    const doctor = netmon(['doctor', '--json', '--data-dir', dataDir]);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; detail: string }[] }).checks.filter((c) => c.name.startsWith('network ledger '));
    expect(checks.length).toBe(ledger.length);
    expect(checks[0]?.detail).toMatch(/^physical .*, attributed .*, overhead .*, unattributed .* \(in\/out\)$/);
  });

  it.skipIf(skip !== null)('report --by network and --by interface give the same split', () => {
    const byNetwork = netmon(['report', '--by', 'network', '--json', '--since', '1h', '--data-dir', dataDir]);
    expect(byNetwork.code, byNetwork.stderr).toBe(0);
    const rows = (JSON.parse(byNetwork.stdout) as { rows: { network: string; bytesIn: number; bytesOut: number }[] }).rows;
    for (const r of perNetwork) expect(rows.find((x) => x.network === r.key)).toMatchObject({ bytesIn: r.bytesIn, bytesOut: r.bytesOut });
    const byIface = netmon(['report', '--by', 'interface', '--json', '--since', '1h', '--data-dir', dataDir]);
    expect(byIface.code, byIface.stderr).toBe(0);
    const ifaces = (JSON.parse(byIface.stdout) as { rows: { interface: string; bytesIn: number }[] }).rows;
    for (const r of perNetwork) expect(ifaces.find((x) => x.interface === r.iface)?.bytesIn).toBe(r.bytesIn);
  });
});

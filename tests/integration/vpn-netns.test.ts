// Issue 12's proof: a real VPN between two network namespaces. Debian's openvpn (userspace, static key,
// point-to-point, /dev/net/tun, over TCP so that the unprivileged `ss` sampler sees its socket too) joins
// the client namespace to the server namespace: underlay 198.51.100.0/24 on the veth, tunnel 203.0.113.1
// ↔ 203.0.113.2 on tun0. One app moves known bytes through the tunnel, another outside it, and
// `netmon serve` (eBPF, then `ss`) runs beside them. After SIGTERM, `netmon report`:
// - each app within 2 % of what it counted at its sockets (the tunnelled one counted once, not twice);
// - openvpn only as "VPN overhead (OpenVPN)", under 15 % of the tunnelled bytes, never as an app;
// - the stored total equal to the physical veth's counters within 1 % (tun0 is never added).
// nethogs runs on the veth in the same run; its figures are written beside ours
// (tests/artifacts/vpn-netns-SAMPLER.txt), never asserted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, deviceBytes, netnsArgv, netnsSupport, type NetnsPair } from '../helpers/netns.js';
import { startApp, startPeers, type AppPlan, type AppReport } from '../helpers/netns-apps.js';
import { nethogsSupport, startNethogs, type NethogsTotal } from '../helpers/nethogs.js';
import { openvpnSupport, startOpenvpnPair, VPN_SERVER_TUNNEL } from '../helpers/openvpn.js';
import { testNode } from '../helpers/traffic.js';
import { NETMON, REPO, reportRows, startServe } from '../helpers/cli.js';

const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');
const SERVER_TUNNEL = VPN_SERVER_TUNNEL;
const SERVER = '198.51.100.1';

function support(): { ok: true } | { ok: false; reason: string } {
  const netns = netnsSupport();
  if (!netns.ok) return netns;
  const hogs = nethogsSupport();
  if (!hogs.ok) return hogs;
  return openvpnSupport();
}
const supported = support();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  bytesIn: number;
  bytesOut: number;
}
type AppRow = Row & { app: string };

const PLANS: Record<string, AppPlan> = {
  // Through the tunnel: 4 MB down and 1 MB up to the server's tunnel address.
  nmtunnel: {
    dns: SERVER,
    tasks: [
      { kind: 'tcp', address: SERVER_TUNNEL, port: 80, op: 'download', bytes: 4_000_000, paceMs: 3000 },
      { kind: 'tcp', address: SERVER_TUNNEL, port: 80, op: 'upload', bytes: 1_000_000, paceMs: 2000 },
    ],
  },
  // Beside it, on the underlay: 3 MB down.
  nmdirect: {
    dns: SERVER,
    tasks: [{ kind: 'tcp', address: SERVER, port: 80, op: 'download', bytes: 3_000_000, paceMs: 3000 }],
  },
};

describe.each(['ebpf', 'linux'])('a real VPN (openvpn, static key, tun0) with netmon serve --sampler %s', (sampler) => {
  const skip = !supported.ok ? supported.reason : sampler === 'ebpf' && !existsSync(HELPER) ? `the capture helper is not built (${HELPER})` : null;
  let pair: NetnsPair;
  let root: string;
  let dataDir: string;
  const truth = new Map<string, AppReport>();
  let apps: AppRow[] = [];
  let veth: Row = { bytesIn: 0, bytesOut: 0 };
  let tun: Row = { bytesIn: 0, bytesOut: 0 };
  let hogs = new Map<string, NethogsTotal>();
  let serveCode: number | null = null;
  let serveStderr = '';
  let doctorChecks: { name: string; detail: string }[] = [];

  beforeAll(async () => {
    if (skip !== null) return;
    pair = createNetnsPair();
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-vpn-netns-'));
    dataDir = path.join(root, 'data');
    const vpn = await startOpenvpnPair(pair, root);
    const [doctorCommand, ...doctorArgs] = netnsArgv(pair.client, [testNode(), NETMON, 'doctor', '--json', '--data-dir', path.join(root, 'none')]);
    const doctor = spawnSync(doctorCommand, doctorArgs, { encoding: 'utf8' });
    doctorChecks = (JSON.parse(doctor.stdout) as { checks: { name: string; detail: string }[] }).checks;
    const peers = await startPeers(pair.server, { tcp: [{ host: SERVER_TUNNEL, port: 80 }, { host: SERVER, port: 80 }] });
    try {
      const vethBefore = deviceBytes(pair.client, pair.clientDevice);
      const tunBefore = deviceBytes(pair.client, 'tun0');
      const nethogs = startNethogs(pair.client, pair.clientDevice);
      const served = await startServe(netnsArgv(pair.client, [testNode(), NETMON, 'serve', '--port', '0', '--sampler', sampler, '--interval', '1', '--no-open', '--data-dir', dataDir]));
      await sleep(2500);
      const running = Object.entries(PLANS).map(([name, plan]) => startApp(pair.client, name, plan));
      for (const app of running) truth.set(app.name, await app.done);
      await sleep(2500);
      serveCode = await served.stop();
      serveStderr = served.stderr();
      const vethAfter = deviceBytes(pair.client, pair.clientDevice);
      const tunAfter = deviceBytes(pair.client, 'tun0');
      veth = { bytesIn: vethAfter.bytesIn - vethBefore.bytesIn, bytesOut: vethAfter.bytesOut - vethBefore.bytesOut };
      tun = { bytesIn: tunAfter.bytesIn - tunBefore.bytesIn, bytesOut: tunAfter.bytesOut - tunBefore.bytesOut };
      hogs = await nethogs.stop();
    } finally {
      await peers.stop();
      vpn.stop();
    }
    apps = reportRows(dataDir);
    writeComparison();
  }, 120_000);

  afterAll(() => {
    pair?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  const app = (name: string): AppRow => apps.find((r) => r.app === name) ?? { app: name, bytesIn: 0, bytesOut: 0 };
  const tunnelled = (): number => (truth.get('nmtunnel')?.bytesReceived ?? 0) + (truth.get('nmtunnel')?.bytesSent ?? 0);

  function writeComparison(): void {
    const mb = (n: number | undefined): string => (n === undefined ? '—' : (n / 1e6).toFixed(3));
    const pct = (m: number, t: number): string => (t === 0 ? '—' : `${((100 * Math.abs(m - t)) / t).toFixed(2)}%`);
    const lines = [
      `netmon serve --sampler ${sampler} with openvpn (tcp, static key) vs nethogs ${new Date().toISOString()} (MB = 10^6 bytes; in/out)`,
      `veth ${mb(veth.bytesIn)}/${mb(veth.bytesOut)}, tun0 ${mb(tun.bytesIn)}/${mb(tun.bytesOut)}`,
    ];
    for (const [name, counted] of truth) {
      const ours = app(name);
      const theirs = hogs.get(name);
      lines.push(
        `${name.padEnd(10)} truth ${mb(counted.bytesReceived)}/${mb(counted.bytesSent)} | netmon ${mb(ours.bytesIn)}/${mb(ours.bytesOut)} (${pct(ours.bytesIn, counted.bytesReceived)}, ${pct(ours.bytesOut, counted.bytesSent)}) | nethogs ${mb(theirs?.bytesReceived)}/${mb(theirs?.bytesSent)}${theirs === undefined ? '' : ` (${pct(theirs.bytesReceived, counted.bytesReceived)}, ${pct(theirs.bytesSent, counted.bytesSent)})`}`,
      );
    }
    for (const row of apps) if (!truth.has(row.app)) lines.push(`netmon row ${row.app}: ${mb(row.bytesIn)}/${mb(row.bytesOut)}`);
    for (const [name, theirs] of hogs) if (!truth.has(name)) lines.push(`nethogs row ${name}: ${mb(theirs.bytesReceived)}/${mb(theirs.bytesSent)}`);
    const stored = apps.reduce((s, r) => ({ bytesIn: s.bytesIn + r.bytesIn, bytesOut: s.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
    lines.push(`stored total ${mb(stored.bytesIn)}/${mb(stored.bytesOut)} vs veth ${mb(veth.bytesIn)}/${mb(veth.bytesOut)} (${pct(stored.bytesIn, veth.bytesIn)}, ${pct(stored.bytesOut, veth.bytesOut)})`);
    const overhead = app('VPN overhead (OpenVPN)');
    lines.push(`VPN overhead (OpenVPN) ${mb(overhead.bytesIn)}/${mb(overhead.bytesOut)} = ${((100 * (overhead.bytesIn + overhead.bytesOut)) / Math.max(1, tunnelled())).toFixed(2)}% of the tunnelled bytes`);
    const text = `${lines.join('\n')}\n`;
    const artifact = path.join(REPO, 'tests', 'artifacts', `vpn-netns-${sampler}.txt`);
    mkdirSync(path.dirname(artifact), { recursive: true });
    writeFileSync(artifact, text);
    console.log(text);
  }

  it.skipIf(skip !== null)('doctor, run in the client namespace, sees the tunnel and its provider', () => {
    const detail = (name: string): string => doctorChecks.find((c) => c.name === name)?.detail ?? '';
    expect(detail('network interfaces')).toContain(`physical (the network total): ${pair.clientDevice}`);
    expect(detail('tunnels')).toMatch(/^tun0: /);
    expect(detail('tunnel and proxy providers')).toMatch(/^OpenVPN \(openvpn \d+\)/);
  });

  it.skipIf(skip !== null)('serve stops on SIGTERM with exit 0', () => {
    expect(serveCode, serveStderr).toBe(0);
  });

  it.skipIf(skip !== null).each(['nmtunnel', 'nmdirect'])('%s: within 2 percent of what it counted, in and out (the tunnelled one once)', (name) => {
    const counted = truth.get(name);
    expect(counted).toBeDefined();
    const row = app(name);
    const within = (m: number, t: number, what: string): void => {
      expect(Math.abs(m - t), `${what}: netmon ${m}, ground truth ${t}`).toBeLessThanOrEqual(Math.max(t * 0.02, counted?.connections ?? 0));
    };
    within(row.bytesIn, counted?.bytesReceived ?? NaN, `${name} in`);
    within(row.bytesOut, counted?.bytesSent ?? NaN, `${name} out`);
  });

  it.skipIf(skip !== null)('openvpn shows only as its overhead, under 15 percent of the tunnelled bytes', () => {
    expect(apps.map((r) => r.app)).not.toContain('openvpn');
    const overhead = app('VPN overhead (OpenVPN)');
    expect(overhead.bytesIn + overhead.bytesOut).toBeGreaterThan(0);
    expect(overhead.bytesIn + overhead.bytesOut).toBeLessThan(0.15 * tunnelled());
  });

  it.skipIf(skip !== null)('the stored total equals the physical veth’s counters within 1 percent (tun0 never added)', () => {
    const stored = apps.reduce((s, r) => ({ bytesIn: s.bytesIn + r.bytesIn, bytesOut: s.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
    expect(Math.abs(stored.bytesIn - veth.bytesIn)).toBeLessThanOrEqual(veth.bytesIn * 0.01);
    expect(Math.abs(stored.bytesOut - veth.bytesOut)).toBeLessThanOrEqual(veth.bytesOut * 0.01);
    // The doubled figure it must not be: veth + tun0.
    expect(stored.bytesIn).toBeLessThan(veth.bytesIn + tun.bytesIn * 0.5);
  });
});

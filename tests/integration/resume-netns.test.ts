// Crash-consistent accounting on real traffic: `netmon serve` runs in a client namespace while one
// process uploads at a steady pace (1 MB/s, 20 MB); serve is killed with SIGKILL in the middle and
// started again at once. The first run's last flush stored its baselines; the second run counts from
// them. Afterwards the stored total must equal the client interface's counters over the whole run
// within 1 %, and the paced process's bytes what it counted itself within 2 %: with the unprivileged
// `ss` sampler and with the eBPF capture (whose new helper counts from zero: the kernel's socket
// counters carry the killed run's share). A further restart without traffic adds nothing to the app.
//
// Needs root and `ip netns`; the eBPF run also the built helper (npm run build:helper). Skipped with the
// reason otherwise.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetnsPair, interfaceBytes, netnsArgv, netnsSupport, type NetnsPair } from '../helpers/netns.js';
import { startTraffic, startTrafficServer, testNode, type TrafficReport, type TrafficServer } from '../helpers/traffic.js';
import { NETMON, REPO, reportRows, startServe, type ReportRow, type Served } from '../helpers/cli.js';

const support = netnsSupport();
const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function stored(dataDir: string): { rows: ReportRow[]; total: number } {
  const rows = reportRows(dataDir);
  return { rows, total: rows.reduce((sum, r) => sum + r.bytesIn + r.bytesOut, 0) };
}

const samplers = [
  { name: 'linux', skip: support.ok ? null : support.reason },
  { name: 'ebpf', skip: !support.ok ? support.reason : existsSync(HELPER) ? null : `the capture helper is not built (${HELPER})` },
];

describe.each(samplers)('kill -9 of serve mid-flow, sampler $name', ({ name: sampler, skip }) => {
  let pair: NetnsPair;
  let server: TrafficServer;
  let root: string;
  let dataDir: string;
  let truth: TrafficReport;
  let iface = 0;
  let first: { rows: ReportRow[]; total: number };
  let again: { rows: ReportRow[]; total: number };
  let ifaceAgain = 0;
  let restartedStderr = '';
  // When (ms after the upload started) serve was killed, the restarted one served, and the upload ended.
  const at = { killed: 0, restarted: 0, uploadEnded: 0 };

  const serve = (): Promise<Served> =>
    startServe(netnsArgv(pair.client, [testNode(), NETMON, 'serve', '--port', '0', '--no-open', '--sampler', sampler, '--interval', '1', '--data-dir', dataDir, '--helper-path', HELPER]));

  beforeAll(async () => {
    if (skip !== null) return;
    pair = createNetnsPair();
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-resume-netns-'));
    dataDir = path.join(root, 'data');
    server = await startTrafficServer(pair.server, { host: pair.serverAddress, port: 9000 });
    const before = interfaceBytes(pair.client);
    const one = await serve();
    await sleep(2500);
    const upload = startTraffic(pair.client, { name: 'nmpaced', mode: 'upload', host: pair.serverAddress, port: 9000, bytes: 20_000_000, paceMs: 20_000 });
    const started = Date.now();
    await sleep(8000);
    one.child.kill('SIGKILL');
    await new Promise((resolve) => one.child.once('exit', resolve));
    at.killed = Date.now() - started;
    const two = await serve();
    at.restarted = Date.now() - started;
    restartedStderr = two.stderr();
    truth = await upload.done;
    at.uploadEnded = Date.now() - started;
    await sleep(2500);
    expect(await two.stop(), two.stderr()).toBe(0);
    const after = interfaceBytes(pair.client);
    iface = after.bytesIn - before.bytesIn + (after.bytesOut - before.bytesOut);
    first = stored(dataDir);
    // Once more, with no traffic of the app's: nothing is added to it.
    const three = await serve();
    await sleep(3000);
    expect(await three.stop(), three.stderr()).toBe(0);
    const last = interfaceBytes(pair.client);
    ifaceAgain = last.bytesIn - before.bytesIn + (last.bytesOut - before.bytesOut);
    again = stored(dataDir);
    const row = first.rows.find((r) => r.app === 'nmpaced');
    const unattributed = first.rows.find((r) => r.app === '(unattributed)');
    console.log(
      `resume-netns ${sampler}: nmpaced stored out ${row?.bytesOut ?? 0} of ${truth.bytesSent} sent, unattributed out ${unattributed?.bytesOut ?? 0}; ms after the upload began: serve killed ${at.killed}, restarted serve serving ${at.restarted}, upload ended ${at.uploadEnded}`,
    );
  }, 120_000);

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    pair?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(skip !== null)(`the restarted serve resumed from the killed one's baselines${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
    expect(restartedStderr).toMatch(/resumed from the last run's counters/);
  });

  it.skipIf(skip !== null)('the stored total equals the interface counters within 1 %', () => {
    expect(Math.abs(first.total - iface), `stored ${first.total}, interface ${iface}`).toBeLessThanOrEqual(iface * 0.01);
  });

  it.skipIf(skip !== null)('the paced upload is within 2 % of what the process sent', () => {
    const row = first.rows.find((r) => r.app === 'nmpaced') ?? { app: 'nmpaced', bytesIn: 0, bytesOut: 0 };
    const unattributed = first.rows.find((r) => r.app === '(unattributed)');
    expect(
      Math.abs(row.bytesOut - truth.bytesSent),
      `stored ${row.bytesOut}, sent ${truth.bytesSent}, unattributed out ${unattributed?.bytesOut ?? 0}; ms after the upload began: serve killed ${at.killed}, restarted serve serving ${at.restarted}, upload ended ${at.uploadEnded}`,
    ).toBeLessThanOrEqual(truth.bytesSent * 0.02);
  });

  it.skipIf(skip !== null)('a restart without new traffic adds nothing to the app, and the total still follows the interface', () => {
    const before = first.rows.find((r) => r.app === 'nmpaced');
    const after = again.rows.find((r) => r.app === 'nmpaced');
    expect(after).toEqual(before);
    expect(Math.abs(again.total - ifaceAgain)).toBeLessThanOrEqual(ifaceAgain * 0.01);
  });
});

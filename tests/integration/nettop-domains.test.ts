// The browser extension's IP join on nettop's connection rows (issue 12 item 2): per-site bytes on macOS
// exact, as on Linux. The real NettopSampler (per connection, its default) runs the fake nettop replaying
// a stream written in the exact format of the real per-connection captures (shared/fixtures/nettop,
// capture 2: `time,,interface,state,bytes_in,bytes_out,`, process rows `name.pid` with empty interface and
// state, then their connection rows, tcp6 ports after a dot), through the real Monitor, DomainTracker and
// store in a temp folder. The extension's report is what Chrome's extension sends: each host with the
// server address webRequest gave (`ip`). Expected bytes are worked out by hand from the stream below.
//
// Google Chrome's network process (`Google Chrome H`, nettop's 15-character cut of "Google Chrome Helper"):
//   frame 1 (the baseline: counts nothing)   row 10 000/2 000; a (203.0.113.10) 6 000/1 200;
//                                             b (2001:db8:1::20) 3 000/600; mDNS socket empty
//   frame 2: a +40 000/+2 000, b +25 000/+1 000, a new QUIC connection c (203.0.113.11) 8 000/500, and
//            3 000/300 on sockets nettop does not list (the row minus its connections)
//   frame 3: a +10 000/+500, c +2 000/+100
// So after the baseline: a.test 50 000/2 500, b.test 25 000/1 000, c.test 10 000/600, all joined by address
// (exact), and 3 000/300 without an address, placed by what the browser fetched (estimated); Chrome's total
// 88 000/4 400 = its row's growth (98 000 − 10 000 / 6 400 − 2 000). curl (not a browser) +1 500/+100.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainTracker } from '../../src-main/engine/domains/extension/tracker.js';
import { Monitor } from '../../src-main/engine/monitor.js';
import { NettopSampler } from '../../src-main/engine/samplers/nettop/sampler.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import type { Sample } from '../../src-main/engine/types.js';
import { domainUsageMismatches } from '../helpers/invariants.js';
import { FAKE_NETTOP_OPTIONS, FAKE_NETTOP_TIMING, tempDir, waitFor } from '../helpers/nettop.js';

const A = 'tcp4 198.51.100.7:50001<->203.0.113.10:443';
const B = 'tcp6 2001:db8::5.50010<->2001:db8:1::20.443';
const C = 'quic4 198.51.100.7:50020<->203.0.113.11:443';
const MDNS = 'udp4 *:5353<->*:*';
const CURL = 'tcp4 198.51.100.7:50100<->203.0.113.30:443';

/** One process row and its connection rows: [label, interface, state, bytes in, bytes out] ('' = empty). */
type Row = [string, string, string, number | '', number | ''];

const FRAMES: Row[][] = [
  [
    ['Google Chrome H.74297', '', '', 10_000, 2_000],
    [A, 'en0', 'Established', 6_000, 1_200],
    [B, 'en0', 'Established', 3_000, 600],
    [MDNS, 'en0', '', '', ''],
    ['curl.9001', '', '', 500, 50],
    [CURL, 'en0', 'Established', 500, 50],
  ],
  [
    ['Google Chrome H.74297', '', '', 86_000, 5_800],
    [A, 'en0', 'Established', 46_000, 3_200],
    [B, 'en0', 'Established', 28_000, 1_600],
    [MDNS, 'en0', '', '', ''],
    [C, 'en0', '', 8_000, 500],
    ['curl.9001', '', '', 2_000, 150],
    [CURL, 'en0', 'Established', 2_000, 150],
  ],
  [
    ['Google Chrome H.74297', '', '', 98_000, 6_400],
    [A, 'en0', 'Established', 56_000, 3_700],
    [B, 'en0', 'Established', 28_000, 1_600],
    [MDNS, 'en0', '', '', ''],
    [C, 'en0', '', 10_000, 600],
    ['curl.9001', '', '', 2_000, 150],
    [CURL, 'en0', 'Established', 2_000, 150],
  ],
];

/** The frames as nettop prints them (cumulative; the fake turns them into -d differences). */
function writeStream(dir: string): string {
  const file = path.join(dir, 'chrome.csv');
  const lines = FRAMES.flatMap((rows, i) => [
    'time,,interface,state,bytes_in,bytes_out,',
    ...rows.map(([label, iface, state, bytesIn, bytesOut], j) => `10:00:0${i * 5}.${String(358_000 + j).padStart(6, '0')},${label},${iface},${state},${bytesIn},${bytesOut},`),
  ]);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const run: { monitor: Monitor; store: Store }[] = [];

afterEach(async () => {
  for (const r of run.splice(0)) {
    await r.monitor.stop();
    r.store.close();
  }
});

interface DomainRow {
  app: string;
  domain: string;
  estimate: number;
  i: number;
  o: number;
}

/** Runs the stream through the sampler and monitor with the extension's report; the stored domain rows. */
async function replay(perConnection: boolean): Promise<{ rows: DomainRow[]; usage: Record<string, [number, number]>; mismatches: number; samples: Sample[] }> {
  const dir = tempDir();
  const store = openStore({ dataDir: path.join(dir, 'data') });
  const tracker = new DomainTracker({ platform: 'darwin' });
  const nettop = new NettopSampler({ ...FAKE_NETTOP_OPTIONS, perConnection, env: { FAKE_NETTOP_SCRIPT: writeStream(dir) }, timing: FAKE_NETTOP_TIMING });
  const samples: Sample[] = [];
  const sampler = { name: nettop.name, start: (on: (s: Sample) => void) => nettop.start((s) => (samples.push(s), on(s))), stop: () => nettop.stop(), health: () => nettop.health() };
  const monitor = new Monitor({ store, sampler, platform: 'darwin', intervalMs: 200, flushIntervalMs: 3_600_000, domains: tracker });
  run.push({ monitor, store });
  // What Chrome's extension reports: each host with the address it fetched from (and what it counted).
  const now = Date.now();
  tracker.noteBytes(
    'chrome',
    [
      { hostname: 'video.a.test', domain: 'a.test', ip: '203.0.113.10', bytesIn: 50_000, bytesOut: 2_500, estimate: true },
      { hostname: 'cdn.b.test', domain: 'b.test', ip: '2001:db8:1::20', bytesIn: 25_000, bytesOut: 1_000, estimate: true },
      { hostname: 'www.c.test', domain: 'c.test', ip: '203.0.113.11', bytesIn: 10_000, bytesOut: 600, estimate: true },
    ],
    now - 1_000,
    now + 30_000,
  );
  monitor.start();
  // The baseline, both frames, and repeats of the last (zero differences).
  await waitFor('the frames and two repeats', () => samples.length >= 5);
  await monitor.stop();
  run.splice(0);
  const rows = store.db
    .prepare(
      `SELECT a.name AS app, d.name AS domain, r.estimate AS estimate, sum(r.bytes_in) AS i, sum(r.bytes_out) AS o FROM domain_raw r
         JOIN apps a ON a.id = r.app_id JOIN domains d ON d.id = r.domain_id GROUP BY 1, 2, 3 ORDER BY 1, 3, 2`,
    )
    .all() as DomainRow[];
  const usage = Object.fromEntries(
    (store.db.prepare('SELECT a.name AS app, sum(u.bytes_in) AS i, sum(u.bytes_out) AS o FROM usage_raw u JOIN apps a ON a.id = u.app_id GROUP BY 1').all() as { app: string; i: number; o: number }[]).map((r) => [r.app, [r.i, r.o]]),
  ) as Record<string, [number, number]>;
  const mismatches = domainUsageMismatches(store.db, { app: 'Google Chrome' }).length;
  store.close();
  return { rows, usage, mismatches, samples };
}

describe('the extension IP join on nettop connection rows (macOS)', () => {
  it('per connection: each site joined by (browser process, server address, time) is exact; the rest estimated', async () => {
    const { rows, usage, mismatches, samples } = await replay(true);
    // The connection flows carry what the join needs: the browser process and the server address.
    const chromeFlows = (samples[1] as Sample).flows.filter((f) => f.owner?.pid === 74297 && f.remote !== undefined);
    expect(chromeFlows.map((f) => [f.owner?.name, f.remote?.address]).sort()).toEqual([
      ['Google Chrome H', '2001:db8:1::20'],
      ['Google Chrome H', '203.0.113.10'],
      ['Google Chrome H', '203.0.113.11'],
    ]);
    const chrome = rows.filter((r) => r.app === 'Google Chrome');
    expect(chrome.filter((r) => r.estimate === 0)).toEqual([
      { app: 'Google Chrome', domain: 'a.test', estimate: 0, i: 50_000, o: 2_500 },
      { app: 'Google Chrome', domain: 'b.test', estimate: 0, i: 25_000, o: 1_000 },
      { app: 'Google Chrome', domain: 'c.test', estimate: 0, i: 10_000, o: 600 },
    ]);
    // The sockets nettop does not list: no address, so placed by what the browser fetched, and labelled so.
    const estimated = chrome.filter((r) => r.estimate === 1);
    expect(estimated.length).toBeGreaterThan(0);
    expect([estimated.reduce((n, r) => n + r.i, 0), estimated.reduce((n, r) => n + r.o, 0)]).toEqual([3_000, 300]);
    // Chrome's bytes are its process row's growth, once; its domain rows add up to its usage rows.
    expect(usage['Google Chrome']).toEqual([88_000, 4_400]);
    expect(usage['curl']).toEqual([1_500, 100]);
    expect(mismatches).toBe(0);
    // Only browsers get domain rows.
    expect(rows.some((r) => r.app === 'curl')).toBe(false);
  });

  it('per process (-P): the same bytes, but no address to join, so every site is an estimate', async () => {
    const { rows, usage, mismatches } = await replay(false);
    const chrome = rows.filter((r) => r.app === 'Google Chrome');
    expect(chrome.filter((r) => r.estimate === 0)).toEqual([]);
    expect([chrome.reduce((n, r) => n + r.i, 0), chrome.reduce((n, r) => n + r.o, 0)]).toEqual([88_000, 4_400]);
    expect(usage['Google Chrome']).toEqual([88_000, 4_400]);
    expect(mismatches).toBe(0);
  });
});

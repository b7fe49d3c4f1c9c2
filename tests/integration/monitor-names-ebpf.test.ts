// The flow namer on real packets: the real eBPF sampler (netmon-capture, measuring a client network
// namespace) feeds the real Monitor and store while one app in that namespace resolves names through a
// DNS server in the server namespace and moves bytes over TLS to two names, over plain TCP to a name
// only DNS gives, and over UDP to a QUIC server named only by the Initials it sends first (no DNS). Per app, the domain rows must add up exactly to its usage rows, and each registrable
// domain must hold what the app itself counted at its sockets for that name (within 2 %, or a byte per
// connection). Needs root, `ip netns`, openssl and the built helper; skipped otherwise.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src-main/engine/monitor.js';
import { EbpfSampler } from '../../src-main/engine/samplers/ebpf/sampler.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import { createNetnsPair, execInNetns, netnsSupport, type NetnsPair } from '../helpers/netns.js';
import { makeTestCert, startApp, startPeers, type AppReport } from '../helpers/netns-apps.js';
import { firstFlight } from '../helpers/quic-initial.js';
import { clientHelloMessage } from '../helpers/tls-hello.js';
import { REPO } from '../helpers/cli.js';

const HELPER = path.join(REPO, 'dist', 'helper', 'netmon-capture');

function support(): { ok: true } | { ok: false; reason: string } {
  const netns = netnsSupport();
  if (!netns.ok) return netns;
  if (!existsSync(HELPER)) return { ok: false, reason: `the capture helper is not built (${HELPER}: npm run build:helper)` };
  return { ok: true };
}
const supported = support();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const DNS = '198.51.100.1';
const VIDEO = '198.51.100.13';
const WWW = '198.51.100.14';
const FILES = '198.51.100.15';
const QUIC = '198.51.100.16';
const APP = 'nmnamer';

type Row = { app: string; domain: string; i: number; o: number };

describe.skipIf(!supported.ok)(`packet naming through the real eBPF sampler and monitor${supported.ok ? '' : ` (skipped: ${supported.reason})`}`, () => {
  let pair: NetnsPair;
  let root: string;
  let store: Store;
  let report: AppReport;
  let rows: Row[] = [];
  let mismatches: unknown[] = [];

  beforeAll(async () => {
    pair = createNetnsPair();
    for (const address of [VIDEO, WWW, FILES, QUIC]) execInNetns(pair.server, ['ip', 'addr', 'add', `${address}/24`, 'dev', pair.serverDevice]);
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-names-ebpf-'));
    const cert = makeTestCert(root, ['video.a.test', 'www.b.test']);
    // A QUIC v1 client's first flight naming media.e.test: two protected Initials, CRYPTO frames scrambled.
    const quicPackets = path.join(root, 'quic-initials.hex');
    const flight = firstFlight({ dcid: randomBytes(8), scid: randomBytes(8), crypto: clientHelloMessage({ sni: 'media.e.test', bigKeyShare: 1216 }), packets: 2, scramble: true });
    writeFileSync(quicPackets, `${flight.map((p) => Buffer.from(p).toString('hex')).join('\n')}\n`);
    const peers = await startPeers(pair.server, {
      dns: { host: DNS, records: { 'video.a.test': VIDEO, 'www.b.test': WWW, 'files.d.test': FILES } },
      tls: [VIDEO, WWW].map((host) => ({ host, port: 443 })),
      tcp: [{ host: FILES, port: 80 }],
      udp: [{ host: QUIC, port: 443 }],
      cert: cert.cert,
      key: cert.key,
    });
    store = openStore({ dataDir: path.join(root, 'data') });
    const sampler = new EbpfSampler({ helperPath: HELPER, launcher: ['nsenter', `--net=/run/netns/${pair.client}`], intervalMs: 1000 });
    const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 1000, flushIntervalMs: 3_600_000 });
    try {
      monitor.start();
      await sleep(2500);
      report = await startApp(pair.client, APP, {
        dns: DNS,
        ca: cert.cert,
        tasks: [
          { kind: 'tcp', tls: true, name: 'video.a.test', port: 443, op: 'download', bytes: 400_000, connections: 2, parallel: 2, paceMs: 500 },
          { kind: 'tcp', tls: true, name: 'www.b.test', port: 443, op: 'upload', bytes: 200_000, paceMs: 500 },
          { kind: 'tcp', name: 'files.d.test', port: 80, op: 'download', bytes: 100_000, connections: 3, parallel: 1, paceMs: 200 },
          { kind: 'udp', address: QUIC, port: 443, quicPackets, connected: true, count: 100, size: 1000, reply: 1200, batch: 10, gapMs: 10 },
        ],
      }).done;
      await sleep(2500);
      await monitor.stop();
    } finally {
      await peers.stop();
    }
    rows = store.db
      .prepare(
        `SELECT a.name AS app, d.name AS domain, sum(r.bytes_in) AS i, sum(r.bytes_out) AS o FROM domain_raw r
           JOIN apps a ON a.id = r.app_id JOIN domains d ON d.id = r.domain_id GROUP BY a.name, d.name ORDER BY a.name, d.name`,
      )
      .all() as Row[];
    mismatches = store.db
      .prepare(
        `WITH u AS (SELECT ts, app_id, sum(bytes_in) AS i, sum(bytes_out) AS o FROM usage_raw GROUP BY ts, app_id),
              d AS (SELECT ts, app_id, sum(bytes_in) AS i, sum(bytes_out) AS o FROM domain_raw GROUP BY ts, app_id)
         SELECT u.ts, u.app_id, u.i, u.o, d.i AS di, d.o AS do FROM u LEFT JOIN d USING (ts, app_id)
          WHERE d.i IS NULL OR d.i != u.i OR d.o != u.o
         UNION ALL
         SELECT d.ts, d.app_id, NULL, NULL, d.i, d.o FROM d LEFT JOIN u USING (ts, app_id) WHERE u.i IS NULL`,
      )
      .all();
  }, 90_000);

  afterAll(() => {
    store?.close();
    pair?.destroy();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('per app and interval, the domain rows add up exactly to the usage rows', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });

  it('each name\'s bytes land under its registrable domain: SNI for TLS and QUIC, the DNS answer for plain TCP', () => {
    const task = (name: string): { sent: number; received: number; connections: number } => {
      const t = report.tasks.filter((x) => x.name === name || (name === 'media.e.test' && x.address === QUIC));
      return { sent: t.reduce((s, x) => s + x.bytesSent, 0), received: t.reduce((s, x) => s + x.bytesReceived, 0), connections: t.reduce((s, x) => s + x.connections, 0) };
    };
    const mine = (domain: string): Row => rows.find((r) => r.app === APP && r.domain === domain) ?? { app: APP, domain, i: 0, o: 0 };
    for (const [name, domain] of [
      ['video.a.test', 'a.test'],
      ['www.b.test', 'b.test'],
      ['files.d.test', 'd.test'],
      ['media.e.test', 'e.test'],
    ] as const) {
      const truth = task(name);
      const got = mine(domain);
      const slack = (n: number): number => Math.max(n * 0.02, truth.connections);
      expect(Math.abs(got.i - truth.received), `${domain} in: ${got.i} vs ${truth.received}`).toBeLessThanOrEqual(slack(truth.received));
      expect(Math.abs(got.o - truth.sent), `${domain} out: ${got.o} vs ${truth.sent}`).toBeLessThanOrEqual(slack(truth.sent));
    }
    // What no packet named (the app's DNS queries themselves) is under (unattributed), never dropped.
    const unplaced = mine('(unattributed)');
    expect(Math.abs(unplaced.i - report.dns.received)).toBeLessThanOrEqual(Math.max(report.dns.received * 0.02, report.dns.queries));
    expect(Math.abs(unplaced.o - report.dns.sent)).toBeLessThanOrEqual(Math.max(report.dns.sent * 0.02, report.dns.queries));
  });
});

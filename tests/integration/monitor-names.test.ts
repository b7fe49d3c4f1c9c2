// Domains for every app from the privileged sampler's packets: a scripted sampler sends samples with
// payloads holding real packet bytes (ClientHellos built by tests/helpers/tls-hello.ts, DNS answers
// encoded by hand below), through the real Monitor (real sniffer, loaded lazily as in `serve`) into a
// real store in a temp folder. The rows are read back with plain SQL; the expected bytes are summed
// by hand from the script.
import { describe, expect, it } from 'vitest';
import { createStoreQueries } from '../../src-main/api/store-queries.js';
import { main } from '../../src-main/cli/main.js';
import { DomainTracker } from '../../src-main/engine/domains/extension/tracker.js';
import { Monitor } from '../../src-main/engine/monitor.js';
import { totalsByDomain } from '../../src-main/engine/queries/index.js';
import { openStore, type Store } from '../../src-main/engine/store/index.js';
import type { Clock, FlowCounter, PayloadEvent, ProcessInfo, Sample } from '../../src-main/engine/types.js';
import { clientHelloStream } from '../helpers/tls-hello.js';
import { tempDataDir } from '../helpers/store.js';
import { ScriptedSampler } from '../helpers/scripted-sampler.js';
import { domainUsageMismatches } from '../helpers/invariants.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const T0_S = T0 / 1000;

const curl: ProcessInfo = { pid: 10, name: 'curl', path: '/usr/bin/curl' };
const wget: ProcessInfo = { pid: 11, name: 'wget', path: '/usr/bin/wget' };
const firefox: ProcessInfo = { pid: 20, name: 'firefox-esr', path: '/usr/lib/firefox-esr/firefox-esr' };

function tcp(id: string, owner: ProcessInfo, address: string, bytesIn: number, bytesOut: number, fresh = false): FlowCounter {
  return { id, owner, remote: { protocol: 'tcp4', address, port: 443 }, bytesIn, bytesOut, newSincePrevious: fresh };
}

function udp(id: string, owner: ProcessInfo, address: string, port: number, bytesIn: number, bytesOut: number, fresh = false): FlowCounter {
  return { id, owner, remote: { protocol: 'udp4', address, port }, bytesIn, bytesOut, newSincePrevious: fresh };
}

/** A DNS response (RFC 1035 §4.1) to one A question, with one A answer pointing back at the question's name. */
function dnsAnswer(name: string, address: string, ttlS: number): Uint8Array {
  const bytes: number[] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
  for (const label of name.split('.')) bytes.push(label.length, ...Buffer.from(label, 'ascii'));
  bytes.push(0, 0, 1, 0, 1);
  // Answer: name = pointer to offset 12 (the question's), type A, class IN, TTL, RDLENGTH 4, the address.
  bytes.push(0xc0, 0x0c, 0, 1, 0, 1, (ttlS >>> 24) & 0xff, (ttlS >>> 16) & 0xff, (ttlS >>> 8) & 0xff, ttlS & 0xff, 0, 4);
  bytes.push(...address.split('.').map(Number));
  return Uint8Array.from(bytes);
}

function hello(flowId: string, address: string, sni: string, wallMs: number): PayloadEvent {
  const bytes = clientHelloStream({ sni });
  return { flowId, wallMs, direction: 'out', protocol: 'tcp', remote: { address, port: 443 }, tcpSeq: 1000, bytes, truncated: false };
}

function answer(flowId: string, name: string, address: string, wallMs: number): PayloadEvent {
  return { flowId, wallMs, direction: 'in', protocol: 'udp', remote: { address: '198.51.100.53', port: 53 }, bytes: dnsAnswer(name, address, 300), truncated: false };
}

const DNS_FLOW = 'd1/198.51.100.53/53';

/**
 * The script. Sample 0 is the baseline (nothing). Sample 1 (10:00:05): curl's c1 to .10 (ClientHello
 * video.a.test) 50 000/1 000; c2 to .11, named by the DNS answer cdn.a.test → .11, 20 000/500; the DNS
 * flow 120/40; wget's w1 (no name) 7 000/300; Firefox's f1 (ClientHello www.b.test) 30 000/2 000 and
 * f2 to .21 (no name) 9 000/900; 1 000/100 more on the interface than the flows.
 * Sample 2 (10:00:10): c1 +30 000/+500; c2 closes at 25 000/600 (+5 000/+100); .11 is answered again,
 * now for other.c.test, and a new c3 to .11 moves 4 000/100; the DNS flow +120/+40; the interface
 * exactly the flows.
 */
function script(): Sample[] {
  const s0: Sample = { wallMs: T0, monoMs: 1_000_000, mode: 'cumulative', flows: [], closed: [], iface: { bytesIn: 0, bytesOut: 0 }, payloads: [] };
  const at1 = T0 + 5000;
  const s1: Sample = {
    wallMs: at1,
    monoMs: 1_005_000,
    mode: 'cumulative',
    flows: [
      tcp('c1', curl, '203.0.113.10', 50_000, 1_000, true),
      tcp('c2', curl, '203.0.113.11', 20_000, 500, true),
      udp(DNS_FLOW, curl, '198.51.100.53', 53, 120, 40, true),
      tcp('w1', wget, '203.0.113.12', 7_000, 300, true),
      tcp('f1', firefox, '203.0.113.20', 30_000, 2_000, true),
      udp('f2/203.0.113.21/443', firefox, '203.0.113.21', 443, 9_000, 900, true),
    ],
    closed: [],
    // Flows 116 120/4 740, plus 1 000/100 nobody claims.
    iface: { bytesIn: 117_120, bytesOut: 4_840 },
    payloads: [answer(DNS_FLOW, 'cdn.a.test', '203.0.113.11', at1 - 4000), hello('c1', '203.0.113.10', 'video.a.test', at1 - 3000), hello('f1', '203.0.113.20', 'www.b.test', at1 - 2000)],
  };
  const at2 = T0 + 10_000;
  const s2: Sample = {
    wallMs: at2,
    monoMs: 1_010_000,
    mode: 'cumulative',
    flows: [
      tcp('c1', curl, '203.0.113.10', 80_000, 1_500),
      tcp('c3', curl, '203.0.113.11', 4_000, 100, true),
      udp(DNS_FLOW, curl, '198.51.100.53', 53, 240, 80),
      tcp('w1', wget, '203.0.113.12', 7_000, 300),
      tcp('f1', firefox, '203.0.113.20', 30_000, 2_000),
      udp('f2/203.0.113.21/443', firefox, '203.0.113.21', 443, 9_000, 900),
    ],
    closed: [tcp('c2', curl, '203.0.113.11', 25_000, 600)],
    // Flows +39 120/+740.
    iface: { bytesIn: 156_240, bytesOut: 5_580 },
    payloads: [answer(DNS_FLOW, 'other.c.test', '203.0.113.11', at2 - 4000)],
  };
  return [s0, s1, s2];
}

interface Setup {
  store: Store;
  sampler: ScriptedSampler;
  monitor: Monitor;
  dataDir: string;
  tracker: DomainTracker | undefined;
}

function setup(options: { rollup: boolean; tracker: boolean }): Setup {
  const dataDir = tempDataDir();
  const nowMs = T0 + 10_000;
  const clock: Clock = { now: () => nowMs, mono: () => nowMs };
  const store = openStore({ dataDir, clock });
  const sampler = new ScriptedSampler();
  const tracker = options.tracker ? new DomainTracker({ platform: 'linux', rollup: options.rollup }) : undefined;
  const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 5000, clock, flushIntervalMs: 3_600_000, domains: tracker, domainRollup: options.rollup });
  return { store, sampler, monitor, dataDir, tracker };
}

type Row = { app: string; domain: string; i: number; o: number };

function domainRows(store: Store): Row[] {
  return store.db
    .prepare(
      `SELECT a.name AS app, d.name AS domain, sum(r.bytes_in) AS i, sum(r.bytes_out) AS o FROM domain_raw r
         JOIN apps a ON a.id = r.app_id JOIN domains d ON d.id = r.domain_id GROUP BY a.name, d.name ORDER BY a.name, d.name`,
    )
    .all() as Row[];
}

async function run(s: Setup): Promise<void> {
  s.monitor.start();
  for (const sample of script()) s.sampler.push(sample);
  await s.monitor.stop();
}

describe('domain rows for every app from the packets', () => {
  it('names roll up to registrable domains; the rest of each app is unattributed; per app and interval the domain rows equal the usage rows', async () => {
    const s = setup({ rollup: true, tracker: true });
    try {
      await run(s);
      expect(domainRows(s.store)).toEqual([
        // The interface's 1 000/100 nobody claimed.
        { app: '(unattributed)', domain: '(unattributed)', i: 1_000, o: 100 },
        // www.b.test by its ClientHello; f2 named by nothing and no extension live: unattributed.
        { app: 'Firefox', domain: '(unattributed)', i: 9_000, o: 900 },
        { app: 'Firefox', domain: 'b.test', i: 30_000, o: 2_000 },
        // The DNS flow itself: 240/80.
        { app: 'curl', domain: '(unattributed)', i: 240, o: 80 },
        // c1 (video.a.test) 80 000/1 500 + c2 (cdn.a.test, kept although .11 was answered again) 25 000/600.
        { app: 'curl', domain: 'a.test', i: 105_000, o: 2_100 },
        // c3, opened after .11 was answered for other.c.test.
        { app: 'curl', domain: 'c.test', i: 4_000, o: 100 },
        { app: 'wget', domain: '(unattributed)', i: 7_000, o: 300 },
      ]);
      expect(domainUsageMismatches(s.store.db)).toEqual([]);
      // Nothing of the packets is stored, and every domain row is exact (no estimate).
      expect(s.store.db.prepare('SELECT count(*) AS n FROM domain_raw WHERE estimate != 0').get()).toEqual({ n: 0 });
      // The state of the closed flow c2 is forgotten; c1, c3 and f1 keep their names.
      expect(s.monitor.namingStats()).toMatchObject({ namer: { flows: 3, addresses: 1 }, sniffer: { dnsAnswers: 2, tlsNames: 2 }, failedPayloads: 0 });
    } finally {
      s.store.close();
    }
  });

  it('with rollup off the host names are stored as the packets gave them', async () => {
    const s = setup({ rollup: false, tracker: false });
    try {
      await run(s);
      expect(domainRows(s.store).filter((r) => r.app === 'curl' || r.app === 'Firefox')).toEqual([
        { app: 'Firefox', domain: '(unattributed)', i: 9_000, o: 900 },
        { app: 'Firefox', domain: 'www.b.test', i: 30_000, o: 2_000 },
        { app: 'curl', domain: '(unattributed)', i: 240, o: 80 },
        { app: 'curl', domain: 'cdn.a.test', i: 25_000, o: 600 },
        { app: 'curl', domain: 'other.c.test', i: 4_000, o: 100 },
        { app: 'curl', domain: 'video.a.test', i: 80_000, o: 1_500 },
      ]);
      expect(domainUsageMismatches(s.store.db)).toEqual([]);
    } finally {
      s.store.close();
    }
  });

  it('a browser flow the packets did not name goes to the live extension, counted once', async () => {
    const s = setup({ rollup: true, tracker: true });
    try {
      s.monitor.start();
      const [s0, s1, s2] = script();
      s.sampler.push(s0!);
      s.sampler.push(s1!);
      // The extension reports what Firefox fetched from .21 (where f2 went) during interval 1.
      s.tracker!.noteBytes('firefox', [{ hostname: 'media.b.test', domain: 'b.test', ip: '203.0.113.21', bytesIn: 9_000, bytesOut: 900, estimate: false }], T0, T0 + 5000);
      s.sampler.push(s2!);
      await s.monitor.stop();
      // b.test: f1's 30 000/2 000 by its ClientHello and f2's 9 000/900 by the extension's address; nothing unattributed.
      expect(domainRows(s.store).filter((r) => r.app === 'Firefox')).toEqual([{ app: 'Firefox', domain: 'b.test', i: 39_000, o: 2_900 }]);
      expect(domainUsageMismatches(s.store.db)).toEqual([]);
    } finally {
      s.store.close();
    }
  });

  it('the query layer and `netmon report --by domain --app` show a non-browser app\'s domains', async () => {
    const s = setup({ rollup: true, tracker: true });
    await run(s);
    const r = totalsByDomain(s.store.db, { since: T0_S - 60, until: T0_S + 60 }, { app: 'curl' });
    expect(r.rows.map((d) => [d.domain, d.bytesIn, d.bytesOut])).toEqual([
      ['a.test', 105_000, 2_100],
      ['c.test', 4_000, 100],
      ['(unattributed)', 240, 80],
    ]);
    expect(r.totals).toEqual({ bytesIn: 109_240, bytesOut: 2_280 });
    // The API's domains:list answers from the same query, for any app.
    const api = await createStoreQueries(s.store).domains({ since: T0_S - 60, until: T0_S + 60 }, 'wget', 100);
    expect(api).toEqual({ rows: [{ domain: '(unattributed)', bytesIn: 7_000, bytesOut: 300, estimated: { bytesIn: 0, bytesOut: 0 } }], approximate: false });
    s.store.close();
    const out: string[] = [];
    const range = ['--since', new Date((T0_S - 60) * 1000).toISOString(), '--until', new Date((T0_S + 60) * 1000).toISOString()];
    const code = await main(['report', '--by', 'domain', '--app', 'curl', '--json', '--data-dir', s.dataDir, ...range], (t) => out.push(t));
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({
      since: T0_S - 60,
      until: T0_S + 60,
      approximate: false,
      rows: [
        { domain: 'a.test', bytesIn: 105_000, bytesOut: 2_100, estimated: { bytesIn: 0, bytesOut: 0 }, approximate: false },
        { domain: 'c.test', bytesIn: 4_000, bytesOut: 100, estimated: { bytesIn: 0, bytesOut: 0 }, approximate: false },
        { domain: '(unattributed)', bytesIn: 240, bytesOut: 80, estimated: { bytesIn: 0, bytesOut: 0 }, approximate: false },
      ],
      totals: { bytesIn: 109_240, bytesOut: 2_280, estimated: { bytesIn: 0, bytesOut: 0 } },
    });
    const table: string[] = [];
    expect(await main(['report', '--by', 'domain', '--app', 'wget', '--data-dir', s.dataDir, ...range], (t) => table.push(t))).toBe(0);
    expect(table.join('\n')).toMatch(/Traffic of wget by domain/);
    expect(table.join('\n')).toMatch(/\(unattributed\)\s+7\.00 KB\s+300 B/);
    // --app only goes with --by domain.
    expect(await main(['report', '--by', 'app', '--app', 'curl', '--data-dir', s.dataDir], () => undefined)).toBe(2);
  });

  it('two apps that resolve different names to one address each get their own name', async () => {
    const s = setup({ rollup: false, tracker: false });
    try {
      s.monitor.start();
      const at = (i: number): number => T0 + i * 5000;
      const WGET_DNS = 'd2/198.51.100.53/53';
      s.sampler.push({ wallMs: at(0), monoMs: 1_000_000, mode: 'cumulative', flows: [], closed: [], iface: { bytesIn: 0, bytesOut: 0 }, payloads: [] });
      // Both apps' resolver sockets get an answer for .40: curl's for files.d.test, then wget's for img.d.test.
      s.sampler.push({
        wallMs: at(1),
        monoMs: 1_005_000,
        mode: 'cumulative',
        flows: [
          udp(DNS_FLOW, curl, '198.51.100.53', 53, 100, 30, true),
          udp(WGET_DNS, wget, '198.51.100.53', 53, 90, 30, true),
          tcp('cf', curl, '203.0.113.40', 5_000, 50, true),
          tcp('wf', wget, '203.0.113.40', 8_000, 80, true),
        ],
        closed: [],
        iface: { bytesIn: 13_190, bytesOut: 190 },
        payloads: [answer(DNS_FLOW, 'files.d.test', '203.0.113.40', at(1) - 3000), answer(WGET_DNS, 'img.d.test', '203.0.113.40', at(1) - 2000)],
      });
      await s.monitor.stop();
      expect(domainRows(s.store).filter((r) => r.domain !== '(unattributed)')).toEqual([
        { app: 'curl', domain: 'files.d.test', i: 5_000, o: 50 },
        { app: 'wget', domain: 'img.d.test', i: 8_000, o: 80 },
      ]);
    } finally {
      s.store.close();
    }
  });

  it('a DNS answer seen while paused still names a flow opened after the resume', async () => {
    const s = setup({ rollup: true, tracker: false });
    try {
      s.monitor.start();
      const base = (i: number, flows: FlowCounter[], payloads: PayloadEvent[], iface: number): Sample => ({
        wallMs: T0 + i * 5000,
        monoMs: 1_000_000 + i * 5000,
        mode: 'cumulative',
        flows,
        closed: [],
        iface: { bytesIn: iface, bytesOut: 0 },
        payloads,
      });
      s.sampler.push(base(0, [], [], 0));
      s.monitor.pauseCapture(null);
      s.sampler.push(base(1, [], [answer(DNS_FLOW, 'paused.d.test', '203.0.113.30', T0 + 4000)], 0));
      s.monitor.resume();
      s.sampler.push(base(2, [tcp('p1', curl, '203.0.113.30', 3_000, 0, true)], [], 3_000));
      await s.monitor.stop();
      expect(domainRows(s.store)).toEqual([{ app: 'curl', domain: 'd.test', i: 3_000, o: 0 }]);
    } finally {
      s.store.close();
    }
  });

  it('when the sniffer cannot load, flows go unnamed and the browsers to the extension as before', async () => {
    const dataDir = tempDataDir();
    const clock: Clock = { now: () => T0 + 10_000, mono: () => T0 + 10_000 };
    const store = openStore({ dataDir, clock });
    const sampler = new ScriptedSampler();
    const tracker = new DomainTracker({ platform: 'linux' });
    const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 5000, clock, flushIntervalMs: 3_600_000, domains: tracker, loadPacketNaming: () => Promise.reject(new Error('no sniffer here')) });
    try {
      monitor.start();
      const [s0, s1, s2] = script();
      sampler.push(s0!);
      sampler.push(s1!);
      tracker.noteBytes('firefox', [{ hostname: 'www.b.test', domain: 'b.test', ip: '203.0.113.20', bytesIn: 30_000, bytesOut: 2_000, estimate: false }], T0, T0 + 5000);
      sampler.push(s2!);
      await monitor.stop();
      // The extension's address join alone: f1 at .20 → b.test; f2 at .21 nobody reported, no active tab → unattributed.
      expect(domainRows(store)).toEqual([
        { app: 'Firefox', domain: '(unattributed)', i: 9_000, o: 900 },
        { app: 'Firefox', domain: 'b.test', i: 30_000, o: 2_000 },
      ]);
      expect(monitor.namingStats()).toBeNull();
    } finally {
      store.close();
    }
  });

  it('without packets nothing changes: no domain rows outside the extension\'s browsers', async () => {
    const s = setup({ rollup: true, tracker: true });
    try {
      s.monitor.start();
      for (const sample of script()) s.sampler.push({ ...sample, payloads: undefined });
      await s.monitor.stop();
      expect(domainRows(s.store)).toEqual([]);
      expect(s.monitor.namingStats()).toBeNull();
    } finally {
      s.store.close();
    }
  });
});

// The eBPF sampler's own rules, against a scripted stand-in for netmon-capture (a real child process
// speaking protocol v1, run through the `launcher` option): keys new since the previous sample, closed
// finals, loopback and local addresses left out, malformed lines skipped and counted, counters carried
// over a helper restart (and idle keys repeated meanwhile), the health reasons a user can act on. No
// privileges needed. Every expected number is worked out by hand from the scripted lines.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EbpfSampler } from '../../src-main/engine/samplers/ebpf/sampler.js';
import type { FlowCounter, ResumedSocket, Sample } from '../../src-main/engine/types.js';

const FAKE = String.raw`
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const scenarioPath = process.argv[2];
const scenario = JSON.parse(readFileSync(scenarioPath, 'utf8'));
const counter = scenarioPath + '.runs';
const run = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
writeFileSync(counter, String(run + 1));
const plan = scenario.runs[Math.min(run, scenario.runs.length - 1)];
if (plan.exitAtOnce !== undefined) {
  process.stderr.write(plan.stderr + '\n');
  process.exit(plan.exitAtOnce);
}
process.stdout.write('V\t1\t3\t0\n');
let i = 0;
let buf = '';
process.stdin.on('data', (chunk) => {
  buf += chunk;
  while (buf.includes('\n')) {
    buf = buf.slice(buf.indexOf('\n') + 1);
    if (i < plan.snapshots.length) {
      const n = i + 1;
      const end = plan.ends?.[i] ?? ['0', '0', '0', '0'];
      process.stdout.write(['S\t' + n + '\t' + (1000 * n) + '\t' + (1000 * n), ...plan.snapshots[i], ['E', n, ...end, '0'].join('\t')].join('\n') + '\n');
      i += 1;
    } else {
      process.stderr.write(plan.stderr + '\n');
      process.exit(1);
    }
  }
});
process.stdin.on('end', () => process.exit(0));
`;

interface Plan {
  snapshots: string[][];
  ends?: string[][];
  stderr?: string;
  exitAtOnce?: number;
}

const T = (...fields: (string | number)[]): string => fields.join('\t');
/** A flow line: owner pid 0 (none known), uid 1000. */
const F = (tag: 'F' | 'C', cookie: string, proto: 'tcp' | 'udp', address: string, port: number, bytesIn: number, bytesOut: number): string =>
  T(tag, cookie, proto, '4', address, port, bytesIn, bytesOut, 1, 1, 0, 1000, '-');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let dir = '';
let scenarios = 0;
let sampler: EbpfSampler | null = null;

function fakeSampler(runs: Plan[], intervalMs = 100, resumed: ResumedSocket[] = []): { sampler: EbpfSampler; samples: Sample[] } {
  const file = path.join(dir, `scenario-${scenarios++}.json`);
  writeFileSync(file, JSON.stringify({ runs }));
  const samples: Sample[] = [];
  sampler = new EbpfSampler({
    helperPath: file,
    launcher: [process.execPath, path.join(dir, 'fake.mjs')],
    intervalMs,
    backoff: { initialMs: 100, maxMs: 100 },
    finalSampleOnStop: false,
    // The launcher is the fake: an owner lookup through it would not be ss.
    ssPath: null,
  });
  if (resumed.length > 0) sampler.resumeSockets(resumed);
  sampler.start((s) => samples.push(s));
  return { sampler, samples };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const counts = (flows: FlowCounter[]): Record<string, [number, number, boolean]> =>
  Object.fromEntries(flows.map((f) => [f.id, [f.bytesIn, f.bytesOut, f.newSincePrevious === true]]));

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-ebpf-replay-'));
  writeFileSync(path.join(dir, 'fake.mjs'), FAKE);
});
afterEach(async () => {
  await sampler?.stop();
  sampler = null;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('EbpfSampler against a scripted helper', () => {
  it('marks keys new since the previous sample, reports closed finals apart, and leaves local traffic out', async () => {
    const { samples } = fakeSampler([
      {
        snapshots: [
          [F('F', 'a', 'tcp', '198.51.100.1', 443, 100, 10)],
          [F('F', 'a', 'tcp', '198.51.100.1', 443, 300, 20), F('F', 'b', 'udp', '198.51.100.1', 53, 50, 40), F('F', 'c', 'tcp', '127.0.0.1', 80, 999, 999), F('F', 'd', 'tcp', '127.0.0.53', 53, 5, 5)],
          [F('C', 'a', 'tcp', '198.51.100.1', 443, 400, 30), F('F', 'b', 'udp', '198.51.100.1', 53, 60, 40)],
        ],
        stderr: 'netmon-capture: done',
      },
    ]);
    await until('three samples', () => samples.length >= 3);
    expect(counts(samples[0]?.flows ?? [])).toEqual({ 'sk:a': [100, 10, false] });
    // b is new since the first sample: counted whole. Loopback keys are not flows.
    expect(counts(samples[1]?.flows ?? [])).toEqual({ 'sk:a': [300, 20, false], 'sk:b/198.51.100.1/53': [50, 40, true] });
    expect(counts(samples[2]?.flows ?? [])).toEqual({ 'sk:b/198.51.100.1/53': [60, 40, false] });
    expect(counts(samples[2]?.closed ?? [])).toEqual({ 'sk:a': [400, 30, false] });
    expect(samples[1]?.flows.find((f) => f.id === 'sk:b/198.51.100.1/53')?.remote).toEqual({ protocol: 'udp4', address: '198.51.100.1', port: 53 });
    // No process known: the owner is the socket's uid.
    expect(samples[0]?.flows[0]?.owner).toEqual({ pid: 0, name: '(uid 1000)', uid: 1000 });
    expect(samples[0]?.mode).toBe('cumulative');
  });

  it('carries counters over a helper restart, repeating a key the new helper has not listed yet', async () => {
    const { sampler: s, samples } = fakeSampler([
      {
        snapshots: [[F('F', 'a', 'tcp', '198.51.100.1', 443, 100, 200)], [F('F', 'a', 'tcp', '198.51.100.1', 443, 150, 250), F('F', 'b', 'udp', '198.51.100.1', 9, 10, 0)]],
        stderr: 'netmon-capture: simulated crash',
      },
      {
        // Counters start again at zero; b moves nothing at first.
        snapshots: [[F('F', 'a', 'tcp', '198.51.100.1', 443, 30, 40)], [F('F', 'a', 'tcp', '198.51.100.1', 443, 50, 60), F('F', 'b', 'udp', '198.51.100.1', 9, 5, 0)]],
        stderr: 'netmon-capture: simulated crash',
      },
    ]);
    await until('four samples', () => samples.length >= 4);
    expect(s.health().restarts).toBeGreaterThanOrEqual(1);
    const b = 'sk:b/198.51.100.1/9';
    expect(counts(samples[1]?.flows ?? [])).toEqual({ 'sk:a': [150, 250, false], [b]: [10, 0, true] });
    // 150 + 30, 250 + 40; b repeated with its last counters.
    expect(counts(samples[2]?.flows ?? [])).toEqual({ 'sk:a': [180, 290, false], [b]: [10, 0, false] });
    // 150 + 50, 250 + 60; b: 10 + 5.
    expect(counts(samples[3]?.flows ?? [])).toEqual({ 'sk:a': [200, 310, false], [b]: [15, 0, false] });
  });

  it('a UDP peer aged out (closed) and back in the next snapshot continues from its final; back later, it is new from zero', async () => {
    const b = 'sk:b/198.51.100.1/9';
    const c = 'sk:c/198.51.100.1/9';
    const { samples } = fakeSampler([
      {
        snapshots: [
          [F('F', 'b', 'udp', '198.51.100.1', 9, 100, 10), F('F', 'c', 'udp', '198.51.100.1', 9, 50, 0)],
          // Both quiet for the helper's ageing time: reported closed with their finals, deleted.
          [F('C', 'b', 'udp', '198.51.100.1', 9, 150, 20), F('C', 'c', 'udp', '198.51.100.1', 9, 60, 0)],
          // b's peer sends again at once: the helper's new key counts from zero.
          [F('F', 'b', 'udp', '198.51.100.1', 9, 30, 5)],
          [F('F', 'b', 'udp', '198.51.100.1', 9, 40, 5), F('F', 'c', 'udp', '198.51.100.1', 9, 7, 0)],
        ],
        stderr: 'netmon-capture: done',
      },
    ]);
    await until('four samples', () => samples.length >= 4);
    expect(counts(samples[1]?.closed ?? [])).toEqual({ [b]: [150, 20, false], [c]: [60, 0, false] });
    // 150 + 30, 20 + 5: the delta engine, holding the final 150/20, counts only the 30/5 beyond it.
    expect(counts(samples[2]?.flows ?? [])).toEqual({ [b]: [180, 25, true] });
    // b keeps its offset; c, back two rounds after its close, is new: its 7 bytes count whole.
    expect(counts(samples[3]?.flows ?? [])).toEqual({ [b]: [190, 25, false], [c]: [7, 0, true] });
  });

  it('lists the sockets a resumed run carries from the first sample, at zero, until the helper lists them', async () => {
    const owner = { pid: 500, name: 'nmpaced', startTime: 9000 };
    const { samples } = fakeSampler(
      [{ snapshots: [[F('F', 'a', 'tcp', '198.51.100.1', 443, 5, 6)], [F('F', 'a', 'tcp', '198.51.100.1', 443, 5, 6)], [F('F', 'e', 'tcp', '198.51.100.7', 9000, 0, 30)]], stderr: 'netmon-capture: done' }],
      100,
      [
        { id: 'sk:e', cookie: 'e', family: 4, remote: { protocol: 'tcp4', address: '198.51.100.7', port: 9000 }, uid: 1000, owner },
        { id: 'sk:f', cookie: 'f', family: 4, remote: { protocol: 'tcp4', address: '198.51.100.8', port: 22 }, uid: 1000, owner: null },
      ],
    );
    await until('three samples', () => samples.length >= 3);
    // The helper has not seen them move: listed at zero, e under its stored owner, f under its uid (no ss here).
    expect(counts(samples[0]?.flows ?? [])).toEqual({ 'sk:a': [5, 6, false], 'sk:e': [0, 0, false], 'sk:f': [0, 0, false] });
    expect(samples[0]?.flows.find((f) => f.id === 'sk:e')?.owner).toEqual(owner);
    expect(samples[0]?.flows.find((f) => f.id === 'sk:f')?.owner).toEqual({ pid: 0, name: '(uid 1000)', uid: 1000 });
    expect(counts(samples[1]?.flows ?? [])).toEqual({ 'sk:a': [5, 6, false], 'sk:e': [0, 0, false], 'sk:f': [0, 0, false] });
    // Listed by the helper: its own counts from there, not new (the engine adds them to the carried share).
    expect(counts(samples[2]?.flows ?? [])).toMatchObject({ 'sk:e': [0, 30, false] });
  });

  it('takes the first sample (the baseline) as soon as the helper is ready, not an interval later', async () => {
    const { samples } = fakeSampler([{ snapshots: [[F('F', 'a', 'tcp', '198.51.100.1', 443, 1, 2)]], stderr: 'netmon-capture: done' }], 60_000);
    await until('the first sample', () => samples.length >= 1, 5000);
    expect(counts(samples[0]?.flows ?? [])).toEqual({ 'sk:a': [1, 2, false] });
  });

  it('skips and counts lines it cannot read, keeping the rest of the snapshot', async () => {
    const { sampler: s, samples } = fakeSampler([{ snapshots: [[F('F', 'a', 'tcp', '198.51.100.1', 443, 1, 2), 'F\tnot a flow', 'hello']], stderr: 'netmon-capture: done' }]);
    await until('a sample', () => samples.length >= 1);
    expect(counts(samples[0]?.flows ?? [])).toEqual({ 'sk:a': [1, 2, false] });
    expect(s.health().malformedLines).toBe(2);
  });

  it('says so when the kernel table was full: degraded, with how much was not counted', async () => {
    const { sampler: s, samples } = fakeSampler([{ snapshots: [[F('F', 'a', 'tcp', '198.51.100.1', 443, 1, 2)]], ends: [['3', '4500', '0', '0']], stderr: 'netmon-capture: done' }]);
    await until('a sample', () => samples.length >= 1);
    const health = s.health();
    expect(health.state).toBe('degraded');
    expect(health.reason).toContain('3 connections were not counted (4500 bytes)');
    expect(health.details['connectionsNotCounted']).toBe(3);
  });

  it('fails with the helper\'s own words when it is not permitted', async () => {
    const said = 'netmon-capture: needs root or the file capabilities cap_bpf,cap_net_admin,cap_perfmon on this program: Operation not permitted';
    const { sampler: s } = fakeSampler([{ snapshots: [], exitAtOnce: 1, stderr: said }]);
    await until('the failure', () => s.health().state === 'failing');
    expect(s.health().reason).toBe(said);
  });

  it('fails saying how to build the helper when it is missing', async () => {
    const missing = path.join(dir, 'nowhere', 'netmon-capture');
    sampler = new EbpfSampler({ helperPath: missing, intervalMs: 100, backoff: { initialMs: 100, maxMs: 100 } });
    sampler.start(() => undefined);
    const s = sampler;
    await until('the failure', () => s.health().state === 'failing');
    expect(s.health().reason).toBe(`netmon-capture is missing at ${missing}: build it with npm run build:helper`);
  });
});

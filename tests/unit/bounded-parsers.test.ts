// Worst-case budgets of the code that reads other users' input (security review findings 4, 5, 7, 8):
// attribution on hostile process fields, the DNS, TLS and QUIC parsers on hostile packets, the helper's
// stdout. Each gets adversarial inputs from fast-check (10 000 per property) and asserts its bound:
// state held (chunks, flows, line buffer) exactly, and the CPU time per input (process.cpuUsage, so that
// time the scheduler gives other processes on a loaded machine does not count): the 99th percentile under
// 1 ms and the slowest under 50 ms (room for a garbage collection landing on it), where the quadratic paths the review found cost 100 ms to 10 s.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appForProcess, programOfInterpreter } from '../../src-main/engine/attribution/app-for-process.js';
import { cleanAppName, MAX_APP_NAME_CHARS, printable } from '../../src-main/engine/attribution/bounds.js';
import { createLineSplitter } from '../../src-main/engine/line-splitter.js';
import { MAX_PAYLOADS_PER_SNAPSHOT, SnapshotAssembler } from '../../src-main/engine/samplers/ebpf/protocol.js';
import { createSniffer, CryptoStream, parseClientHello, parseDnsResponse, parseTlsStreamStart, TcpStreamStart } from '../../src-main/engine/sniff/index.js';
import { MAX_CRYPTO_CHUNKS } from '../../src-main/engine/sniff/quic.js';
import { MAX_TCP_SEGMENTS } from '../../src-main/engine/sniff/tls.js';
import type { PayloadEvent, ProcessInfo } from '../../src-main/engine/types.js';
import { renderTable } from '../../src-main/cli/table.js';
import { cryptoFrame, protectInitial } from '../helpers/quic-initial.js';

const RUNS = 10_000;
/** Per input, CPU: the quadratic paths on these sizes cost 100 ms to 10 s; linear ones well under 1 ms (a major GC may land on one input). */
const PER_INPUT_MS = 50;
const KIB128 = 128 * 1024;

/** Runs `fn` on each input and returns the slowest CPU time and the 99th percentile, ms. */
function timed<T>(inputs: readonly T[], fn: (input: T) => unknown): { max: number; p99: number } {
  const times: number[] = [];
  for (const input of inputs) {
    const t0 = process.cpuUsage();
    fn(input);
    const used = process.cpuUsage(t0);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return { max: times[times.length - 1] ?? 0, p99: times[Math.floor(times.length * 0.99)] ?? 0 };
}

const CONTROL = /[\p{Cc}\p{Cf}]/u;

// Pieces that hostile names, paths and command lines are made of: runs that make unanchored or
// backtracking regexes work hard, separators, escapes, and the words the rules look for.
const piece = fc.oneof(
  fc.constantFrom('/', '//', '/node_modules/', 'node_modules', '@', '.app/', ' Helper', ' (', '-contentproc', '\0', ' ', '\t', '\u001b[2J', '\u001b]0;x\u0007', '\u202e', 'firefox', 'zen', 'chrome', '.js', '.py', '-m', '-c', '--', 'a'),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: 1, max: 1024 }).map((n) => 'a'.repeat(n)),
  fc.integer({ min: 1, max: 1024 }).map((n) => '/'.repeat(n)),
);
// Up to a few KiB per field here (the 128 KiB shapes have their own test): 10 000 of them stay cheap to draw.
const hostileText = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
const interpreter = fc.constantFrom('node', 'nodejs', 'python3', 'pypy3', 'ruby', 'perl', 'php8.2', 'java', 'electron', 'Web Content', 'firefox', 'bash', 'X Helper (Renderer)');
const hostileProcess: fc.Arbitrary<ProcessInfo> = fc.record({
  pid: fc.integer({ min: 1, max: 1 << 22 }),
  name: fc.oneof(interpreter, hostileText),
  path: fc.option(fc.oneof(hostileText, interpreter.map((i) => `/usr/bin/${i}`)), { nil: undefined }),
  cmdline: fc.option(fc.tuple(interpreter, hostileText, hostileText).map(([i, a, b]) => `${i}\0${a}\0${b}`), { nil: undefined }),
  parentName: fc.option(hostileText, { nil: undefined }),
  parentPath: fc.option(hostileText, { nil: undefined }),
  cgroup: fc.option(hostileText.map((t) => `/user.slice/app-${t}.scope`), { nil: undefined }),
});

describe('attribution on hostile process fields (findings 4 and 8)', () => {
  it('128 KiB arguments: each interpreter, each shape, well under the budget', { timeout: 180_000 }, () => {
    const shapes = ['a'.repeat(KIB128), '/'.repeat(KIB128) + 'x', 'node_modules/'.repeat(KIB128 / 13), `${'/a'.repeat(KIB128 / 2)}/node_modules/`, ' '.repeat(KIB128) + 'x'];
    for (const executable of ['node', 'python3', 'ruby', 'java', 'electron']) {
      for (const arg of shapes) {
        const { max } = timed([arg], (a) => programOfInterpreter(executable, `${executable} ${a}`));
        expect(max, `${executable} on ${arg.slice(0, 20)}…`).toBeLessThan(PER_INPUT_MS);
        const proc: ProcessInfo = { pid: 1, name: executable, cmdline: `${executable}\0${arg}`, path: arg, parentName: arg, parentPath: arg, cgroup: arg };
        for (const platform of ['linux', 'darwin'] as const) {
          const t = timed([proc], (p) => appForProcess(p, platform));
          expect(t.max).toBeLessThan(PER_INPUT_MS);
          expect(appForProcess(proc, platform).length).toBeLessThanOrEqual(MAX_APP_NAME_CHARS);
        }
      }
    }
  });

  it(`${RUNS} hostile processes: names are short, printable, and each is found quickly`, { timeout: 180_000 }, () => {
    const inputs = fc.sample(hostileProcess, { numRuns: RUNS, seed: 13 });
    for (const platform of ['linux', 'darwin'] as const) {
      const t = timed(inputs, (p) => {
        const app = appForProcess(p, platform);
        if (app.length > MAX_APP_NAME_CHARS || CONTROL.test(app) || app !== app.trim() || app === '') throw new Error(`bad name ${JSON.stringify(app)}`);
      });
      expect(t.max, `slowest of ${RUNS} on ${platform}: ${t.max.toFixed(2)} ms (p99 ${t.p99.toFixed(3)})`).toBeLessThan(PER_INPUT_MS);
      expect(t.p99).toBeLessThan(1);
    }
  });

  it('a terminal escape in a name is neither stored nor printed', { timeout: 180_000 }, () => {
    expect(appForProcess({ pid: 1, name: '\u001b[2J\u001b]0;pwned\u0007evil' }, 'linux')).toBe('[2J]0;pwnedevil');
    expect(cleanAppName('\u0000\u001b\u202e')).toBeNull();
    expect(appForProcess({ pid: 1, name: '\u0000\u001b' }, 'linux')).toBe('(unattributed)');
    const table = renderTable(['Application'], [['a\u001b[2Jb'], ['c\u009bd']]);
    for (const line of table.split('\n')) expect(line).not.toMatch(CONTROL);
    expect(table).toContain('a\\u{1b}[2Jb');
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (s) => !CONTROL.test(printable(s)) && !CONTROL.test(cleanAppName(s) ?? '')), { numRuns: RUNS });
  });
});

const dnsEvent = (bytes: Uint8Array, flowId = 'resolver'): PayloadEvent => ({ flowId, wallMs: 1_000, direction: 'in', protocol: 'udp', remote: { address: '198.51.100.53', port: 53 }, bytes, truncated: false });

describe('DNS answers (findings 5 and 9: the parser’s budget)', () => {
  it(`${RUNS} hostile datagrams: compression loops, deep pointers, huge counts, each parsed quickly`, { timeout: 180_000 }, () => {
    // A header claiming many records, then names made of pointers (to themselves, backwards, forwards).
    const hostile = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.array(fc.constantFrom(0xc0, 0x0c, 0x00, 0x3f, 0x01, 0x61, 0xff), { minLength: 0, maxLength: 1500 }), fc.uint8Array({ maxLength: 64 })).map(([count, body, tail]) => {
      const header = [0x12, 0x34, 0x81, 0x80, 0x00, 0x01, count >> 8, count & 0xff, 0xff, 0xff, 0xff, 0xff];
      return Uint8Array.from([...header, ...body, ...tail]);
    });
    const inputs = fc.sample(hostile, { numRuns: RUNS, seed: 9 });
    const t = timed(inputs, (bytes) => parseDnsResponse(bytes, 1_000, false));
    expect(t.max, `slowest ${t.max.toFixed(2)} ms`).toBeLessThan(PER_INPUT_MS);
    expect(t.p99).toBeLessThan(1);
    const sniffer = createSniffer();
    const s = timed(inputs, (bytes) => sniffer.onPayload(dnsEvent(bytes)));
    expect(s.max).toBeLessThan(PER_INPUT_MS);
  });
});

const tcpEvent = (flowId: string, seq: number, bytes: Uint8Array): PayloadEvent => ({ flowId, wallMs: 5, direction: 'out', protocol: 'tcp', remote: { address: '198.51.100.7', port: 443 }, tcpSeq: seq, bytes, truncated: false });

describe('TLS stream starts (finding 5, TCP)', () => {
  it('1-byte segments of a 16 KiB hello, out of order: at most MAX_TCP_SEGMENTS held, each quickly', () => {
    const start = Uint8Array.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x3f, 0xfc, 0x03, 0x03]);
    const stream = new TcpStreamStart(16 * 1024);
    let gaveUp = false;
    const order = Array.from({ length: 16 * 1024 }, (_, i) => 16 * 1024 - 1 - i);
    const t = timed(order, (i) => {
      if (gaveUp) return;
      if (!stream.add(1000 + i, Uint8Array.of(start[i] ?? 0x41))) gaveUp = true;
      stream.contiguous();
    });
    expect(gaveUp).toBe(true);
    expect(stream.size).toBeLessThanOrEqual(MAX_TCP_SEGMENTS);
    expect(t.max).toBeLessThan(PER_INPUT_MS);
  });

  it(`${RUNS} hostile segments through the sniffer: flows and state stay bounded, each quickly`, { timeout: 180_000 }, () => {
    const sniffer = createSniffer({ maxFlows: 64 });
    const seg = fc.record({ flow: fc.integer({ min: 0, max: 200 }), seq: fc.integer({ min: 0, max: 40_000 }), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 3 }).map((b) => Uint8Array.from([0x16, ...b])), fc.uint8Array({ maxLength: 1400 })) });
    const inputs = fc.sample(seg, { numRuns: RUNS, seed: 5 });
    const t = timed(inputs, (s) => sniffer.onPayload(tcpEvent(`t${s.flow}`, s.seq, s.bytes)));
    expect(t.max, `slowest ${t.max.toFixed(2)} ms`).toBeLessThan(PER_INPUT_MS);
    expect(t.p99).toBeLessThan(1);
    expect(sniffer.stats().pendingFlows).toBeLessThanOrEqual(64);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => ['need-more', 'not-hello', 'hello'].includes(parseTlsStreamStart(b).kind) && ['need-more', 'not-hello', 'hello'].includes(parseClientHello(b).kind)), { numRuns: 2000 });
  });
});

const quicEvent = (flowId: string, bytes: Uint8Array): PayloadEvent => ({ flowId, wallMs: 1_000, direction: 'out', protocol: 'udp', remote: { address: '203.0.113.5', port: 443 }, bytes, truncated: false });

describe('QUIC Initials (finding 5: zero-length CRYPTO frames were free)', () => {
  it('zero-length frames are charged and never held', () => {
    const stream = new CryptoStream(16 * 1024);
    let accepted = 0;
    for (let k = 0; k < 10_000; k++) {
      if (!stream.add({ offset: 16_000 - k, data: new Uint8Array(0) })) break;
      accepted += 1;
    }
    expect(stream.size).toBe(0);
    // 32 bytes of budget each: the flow ends after about 2 × 16 KiB / 32 of them, not never.
    expect(accepted).toBeLessThan(1100);
    const tiny = new CryptoStream(16 * 1024);
    for (let k = 0; k < 10_000 && tiny.add({ offset: 8000 - k, data: Uint8Array.of(1) }); k++);
    expect(tiny.size).toBeLessThanOrEqual(MAX_CRYPTO_CHUNKS);
  });

  it('the review’s attack: 200 flows × 4 Initials × 280 empty frames at descending offsets, each datagram quickly', { timeout: 180_000 }, () => {
    const frames = (n: number): Uint8Array => {
      const parts: Uint8Array[] = [];
      for (let k = 0; k < n; k++) parts.push(cryptoFrame(16_000 - k, new Uint8Array(0)));
      return Uint8Array.from(parts.flatMap((p) => [...p]));
    };
    const body = frames(280);
    const datagrams: Array<{ flow: string; bytes: Uint8Array }> = [];
    for (let f = 0; f < 200; f++) {
      const dcid = Uint8Array.from([f & 0xff, f >> 8, 1, 2, 3, 4, 5, 6]);
      for (let p = 0; p < 4; p++) datagrams.push({ flow: `q${f}`, bytes: protectInitial({ dcid, packetNumber: p, frames: body, payloadLength: Math.max(body.length, 1100) }) });
    }
    const sniffer = createSniffer();
    const t = timed(datagrams, (d) => sniffer.onPayload(quicEvent(d.flow, d.bytes)));
    expect(t.max, `slowest ${t.max.toFixed(2)} ms`).toBeLessThan(PER_INPUT_MS);
    // The budget ends these flows: none is left holding state.
    expect(sniffer.stats().pendingFlows).toBe(0);
  });

  it(`${RUNS} hostile datagrams behind an Initial's first byte, each quickly, flows bounded`, { timeout: 180_000 }, () => {
    const sniffer = createSniffer({ maxFlows: 64 });
    const dg = fc.record({ flow: fc.integer({ min: 0, max: 300 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 1500 }).map((b) => Uint8Array.from([0xc0 | (b[0] ?? 0) & 0x1f, 0, 0, 0, 1, ...b.subarray(1)])) });
    const inputs = fc.sample(dg, { numRuns: RUNS, seed: 7 });
    const t = timed(inputs, (d) => sniffer.onPayload(quicEvent(`u${d.flow}`, d.bytes)));
    expect(t.max, `slowest ${t.max.toFixed(2)} ms`).toBeLessThan(PER_INPUT_MS);
    expect(sniffer.stats().pendingFlows).toBeLessThanOrEqual(64);
  });
});

describe('the helper’s stdout (finding 7, I5)', () => {
  it('a line that never ends holds at most the cap, is counted once, and lines after it are read', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter(1024, (l) => lines.push(l));
    for (let i = 0; i < 1000; i++) splitter.push(Buffer.alloc(4096, 0x61));
    splitter.push(Buffer.from('\nV\t1\n'));
    expect(splitter.overlong).toBe(1);
    expect(lines).toEqual(['V\t1']);
  });

  it('a character split across two chunks stays whole', () => {
    const lines: string[] = [];
    const splitter = createLineSplitter(1024, (l) => lines.push(l));
    const text = Buffer.from('comm=ü€\n');
    for (const byte of text) splitter.push(Buffer.of(byte));
    expect(lines).toEqual(['comm=ü€']);
  });
});

describe('packet starts per snapshot (finding 7)', () => {
  it('past the cap, payload lines are skipped undecoded and counted; flows and the snapshot are kept', () => {
    const T = (...f: string[]): string => f.join('\t');
    const a = new SnapshotAssembler();
    a.push(T('V', '1', '3', '0'));
    a.push(T('S', '1', '1000', '50'));
    const hex = 'ab'.repeat(750);
    const n = MAX_PAYLOADS_PER_SNAPSHOT + 500;
    for (let i = 0; i < n; i++) a.push(T('P', String(i), 'udp', '4', '198.51.100.1', '53', 'in', 'dns', '1000', '-', '1500', hex));
    a.push(T('F', 'a', 'tcp', '4', '198.51.100.1', '443', '10', '20', '1', '1', '42', '1000', 'nmapp'));
    const done = a.push(T('E', '1', '0', '0', '0', '0', '1'));
    expect(done?.payloads.length).toBeLessThanOrEqual(MAX_PAYLOADS_PER_SNAPSHOT);
    expect((done?.payloads.length ?? 0) + a.payloadsDropped).toBe(n);
    expect(done?.flows.map((f) => f.cookie)).toEqual(['a']);
    expect(a.malformed).toBe(0);
  });
});

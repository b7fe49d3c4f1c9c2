// ClientHello server_name over TCP: the hello parser against a hand-assembled hello and the RFC 9001 A.2
// ClientHello (whose server_name the RFC gives: example.com), then the sniffer's reassembly of a hello
// written by tests/helpers/tls-hello.ts and cut into segments: split, reordered, duplicated, wrapped.
import fc from 'fast-check';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createSniffer, parseClientHello, parseTlsStreamStart, startsLikeClientHello } from '../../src-main/engine/sniff/index.js';
import type { PayloadEvent } from '../../src-main/engine/types.js';
import { clientHelloMessage, clientHelloStream, inRecords, segments } from '../helpers/tls-hello.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

/**
 * A minimal ClientHello for "A.b.c", assembled by hand: record (type 22, length 61), handshake header
 * (type 1, length 57), version, 32-byte random, empty session id, one cipher suite, null compression,
 * 14 bytes of extensions: server_name (10 bytes: list of 8: host_name, length 5).
 */
const handHello = (name: string): Uint8Array =>
  hex(`
  16 0301 003d
  01 000039
  0303 ${'00'.repeat(32)}
  00
  0002 1301
  01 00
  000e
  0000 000a 0008 00 0005 ${name}
`);
const HAND_HELLO = handHello('412e622e63'); // "A.b.c"
const HAND_HELLO_EMPTY_LABEL = handHello('412e622e2e'); // "A.b.."

/** RFC 9001 A.2's ClientHello (its CRYPTO frame's data), which names example.com. */
const RFC9001_HELLO = hex(`
  010000ed0303ebf8fa56f129 39b9584a3896472ec40bb863cfd3e868
  04fe3a47f06a2b69484c000004130113 02010000c000000010000e00000b6578
  616d706c652e636f6dff01000100000a 00080006001d00170018001000070005
  04616c706e0005000501000000000033 00260024001d00209370b2c9caa47fba
  baf4559fedba753de171fa71f50f1ce1 5d43e994ec74d748002b000302030400
  0d0010000e0403050306030203080408 050806002d00020101001c0002400100
  3900320408ffffffffffffffff050480 00ffff07048000ffff08011001048000
  75300901100f088394c8f03e51570806 048000ffff
`);

function tcpEvent(flowId: string, seq: number, bytes: Uint8Array, wallMs = 5): PayloadEvent {
  return { flowId, wallMs, direction: 'out', protocol: 'tcp', remote: { address: '198.51.100.7', port: 443 }, tcpSeq: seq, bytes, truncated: false };
}

describe('parseClientHello / parseTlsStreamStart', () => {
  it('the hand-assembled hello names a.b.c (upper case folded)', () => {
    expect(HAND_HELLO.length).toBe(5 + 0x3d);
    expect(parseTlsStreamStart(HAND_HELLO)).toEqual({ kind: 'hello', sni: 'a.b.c' });
  });

  it('a server_name with an empty label is not a host name: the hello is given up', () => {
    expect(parseTlsStreamStart(HAND_HELLO_EMPTY_LABEL)).toMatchObject({ kind: 'not-hello' });
  });

  it('the RFC 9001 ClientHello names example.com, as a bare message and inside a record', () => {
    expect(RFC9001_HELLO.length).toBe(4 + 0xed);
    expect(parseClientHello(RFC9001_HELLO)).toEqual({ kind: 'hello', sni: 'example.com' });
    expect(parseTlsStreamStart(inRecords(RFC9001_HELLO))).toEqual({ kind: 'hello', sni: 'example.com' });
  });

  it('with server_name last, every proper prefix of a hello asks for more', () => {
    const stream = clientHelloStream({ sni: 'prefix.example', maxRecord: 100, sniLast: true });
    for (let n = 0; n < stream.length; n++) expect(parseTlsStreamStart(stream.subarray(0, n))).toEqual({ kind: 'need-more' });
    expect(parseTlsStreamStart(stream)).toEqual({ kind: 'hello', sni: 'prefix.example' });
  });

  it('with server_name first, a prefix that holds the whole extension is enough', () => {
    const stream = clientHelloStream({ sni: 'early.example', padTo: 1500 });
    // Record header 5, handshake header 4, version 2, random 32, session id 1+32, suites 2+4,
    // compression 1+1, extensions length 2; then server_name: type 2, length 2, list 2, entry 1+2+13.
    const sniEnd = 5 + 4 + 2 + 32 + 33 + 6 + 2 + 2 + (2 + 2 + 2 + 3 + 'early.example'.length);
    expect(parseTlsStreamStart(stream.subarray(0, sniEnd - 1))).toEqual({ kind: 'need-more' });
    expect(parseTlsStreamStart(stream.subarray(0, sniEnd))).toEqual({ kind: 'hello', sni: 'early.example' });
  });

  it.each([
    ['no server_name', clientHelloStream({}), { kind: 'hello', sni: null }],
    ['trailing dot and capitals', clientHelloStream({ sni: 'WWW.Example.COM.' }), { kind: 'hello', sni: 'www.example.com' }],
    ['ECH-style outer hello: the public name is what is visible', clientHelloStream({ sni: 'public.example.net' }), { kind: 'hello', sni: 'public.example.net' }],
    ['one hello over many small records', clientHelloStream({ sni: 'records.example', padTo: 2000, maxRecord: 333 }), { kind: 'hello', sni: 'records.example' }],
    ['application data first', hex('1703030005 0102030405'), { kind: 'not-hello' }],
    ['a ServerHello', inRecords(hex('02000004 03030000')), { kind: 'not-hello' }],
    ['SSL 2-style record version', hex('1602010005 0100000103'), { kind: 'not-hello' }],
    ['an alert cuts the hello', Uint8Array.from([...clientHelloStream({ sni: 'x.example', maxRecord: 40 }).subarray(0, 45), 21, 3, 3, 0, 2, 2, 40]), { kind: 'not-hello' }],
    ['a hello over 16 KB', clientHelloStream({ sni: 'big.example', padTo: 17_000 }), { kind: 'not-hello' }],
    ['a server_name with a space', clientHelloStream({ sni: 'bad name.example' }), { kind: 'not-hello' }],
    ['an IPv4 literal as server_name (RFC 6066 forbids it) names nothing', clientHelloStream({ sni: '198.51.100.7' }), { kind: 'hello', sni: null }],
  ] as const)('%s', (_name, stream, expected) => {
    expect(parseTlsStreamStart(stream)).toMatchObject(expected);
  });
});

describe('startsLikeClientHello', () => {
  it.each([
    ['a hello', clientHelloStream({ sni: 'x.example' }), true],
    ['a hello in one-byte records', clientHelloStream({ sni: 'x.example', maxRecord: 1 }), true],
    ['the first 10 bytes of a hello', clientHelloStream({ sni: 'x.example' }).subarray(0, 10), null],
    ['a hello\'s middle record', inRecords(clientHelloMessage({ sni: 'x.example', padTo: 600 }).subarray(300)), false],
    ['a ServerHello', inRecords(hex('02000004 03030000')), false],
    ['application data', hex('1703030005 0102030405'), false],
    ['nothing', new Uint8Array(0), null],
  ] as const)('%s', (_name, bytes, expected) => {
    expect(startsLikeClientHello(bytes)).toBe(expected);
  });
});

describe('the sniffer over TCP segments', () => {
  // About 3 KB: three segments of an MSS of ~1448, as a post-quantum hello with extras would be.
  // server_name last: the hello names the flow only once all of it is there.
  const stream = clientHelloStream({ sni: 'shop.example.net', padTo: 3000, sniLast: true });
  const segs = segments(stream, [1448, 2896]);

  it('three segments in order: named on the third, then nothing held', () => {
    const sniffer = createSniffer();
    const hints = segs.map((s, i) => sniffer.onPayload(tcpEvent('t', s.seq, s.bytes, i)));
    expect(hints).toEqual([[], [], [{ kind: 'sni', flowId: 't', name: 'shop.example.net', via: 'tls', atMs: 2 }]]);
    expect(sniffer.stats()).toMatchObject({ tlsNames: 1, malformed: 0, pendingFlows: 0 });
  });

  it.each([
    [[2, 1, 0]],
    [[1, 0, 2]],
    [[0, 2, 1]],
    [[2, 0, 1]],
  ])('out of order %j: named once, when the last gap fills', (order) => {
    const sniffer = createSniffer();
    const hints = order.map((i) => sniffer.onPayload(tcpEvent('t', segs[i]?.seq ?? 0, segs[i]?.bytes ?? new Uint8Array())));
    expect(hints.slice(0, -1).flat()).toEqual([]);
    expect(hints.at(-1)?.map((h) => h.kind === 'sni' && h.name)).toEqual(['shop.example.net']);
  });

  it('retransmitted and overlapping segments change nothing', () => {
    const sniffer = createSniffer();
    const [a, b, c] = segs;
    if (a === undefined || b === undefined || c === undefined) throw new Error('three segments expected');
    expect(sniffer.onPayload(tcpEvent('t', a.seq, a.bytes))).toEqual([]);
    expect(sniffer.onPayload(tcpEvent('t', a.seq, a.bytes))).toEqual([]);
    // A retransmission that repacketized the tail of a and the head of b.
    expect(sniffer.onPayload(tcpEvent('t', a.seq + 1000, stream.subarray(1000, 2000)))).toEqual([]);
    expect(sniffer.onPayload(tcpEvent('t', b.seq, b.bytes))).toEqual([]);
    expect(sniffer.onPayload(tcpEvent('t', c.seq, c.bytes)).length).toBe(1);
    expect(sniffer.stats()).toMatchObject({ tlsNames: 1, malformed: 0, pendingFlows: 0 });
  });

  it('sequence numbers that wrap around 2^32 in the middle of the hello', () => {
    const wrapped = segments(stream, [1448, 2896], 0xfffffc00);
    expect(wrapped[1]?.seq).toBeLessThan(wrapped[0]?.seq ?? 0);
    const sniffer = createSniffer();
    const names = [2, 0, 1].flatMap((i) => sniffer.onPayload(tcpEvent('t', wrapped[i]?.seq ?? 0, wrapped[i]?.bytes ?? new Uint8Array())));
    expect(names.map((h) => h.kind === 'sni' && h.name)).toEqual(['shop.example.net']);
  });

  it('two flows at once keep their own state', () => {
    const other = segments(clientHelloStream({ sni: 'other.example', padTo: 2000, sniLast: true }), [1000], 77);
    const sniffer = createSniffer();
    const names = [
      sniffer.onPayload(tcpEvent('a', segs[0]?.seq ?? 0, segs[0]?.bytes ?? new Uint8Array())),
      sniffer.onPayload(tcpEvent('b', other[0]?.seq ?? 0, other[0]?.bytes ?? new Uint8Array())),
      sniffer.onPayload(tcpEvent('a', segs[1]?.seq ?? 0, segs[1]?.bytes ?? new Uint8Array())),
      sniffer.onPayload(tcpEvent('b', other[1]?.seq ?? 0, other[1]?.bytes ?? new Uint8Array())),
      sniffer.onPayload(tcpEvent('a', segs[2]?.seq ?? 0, segs[2]?.bytes ?? new Uint8Array())),
    ].flat();
    expect(names.map((h) => h.kind === 'sni' && `${h.flowId}=${h.name}`)).toEqual(['b=other.example', 'a=shop.example.net']);
  });

  it('server_name first: named on the first segment, even one the capture cut short', () => {
    const early = clientHelloStream({ sni: 'early.example', padTo: 3000 });
    const sniffer = createSniffer();
    expect(sniffer.onPayload({ ...tcpEvent('t', 1, early.subarray(0, 600)), truncated: true })).toEqual([{ kind: 'sni', flowId: 't', name: 'early.example', via: 'tls', atMs: 5 }]);
    expect(sniffer.stats()).toMatchObject({ tlsNames: 1, pendingFlows: 0 });
  });

  it('a broken ClientHello is given up once; its later packets cost nothing', () => {
    const sniffer = createSniffer();
    const broken = Uint8Array.from(clientHelloStream({ sni: 'broken.example' }));
    // The session id length (after record header 5, handshake header 4, version 2, random 32): 33 > 32.
    broken[43] = 33;
    expect(sniffer.onPayload(tcpEvent('t', 1, broken))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 1, pendingFlows: 0 });
    expect(sniffer.onPayload(tcpEvent('t', 1, stream))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 1, tlsNames: 0, pendingFlows: 0 });
  });

  it('handshake bytes that are not a ClientHello\'s start may be mid-stream: held, within the budget', () => {
    const sniffer = createSniffer({ maxBytesPerFlow: 1000 });
    const serverHello = inRecords(hex('02000004 03030000'));
    expect(sniffer.onPayload(tcpEvent('t', 1, serverHello))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 0, pendingFlows: 1 });
    expect(sniffer.onPayload(tcpEvent('t', 1 + serverHello.length, new Uint8Array(1000)))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 1, pendingFlows: 0 });
  });

  it('a later segment that begins at a record boundary, arriving first, is not taken for the start', () => {
    // Records of 1529 bytes: the second segment begins exactly with the second record's header.
    const hello = clientHelloStream({ sni: 'a.aa', padTo: 2828, maxRecord: 1529 });
    const [first, second] = segments(hello, [1534], 0);
    if (first === undefined || second === undefined) throw new Error('two segments expected');
    expect(second.bytes[0]).toBe(0x16);
    const sniffer = createSniffer();
    expect(sniffer.onPayload(tcpEvent('t', second.seq, second.bytes))).toEqual([]);
    expect(sniffer.onPayload(tcpEvent('t', first.seq, first.bytes)).map((h) => h.kind === 'sni' && h.name)).toEqual(['a.aa']);
  });

  it('a hello cut into one-byte records (as some anti-censorship tools do) is named', () => {
    const sniffer = createSniffer();
    const tiny = clientHelloStream({ sni: 'tiny.example', padTo: 1200, maxRecord: 1 });
    expect(sniffer.onPayload(tcpEvent('t', 1, tiny)).map((h) => h.kind === 'sni' && h.name)).toEqual(['tiny.example']);
  });

  it('a hello without server_name finishes the flow without a hint', () => {
    const sniffer = createSniffer();
    expect(sniffer.onPayload(tcpEvent('t', 1, clientHelloStream({})))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 0, tlsNames: 0, pendingFlows: 0 });
  });

  it('gives up past the byte budget when the start never comes', () => {
    const sniffer = createSniffer({ maxBytesPerFlow: 4096 });
    const filler = new Uint8Array(1000).fill(0x41);
    for (let i = 1; i <= 5; i++) expect(sniffer.onPayload(tcpEvent('t', 100_000 + i * 1000, filler))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 1, pendingFlows: 0 });
  });

  it('a segment without a sequence number is counted as malformed', () => {
    const sniffer = createSniffer();
    expect(sniffer.onPayload({ ...tcpEvent('t', 0, stream), tcpSeq: undefined })).toEqual([]);
    expect(sniffer.stats().malformed).toBe(1);
  });

  it('holds at most maxFlows flows, dropping the oldest', () => {
    const sniffer = createSniffer({ maxFlows: 3 });
    for (let i = 0; i < 10; i++) sniffer.onPayload(tcpEvent(`f${i}`, 1, segs[0]?.bytes ?? new Uint8Array()));
    expect(sniffer.stats().pendingFlows).toBe(3);
    // f9 is still held: its second and third segments name it; f0 was dropped: they do not.
    expect(sniffer.onPayload(tcpEvent('f9', 1 + 1448, segs[1]?.bytes ?? new Uint8Array()))).toEqual([]);
    expect(sniffer.onPayload(tcpEvent('f9', 1 + 2896, segs[2]?.bytes ?? new Uint8Array())).length).toBe(1);
    expect(sniffer.onPayload(tcpEvent('f0', 1 + 1448, segs[1]?.bytes ?? new Uint8Array()))).toEqual([]);
    expect(sniffer.onPayload(tcpEvent('f0', 1 + 2896, segs[2]?.bytes ?? new Uint8Array()))).toEqual([]);
  });

  it('remembers at most maxDoneFlows finished flows, forgetting the oldest', () => {
    const hello = clientHelloStream({ sni: 'done.example' });
    const sniffer = createSniffer({ maxDoneFlows: 2 });
    const send = (flow: string) => sniffer.onPayload(tcpEvent(flow, 1, hello)).length;
    expect([send('f0'), send('f1'), send('f2')]).toEqual([1, 1, 1]);
    // f1 and f2 are remembered as done; f0 was forgotten, so its hello is read (and named) again.
    expect([send('f2'), send('f1'), send('f0')]).toEqual([0, 0, 1]);
  });

  it('forget drops a flow\'s state', () => {
    const sniffer = createSniffer();
    sniffer.onPayload(tcpEvent('t', segs[0]?.seq ?? 0, segs[0]?.bytes ?? new Uint8Array()));
    expect(sniffer.stats().pendingFlows).toBe(1);
    sniffer.forget('t');
    expect(sniffer.stats().pendingFlows).toBe(0);
  });

  it('the helper\'s hello is the size asked for and its length fields add up', () => {
    const message = clientHelloMessage({ sni: 'size.example', padTo: 1800 });
    expect(message.length).toBe(1800);
    expect(((message[1] ?? 0) << 16) | ((message[2] ?? 0) << 8) | (message[3] ?? 0)).toBe(1796);
  });
});

/** The first bytes Node's own TLS client (OpenSSL) writes for `servername`, caught in memory: no network. */
async function opensslHello(servername: string): Promise<Uint8Array> {
  let resolve: (hello: Uint8Array) => void = () => undefined;
  const promise = new Promise<Uint8Array>((r) => (resolve = r));
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      // The hello is the client's first write, whole: key generation may take a while on a loaded machine.
      resolve(Uint8Array.from(chunk));
      callback();
    },
  });
  const socket = tls.connect({ socket: duplex, servername, ALPNProtocols: ['h2', 'http/1.1'] });
  socket.on('error', () => undefined);
  const hello = await promise;
  socket.destroy();
  return hello;
}

describe('a real ClientHello (Node\'s OpenSSL, with its post-quantum key share)', () => {
  it('is named from its segments in any order', async () => {
    const hello = await opensslHello('Real.Example.COM');
    // OpenSSL 3.5 sends X25519MLKEM768: the hello is bigger than one 1448-byte segment.
    expect(hello[0]).toBe(0x16);
    expect(hello.length).toBeGreaterThan(1448);
    const segs = segments(hello, [700, 1448], 0x7ffffff0);
    for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) {
      const sniffer = createSniffer();
      const names = order.flatMap((i) => sniffer.onPayload(tcpEvent('o', segs[i]?.seq ?? 0, segs[i]?.bytes ?? new Uint8Array())));
      expect(names.map((h) => h.kind === 'sni' && h.name)).toEqual(['real.example.com']);
    }
  });

  it('without a servername (an IP literal) it has no server_name: no hint, nothing held', async () => {
    const hello = await opensslHello('');
    const sniffer = createSniffer();
    expect(sniffer.onPayload(tcpEvent('o', 1, hello))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ tlsNames: 0, malformed: 0, pendingFlows: 0 });
  });
});

describe('properties', () => {
  it('any cutting into segments, in any order, with duplicates, names the flow exactly once', () => {
    fc.assert(
      fc.property(
        fc.domain(),
        fc.integer({ min: 0, max: 4000 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 3999 }), { maxLength: 6 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.infiniteStream(fc.nat()),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.boolean(),
        (domain, padTo, cuts, isn, shuffle, dupes, sniLast) => {
          const stream = clientHelloStream({ sni: domain, padTo, maxRecord: 1 + (padTo % 1500) + 200, sniLast });
          const segs = segments(stream, cuts, isn);
          // A random order of the segments (Fisher–Yates from the stream of numbers), then some repeats.
          const order = segs.map((_, i) => i);
          const it = shuffle[Symbol.iterator]();
          for (let i = order.length - 1; i > 0; i--) {
            const j = (it.next().value ?? 0) % (i + 1);
            [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
          }
          const sequence = [...order, ...dupes.map((d) => d % segs.length)];
          const sniffer = createSniffer();
          const names = sequence.flatMap((i) => sniffer.onPayload(tcpEvent('p', segs[i]?.seq ?? 0, segs[i]?.bytes ?? new Uint8Array())));
          expect(names.map((h) => h.kind === 'sni' && h.name)).toEqual([domain.toLowerCase().replace(/\.$/, '')]);
          expect(sniffer.stats().pendingFlows).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random bytes after a handshake record byte never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 0xffffffff }), (rest, seq) => {
        const sniffer = createSniffer();
        const bytes = Uint8Array.from([0x16, ...rest]);
        expect(() => sniffer.onPayload(tcpEvent('r', seq, bytes))).not.toThrow();
        expect(() => parseTlsStreamStart(bytes)).not.toThrow();
        expect(() => parseClientHello(rest)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

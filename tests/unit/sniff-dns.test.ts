// DNS responses → (address → asked-for name, TTL). Packets are hand-assembled hex (with compression, and
// the HTTPS record dns-packet cannot write) or written by dns-packet, an independent encoder; expected
// hints are read off the packets by hand, or, in the property, from the chain the test itself chose.
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSniffer, parseDnsResponse } from '../../src-main/engine/sniff/index.js';
import type { PayloadEvent } from '../../src-main/engine/types.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const AT = 1_700_000_000_000;

/** example.com A 93.184.216.34, TTL 300; the answer's owner is a pointer to the question (c00c). */
const SIMPLE = hex(`
  1234 8180 0001 0001 0000 0000
  07 4578616d706c65 03 434f4d 00 0001 0001
  c00c 0001 0001 0000012c 0004 5db8d822
`);

/**
 * www.example.com → CNAME x.cdn.net (TTL 3600) → A 1.2.3.4 (TTL 60) and AAAA 2001:db8::1 (TTL 120).
 * The CNAME's target starts at offset 45 (12 header + 21 question + 12 RR header): the next owners point there (c02d).
 */
const CHAIN = hex(`
  0001 8180 0001 0003 0000 0000
  03 777777 07 6578616d706c65 03 636f6d 00 0001 0001
  c00c 0005 0001 00000e10 000b 01 78 03 63646e 03 6e6574 00
  c02d 0001 0001 0000003c 0004 01020304
  c02d 001c 0001 00000078 0010 20010db8000000000000000000000001
`);

/** svc.example HTTPS 1 . alpn=h2 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::53, TTL 3600 (RFC 9460 wire format). */
const HTTPS_RR = hex(`
  0002 8180 0001 0001 0000 0000
  03 737663 07 6578616d706c65 00 0041 0001
  c00c 0041 0001 00000e10 002a
    0001 00
    0001 0003 02 6832
    0004 0008 c0000201 c0000202
    0006 0010 20010db8000000000000000000000053
`);

const hint = (name: string, address: string, ttlS: number) => ({ kind: 'dns', name, address, ttlS, atMs: AT });

type Answer = dnsPacket.Answer;
function response(question: string, answers: Answer[], flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, type: 'response' | 'query' = 'response'): Uint8Array {
  return Uint8Array.from(dnsPacket.encode({ type, id: 7, flags, questions: [{ type: 'A', name: question }], answers }));
}
const a = (name: string, data: string, ttl: number): Answer => ({ type: 'A', name, data, ttl });
const aaaa = (name: string, data: string, ttl: number): Answer => ({ type: 'AAAA', name, data, ttl });
const cname = (name: string, data: string, ttl: number): Answer => ({ type: 'CNAME', name, data, ttl });

describe('hand-assembled packets', () => {
  it('a compressed A answer; the name lowercased', () => {
    expect(parseDnsResponse(SIMPLE, AT)).toEqual({ kind: 'answers', hints: [hint('example.com', '93.184.216.34', 300)] });
  });

  it('a CNAME chain gives the question\'s name, with the smallest TTL on the way', () => {
    expect(parseDnsResponse(CHAIN, AT)).toEqual({
      kind: 'answers',
      hints: [hint('www.example.com', '1.2.3.4', 60), hint('www.example.com', '2001:db8::1', 120)],
    });
  });

  it('HTTPS ipv4hint and ipv6hint', () => {
    expect(parseDnsResponse(HTTPS_RR, AT)).toEqual({
      kind: 'answers',
      hints: [hint('svc.example', '192.0.2.1', 3600), hint('svc.example', '192.0.2.2', 3600), hint('svc.example', '2001:db8::53', 3600)],
    });
  });

  it('a capture cut inside the last answer keeps the answers that arrived whole', () => {
    const cut = CHAIN.subarray(0, CHAIN.length - 10);
    expect(parseDnsResponse(cut, AT, true)).toEqual({ kind: 'answers', hints: [hint('www.example.com', '1.2.3.4', 60)] });
    // The same bytes, not cut by the capture, are a broken message.
    expect(parseDnsResponse(cut, AT, false)).toMatchObject({ kind: 'malformed' });
  });

  it.each([
    ['empty', hex('')],
    ['short header', hex('1234 8180 0001')],
    ['compression loop in the question', hex('1234 8180 0001 0000 0000 0000 c00c 0001 0001')],
    ['pointer past the end', hex('1234 8180 0001 0000 0000 0000 c0ff 0001 0001')],
    ['label past the end', hex('1234 8180 0001 0000 0000 0000 3f 6162')],
    ['reserved label type 0x40', hex('1234 8180 0001 0000 0000 0000 41 00 0001 0001')],
    ['A record of 5 bytes', hex('1234 8180 0001 0001 0000 0000 01 61 00 0001 0001 c00c 0001 0001 0000012c 0005 0102030405')],
    ['ipv4hint of 6 bytes', hex('1234 8180 0001 0001 0000 0000 01 61 00 0041 0001 c00c 0041 0001 0000012c 000d 0001 00 0004 0006 010203040506')],
  ])('malformed: %s', (_name, bytes) => {
    expect(parseDnsResponse(bytes, AT)).toMatchObject({ kind: 'malformed' });
  });
});

describe('packets written by dns-packet', () => {
  it.each([
    ['A and AAAA', response('example.org', [a('example.org', '203.0.113.10', 30), aaaa('example.org', '2001:0db8:0000:0000:0000:0000:0000:000a', 40)]), [hint('example.org', '203.0.113.10', 30), hint('example.org', '2001:db8::a', 40)]],
    [
      'a chain of three CNAMEs written backwards',
      response('a.example', [a('d.example', '198.51.100.4', 500), cname('c.example', 'd.example', 50), cname('b.example', 'c.example', 400), cname('a.example', 'b.example', 300)]),
      [hint('a.example', '198.51.100.4', 50)],
    ],
    ['an address for a name outside the chain is not tied to the question', response('a.example', [a('other.example', '198.51.100.5', 60)]), []],
    ['an IPv4-mapped AAAA is an IPv4 address', response('m.example', [aaaa('m.example', '::ffff:198.51.100.9', 60)]), [hint('m.example', '198.51.100.9', 60)]],
    ['a TTL with its top bit set counts as 0 (RFC 2181)', response('t.example', [a('t.example', '198.51.100.1', 0x80000000)]), [hint('t.example', '198.51.100.1', 0)]],
    ['a CNAME loop ends', response('x.example', [cname('x.example', 'y.example', 10), cname('y.example', 'x.example', 10), a('y.example', '198.51.100.2', 99)]), [hint('x.example', '198.51.100.2', 10)]],
    ['no answers (NODATA)', response('n.example', []), []],
    ['the same address twice keeps the longer TTL', response('d.example', [a('d.example', '198.51.100.3', 5), a('d.example', '198.51.100.3', 50)]), [hint('d.example', '198.51.100.3', 50)]],
  ])('%s', (_name, packet, expected) => {
    expect(parseDnsResponse(packet, AT)).toEqual({ kind: 'answers', hints: expected });
  });

  it.each([
    ['a query', response('q.example', [], 0, 'query')],
    ['NXDOMAIN (rcode 3)', response('nx.example', [a('nx.example', '198.51.100.1', 1)], 3)],
    ['SERVFAIL (rcode 2)', response('sf.example', [a('sf.example', '198.51.100.1', 1)], 2)],
    ['opcode 5 (UPDATE)', response('u.example', [a('u.example', '198.51.100.1', 1)], 5 << 11)],
  ])('ignored: %s', (_name, packet) => {
    expect(parseDnsResponse(packet, AT)).toMatchObject({ kind: 'ignored' });
  });
});

describe('the sniffer routes DNS', () => {
  const event = (over: Partial<PayloadEvent>): PayloadEvent => ({
    flowId: 'resolver',
    wallMs: AT,
    direction: 'in',
    protocol: 'udp',
    remote: { address: '198.51.100.53', port: 53 },
    bytes: CHAIN,
    truncated: false,
    ...over,
  });

  it('answers in from port 53 become hints, every time (the resolver\'s flow is never finished)', () => {
    const sniffer = createSniffer();
    expect(sniffer.onPayload(event({}))).toHaveLength(2);
    expect(sniffer.onPayload(event({ bytes: SIMPLE }))).toEqual([hint('example.com', '93.184.216.34', 300)]);
    expect(sniffer.stats()).toEqual({ dnsAnswers: 3, tlsNames: 0, quicNames: 0, malformed: 0, pendingFlows: 0 });
  });

  it.each([
    ['from another port', event({ remote: { address: '198.51.100.53', port: 5353 } })],
    ['over TCP', event({ protocol: 'tcp', tcpSeq: 1 })],
    ['outgoing (a query to port 53)', event({ direction: 'out' })],
  ])('not DNS for the sniffer: %s', (_name, e) => {
    const sniffer = createSniffer();
    expect(sniffer.onPayload(e)).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ dnsAnswers: 0, malformed: 0 });
  });

  it('a malformed answer is counted', () => {
    const sniffer = createSniffer();
    expect(sniffer.onPayload(event({ bytes: hex('1234 8180 0001 0000 0000 0000 c00c 0001 0001') }))).toEqual([]);
    expect(sniffer.stats().malformed).toBe(1);
  });
});

describe('properties', () => {
  const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
  const name = fc.array(label, { minLength: 2, maxLength: 4 }).map((ls) => ls.join('.'));

  it('a chain of CNAMEs in any order gives each address of its end the question\'s name and the chain\'s smallest TTL', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 86_400 }), { minLength: 5, maxLength: 5 }),
        fc.uniqueArray(fc.ipV4(), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 86_400 }),
        fc.infiniteStream(fc.nat()),
        (names, ttls, addresses, addressTtl, shuffle) => {
          const [question] = names;
          if (question === undefined) return;
          const answers: Answer[] = [];
          for (let i = 0; i + 1 < names.length; i++) answers.push(cname(names[i] ?? '', names[i + 1] ?? '', ttls[i] ?? 0));
          const end = names.at(-1) ?? '';
          for (const address of addresses) answers.push(a(end, address, addressTtl));
          const it = shuffle[Symbol.iterator]();
          for (let i = answers.length - 1; i > 0; i--) {
            const j = (it.next().value ?? 0) % (i + 1);
            [answers[i], answers[j]] = [answers[j] as Answer, answers[i] as Answer];
          }
          const chainTtl = Math.min(addressTtl, ...ttls.slice(0, names.length - 1));
          const result = parseDnsResponse(response(question, answers), AT);
          expect(result.kind).toBe('answers');
          if (result.kind !== 'answers') return;
          expect([...result.hints].sort((x, y) => x.address.localeCompare(y.address))).toEqual(
            [...addresses].sort((x, y) => x.localeCompare(y)).map((address) => hint(question, address, chainTtl)),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random bytes, and every cut of a real answer, never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, truncated) => {
        expect(() => parseDnsResponse(bytes, AT, truncated)).not.toThrow();
        const withHeader = Uint8Array.from([0x12, 0x34, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0, ...bytes]);
        expect(() => parseDnsResponse(withHeader, AT, truncated)).not.toThrow();
      }),
      { numRuns: 300 },
    );
    for (const packet of [SIMPLE, CHAIN, HTTPS_RR]) {
      for (let n = 0; n <= packet.length; n++) expect(() => parseDnsResponse(packet.subarray(0, n), AT, true)).not.toThrow();
    }
  });
});

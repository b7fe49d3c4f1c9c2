// The flow namer: which name a flow gets from the hints the packets gave. Every expected name below is
// worked out by hand from the rules (SNI first; else the latest DNS answer for the remote address,
// alive for its TTL clamped to [60 s, 1 h] by default; a flow's DNS name fixed at first naming).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowNamer, normalizeHostName } from '../../src-main/engine/domains/packets/flow-names.js';
import type { NameHint } from '../../src-main/engine/sniff/types.js';
import type { FlowDelta } from '../../src-main/engine/types.js';

const T = 1_800_000_000_000;

function flow(id: string, address: string | null, port = 443): FlowDelta {
  return {
    id,
    owner: { pid: 1, name: 'curl' },
    remote: address === null ? undefined : { protocol: address.includes(':') ? 'tcp6' : 'tcp4', address, port },
    bytesIn: 1,
    bytesOut: 1,
  };
}

const dns = (name: string, address: string, ttlS: number, atMs: number): NameHint => ({ kind: 'dns', name, address, ttlS, atMs });
const sni = (flowId: string, name: string, atMs: number, via: 'tls' | 'quic' = 'tls'): NameHint => ({ kind: 'sni', flowId, name, via, atMs });

describe('DNS answers name flows to their address while fresh', () => {
  // One answer of 300 s at T for 203.0.113.7; flows first seen at various times.
  const cases: Array<{ what: string; ttlS: number; seenAt: number; expected: string | null }> = [
    { what: 'seen 1 s after the answer', ttlS: 300, seenAt: T + 1000, expected: 'api.a.test' },
    { what: 'seen on the last millisecond of the TTL', ttlS: 300, seenAt: T + 300_000, expected: 'api.a.test' },
    { what: 'seen 1 ms after the TTL', ttlS: 300, seenAt: T + 300_001, expected: null },
    // A TTL of 5 s is stretched to the 60 s floor.
    { what: 'short TTL, seen at 59 s', ttlS: 5, seenAt: T + 59_000, expected: 'api.a.test' },
    { what: 'short TTL, seen at 61 s', ttlS: 5, seenAt: T + 61_000, expected: null },
    { what: 'TTL 0, seen at 30 s', ttlS: 0, seenAt: T + 30_000, expected: 'api.a.test' },
    // A TTL of a day is cut to the 1 h cap.
    { what: 'long TTL, seen at 59 min', ttlS: 86_400, seenAt: T + 59 * 60_000, expected: 'api.a.test' },
    { what: 'long TTL, seen at 61 min', ttlS: 86_400, seenAt: T + 61 * 60_000, expected: null },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const namer = new FlowNamer();
      namer.note(dns('api.a.test', '203.0.113.7', c.ttlS, T));
      expect(namer.name(flow('f', '203.0.113.7'), c.seenAt)).toBe(c.expected);
    });
  }

  it('a flow to another address, or without one, gets no name', () => {
    const namer = new FlowNamer();
    namer.note(dns('api.a.test', '203.0.113.7', 300, T));
    expect(namer.name(flow('f', '203.0.113.8'), T + 1000)).toBeNull();
    expect(namer.name(flow('g', null), T + 1000)).toBeNull();
  });

  it('matches addresses however they are spelled (IPv6 forms, IPv4-mapped)', () => {
    const namer = new FlowNamer();
    namer.note(dns('v6.a.test', '2001:DB8:0:0::0001', 300, T));
    namer.note(dns('v4.a.test', '198.51.100.20', 300, T));
    expect(namer.name(flow('f', '2001:db8::1'), T + 1000)).toBe('v6.a.test');
    expect(namer.name(flow('g', '::ffff:198.51.100.20'), T + 1000)).toBe('v4.a.test');
  });

  it('the floor and cap are options', () => {
    const namer = new FlowNamer({ minTtlS: 10, maxTtlS: 20 });
    namer.note(dns('a.test', '203.0.113.1', 1, T));
    namer.note(dns('b.test', '203.0.113.2', 100, T));
    expect(namer.name(flow('1', '203.0.113.1'), T + 10_000)).toBe('a.test');
    expect(namer.name(flow('2', '203.0.113.1'), T + 10_001)).toBeNull();
    expect(namer.name(flow('3', '203.0.113.2'), T + 20_000)).toBe('b.test');
    expect(namer.name(flow('4', '203.0.113.2'), T + 20_001)).toBeNull();
  });
});

describe('SNI wins over DNS', () => {
  it('a ClientHello names its flow whatever DNS said, before or after the flow was named by DNS', () => {
    const namer = new FlowNamer();
    namer.note(dns('cdn.a.test', '203.0.113.9', 300, T));
    // Flow 1: the ClientHello came before the flow was seen.
    namer.note(sni('1', 'video.b.test', T + 100));
    expect(namer.name(flow('1', '203.0.113.9'), T + 5000)).toBe('video.b.test');
    // Flow 2: first named by DNS, then its ClientHello (reassembled late) says otherwise.
    expect(namer.name(flow('2', '203.0.113.9'), T + 5000)).toBe('cdn.a.test');
    namer.note(sni('2', 'www.c.test', T + 5100, 'quic'));
    expect(namer.name(flow('2', '203.0.113.9'), T + 10_000)).toBe('www.c.test');
  });

  it('an SNI name does not expire, and needs no address', () => {
    const namer = new FlowNamer();
    namer.note(sni('q', 'stream.a.test', T));
    expect(namer.name(flow('q', null), T + 24 * 3600_000)).toBe('stream.a.test');
  });

  it('SNI names only its own flow', () => {
    const namer = new FlowNamer();
    namer.note(sni('1', 'one.test', T));
    expect(namer.name(flow('2', '203.0.113.3'), T)).toBeNull();
  });
});

describe('re-answered addresses', () => {
  it('a flow keeps the DNS name it was first named with; new flows take the latest answer', () => {
    const namer = new FlowNamer();
    namer.note(dns('first.test', '203.0.113.5', 300, T));
    expect(namer.name(flow('old', '203.0.113.5'), T + 1000)).toBe('first.test');
    namer.note(dns('second.test', '203.0.113.5', 300, T + 2000));
    expect(namer.name(flow('old', '203.0.113.5'), T + 5000)).toBe('first.test');
    expect(namer.name(flow('new', '203.0.113.5'), T + 5000)).toBe('second.test');
    // Long after both answers expired the old flow still has its name.
    expect(namer.name(flow('old', '203.0.113.5'), T + 3600_000)).toBe('first.test');
  });

  it('an older answer arriving late does not replace a newer one', () => {
    const namer = new FlowNamer();
    namer.note(dns('new.test', '203.0.113.5', 300, T + 2000));
    namer.note(dns('old.test', '203.0.113.5', 300, T));
    expect(namer.name(flow('f', '203.0.113.5'), T + 3000)).toBe('new.test');
  });

  it('a re-answer renews the address: a later, fresh answer outlives the first one\'s TTL', () => {
    const namer = new FlowNamer();
    namer.note(dns('a.test', '203.0.113.5', 60, T));
    namer.note(dns('a.test', '203.0.113.5', 60, T + 50_000));
    // First answer alone would end at T+60 s; the second lasts to T+110 s.
    expect(namer.name(flow('f', '203.0.113.5'), T + 100_000)).toBe('a.test');
    expect(namer.name(flow('g', '203.0.113.5'), T + 110_001)).toBeNull();
  });

  it('a flow nothing named is asked again later', () => {
    const namer = new FlowNamer();
    expect(namer.name(flow('f', '203.0.113.6'), T)).toBeNull();
    namer.note(dns('late.test', '203.0.113.6', 300, T + 1000));
    expect(namer.name(flow('f', '203.0.113.6'), T + 5000)).toBe('late.test');
  });

  it('forget drops a closed flow\'s name: the same id is named afresh', () => {
    const namer = new FlowNamer();
    namer.note(sni('f', 'one.test', T));
    namer.note(dns('two.test', '203.0.113.6', 300, T));
    namer.forget('f');
    expect(namer.name(flow('f', '203.0.113.6'), T + 1000)).toBe('two.test');
    expect(namer.stats().flows).toBe(1);
  });
});

describe('answers per asker (the app whose socket received the answer)', () => {
  it('two apps resolving different names to one address at once each keep their own name', () => {
    const namer = new FlowNamer();
    namer.note(dns('files.d.test', '203.0.113.7', 300, T), 'fetcher');
    namer.note(dns('img.d.test', '203.0.113.7', 300, T + 1000), 'shorty');
    expect(namer.name(flow('a', '203.0.113.7'), T + 2000, 'fetcher')).toBe('files.d.test');
    expect(namer.name(flow('b', '203.0.113.7'), T + 2000, 'shorty')).toBe('img.d.test');
    // An app that asked nothing here, or a flow without an app, takes the latest answer.
    expect(namer.name(flow('c', '203.0.113.7'), T + 2000, 'other')).toBe('img.d.test');
    expect(namer.name(flow('d', '203.0.113.7'), T + 2000)).toBe('img.d.test');
  });

  it('an asker\'s expired answer gives way to the latest fresh one', () => {
    const namer = new FlowNamer();
    namer.note(dns('files.d.test', '203.0.113.7', 60, T), 'fetcher');
    namer.note(dns('img.d.test', '203.0.113.7', 300, T + 1000), 'shorty');
    // fetcher's answer ended at T+60 s; shorty's lasts to T+301 s.
    expect(namer.name(flow('a', '203.0.113.7'), T + 61_000, 'fetcher')).toBe('img.d.test');
  });

  it('an asker\'s older answer arriving late does not replace its newer one', () => {
    const namer = new FlowNamer();
    namer.note(dns('new.test', '203.0.113.7', 300, T + 5000), 'fetcher');
    namer.note(dns('old.test', '203.0.113.7', 300, T), 'fetcher');
    namer.note(dns('other.test', '203.0.113.7', 300, T + 6000), 'shorty');
    expect(namer.name(flow('a', '203.0.113.7'), T + 7000, 'fetcher')).toBe('new.test');
  });

  it('at most 8 askers per address: the least recently answered goes', () => {
    const namer = new FlowNamer();
    for (let i = 0; i < 9; i++) namer.note(dns(`n${i}.test`, '203.0.113.7', 300, T + i), `app${i}`);
    // app0's own answer was dropped for app8's: app0 now takes the latest (n8.test); app1 still has its own.
    expect(namer.name(flow('a', '203.0.113.7'), T + 100, 'app0')).toBe('n8.test');
    expect(namer.name(flow('b', '203.0.113.7'), T + 100, 'app1')).toBe('n1.test');
  });
});

describe('names as stored', () => {
  const cases: Array<[string, string | null]> = [
    ['Video.A.Test.', 'video.a.test'],
    ['xn--bcher-kva.test', 'xn--bcher-kva.test'],
    ['_dmarc.a.test', '_dmarc.a.test'],
    ['', null],
    ['.', null],
    ['a..test', null],
    ['-a.test', null],
    ['a-.test', null],
    ['bücher.test', null],
    ['a test', null],
    ['203.0.113.1', null],
    ['2001:db8::1', null],
    [`${'a'.repeat(64)}.test`, null],
    [`${'a'.repeat(63)}.test`, `${'a'.repeat(63)}.test`],
    // 4 labels of 63 + 3 dots = 255 > 253.
    [Array.from({ length: 4 }, () => 'a'.repeat(63)).join('.'), null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input.length > 40 ? `${input.slice(0, 20)}…` : input)} → ${String(expected)}`, () => {
      expect(normalizeHostName(input)).toBe(expected);
    });
  }

  it('hints with a bad name or address are skipped and counted', () => {
    const namer = new FlowNamer();
    namer.note(dns('a b', '203.0.113.1', 300, T));
    namer.note(dns('ok.test', 'not-an-ip', 300, T));
    namer.note(sni('f', '198.51.100.1', T));
    expect(namer.stats()).toEqual({ addresses: 0, flows: 0, rejected: 3, evicted: 0 });
    expect(namer.name(flow('f', '203.0.113.1'), T)).toBeNull();
  });
});

describe('bounds', () => {
  it('past maxAddresses the least recently answered address goes first; expired ones before it', () => {
    const namer = new FlowNamer({ maxAddresses: 3 });
    namer.note(dns('one.test', '203.0.113.1', 300, T));
    namer.note(dns('two.test', '203.0.113.2', 300, T + 1));
    namer.note(dns('three.test', '203.0.113.3', 300, T + 2));
    // Re-answering .1 makes .2 the least recent; a fourth address pushes .2 out.
    namer.note(dns('one.test', '203.0.113.1', 300, T + 3));
    namer.note(dns('four.test', '203.0.113.4', 300, T + 4));
    expect(namer.stats()).toMatchObject({ addresses: 3, evicted: 1 });
    expect(namer.name(flow('a', '203.0.113.2'), T + 10)).toBeNull();
    expect(namer.name(flow('b', '203.0.113.1'), T + 10)).toBe('one.test');
    expect(namer.name(flow('c', '203.0.113.3'), T + 10)).toBe('three.test');
    expect(namer.name(flow('d', '203.0.113.4'), T + 10)).toBe('four.test');
  });

  it('an expired answer makes room before a live one is evicted', () => {
    const namer = new FlowNamer({ maxAddresses: 2 });
    namer.note(dns('short.test', '203.0.113.1', 60, T));
    namer.note(dns('long.test', '203.0.113.2', 3600, T + 1));
    // At T+120 s .1 has expired: it goes, .2 stays, nothing is counted as evicted.
    namer.note(dns('new.test', '203.0.113.3', 300, T + 120_000));
    expect(namer.stats()).toMatchObject({ addresses: 2, evicted: 0 });
    expect(namer.name(flow('a', '203.0.113.2'), T + 120_000)).toBe('long.test');
  });

  it('past maxFlows the least recently named flow goes first', () => {
    const namer = new FlowNamer({ maxFlows: 2 });
    namer.note(sni('1', 'one.test', T));
    namer.note(sni('2', 'two.test', T));
    namer.note(sni('3', 'three.test', T));
    expect(namer.stats()).toMatchObject({ flows: 2, evicted: 1 });
    expect(namer.name(flow('1', null), T)).toBeNull();
    expect(namer.name(flow('3', null), T)).toBe('three.test');
  });

  it('eviction goes by an eighth of the bound at once, oldest first', () => {
    const namer = new FlowNamer({ maxFlows: 16 });
    for (let i = 1; i <= 17; i++) namer.note(sni(String(i), `n${i}.test`, T));
    // The 17th finds 16: the oldest 16/8 = 2 go (1 and 2), then 17 joins: 15 left.
    expect(namer.stats()).toMatchObject({ flows: 15, evicted: 2 });
    expect(namer.name(flow('2', null), T)).toBeNull();
    expect(namer.name(flow('3', null), T)).toBe('n3.test');
    expect(namer.name(flow('17', null), T)).toBe('n17.test');
  });

  it('any stream of hints stays within the bounds, and a flow\'s SNI is always its name', () => {
    const hint = fc.oneof(
      fc.record({ kind: fc.constant('dns' as const), name: fc.constantFrom('a.test', 'b.test', 'c.test'), address: fc.integer({ min: 1, max: 20 }).map((n) => `203.0.113.${n}`), ttlS: fc.integer({ min: 0, max: 100_000 }), atMs: fc.integer({ min: T, max: T + 600_000 }) }),
      fc.record({ kind: fc.constant('sni' as const), flowId: fc.integer({ min: 1, max: 30 }).map(String), name: fc.constantFrom('x.test', 'y.test'), via: fc.constant('tls' as const), atMs: fc.integer({ min: T, max: T + 600_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(hint, { maxLength: 200 }), (hints) => {
        const namer = new FlowNamer({ maxAddresses: 5, maxFlows: 7 });
        const lastSni = new Map<string, string>();
        for (const h of hints) {
          namer.note(h);
          if (h.kind === 'sni') lastSni.set(h.flowId, h.name);
          const s = namer.stats();
          if (s.addresses > 5 || s.flows > 7) return false;
        }
        // The last SNI noted is remembered (it was the most recent insertion).
        const last = [...hints].reverse().find((h) => h.kind === 'sni');
        if (last !== undefined && last.kind === 'sni') return namer.name(flow(last.flowId, '203.0.113.1'), T + 700_000) === lastSni.get(last.flowId);
        return true;
      }),
    );
  });
});

// netmon-capture's line protocol (version 1, documented at the top of netmon-capture.c): each line kind
// read into its fields, broken lines rejected, snapshots grouped, and a snapshot cut short dropped. The
// expected values are read off the lines by hand. The first table holds lines the real helper printed
// on this machine (kernel 6.18) while python moved known bytes in a namespace.
import { describe, expect, it } from 'vitest';
import { captureFlowId, decodeComm, parseCaptureLine, SnapshotAssembler, type CaptureLine } from '../../../../../src-main/engine/samplers/ebpf/protocol.js';

const T = (...fields: string[]): string => fields.join('\t');

const GOOD: [string, string, CaptureLine][] = [
  ['version line', T('V', '1', '5267', '500'), { kind: 'version', version: 1, netnsCookie: '5267', intervalMs: 500 }],
  ['snapshot start', T('S', '9', '1795279180358', '13052968'), { kind: 'start', snapshot: 9, wallMs: 1795279180358, monoMs: 13052968 }],
  [
    'live TCP flow, 100 000 bytes out in 3 merged 64 KB packets',
    T('F', '5bcb', 'tcp', '4', '127.0.0.1', '37242', '100000', '5000', '3', '1', '23251', '0', 'python3'),
    {
      kind: 'flow',
      closed: false,
      flow: { cookie: '5bcb', protocol: 'tcp', family: 4, address: '127.0.0.1', port: 37242, bytesIn: 100000, bytesOut: 5000, packetsIn: 3, packetsOut: 1, pid: 23251, uid: 0, comm: 'python3' },
    },
  ],
  [
    'closed UDP key, IPv6 peer, owner unknown',
    T('C', 'ffffffffffffffff', 'udp', '6', '2001:db8::1', '443', '0', '1200', '0', '1', '0', '1000', '-'),
    {
      kind: 'flow',
      closed: true,
      flow: { cookie: 'ffffffffffffffff', protocol: 'udp', family: 6, address: '2001:db8::1', port: 443, bytesIn: 0, bytesOut: 1200, packetsIn: 0, packetsOut: 1, pid: 0, uid: 1000, comm: null },
    },
  ],
  [
    'thread name with a space and an escaped tab and percent',
    T('F', '1', 'tcp', '4', '198.51.100.1', '443', '1', '2', '1', '1', '7', '1000', 'Socket Thread%09%25'),
    {
      kind: 'flow',
      closed: false,
      flow: { cookie: '1', protocol: 'tcp', family: 4, address: '198.51.100.1', port: 443, bytesIn: 1, bytesOut: 2, packetsIn: 1, packetsOut: 1, pid: 7, uid: 1000, comm: 'Socket Thread\t%' },
    },
  ],
  [
    'DNS answer start (UDP: no sequence number)',
    T('P', '9926', 'udp', '4', '127.0.0.1', '53', 'in', 'dns', '1795279466864', '-', '40', '4141'),
    {
      kind: 'payload',
      payload: { cookie: '9926', protocol: 'udp', family: 4, address: '127.0.0.1', port: 53, direction: 'in', what: 'dns', wallMs: 1795279466864, tcpSeq: null, length: 40, bytes: Uint8Array.from([0x41, 0x41]) },
    },
  ],
  [
    'TLS stream start with its sequence number (the largest a u32 holds)',
    T('P', '5bca', 'tcp', '4', '198.51.100.1', '443', 'out', 'tls', '1795279177344', '4294967295', '3', '160301'),
    {
      kind: 'payload',
      payload: { cookie: '5bca', protocol: 'tcp', family: 4, address: '198.51.100.1', port: 443, direction: 'out', what: 'tls', wallMs: 1795279177344, tcpSeq: 4294967295, length: 3, bytes: Uint8Array.from([0x16, 0x03, 0x01]) },
    },
  ],
  [
    'end of snapshot with losses',
    T('E', '9', '2', '3000', '1', '4', '17'),
    { kind: 'end', snapshot: 9, losses: { flowMapFull: 2, flowMapFullBytes: 3000, ownerMapFull: 1, packetStartsLost: 4 }, liveKeys: 17 },
  ],
];

const FLOW = ['F', '5bcb', 'tcp', '4', '127.0.0.1', '37242', '100000', '5000', '3', '1', '23251', '0', 'python3'];
const withField = (base: string[], index: number, value: string): string => T(...base.map((f, i) => (i === index ? value : f)));
const PAYLOAD = ['P', '5bca', 'tcp', '4', '198.51.100.1', '443', 'out', 'tls', '1795279177344', '100', '3', '160301'];

const BAD: [string, string][] = [
  ['empty', ''],
  ['unknown tag', T('X', '1')],
  ['version with a word for a number', T('V', 'one', '5267', '500')],
  ['start with a field missing', T('S', '9', '1795279180358')],
  ['flow with a field missing', T(...FLOW.slice(0, 12))],
  ['flow with an extra field', T(...FLOW, 'x')],
  ['cookie in upper case', withField(FLOW, 1, '5BCB')],
  ['cookie longer than 64 bits', withField(FLOW, 1, '1ffffffffffffffff')],
  ['unknown protocol', withField(FLOW, 2, 'sctp')],
  ['family 4 with an IPv6 address', withField(FLOW, 3, '4').replace('127.0.0.1', '::1')],
  ['family 6 with an IPv4 address', withField(FLOW, 3, '6')],
  ['address that is not one', withField(FLOW, 4, '127.0.0.256')],
  ['port above 65535', withField(FLOW, 5, '65536')],
  ['negative byte count', withField(FLOW, 6, '-1')],
  ['byte count with leading zero', withField(FLOW, 6, '0100')],
  ['byte count beyond 2^53', withField(FLOW, 7, '9007199254740993')],
  ['comm with a broken escape', withField(FLOW, 12, 'bad%G1')],
  ['comm empty', withField(FLOW, 12, '')],
  ['payload with odd hex', T(...PAYLOAD.slice(0, 11), '16030')],
  ['payload with upper-case hex', T(...PAYLOAD.slice(0, 11), '16030A')],
  ['payload longer than its packet', T(...PAYLOAD.slice(0, 10), '2', '160301')],
  ['payload direction unknown', withField(PAYLOAD, 6, 'both')],
  ['payload kind unknown', withField(PAYLOAD, 7, 'http')],
  ['TCP payload without a sequence number', withField(PAYLOAD, 9, '-')],
  ['TCP sequence number beyond 32 bits', withField(PAYLOAD, 9, '4294967296')],
  ['UDP payload with a sequence number', withField(withField(PAYLOAD, 2, 'udp').split('\t'), 9, '5')],
  ['end with a field missing', T('E', '9', '0', '0', '0', '0')],
];

describe('parseCaptureLine', () => {
  it.each(GOOD)('reads a %s', (_name, line, expected) => {
    expect(parseCaptureLine(line)).toEqual(expected);
  });

  it.each(BAD)('rejects %s', (_name, line) => {
    expect(parseCaptureLine(line)).toBeNull();
  });
});

describe('decodeComm', () => {
  it.each([
    ['-', null],
    ['nmburst', 'nmburst'],
    ['a%20b', 'a b'],
    ['%7F%25', '\x7f%'],
    ['trailing%2', null],
  ])('%s → %s', (text, expected) => {
    expect(decodeComm(text)).toBe(expected);
  });
});

describe('captureFlowId', () => {
  it('names a TCP key by its cookie alone, as the Linux sampler does', () => {
    expect(captureFlowId({ cookie: '5bcb', protocol: 'tcp', family: 4, address: '198.51.100.1', port: 443 })).toBe('sk:5bcb');
  });
  it('names a UDP key by cookie and peer: one socket, several peers', () => {
    expect(captureFlowId({ cookie: '5bcd', protocol: 'udp', family: 4, address: '198.51.100.1', port: 53 })).toBe('sk:5bcd/198.51.100.1/53');
    expect(captureFlowId({ cookie: '5bcd', protocol: 'udp', family: 6, address: '2001:db8::1', port: 443 })).toBe('sk:5bcd/2001:db8::1/443');
  });
});

describe('SnapshotAssembler', () => {
  const flow = (cookie: string, tag = 'F'): string => T(tag, cookie, 'tcp', '4', '198.51.100.1', '443', '10', '20', '1', '1', '42', '1000', 'nmapp');
  const dns = T('P', '9', 'udp', '4', '198.51.100.1', '53', 'in', 'dns', '1000', '-', '2', 'abcd');

  it('returns a snapshot when its end line arrives, with live, closed and payload lines apart', () => {
    const a = new SnapshotAssembler();
    const lines = [T('V', '1', '3', '0'), T('S', '1', '1000', '50'), flow('a'), flow('b', 'C'), dns, flow('c')];
    for (const line of lines) expect(a.push(line)).toBeNull();
    const done = a.push(T('E', '1', '0', '0', '0', '1', '2'));
    expect(done?.snapshot).toBe(1);
    expect(done?.wallMs).toBe(1000);
    expect(done?.flows.map((f) => f.cookie)).toEqual(['a', 'c']);
    expect(done?.closed.map((f) => f.cookie)).toEqual(['b']);
    expect(done?.payloads.map((p) => Array.from(p.bytes))).toEqual([[0xab, 0xcd]]);
    expect(done?.losses).toEqual({ flowMapFull: 0, flowMapFullBytes: 0, ownerMapFull: 0, packetStartsLost: 1 });
    expect(done?.liveKeys).toBe(2);
    expect(a.version?.netnsCookie).toBe('3');
    expect(a.malformed).toBe(0);
  });

  it('skips and counts a broken line inside a snapshot, keeping the rest', () => {
    const a = new SnapshotAssembler();
    a.push(T('S', '1', '1000', '50'));
    a.push(flow('a'));
    a.push('F\tgarbage');
    const done = a.push(T('E', '1', '0', '0', '0', '0', '1'));
    expect(done?.flows.map((f) => f.cookie)).toEqual(['a']);
    expect(a.malformed).toBe(1);
  });

  it('drops a snapshot cut short by the next start: its lines count as malformed', () => {
    const a = new SnapshotAssembler();
    a.push(T('S', '1', '1000', '50'));
    a.push(flow('a'));
    a.push(flow('b', 'C'));
    a.push(T('S', '2', '2000', '1050'));
    a.push(flow('c'));
    const done = a.push(T('E', '2', '0', '0', '0', '0', '1'));
    expect(done?.snapshot).toBe(2);
    expect(done?.flows.map((f) => f.cookie)).toEqual(['c']);
    expect(done?.closed).toEqual([]);
    // S 1, F a, C b.
    expect(a.malformed).toBe(3);
  });

  it('rejects an end line of another snapshot, and flow lines outside any snapshot', () => {
    const a = new SnapshotAssembler();
    expect(a.push(flow('x'))).toBeNull();
    a.push(T('S', '1', '1000', '50'));
    expect(a.push(T('E', '2', '0', '0', '0', '0', '0'))).toBeNull();
    // F x; then S 1 abandoned; then the E itself.
    expect(a.malformed).toBe(3);
  });

  it('reset forgets a snapshot in progress (the helper died mid-way)', () => {
    const a = new SnapshotAssembler();
    a.push(T('S', '1', '1000', '50'));
    a.push(flow('a'));
    a.reset();
    expect(a.push(T('E', '1', '0', '0', '0', '0', '1'))).toBeNull();
    expect(a.malformed).toBe(3);
  });
});

// The `ss` parser against output captured on iproute2 6.1 (tests/fixtures/linux/capture-ss.sh) and a
// file of hand-written broken lines. Every expected value below was read off the fixture lines by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSsEndpoint, parseSsLine, parseSsOutput, payloadBytes, type SsSocket } from '../../../../../src-main/engine/samplers/linux/ss-parse.js';

const dir = path.join(import.meta.dirname, '..', '..', '..', '..', 'fixtures', 'linux');
const fixture = (name: string): string => readFileSync(path.join(dir, name), 'utf8');

function byCookie(sockets: SsSocket[]): Map<string, SsSocket> {
  return new Map(sockets.map((s) => [s.cookie, s]));
}

type Expected = Pick<SsSocket, 'state' | 'local' | 'remote' | 'users' | 'uid' | 'inode' | 'cgroup' | 'hasTcpInfo' | 'bytesSent' | 'bytesRetrans' | 'bytesAcked' | 'bytesReceived'>;

const v4 = (address: string, port: number | null, iface: string | null = null) => ({ address, family: 4 as const, port, iface });
const v6 = (address: string, port: number | null) => ({ address, family: 6 as const, port, iface: null });
const zero = { bytesSent: 0, bytesRetrans: 0, bytesAcked: 0, bytesReceived: 0 };

// poll-root.txt: `ss -tinpeHO` as root in the client namespace.
const POLL_ROOT: [string, Expected][] = [
  ['100e', { state: 'ESTAB', local: v4('198.51.100.2', 39334), remote: v4('198.51.100.1', 9001), users: [{ name: 'Web Content', pid: 13494, fd: 3 }], uid: 0, inode: 28439, cgroup: '/', hasTcpInfo: true, ...zero, bytesAcked: 1 }],
  // A FIN-WAIT-2 mini socket: no users, ino 0, no tcp_info at all.
  ['100f', { state: 'FIN-WAIT-2', local: v4('198.51.100.2', 39340), remote: v4('198.51.100.1', 9001), users: [], uid: 0, inode: 0, cgroup: null, hasTcpInfo: false, ...zero }],
  ['1010', { state: 'SYN-SENT', local: v4('198.51.100.2', 35656), remote: v4('198.51.100.3', 9), users: [{ name: 'nmsyn', pid: 13534, fd: 3 }], uid: 0, inode: 28605, cgroup: '/', hasTcpInfo: true, ...zero }],
  ['1011', { state: 'ESTAB', local: v4('198.51.100.2', 36192), remote: v4('198.51.100.1', 9000), users: [{ name: 'nmdl', pid: 13486, fd: 3 }], uid: 0, inode: 27113, cgroup: '/', hasTcpInfo: true, bytesSent: 12345, bytesRetrans: 0, bytesAcked: 12346, bytesReceived: 300000 }],
  ['1012', { state: 'ESTAB', local: v4('198.51.100.2', 36204), remote: v4('198.51.100.1', 9000), users: [{ name: 'nmshare', pid: 13515, fd: 3 }, { name: 'nmshare', pid: 13510, fd: 3 }], uid: 0, inode: 28450, cgroup: '/', hasTcpInfo: true, ...zero, bytesAcked: 1, bytesReceived: 300000 }],
  ['1013', { state: 'ESTAB', local: v4('198.51.100.2', 36216, 'nmcap13459c'), remote: v4('198.51.100.1', 9000), users: [{ name: 'nmbound', pid: 13541, fd: 3 }], uid: 0, inode: 28610, cgroup: '/', hasTcpInfo: true, ...zero, bytesAcked: 1, bytesReceived: 300000 }],
  ['1014', { state: 'ESTAB', local: v4('198.51.100.2', 36232), remote: v4('198.51.100.1', 9000), users: [{ name: 'nmnobody', pid: 13549, fd: 3 }], uid: 65534, inode: 28622, cgroup: '/', hasTcpInfo: true, bytesSent: 5, bytesRetrans: 0, bytesAcked: 6, bytesReceived: 300000 }],
  // `[::ffff:198.51.100.2]` is an IPv4 connection on a dual-stack socket; comm `a (b)` is cut at `)` by ss.
  ['1015', { state: 'ESTAB', local: v4('198.51.100.2', 52690), remote: v4('198.51.100.1', 9002), users: [{ name: 'a (b', pid: 13502, fd: 3 }], uid: 0, inode: 27122, cgroup: '/', hasTcpInfo: true, bytesSent: 10, bytesRetrans: 0, bytesAcked: 11, bytesReceived: 4000 }],
  ['1016', { state: 'ESTAB', local: v6('::1', 36404), remote: v6('::1', 7000), users: [{ name: 'nmlocal', pid: 13519, fd: 4 }], uid: 0, inode: 28589, cgroup: '/', hasTcpInfo: true, bytesSent: 777, bytesRetrans: 0, bytesAcked: 778, bytesReceived: 0 }],
  ['1017', { state: 'ESTAB', local: v6('::1', 7000), remote: v6('::1', 36404), users: [{ name: 'nmlocal', pid: 13519, fd: 5 }], uid: 0, inode: 28590, cgroup: '/', hasTcpInfo: true, ...zero, bytesReceived: 777 }],
];

describe('ss -tinpeHO lines (captured, root)', () => {
  const result = parseSsOutput(fixture('poll-root.txt'));
  const sockets = byCookie(result.sockets);

  it('reads every line, none skipped', () => {
    expect(result.malformed).toBe(0);
    expect([...sockets.keys()].sort()).toEqual(POLL_ROOT.map(([cookie]) => cookie).sort());
  });

  it.each(POLL_ROOT)('sk:%s', (cookie, expected) => {
    expect(sockets.get(cookie)).toEqual({ cookie, ...expected });
  });
});

describe('ss -tinpeHO lines (captured, as uid 65534)', () => {
  const result = parseSsOutput(fixture('poll-nobody.txt'));
  const sockets = byCookie(result.sockets);

  it('shows the same sockets, but owners only for our own', () => {
    expect(result.malformed).toBe(0);
    expect(sockets.size).toBe(10);
    for (const [cookie, socket] of sockets) {
      if (cookie === '1014') expect(socket.users).toEqual([{ name: 'nmnobody', pid: 13549, fd: 3 }]);
      else expect(socket.users).toEqual([]);
    }
  });

  it('keeps uid and counters of sockets it cannot tie to a process', () => {
    expect(sockets.get('1011')).toMatchObject({ uid: 0, inode: 27113, bytesSent: 12345, bytesReceived: 300000 });
    expect(sockets.get('1014')).toMatchObject({ uid: 65534, bytesSent: 5, bytesReceived: 300000 });
  });
});

describe('ss --cgroup', () => {
  it('prints cgroup twice on 6.1 (-e already does); the first is kept', () => {
    const line = fixture('poll-root-cgroup-flag.txt').split('\n').find((l) => l.includes('sk:1011 '));
    expect(line).toBeDefined();
    expect(line?.match(/cgroup:/g)).toHaveLength(2);
    expect(parseSsLine(line ?? '')).toMatchObject({ cookie: '1011', cgroup: '/', bytesReceived: 300000 });
  });
});

// events-root.txt: `stdbuf -oL ss -E -tineHO` while the clients were killed.
const EVENTS: [string, Partial<SsSocket>][] = [
  ['1017', { state: 'UNCONN', local: v6('::1', 7000), remote: v6('::1', 36404), users: [], inode: 0, uid: 0, cgroup: null, ...zero, bytesAcked: 1, bytesReceived: 778 }],
  ['1016', { state: 'UNCONN', local: v6('::1', 36404), remote: v6('::1', 7000), bytesSent: 777, bytesAcked: 779, bytesReceived: 1 }],
  ['1013', { local: v4('198.51.100.2', 36216, 'nmcap13459c'), remote: v4('198.51.100.1', 9000), bytesSent: 0, bytesAcked: 2, bytesReceived: 300000 }],
  ['1012', { bytesSent: 0, bytesAcked: 2, bytesReceived: 300000 }],
  ['100e', { remote: v4('198.51.100.1', 9001), ...zero, bytesAcked: 2 }],
  // The dual-stack listener on `*:7000`: both ends are wildcards.
  ['9', { local: { address: '*', family: null, port: 7000, iface: null }, remote: { address: '*', family: null, port: null, iface: null }, hasTcpInfo: true, ...zero }],
  ['1015', { local: v4('198.51.100.2', 52690), bytesSent: 10, bytesAcked: 12, bytesReceived: 4000 }],
  ['1011', { bytesSent: 12345, bytesAcked: 12347, bytesReceived: 300000 }],
  // Close events carry no uid: the nobody-owned socket reads as uid 0.
  ['1014', { uid: 0, bytesSent: 5, bytesAcked: 7, bytesReceived: 300000 }],
];

describe('ss -E close events (captured)', () => {
  const root = parseSsOutput(fixture('events-root.txt'));
  const sockets = byCookie(root.sockets);

  it('are plain socket lines with state UNCONN, no prefix, no owner', () => {
    expect(root.malformed).toBe(0);
    expect(root.sockets).toHaveLength(EVENTS.length);
    for (const socket of root.sockets) {
      expect(socket.state).toBe('UNCONN');
      expect(socket.users).toEqual([]);
      expect(socket.inode).toBe(0);
    }
  });

  it.each(EVENTS)('sk:%s has its final counters', (cookie, expected) => {
    expect(sockets.get(cookie)).toMatchObject(expected);
  });

  it('reach an unprivileged listener too, identical, even with -p', () => {
    const nobody = parseSsOutput(fixture('events-nobody.txt'));
    expect(nobody.malformed).toBe(0);
    expect(nobody.sockets).toEqual(root.sockets);
  });
});

describe('retransmissions (captured through a lossy router)', () => {
  const [socket] = parseSsOutput(fixture('poll-retrans.txt')).sockets;

  it('reads bytes_retrans; out counts each payload byte once', () => {
    expect(socket).toMatchObject({
      state: 'ESTAB',
      local: v4('198.51.100.2', 50440),
      remote: v4('203.0.113.2', 9000),
      users: [{ name: 'nmupx', pid: 4079, fd: 22 }],
      inode: 108918,
      cookie: '269',
      // `cgroup:unreachable:1`: ss ran under `ip netns exec`, which hides the cgroup2 mount.
      cgroup: null,
      bytesSent: 2397912,
      bytesRetrans: 463360,
      bytesAcked: 1860705,
      bytesReceived: 0,
    });
    // 2397912 − 463360. Cross-check: bytes_acked 1860705 + 51 unacked segments × mss 1448 (73848)
    // = 1934553, the same bytes plus our SYN.
    expect(payloadBytes(socket as SsSocket)).toEqual({ bytesIn: 0, bytesOut: 1934552 });
  });
});

describe('broken and unusual lines', () => {
  const result = parseSsOutput(fixture('poll-garbage.txt'));

  it('skips and counts what it cannot read, without throwing; blank lines are not counted', () => {
    // header, truncated, bad counter, no cookie, garbled users, stderr text, bad address, bad port
    expect(result.malformed).toBe(8);
    expect(result.malformedSamples[0]).toContain('State');
    expect(result.sockets.map((s) => s.cookie)).toEqual(['2a', '2b']);
  });

  it('reads IPv6 printed without brackets (older iproute2) and a Netid column', () => {
    const [old, withNetid] = result.sockets;
    expect(old).toMatchObject({ local: v4('198.51.100.2', 40000), remote: v4('198.51.100.1', 443), bytesReceived: 42, users: [] });
    expect(withNetid).toMatchObject({ state: 'ESTAB', users: [{ name: 'a "q", b', pid: 77, fd: 9 }], bytesSent: 100, bytesRetrans: 30, bytesAcked: 71 });
  });

  it.each(['', '   ', 'ESTAB', 'ESTAB 0 0 a b', 'ESTAB x 0 198.51.100.2:1 198.51.100.1:2 sk:1', 'ESTAB 0 0 198.51.100.2:1 198.51.100.1:2 sk:XYZ', 'ESTAB 0 0 198.51.100.2:1 198.51.100.1:2 uid:-1 sk:1', 'ESTAB 0 0 198.51.100.2:1 198.51.100.1:2 users:(("x",pid=1,fd=2) sk:1'])(
    'returns null for %j',
    (line) => {
      expect(parseSsLine(line)).toBeNull();
    },
  );
});

describe('endpoints', () => {
  it.each([
    ['198.51.100.2:57688', v4('198.51.100.2', 57688)],
    ['[::1]:7000', v6('::1', 7000)],
    ['[::ffff:198.51.100.2]:40826', v4('198.51.100.2', 40826)],
    ['[::FFFF:198.51.100.2]:1', v4('198.51.100.2', 1)],
    ['[0:0:0:0:0:0:0:1]:22', v6('::1', 22)],
    ['*:7000', { address: '*', family: null, port: 7000, iface: null }],
    ['*:*', { address: '*', family: null, port: null, iface: null }],
    ['0.0.0.0:*', { address: '*', family: null, port: null, iface: null }],
    ['[::]:22', { address: '*', family: null, port: 22, iface: null }],
    [':::22', { address: '*', family: null, port: 22, iface: null }],
    ['198.51.100.2%veth0:57702', v4('198.51.100.2', 57702, 'veth0')],
    ['[fe80::1]%eth0:22', { address: 'fe80::1', family: 6, port: 22, iface: 'eth0' }],
    ['::1:7000', v6('::1', 7000)],
  ])('%s', (text, expected) => {
    expect(parseSsEndpoint(text)).toEqual(expected);
  });

  it.each(['', ':', '198.51.100.2', '198.51.100.2:', '198.51.100.2:65536', 'host.example:80', '[::1', '198.51.100.2%:1', '300.1.1.1:1'])('rejects %j', (text) => {
    expect(parseSsEndpoint(text)).toBeNull();
  });
});

describe('payload bytes', () => {
  it.each([
    // in = bytes_received; out = bytes_sent − bytes_retrans (bytes_acked also counts SYN and FIN)
    ['ESTAB 0 0 198.51.100.2:1 198.51.100.1:2 sk:1 cwnd:10 bytes_sent:12345 bytes_acked:12347 bytes_received:300000', 300000, 12345],
    ['ESTAB 0 0 198.51.100.2:1 198.51.100.1:2 sk:1 cwnd:10 bytes_sent:100 bytes_retrans:30 bytes_acked:71', 0, 70],
    ['ESTAB 0 0 198.51.100.2:1 198.51.100.1:2 sk:1 cwnd:10', 0, 0],
  ])('%s', (line, bytesIn, bytesOut) => {
    const socket = parseSsLine(line);
    expect(socket).not.toBeNull();
    expect(payloadBytes(socket as SsSocket)).toEqual({ bytesIn, bytesOut });
  });
});

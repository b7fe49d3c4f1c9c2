// Parser for iproute2 `ss -tinpeHO` lines (one socket per line, no header) and for the `ss -E -tineHO`
// close-event stream, which prints destroyed sockets in the same one-line format. Pure functions: a
// line that does not parse is counted and skipped, never thrown.
//
// What the lines look like (iproute2 6.1, captured in tests/fixtures/linux/):
//   ESTAB 0 0 198.51.100.2:57688 198.51.100.1:9000 users:(("nmdl",pid=6952,fd=3)) ino:13367 sk:1007
//     cgroup:/ <-> ts sack bbr … bytes_sent:12345 bytes_acked:12346 bytes_received:300000 …
// - `sk:` is the socket cookie in hex (ss prints the kernel's 64-bit `idiag_cookie`): unique for the
//   socket's life and the same in a poll and in the socket's close event. It is the flow's identity.
// - `users:` lists every process holding the socket (a forked child shares its parent's); it is absent
//   for sockets of processes we may not inspect, for orphans (closed by the process, still in the
//   kernel) and always in close events. Names come from /proc/PID/stat cut at the first `)`, so they may
//   hold spaces and quotes.
// - `uid:` is printed only when non-zero: with `-e` present, no `uid:` means root. Close events carry no
//   uid and `ino:0`.
// - `cgroup:` (with `-e` in 6.1; `--cgroup` prints it a second time) is the cgroup v2 path, or
//   `unreachable:ID` when ss finds no cgroup2 mount (e.g. under `ip netns exec`).
// - tcp_info counters are printed only when non-zero, so an absent counter is 0. TIME-WAIT and
//   FIN-WAIT-2 "mini sockets" have no tcp_info at all (their full socket is already destroyed and its
//   close event carried the final counters): `hasTcpInfo` tells them apart from a socket at zero.
// - Close events have state `UNCONN` (TCP_CLOSE) and no prefix: iproute2 6.1 prints no `[DESTROY]` tag.
// - Addresses: `198.51.100.2:57688`, `[::1]:7000`, `[::ffff:198.51.100.2]:40826`, `*:7000` (IPv6
//   wildcard that also accepts IPv4), `0.0.0.0:*`, `198.51.100.2%eth0:57702` (bound to a device); older
//   iproute2 printed IPv6 without brackets (`::1:7000`), so the port is after the last colon.
import { isIP } from 'node:net';

/** One end of a socket as ss printed it; `address` is `*` for a wildcard, IPv4-mapped IPv6 is normalized to IPv4. */
export interface SsEndpoint {
  address: string;
  /** 4 or 6 for a concrete address; null for a wildcard. */
  family: 4 | 6 | null;
  /** null when ss printed `*` (unbound / any port). */
  port: number | null;
  /** Device the socket is bound to (`%eth0`), if any. */
  iface: string | null;
}

/** A process holding the socket, from `users:((…))`. */
export interface SsUser {
  name: string;
  pid: number;
  fd: number;
}

/** One TCP socket from an `ss -tinpeHO` line or a close event. */
export interface SsSocket {
  state: string;
  local: SsEndpoint;
  remote: SsEndpoint;
  users: SsUser[];
  /** Owner uid; 0 when ss printed details but no `uid:` (it omits zero). */
  uid: number;
  inode: number | null;
  /** Socket cookie as ss prints it (lower-case hex, no leading zeros). */
  cookie: string;
  /** cgroup v2 path, or null when absent or unresolvable. */
  cgroup: string | null;
  /** False for mini sockets (TIME-WAIT, FIN-WAIT-2 after close) that carry no counters. */
  hasTcpInfo: boolean;
  bytesSent: number;
  bytesRetrans: number;
  bytesAcked: number;
  bytesReceived: number;
}

/** The sockets of a whole `ss` output and how many lines had to be skipped. */
export interface SsParseResult {
  sockets: SsSocket[];
  malformed: number;
  /** The first few skipped lines, for the log. */
  malformedSamples: string[];
}

const NETIDS = new Set(['tcp', 'udp', 'mptcp', 'raw', 'dccp', 'sctp']);
const DIGITS = /^\d+$/;
const HEX = /^[0-9a-f]+$/;

/**
 * Payload bytes of a socket, the counters we attribute.
 *
 * In: `bytes_received` — payload bytes delivered in order by the peer (RFC 4898 HCThruOctetsReceived).
 * It also advances by 1 when the peer's FIN arrives (sequence space), so a connection the peer closed
 * reads at most 1 byte high.
 *
 * Out: `bytes_sent − bytes_retrans` — payload bytes put on the wire once. `bytes_sent` counts every
 * transmission including retransmissions, so subtracting `bytes_retrans` gives each payload byte once.
 * We prefer it to `bytes_acked` because (1) `bytes_acked` is sequence space: it counts our SYN when we
 * opened the connection and our FIN once acknowledged, up to 2 bytes per connection that are not
 * payload; (2) `bytes_acked` lags by the data in flight, a whole window on long paths, so an interval
 * would be attributed less than its interface counters saw and the next one more than they saw; the
 * sent count moves in the same interval as the interface counters. Its one blind spot: a segment the
 * local queueing discipline refuses at enqueue is counted again when TCP resends it (the kernel counts
 * before handing it to the qdisc); that needs a full local queue, rare outside lab shaping.
 */
export function payloadBytes(socket: SsSocket): { bytesIn: number; bytesOut: number } {
  return { bytesIn: socket.bytesReceived, bytesOut: Math.max(0, socket.bytesSent - socket.bytesRetrans) };
}

/** One spelling per IPv6 address (RFC 5952: lower case, longest zero run as `::`), or null if invalid. */
export function canonicalIpv6(text: string): string | null {
  try {
    // The WHATWG URL serializer writes IPv6 hosts in exactly this canonical form.
    const host = new URL(`http://[${text}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return null;
  }
}

/** Parses `198.51.100.2:80`, `[::1]:7000`, `*:*`, `10.0.0.1%eth0:22`, `::1:7000`; null when malformed. */
export function parseSsEndpoint(text: string): SsEndpoint | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return null;
  const portText = text.slice(colon + 1);
  let port: number | null;
  if (portText === '*') port = null;
  else if (DIGITS.test(portText) && Number(portText) <= 65535) port = Number(portText);
  else return null;

  let host = text.slice(0, colon);
  let iface: string | null = null;
  const percent = host.lastIndexOf('%');
  // ss writes the bound device after the closing bracket; device names cannot contain `:`.
  if (percent > host.lastIndexOf(']')) {
    iface = host.slice(percent + 1);
    host = host.slice(0, percent);
    if (iface === '') return null;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '*') return { address: '*', family: null, port, iface };

  const kind = isIP(host);
  if (kind === 4) return host === '0.0.0.0' ? { address: '*', family: null, port, iface } : { address: host, family: 4, port, iface };
  if (kind === 6) {
    const lower = host.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped?.[1] !== undefined && isIP(mapped[1]) === 4) return { address: mapped[1], family: 4, port, iface };
    const canonical = canonicalIpv6(lower);
    if (canonical === null) return null;
    // The unspecified address prints as `[::]` for a v6-only wildcard: a wildcard all the same.
    if (canonical === '::') return { address: '*', family: null, port, iface };
    return { address: canonical, family: 6, port, iface };
  }
  return null;
}

interface UsersSpan {
  users: SsUser[];
  start: number;
  end: number;
}

/** Finds `users:((…))` and parses its entries; null when there is none, 'bad' when it is garbled. */
function extractUsers(line: string): UsersSpan | null | 'bad' {
  const marker = ' users:((';
  const start = line.indexOf(marker);
  if (start < 0) return null;
  const users: SsUser[] = [];
  let i = start + marker.length - 1; // at the `(` that opens the first entry
  for (;;) {
    if (line[i] !== '(' || line[i + 1] !== '"') return 'bad';
    // The name runs to the `",pid=` that follows it: names may contain spaces, quotes and commas.
    const nameEnd = line.indexOf('",pid=', i + 2);
    if (nameEnd < 0) return 'bad';
    const name = line.slice(i + 2, nameEnd);
    const rest = /^",pid=(\d+),fd=(\d+)\)/.exec(line.slice(nameEnd, nameEnd + 48));
    if (rest?.[1] === undefined || rest[2] === undefined) return 'bad';
    users.push({ name, pid: Number(rest[1]), fd: Number(rest[2]) });
    i = nameEnd + rest[0].length;
    if (line[i] === ',') {
      i += 1;
      continue;
    }
    if (line[i] === ')') return { users, start, end: i + 1 };
    return 'bad';
  }
}

function readCount(value: string): number | null {
  if (!DIGITS.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses one line; null when it is not a socket line we understand (the caller counts it). */
export function parseSsLine(rawLine: string): SsSocket | null {
  const line = rawLine.trim();
  if (line === '') return null;

  const usersSpan = extractUsers(line);
  if (usersSpan === 'bad') return null;
  const rest = usersSpan === null ? line : `${line.slice(0, usersSpan.start)} ${line.slice(usersSpan.end)}`;
  const tokens = rest.split(/\s+/);

  let t = 0;
  // With several protocols ss prepends a Netid column; we ask for TCP only, but accept it.
  if (tokens[0] !== undefined && NETIDS.has(tokens[0])) t = 1;
  const state = tokens[t];
  const recvQ = tokens[t + 1];
  const sendQ = tokens[t + 2];
  const localText = tokens[t + 3];
  const remoteText = tokens[t + 4];
  if (state === undefined || recvQ === undefined || sendQ === undefined || localText === undefined || remoteText === undefined) return null;
  if (!/^[A-Z][A-Z0-9-]*$/.test(state) || !DIGITS.test(recvQ) || !DIGITS.test(sendQ)) return null;
  const local = parseSsEndpoint(localText);
  const remote = parseSsEndpoint(remoteText);
  if (local === null || remote === null) return null;

  let uid = 0;
  let inode: number | null = null;
  let cookie: string | null = null;
  let cgroup: string | null = null;
  let hasTcpInfo = false;
  const counters = { bytes_sent: 0, bytes_retrans: 0, bytes_acked: 0, bytes_received: 0 };
  const seen = new Set<string>();

  for (let i = t + 5; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (token === undefined || token === '') continue;
    const colon = token.indexOf(':');
    if (colon <= 0) continue;
    const key = token.slice(0, colon);
    const value = token.slice(colon + 1);
    // `--cgroup` repeats `cgroup:`; the first of each key wins.
    if (seen.has(key)) continue;
    seen.add(key);
    switch (key) {
      case 'uid': {
        const n = readCount(value);
        if (n === null) return null;
        uid = n;
        break;
      }
      case 'ino': {
        const n = readCount(value);
        if (n === null) return null;
        inode = n;
        break;
      }
      case 'sk':
        if (!HEX.test(value)) return null;
        cookie = value;
        break;
      case 'cgroup':
        cgroup = value === '' || value.startsWith('unreachable:') ? null : value;
        break;
      case 'cwnd':
        // Every full TCP socket has a congestion window of at least 1; mini sockets print none.
        hasTcpInfo = true;
        break;
      case 'bytes_sent':
      case 'bytes_retrans':
      case 'bytes_acked':
      case 'bytes_received': {
        const n = readCount(value);
        if (n === null) return null;
        counters[key] = n;
        hasTcpInfo = true;
        break;
      }
      default:
        break;
    }
  }
  if (cookie === null) return null;

  return {
    state,
    local,
    remote,
    users: usersSpan === null ? [] : usersSpan.users,
    uid,
    inode,
    cookie,
    cgroup,
    hasTcpInfo,
    bytesSent: counters.bytes_sent,
    bytesRetrans: counters.bytes_retrans,
    bytesAcked: counters.bytes_acked,
    bytesReceived: counters.bytes_received,
  };
}

/** Parses a whole `ss` output: every socket line, and a count of the lines that were skipped. */
export function parseSsOutput(text: string): SsParseResult {
  const sockets: SsSocket[] = [];
  const malformedSamples: string[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const socket = parseSsLine(line);
    if (socket === null) {
      malformed += 1;
      if (malformedSamples.length < 3) malformedSamples.push(line.slice(0, 200));
    } else {
      sockets.push(socket);
    }
  }
  return { sockets, malformed, malformedSamples };
}

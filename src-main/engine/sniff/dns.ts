// DNS responses (RFC 1035 wire format) → which address was given for which asked-for name, and for how
// long. Parsed by hand rather than with dns-packet: that library (5.6) does not know HTTPS/SVCB records
// (RFC 9460), whose ipv4hint/ipv6hint carry addresses browsers connect to, and it rejects a whole packet
// when the capture cut it short, where the answers that did arrive whole are still good.
import { normalizeIp } from '../domains/ip.js';
import { ByteReader } from './reader.js';
import type { NameHint } from './types.js';

/** A DNS name hint. */
export type DnsHint = Extract<NameHint, { kind: 'dns' }>;

/** What one UDP payload from port 53 gave. */
export type DnsParseResult =
  /** A response with rcode 0: one hint per address for the question's name (possibly none). */
  | { kind: 'answers'; hints: DnsHint[] }
  /** Not something to learn from: a query, another opcode, an error rcode, a name that is not a host name. */
  | { kind: 'ignored'; reason: string }
  /** Not a DNS message, or a broken one. */
  | { kind: 'malformed'; reason: string };

const TYPE_A = 1;
const TYPE_CNAME = 5;
const TYPE_AAAA = 28;
const TYPE_SVCB = 64;
const TYPE_HTTPS = 65;
const CLASS_IN = 1;
const KEY_IPV4HINT = 4;
const KEY_IPV6HINT = 6;
/** A name is at most 255 bytes (RFC 1035 §3.1); more compression jumps than that is a loop. */
const MAX_NAME_JUMPS = 128;

type NameRead = { name: string; valid: boolean } | null;

/**
 * Reads a (possibly compressed) name at the reader's position, leaving the reader after it. `valid` is
 * false when a label holds bytes no host name has (the message is still walkable). Null: broken.
 */
function readName(message: Uint8Array, r: ByteReader): NameRead {
  const labels: string[] = [];
  let valid = true;
  let pos = r.pos;
  let jumped = false;
  let jumps = 0;
  let length = 0;
  for (;;) {
    if (pos >= message.length) return null;
    const len = message[pos] ?? 0;
    if (len === 0) {
      pos += 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 2 > message.length) return null;
      const target = ((len & 0x3f) << 8) | (message[pos + 1] ?? 0);
      if (!jumped) r.pos = pos + 2;
      jumped = true;
      if (++jumps > MAX_NAME_JUMPS || target >= message.length) return null;
      pos = target;
      continue;
    }
    if (kind !== 0) return null;
    if (pos + 1 + len > message.length) return null;
    length += len + 1;
    if (length > 255) return null;
    let label = '';
    for (let i = pos + 1; i <= pos + len; i++) {
      const c = message[i] ?? 0;
      // Letters, digits, '-' and '_' (service labels): anything else cannot be a host we would show.
      const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f;
      if (!ok) valid = false;
      label += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    labels.push(label);
    pos += 1 + len;
  }
  if (!jumped) r.pos = pos;
  if (r.pos > r.end) return null;
  return { name: labels.join('.'), valid };
}

function ipv4(b: Uint8Array): string {
  return `${b[0] ?? 0}.${b[1] ?? 0}.${b[2] ?? 0}.${b[3] ?? 0}`;
}

function ipv6(b: Uint8Array): string {
  // Spelled the way normalizeIp recognises an IPv4-mapped address, so it comes out as the IPv4 one.
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return normalizeIp(`::ffff:${ipv4(b.subarray(12))}`) ?? ipv4(b.subarray(12));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return normalizeIp(groups.join(':')) ?? groups.join(':');
}

/** RFC 2181 §8: a TTL with the top bit set is treated as zero. */
function ttlOf(raw: number): number {
  return raw > 0x7fffffff ? 0 : raw;
}

interface AddressRecord {
  owner: string;
  address: string;
  ttlS: number;
}

/** The addresses an SVCB/HTTPS record's ipv4hint and ipv6hint carry; null when the rdata is broken. */
function svcbHints(message: Uint8Array, start: number, end: number): string[] | null {
  const r = new ByteReader(message, start, end);
  const priority = r.u16();
  if (priority === null) return null;
  const target = readName(message, r);
  if (target === null) return null;
  const out: string[] = [];
  while (r.remaining() > 0) {
    const key = r.u16();
    const len = r.u16();
    if (key === null || len === null) return null;
    const value = r.take(len);
    if (value === null) return null;
    const size = key === KEY_IPV4HINT ? 4 : key === KEY_IPV6HINT ? 16 : 0;
    if (size === 0) continue;
    if (len % size !== 0) return null;
    for (let i = 0; i < len; i += size) {
      const one = value.subarray(i, i + size);
      out.push(size === 4 ? ipv4(one) : ipv6(one));
    }
  }
  return out;
}

/**
 * Parses a DNS response. `truncated`: the capture cut the payload short, so running out of bytes ends the
 * answers that were read whole instead of making the message malformed.
 */
export function parseDnsResponse(message: Uint8Array, atMs: number, truncated = false): DnsParseResult {
  const r = new ByteReader(message);
  const id = r.u16();
  const flags = r.u16();
  const qdcount = r.u16();
  const ancount = r.u16();
  const nscount = r.u16();
  const arcount = r.u16();
  if (id === null || flags === null || qdcount === null || ancount === null || nscount === null || arcount === null) {
    return { kind: 'malformed', reason: 'shorter than a DNS header' };
  }
  if ((flags & 0x8000) === 0) return { kind: 'ignored', reason: 'a query, not a response' };
  const opcode = (flags >> 11) & 0x0f;
  if (opcode !== 0) return { kind: 'ignored', reason: `opcode ${opcode}` };
  const rcode = flags & 0x0f;
  if (rcode !== 0) return { kind: 'ignored', reason: `rcode ${rcode}` };
  if (qdcount === 0) return { kind: 'ignored', reason: 'no question' };

  let question: string | null = null;
  let questionValid = true;
  for (let i = 0; i < qdcount; i++) {
    const name = readName(message, r);
    if (name === null || !r.skip(4)) return cutShort(truncated, 'question runs past the end');
    if (question === null) {
      question = name.name;
      questionValid = name.valid;
    }
  }
  if (question === null || question === '' || !questionValid) return { kind: 'ignored', reason: 'question is not a host name' };

  const cnames = new Map<string, { target: string; ttlS: number }>();
  const addresses: AddressRecord[] = [];
  let cut = false;
  for (let i = 0; i < ancount; i++) {
    const owner = readName(message, r);
    const type = r.u16();
    const klass = r.u16();
    const ttl = r.u32();
    const rdlength = r.u16();
    if (owner === null || type === null || klass === null || ttl === null || rdlength === null) {
      cut = true;
      break;
    }
    const rdStart = r.pos;
    if (!r.skip(rdlength)) {
      cut = true;
      break;
    }
    if (klass !== CLASS_IN) continue;
    const ttlS = ttlOf(ttl);
    if (type === TYPE_A || type === TYPE_AAAA) {
      const size = type === TYPE_A ? 4 : 16;
      if (rdlength !== size) return { kind: 'malformed', reason: `address record of ${rdlength} bytes` };
      const raw = message.subarray(rdStart, rdStart + size);
      addresses.push({ owner: owner.name, address: size === 4 ? ipv4(raw) : ipv6(raw), ttlS });
    } else if (type === TYPE_CNAME) {
      const rd = new ByteReader(message, rdStart, rdStart + rdlength);
      const target = readName(message, rd);
      if (target === null) return { kind: 'malformed', reason: 'broken CNAME target' };
      cnames.set(owner.name, { target: target.name, ttlS });
    } else if (type === TYPE_HTTPS || type === TYPE_SVCB) {
      const hints = svcbHints(message, rdStart, rdStart + rdlength);
      if (hints === null) return { kind: 'malformed', reason: 'broken SVCB/HTTPS record' };
      for (const address of hints) addresses.push({ owner: owner.name, address, ttlS });
    }
  }
  if (cut && !truncated) return { kind: 'malformed', reason: 'answer runs past the end' };

  // The names the question leads to through CNAMEs, each with the smallest TTL on the way there.
  const reach = new Map<string, number>([[question, Number.POSITIVE_INFINITY]]);
  let name = question;
  for (let hop = 0; hop < cnames.size; hop++) {
    const next = cnames.get(name);
    if (next === undefined || reach.has(next.target)) break;
    reach.set(next.target, Math.min(reach.get(name) ?? Number.POSITIVE_INFINITY, next.ttlS));
    name = next.target;
  }

  const byAddress = new Map<string, DnsHint>();
  for (const a of addresses) {
    const chainTtl = reach.get(a.owner);
    if (chainTtl === undefined) continue;
    const ttlS = Math.min(chainTtl, a.ttlS);
    const seen = byAddress.get(a.address);
    if (seen === undefined || seen.ttlS < ttlS) byAddress.set(a.address, { kind: 'dns', name: question, address: a.address, ttlS, atMs });
  }
  return { kind: 'answers', hints: [...byAddress.values()] };
}

function cutShort(truncated: boolean, reason: string): DnsParseResult {
  return truncated ? { kind: 'ignored', reason: `capture cut short: ${reason}` } : { kind: 'malformed', reason };
}

// The server_name of a TLS ClientHello (RFC 8446 §4.1.2, RFC 6066 §3), from the start of a TCP stream:
// handshake records reassembled from segments ordered by sequence number. With ECH (encrypted
// ClientHello) the outer hello's server_name is the public name: that is what is visible, so that is taken.
import { isIP } from 'node:net';
import { ByteReader } from './reader.js';

/** What a run of handshake bytes (from offset 0) says so far. */
export type ClientHelloResult =
  /** The whole ClientHello is there: its server_name (null when it has none). */
  | { kind: 'hello'; sni: string | null }
  /** The bytes so far are the start of a ClientHello: wait for more. */
  | { kind: 'need-more' }
  /** Not a ClientHello, or a broken one: give up on this flow. */
  | { kind: 'not-hello'; reason: string };

const HANDSHAKE_CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const NAME_TYPE_HOST = 0;
const RECORD_HANDSHAKE = 22;
/** A ClientHello bigger than this is not one we wait for (post-quantum hellos are under 2 KB). */
export const MAX_HELLO_BYTES = 16 * 1024;

/** A host name as a ClientHello may carry it: lowercased, no trailing dot; null when it is not one. */
export function hostName(raw: Uint8Array): string | null {
  if (raw.length === 0 || raw.length > 254) return null;
  let s = '';
  for (const c of raw) {
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f || c === 0x2e;
    if (!ok) return null;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s === '' || s.startsWith('.') || s.endsWith('.') || s.includes('..')) return null;
  return s;
}

/**
 * Parses handshake-layer bytes (no record headers) that should begin with a ClientHello message. A hello
 * still incomplete is named as soon as its server_name extension lies whole in the bytes so far: the
 * rest may never come (a capture that cut a large first write short) and is not needed.
 */
export function parseClientHello(handshake: Uint8Array): ClientHelloResult {
  const r = new ByteReader(handshake);
  const type = r.u8();
  if (type === null) return { kind: 'need-more' };
  if (type !== HANDSHAKE_CLIENT_HELLO) return { kind: 'not-hello', reason: `handshake type ${type}` };
  const length = r.u24();
  if (length === null) return { kind: 'need-more' };
  if (length > MAX_HELLO_BYTES) return { kind: 'not-hello', reason: `ClientHello of ${length} bytes` };
  const available = Math.min(length, r.remaining());
  return helloBody(new ByteReader(handshake, r.pos, r.pos + available), available === length);
}

/** Reads a hello body; `complete` false: the body goes on past the reader's end (not yet seen). */
function helloBody(r: ByteReader, complete: boolean): ClientHelloResult {
  // Running out of bytes means "wait" in a partial body, "broken" in a whole one.
  const short = (what: string): ClientHelloResult => (complete ? { kind: 'not-hello', reason: `broken ClientHello: ${what}` } : { kind: 'need-more' });
  const broken = (what: string): ClientHelloResult => ({ kind: 'not-hello', reason: `broken ClientHello: ${what}` });
  const version = r.u16();
  if (version === null) return short('version');
  if (version >> 8 !== 3) return broken('version');
  if (!r.skip(32)) return short('random');
  const sessionIdLength = r.u8();
  if (sessionIdLength === null) return short('session id');
  if (sessionIdLength > 32) return broken('session id');
  if (!r.skip(sessionIdLength)) return short('session id');
  const suitesLength = r.u16();
  if (suitesLength === null) return short('cipher suites');
  if (suitesLength % 2 !== 0) return broken('cipher suites');
  if (!r.skip(suitesLength)) return short('cipher suites');
  const compressionLength = r.u8();
  if (compressionLength === null || !r.skip(compressionLength)) return short('compression methods');
  if (complete && r.remaining() === 0) return { kind: 'hello', sni: null };
  const extensionsLength = r.u16();
  if (extensionsLength === null) return short('extensions length');
  if (complete ? extensionsLength !== r.remaining() : extensionsLength < r.remaining()) return broken('extensions length');
  while (r.remaining() > 0) {
    const extType = r.u16();
    const extLength = r.u16();
    if (extType === null || extLength === null) return short('extension header');
    const data = r.take(extLength);
    if (data === null) return short('extension runs past the end');
    if (extType !== EXT_SERVER_NAME) continue;
    return serverName(data);
  }
  return complete ? { kind: 'hello', sni: null } : { kind: 'need-more' };
}

/** The host_name of a server_name extension's data (RFC 6066 §3). */
function serverName(data: Uint8Array): ClientHelloResult {
  const broken = (what: string): ClientHelloResult => ({ kind: 'not-hello', reason: `broken ClientHello: ${what}` });
  const e = new ByteReader(data);
  const listLength = e.u16();
  if (listLength === null || listLength !== e.remaining()) return broken('server_name list');
  while (e.remaining() > 0) {
    const nameType = e.u8();
    const nameLength = e.u16();
    if (nameType === null || nameLength === null) return broken('server_name entry');
    const name = e.take(nameLength);
    if (name === null) return broken('server_name runs past the end');
    if (nameType !== NAME_TYPE_HOST) continue;
    const sni = hostName(name);
    if (sni === null) return broken('server_name is not a host name');
    // RFC 6066 §3 forbids address literals; a client that sends one told no name.
    return { kind: 'hello', sni: isIP(sni) === 0 ? sni : null };
  }
  return { kind: 'hello', sni: null };
}

/**
 * Whether bytes that begin with a handshake record are the start of a stream carrying a ClientHello:
 * the joined handshake fragments begin 01 (ClientHello), a length under 64 KiB, then a 03 0x version.
 * A later segment of the same hello can also begin at a record boundary, but its fragment is the middle
 * of the hello and almost never matches those six bytes. Null: too few bytes to tell.
 */
export function startsLikeClientHello(stream: Uint8Array): boolean | null {
  const head: number[] = [];
  const r = new ByteReader(stream);
  while (head.length < 6) {
    const type = r.u8();
    const major = r.u8();
    const minor = r.u8();
    const length = r.u16();
    if (type === null || major === null || minor === null || length === null) return null;
    if (type !== RECORD_HANDSHAKE || major !== 3 || length === 0) return false;
    const fragment = r.take(Math.min(length, 6 - head.length, r.remaining()));
    if (fragment === null) return null;
    head.push(...fragment);
    if (head.length < 6 && !r.skip(length - fragment.length)) return null;
  }
  return head[0] === HANDSHAKE_CLIENT_HELLO && head[1] === 0 && head[4] === 3 && (head[5] ?? 0xff) <= 4;
}

/**
 * Parses the start of a TLS byte stream (records): the handshake fragments of the leading handshake
 * records are joined and read as a ClientHello.
 */
export function parseTlsStreamStart(stream: Uint8Array): ClientHelloResult {
  const r = new ByteReader(stream);
  const fragments: Uint8Array[] = [];
  let total = 0;
  let needed = Number.POSITIVE_INFINITY;
  for (;;) {
    const type = r.u8();
    if (type === null) break;
    if (type !== RECORD_HANDSHAKE) {
      // A record of another type before the hello ended: this stream does not start with a ClientHello.
      return fragments.length === 0 ? { kind: 'not-hello', reason: `record type ${type}` } : { kind: 'not-hello', reason: 'ClientHello cut by another record' };
    }
    const major = r.u8();
    if (major === null) break;
    if (major !== 3) return { kind: 'not-hello', reason: 'record version' };
    if (!r.skip(1)) break;
    const length = r.u16();
    if (length === null) break;
    if (length === 0 || length > 16384 + 2048) return { kind: 'not-hello', reason: `record of ${length} bytes` };
    const fragment = r.take(Math.min(length, r.remaining()));
    if (fragment === null) break;
    fragments.push(fragment);
    total += fragment.length;
    if (fragment.length < length) break;
    if (needed === Number.POSITIVE_INFINITY && total >= 4) {
      const head = concat(fragments, total);
      needed = 4 + (((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0));
    }
    // Records enough for the whole message: stop before whatever follows it. Parsing once, here or
    // after the last record, keeps a hello cut into many tiny records linear.
    if (total >= needed) break;
  }
  if (fragments.length === 0) return { kind: 'need-more' };
  return parseClientHello(concat(fragments, total));
}

/** The parts joined into one array (the part itself when there is only one). */
export function concat(parts: Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Distance from `base` to `seq` on the 32-bit sequence space, signed (RFC 1982 style). */
function seqDelta(seq: number, base: number): number {
  return ((seq - base) | 0);
}

/** Most segments one flow's start may be held in (a ClientHello comes in one to a few). */
export const MAX_TCP_SEGMENTS = 64;

/**
 * Segments of one TCP stream's start, in sequence order, without duplicates, up to a byte budget.
 * Bounded on hostile input: at most MAX_TCP_SEGMENTS are held (1-byte segments cannot make the
 * reassembly quadratic), and a segment is inserted in order (no sort per add).
 */
export class TcpStreamStart {
  private readonly segments: { rel: number; bytes: Uint8Array }[] = [];
  private base: number | null = null;
  private held = 0;

  constructor(private readonly maxBytes = MAX_HELLO_BYTES) {}

  /** Segments held now. */
  get size(): number {
    return this.segments.length;
  }

  /** Adds one segment; false when the budget is spent (the caller gives up on the flow). */
  add(seq: number, bytes: Uint8Array): boolean {
    if (bytes.length === 0) return true;
    this.base ??= seq >>> 0;
    const rel = seqDelta(seq >>> 0, this.base);
    let at = this.segments.length;
    while (at > 0 && (this.segments[at - 1]?.rel ?? 0) > rel) at -= 1;
    // A retransmission of a segment already held adds nothing.
    for (let i = at - 1; i >= 0 && this.segments[i]?.rel === rel; i--) {
      if ((this.segments[i]?.bytes.length ?? 0) >= bytes.length) return true;
    }
    this.held += bytes.length;
    if (this.held > this.maxBytes || this.segments.length >= MAX_TCP_SEGMENTS) return false;
    this.segments.splice(at, 0, { rel, bytes: bytes.slice() });
    return true;
  }

  /** The bytes contiguous from the lowest sequence number seen (overlaps taken once). */
  contiguous(): Uint8Array {
    const first = this.segments[0];
    if (first === undefined) return new Uint8Array(0);
    const parts: Uint8Array[] = [];
    let end = first.rel;
    let total = 0;
    for (const s of this.segments) {
      if (s.rel > end) break;
      const skip = end - s.rel;
      if (skip >= s.bytes.length) continue;
      const part = s.bytes.subarray(skip);
      parts.push(part);
      total += part.length;
      end += part.length;
    }
    return concat(parts, total);
  }
}

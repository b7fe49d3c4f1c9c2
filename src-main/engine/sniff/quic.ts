// QUIC client Initial packets (RFC 9000 §17.2.2; RFC 9369 for version 2) → the CRYPTO stream that carries
// the ClientHello. Initial packets are protected with keys anyone can derive from the client's Destination
// Connection ID (RFC 9001 §5.2): header protection removed with AES-128-ECB, payload opened with
// AES-128-GCM. Frames read: PADDING, PING, ACK, CRYPTO; anything else ends the packet's frames.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { ByteReader } from './reader.js';
import { concat } from './tls.js';

/** QUIC version 1 (RFC 9000). */
export const QUIC_V1 = 0x00000001;
/** QUIC version 2 (RFC 9369). */
export const QUIC_V2 = 0x6b3343cf;

interface VersionParams {
  salt: Buffer;
  labelPrefix: string;
  /** The long-header type bits (0x30 of the first byte, shifted) that mean Initial. */
  initialType: number;
}

const VERSIONS = new Map<number, VersionParams>([
  [QUIC_V1, { salt: Buffer.from('38762cf7f55934b34d179ae6a4c80cadccbb7f0a', 'hex'), labelPrefix: 'quic', initialType: 0 }],
  [QUIC_V2, { salt: Buffer.from('0dede3def700a6db819381be6e269dcbf9bd2ed9', 'hex'), labelPrefix: 'quicv2', initialType: 1 }],
]);

/** Packet protection keys of one direction at the Initial level. */
export interface InitialKeys {
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with SHA-256, for outputs of up to one hash block (32 bytes). */
export function hkdfExpandLabel(secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1);
  info.writeUInt16BE(length, 0);
  info.writeUInt8(full.length, 2);
  full.copy(info, 3);
  info.writeUInt8(0, 3 + full.length);
  // HKDF-Expand's first block T(1) = HMAC(PRK, info || 0x01) is all the output any caller here needs.
  return createHmac('sha256', secret).update(info).update(Buffer.of(1)).digest().subarray(0, length);
}

/** The client's Initial keys for a Destination Connection ID (RFC 9001 §5.2; RFC 9369 §3.3). */
export function clientInitialKeys(dcid: Uint8Array, version: number): InitialKeys | null {
  const params = VERSIONS.get(version);
  if (params === undefined) return null;
  const initialSecret = createHmac('sha256', params.salt).update(dcid).digest();
  const clientSecret = hkdfExpandLabel(initialSecret, 'client in', 32);
  return {
    key: hkdfExpandLabel(clientSecret, `${params.labelPrefix} key`, 16),
    iv: hkdfExpandLabel(clientSecret, `${params.labelPrefix} iv`, 12),
    hp: hkdfExpandLabel(clientSecret, `${params.labelPrefix} hp`, 16),
  };
}

/** One CRYPTO frame's data at its offset in the Initial CRYPTO stream. */
export interface CryptoChunk {
  offset: number;
  data: Uint8Array;
}

/** What one UDP datagram held, Initial packets decrypted. */
export interface QuicDatagram {
  /** CRYPTO data of every client Initial that opened. */
  chunks: CryptoChunk[];
  /** Client Initials found (opened or not). */
  initials: number;
  /** Initials whose protection did not open (wrong keys, damage, a cut capture). */
  failed: number;
  /** The Destination Connection ID of the first Initial (hex), for key reuse. */
  dcid: string | null;
}

/** True when a datagram begins with a long header of a QUIC version whose Initials we can open. */
export function looksLikeQuicInitial(bytes: Uint8Array): boolean {
  if (bytes.length < 7 || ((bytes[0] ?? 0) & 0x80) === 0) return false;
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1);
  const params = VERSIONS.get(version);
  return params !== undefined && (((bytes[0] ?? 0) >> 4) & 0x03) === params.initialType;
}

/** The keys to try on an Initial, in order (cached per connection by the caller). */
export type KeysFor = (dcid: Uint8Array, version: number) => InitialKeys[];

const keysOfDcid: KeysFor = (dcid, version) => {
  const keys = clientInitialKeys(dcid, version);
  return keys === null ? [] : [keys];
};

/**
 * Opens every client Initial packet of a datagram (coalesced packets walked by their Length fields).
 * `keysFor` gives the keys to try: those of the packet's DCID, and, once the server chose a new
 * connection ID, those of the first DCID, which keep protecting the client's Initials (RFC 9001 §5.2).
 * Never throws.
 */
export function readQuicDatagram(datagram: Uint8Array, keysFor: KeysFor = keysOfDcid): QuicDatagram {
  const out: QuicDatagram = { chunks: [], initials: 0, failed: 0, dcid: null };
  let at = 0;
  while (at < datagram.length) {
    const next = readOnePacket(datagram, at, keysFor, out);
    if (next === null || next <= at) break;
    at = next;
  }
  return out;
}

/** Reads the long-header packet at `start`; returns where the next packet begins, or null to stop. */
function readOnePacket(d: Uint8Array, start: number, keysFor: KeysFor, out: QuicDatagram): number | null {
  const r = new ByteReader(d, start);
  const first = r.u8();
  if (first === null || (first & 0x80) === 0) return null; // a short header runs to the end of the datagram
  const version = r.u32();
  if (version === null) return null;
  const params = VERSIONS.get(version);
  if (params === undefined) return null;
  const dcidLength = r.u8();
  if (dcidLength === null || dcidLength > 20) return null;
  const dcid = r.take(dcidLength);
  const scidLength = dcid === null ? null : r.u8();
  if (scidLength === null || scidLength > 20 || !r.skip(scidLength) || dcid === null) return null;
  const type = (first >> 4) & 0x03;
  const isInitial = type === params.initialType;
  if (isInitial) {
    const tokenLength = r.varint();
    if (tokenLength === null || !r.skip(tokenLength)) return null;
  }
  const length = r.varint();
  if (length === null) return null; // Retry (no Length) or a cut header
  const pnOffset = r.pos;
  const end = pnOffset + length;
  if (!isInitial) return end <= d.length ? end : null;
  out.initials += 1;
  out.dcid ??= Buffer.from(dcid).toString('hex');
  let plain: Uint8Array | null = null;
  if (end <= d.length) {
    for (const keys of keysFor(dcid, version)) {
      plain = openInitial(d, start, pnOffset, end, keys);
      if (plain !== null) break;
    }
  }
  if (plain === null) {
    out.failed += 1;
    return end <= d.length ? end : null;
  }
  readFrames(plain, out.chunks);
  return end;
}

/** Removes header protection and opens the payload; null when the packet does not authenticate. */
function openInitial(d: Uint8Array, start: number, pnOffset: number, end: number, keys: InitialKeys): Uint8Array | null {
  // The sample starts 4 bytes after the packet number's start, whatever the packet number's length.
  if (pnOffset + 4 + 16 > end) return null;
  const sample = d.subarray(pnOffset + 4, pnOffset + 20);
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(sample);
  const header = Buffer.from(d.subarray(start, pnOffset + 4));
  header[0] = (header[0] ?? 0) ^ ((mask[0] ?? 0) & 0x0f);
  const pnLength = ((header[0] ?? 0) & 0x03) + 1;
  const pnStart = pnOffset - start;
  let pn = 0;
  for (let i = 0; i < pnLength; i++) {
    const b = (header[pnStart + i] ?? 0) ^ (mask[1 + i] ?? 0);
    header[pnStart + i] = b;
    pn = pn * 256 + b;
  }
  const aad = header.subarray(0, pnStart + pnLength);
  const body = d.subarray(pnOffset + pnLength, end);
  if (body.length < 16) return null;
  // A client's first Initials number from 0, so the truncated packet number is the full one.
  const nonce = Buffer.from(keys.iv);
  for (let i = 0; i < 8; i++) {
    const shift = 8 * i;
    const byte = Math.floor(pn / 2 ** shift) & 0xff;
    nonce[11 - i] = (nonce[11 - i] ?? 0) ^ byte;
  }
  try {
    const gcm = createDecipheriv('aes-128-gcm', keys.key, nonce);
    gcm.setAAD(aad);
    gcm.setAuthTag(body.subarray(body.length - 16));
    const plain = gcm.update(body.subarray(0, body.length - 16));
    gcm.final();
    return plain;
  } catch {
    return null;
  }
}

/** Collects CRYPTO frames; stops at the first frame type an Initial's ClientHello flight would not carry. */
function readFrames(plain: Uint8Array, chunks: CryptoChunk[]): void {
  const r = new ByteReader(plain);
  while (r.remaining() > 0) {
    const type = r.varint();
    if (type === null) return;
    if (type === 0x00 || type === 0x01) continue; // PADDING, PING
    if (type === 0x02 || type === 0x03) {
      if (!skipAck(r, type === 0x03)) return;
      continue;
    }
    if (type === 0x06) {
      const offset = r.varint();
      const length = r.varint();
      if (offset === null || length === null) return;
      const data = r.take(length);
      if (data === null) return;
      chunks.push({ offset, data });
      continue;
    }
    return;
  }
}

function skipAck(r: ByteReader, ecn: boolean): boolean {
  const fields = [r.varint(), r.varint(), r.varint(), r.varint()]; // largest, delay, range count, first range
  const count = fields[2];
  if (fields.some((f) => f === null) || count === null || count === undefined || count > 256) return false;
  for (let i = 0; i < count * 2 + (ecn ? 3 : 0); i++) if (r.varint() === null) return false;
  return true;
}

/** Most CRYPTO chunks one flow may hold: a ClientHello takes a handful (Chromium splits it in a few). */
export const MAX_CRYPTO_CHUNKS = 64;
/** What a held chunk costs against the byte budget beyond its bytes, so that empty or tiny frames are not free. */
export const CHUNK_OVERHEAD_BYTES = 32;

/** Where `offset` goes in chunks sorted by offset (after any equal offsets). */
function insertAt(chunks: readonly { offset: number }[], offset: number): number {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((chunks[mid]?.offset ?? 0) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The CRYPTO stream of one connection's client Initials, put together by offset. Bounded on hostile
 * input (the Initial keys are public, so anyone can make packets that decrypt): empty frames are
 * dropped, each chunk costs its bytes plus an overhead against the budget, at most MAX_CRYPTO_CHUNKS
 * are held, and chunks are inserted in order (no sort per add).
 */
export class CryptoStream {
  private readonly chunks: CryptoChunk[] = [];
  private held = 0;

  constructor(private readonly maxBytes: number) {}

  /** Chunks held now. */
  get size(): number {
    return this.chunks.length;
  }

  /** Adds a chunk; false when it lies beyond the budget (the caller gives up on the flow). */
  add(chunk: CryptoChunk): boolean {
    if (chunk.offset + chunk.data.length > this.maxBytes) return false;
    // Still charged: a flood of empty frames spends the budget and ends the flow.
    this.held += CHUNK_OVERHEAD_BYTES;
    if (chunk.data.length === 0) return this.held <= this.maxBytes * 2;
    const at = insertAt(this.chunks, chunk.offset);
    // A retransmission of a chunk already held adds nothing (same offset, no longer).
    for (let i = at - 1; i >= 0 && this.chunks[i]?.offset === chunk.offset; i--) {
      if ((this.chunks[i]?.data.length ?? 0) >= chunk.data.length) return this.held <= this.maxBytes * 2;
    }
    this.held += chunk.data.length;
    if (this.held > this.maxBytes * 2 || this.chunks.length >= MAX_CRYPTO_CHUNKS) return false;
    this.chunks.splice(at, 0, { offset: chunk.offset, data: chunk.data.slice() });
    return true;
  }

  /** The bytes contiguous from offset 0. */
  contiguous(): Uint8Array {
    const parts: Uint8Array[] = [];
    let end = 0;
    let total = 0;
    for (const c of this.chunks) {
      if (c.offset > end) break;
      const skip = end - c.offset;
      if (skip >= c.data.length) continue;
      const part = c.data.subarray(skip);
      parts.push(part);
      total += part.length;
      end += part.length;
    }
    return concat(parts, total);
  }
}

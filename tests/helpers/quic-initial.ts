// A test-side writer of protected QUIC client Initial packets (RFC 9000 §17.2.2, RFC 9001 §5, RFC 9369),
// written independently of the decoder under test (key schedule through node's hkdfSync, its own header
// protection and AEAD) and itself checked against RFC 9001 A.2, so both sides are anchored to the RFC.
import { createCipheriv, createHmac, hkdfSync } from 'node:crypto';

export const V1 = 0x00000001;
export const V2 = 0x6b3343cf;

const SALTS: Record<number, string> = {
  [V1]: '38762cf7f55934b34d179ae6a4c80cadccbb7f0a',
  [V2]: '0dede3def700a6db819381be6e269dcbf9bd2ed9',
};

function label(name: string, length: number): Buffer {
  const text = Buffer.from(`tls13 ${name}`);
  return Buffer.concat([Buffer.from([length >> 8, length & 0xff, text.length]), text, Buffer.from([0])]);
}

/** HKDF-Expand (RFC 5869 §2.3) written out block by block. */
function expand(prk: Buffer, info: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac('sha256', prk).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** Client Initial key, iv and header-protection key for a DCID. */
export function initialKeys(dcid: Uint8Array, version = V1): { key: Buffer; iv: Buffer; hp: Buffer } {
  const salt = SALTS[version];
  if (salt === undefined) throw new Error(`no salt for version ${version.toString(16)}`);
  // HKDF-Extract then Expand-Label "client in" in one call.
  const clientSecret = Buffer.from(hkdfSync('sha256', dcid, Buffer.from(salt, 'hex'), label('client in', 32), 32));
  const prefix = version === V2 ? 'quicv2' : 'quic';
  return {
    key: expand(clientSecret, label(`${prefix} key`, 16), 16),
    iv: expand(clientSecret, label(`${prefix} iv`, 12), 12),
    hp: expand(clientSecret, label(`${prefix} hp`, 16), 16),
  };
}

function varint(n: number): number[] {
  if (n < 0x40) return [n];
  if (n < 0x4000) return [0x40 | (n >> 8), n & 0xff];
  if (n < 0x40000000) return [0x80 | (n >>> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  throw new Error('varint too large for this helper');
}

/** A CRYPTO frame (type 0x06) carrying `data` at `offset`. */
export function cryptoFrame(offset: number, data: Uint8Array): Uint8Array {
  return Uint8Array.from([0x06, ...varint(offset), ...varint(data.length), ...data]);
}

/** Options of one protected Initial packet. */
export interface InitialPacketOptions {
  dcid: Uint8Array;
  scid?: Uint8Array | undefined;
  version?: number | undefined;
  packetNumber: number;
  /** Bytes used to encode the packet number (1–4). Default 4 (as in RFC 9001 A.2). */
  pnLength?: number | undefined;
  /** Plaintext frames; PADDING (zeros) is appended to reach `payloadLength`. */
  frames: Uint8Array;
  /** Frame bytes after padding. Default: enough that the whole packet is 1200 bytes. */
  payloadLength?: number | undefined;
  token?: Uint8Array | undefined;
  /** The DCID the keys come from, when not this packet's (the client's first DCID, after the server chose one). */
  keysFrom?: Uint8Array | undefined;
}

/** One protected client Initial packet. */
export function protectInitial(o: InitialPacketOptions): Uint8Array {
  const version = o.version ?? V1;
  const pnLength = o.pnLength ?? 4;
  const scid = o.scid ?? new Uint8Array(0);
  const token = o.token ?? new Uint8Array(0);
  const typeBits = version === V2 ? 0x01 : 0x00;
  const first = 0xc0 | (typeBits << 4) | (pnLength - 1);
  const start = [first, (version >>> 24) & 0xff, (version >> 16) & 0xff, (version >> 8) & 0xff, version & 0xff, o.dcid.length, ...o.dcid, scid.length, ...scid, ...varint(token.length), ...token];
  // A 2-byte Length field, as clients send for 1200-byte packets.
  const fixedLength = (payload: number): number => start.length + 2 + pnLength + payload + 16;
  const payloadLength = o.payloadLength ?? Math.max(o.frames.length, 1200 - fixedLength(0));
  if (payloadLength < o.frames.length) throw new Error('payloadLength shorter than the frames');
  const plain = Buffer.alloc(payloadLength);
  plain.set(o.frames, 0);
  const length = pnLength + payloadLength + 16;
  const pnBytes: number[] = [];
  for (let i = pnLength - 1; i >= 0; i--) pnBytes.push(Math.floor(o.packetNumber / 256 ** i) & 0xff);
  const header = Buffer.from([...start, 0x40 | (length >> 8), length & 0xff, ...pnBytes]);
  const keys = initialKeys(o.keysFrom ?? o.dcid, version);
  const nonce = Buffer.from(keys.iv);
  const pnBig = BigInt(o.packetNumber);
  for (let i = 0; i < 8; i++) nonce[11 - i] = (nonce[11 - i] ?? 0) ^ Number((pnBig >> BigInt(8 * i)) & 0xffn);
  const gcm = createCipheriv('aes-128-gcm', keys.key, nonce);
  gcm.setAAD(header);
  const sealed = Buffer.concat([gcm.update(plain), gcm.final(), gcm.getAuthTag()]);
  const pnOffset = header.length - pnLength;
  const sample = sealed.subarray(4 - pnLength, 4 - pnLength + 16);
  const ecb = createCipheriv('aes-128-ecb', keys.hp, null);
  ecb.setAutoPadding(false);
  const mask = ecb.update(sample);
  header[0] = (header[0] ?? 0) ^ ((mask[0] ?? 0) & 0x0f);
  for (let i = 0; i < pnLength; i++) header[pnOffset + i] = (header[pnOffset + i] ?? 0) ^ (mask[1 + i] ?? 0);
  return Uint8Array.from(Buffer.concat([header, sealed]));
}

/** Options of a client's first flight. */
export interface FirstFlightOptions {
  dcid: Uint8Array;
  scid?: Uint8Array | undefined;
  version?: number | undefined;
  /** The TLS handshake bytes (a ClientHello message) to carry in CRYPTO frames. */
  crypto: Uint8Array;
  /** Split the CRYPTO data over this many packets (each its own datagram of 1200 bytes). */
  packets: number;
  /** First packet number. Default 0. */
  firstPacketNumber?: number | undefined;
  /** Put a PING and PADDING before the CRYPTO frame, and split each packet's share into two frames in reverse order (as Chromium does). */
  scramble?: boolean | undefined;
}

/** A client's first flight: the ClientHello's CRYPTO data spread over `packets` protected Initials. */
export function firstFlight(o: FirstFlightOptions): Uint8Array[] {
  const share = Math.ceil(o.crypto.length / o.packets);
  const out: Uint8Array[] = [];
  for (let i = 0; i < o.packets; i++) {
    const from = i * share;
    const to = Math.min(o.crypto.length, from + share);
    let frames: Uint8Array;
    if (o.scramble === true && to - from > 1) {
      const mid = from + Math.floor((to - from) / 2);
      frames = Uint8Array.from([0x01, 0x00, 0x00, ...cryptoFrame(mid, o.crypto.subarray(mid, to)), 0x00, ...cryptoFrame(from, o.crypto.subarray(from, mid))]);
    } else {
      frames = cryptoFrame(from, o.crypto.subarray(from, to));
    }
    out.push(protectInitial({ dcid: o.dcid, scid: o.scid, version: o.version, packetNumber: (o.firstPacketNumber ?? 0) + i, frames }));
  }
  return out;
}

/** Packets coalesced into one datagram (RFC 9000 §12.2). */
export function coalesce(...packets: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(packets));
}

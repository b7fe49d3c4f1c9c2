// A test-side writer of TLS 1.3 ClientHellos (RFC 8446 §4.1.2) with a chosen server_name, written from
// the RFC's structures and independent of the parser under test. The result is what a client writes to
// a fresh TCP connection: handshake records, optionally padded (RFC 7685) so the hello spans segments.

/** Options for a ClientHello. */
export interface ClientHelloOptions {
  /** The server_name (omitted: no server_name extension). */
  sni?: string | undefined;
  /** Pads the handshake message to at least this many bytes with the padding extension (21). */
  padTo?: number | undefined;
  /** Largest record fragment: a hello longer than this spans several records. Default 16384. */
  maxRecord?: number | undefined;
  /** Bytes of a fake post-quantum key share (X25519MLKEM768 sends 1216), to make hellos the size real ones are. */
  bigKeyShare?: number | undefined;
  /** Puts server_name last, after the key shares and padding (Chromium orders extensions at random). */
  sniLast?: boolean | undefined;
  /** Fills the random, session id and key shares; default a fixed pattern so tests are repeatable. */
  fill?: number | undefined;
}

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number): number[] => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const vec16 = (body: number[]): number[] => [...u16(body.length), ...body];
const ext = (type: number, body: number[]): number[] => [...u16(type), ...vec16(body)];
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** The ClientHello handshake message (type, length, body), without record headers. */
export function clientHelloMessage(options: ClientHelloOptions = {}): Uint8Array {
  const fill = options.fill ?? 0x5a;
  const filled = (n: number): number[] => Array.from({ length: n }, (_, i) => (fill + i) & 0xff);
  const extensions: number[] = [];
  const sniExt: number[] = [];
  if (options.sni !== undefined) {
    const name = ascii(options.sni);
    sniExt.push(...ext(0, vec16([0, ...u16(name.length), ...name])));
  }
  if (options.sniLast !== true) extensions.push(...sniExt);
  extensions.push(...ext(10, vec16([...u16(0x001d), ...u16(0x0017)]))); // supported_groups
  extensions.push(...ext(13, vec16([...u16(0x0403), ...u16(0x0804)]))); // signature_algorithms
  extensions.push(...ext(16, vec16([2, ...ascii('h2')]))); // ALPN
  extensions.push(...ext(43, [2, ...u16(0x0304)])); // supported_versions: TLS 1.3
  const shares = [...u16(0x001d), ...vec16(filled(32))];
  if (options.bigKeyShare !== undefined) shares.unshift(...u16(0x11ec), ...vec16(filled(options.bigKeyShare)));
  extensions.push(...ext(51, vec16(shares))); // key_share
  const head = [...u16(0x0303), ...filled(32), 32, ...filled(32), ...vec16([...u16(0x1301), ...u16(0x1302)]), 1, 0];
  const tail = options.sniLast === true ? sniExt : [];
  let body = [...head, ...vec16([...extensions, ...tail])];
  const padTo = options.padTo ?? 0;
  if (4 + body.length < padTo) {
    const extra = Math.max(0, padTo - 4 - body.length - 4);
    extensions.push(...ext(21, new Array<number>(extra).fill(0)));
    body = [...head, ...vec16([...extensions, ...tail])];
  }
  return Uint8Array.from([1, ...u24(body.length), ...body]);
}

/** Handshake bytes cut into TLS records (type 22, legacy version 0x0301 as clients send in the first record). */
export function inRecords(handshake: Uint8Array, maxRecord = 16384): Uint8Array {
  const out: number[] = [];
  for (let at = 0; at < handshake.length; at += maxRecord) {
    const fragment = handshake.subarray(at, Math.min(handshake.length, at + maxRecord));
    out.push(22, 3, 1, ...u16(fragment.length), ...fragment);
  }
  return Uint8Array.from(out);
}

/** The bytes a client writes first on a TLS connection: its ClientHello in records. */
export function clientHelloStream(options: ClientHelloOptions = {}): Uint8Array {
  return inRecords(clientHelloMessage(options), options.maxRecord);
}

/** A stream cut at `cuts` (offsets), as TCP segments with sequence numbers from `isn + 1`. */
export function segments(stream: Uint8Array, cuts: number[], isn = 1000): { seq: number; bytes: Uint8Array }[] {
  const points = [0, ...cuts.filter((c) => c > 0 && c < stream.length).sort((a, b) => a - b), stream.length];
  const out: { seq: number; bytes: Uint8Array }[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const from = points[i] ?? 0;
    const to = points[i + 1] ?? 0;
    if (to > from) out.push({ seq: (isn + 1 + from) >>> 0, bytes: stream.subarray(from, to) });
  }
  return out;
}

// A bounds-checked cursor over packet bytes. Parsers read untrusted, possibly cut-short packets: every
// read says whether the bytes were there (null when not) instead of throwing or reading past the end.

/** Reads big-endian integers and slices from `bytes`, never past `end`. */
export class ByteReader {
  private readonly view: DataView;
  pos: number;
  readonly end: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = Math.min(end, bytes.length);
  }

  remaining(): number {
    return this.end - this.pos;
  }

  u8(): number | null {
    if (this.pos + 1 > this.end) return null;
    const v = this.view.getUint8(this.pos);
    this.pos += 1;
    return v;
  }

  u16(): number | null {
    if (this.pos + 2 > this.end) return null;
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number | null {
    if (this.pos + 3 > this.end) return null;
    const v = (this.view.getUint8(this.pos) << 16) | this.view.getUint16(this.pos + 1);
    this.pos += 3;
    return v;
  }

  u32(): number | null {
    if (this.pos + 4 > this.end) return null;
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view (not a copy) of the next `n` bytes. */
  take(n: number): Uint8Array | null {
    if (n < 0 || this.pos + n > this.end) return null;
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): boolean {
    if (n < 0 || this.pos + n > this.end) return false;
    this.pos += n;
    return true;
  }

  /** A QUIC variable-length integer (RFC 9000 §16); values above 2^53 come back inexact, which no caller needs. */
  varint(): number | null {
    const first = this.u8();
    if (first === null) return null;
    const extra = (1 << (first >> 6)) - 1;
    let value = first & 0x3f;
    for (let i = 0; i < extra; i++) {
      const b = this.u8();
      if (b === null) return null;
      value = value * 256 + b;
    }
    return value;
  }
}


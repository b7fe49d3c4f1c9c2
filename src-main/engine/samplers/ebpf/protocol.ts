// The boundary with netmon-capture: its text lines (protocol version 1, documented at the top of
// netmon-capture.c) parsed into typed values, and grouped into whole snapshots. A line that does not
// match the protocol exactly is rejected (null) and counted by the caller, never half-read.
import { isIPv4, isIPv6 } from 'node:net';
import { assertNever } from '../../../../src-shared/contract/types.js';
import type { PayloadEvent } from '../../types.js';

/** The protocol version this parser reads. */
export const CAPTURE_PROTOCOL_VERSION = 1;

/** What a counter or packet start belongs to: a socket, and for UDP one peer. */
export interface CaptureKey {
  /** Socket cookie, lower-case hex without leading zeros (as ss prints it). */
  cookie: string;
  protocol: 'tcp' | 'udp';
  family: 4 | 6;
  /** The far end's address (the source of an incoming packet, the destination of an outgoing one). */
  address: string;
  port: number;
}

/** One counted key with its owner, as the helper reported it. */
export interface CaptureFlow extends CaptureKey {
  /** L4 payload bytes since the helper first saw the key. */
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  /** The process (tgid) that last created, connected or addressed the socket; 0 when unknown. */
  pid: number;
  uid: number;
  /** The task name of that process's thread (kernel `comm`), null when unknown. */
  comm: string | null;
}

/** The start of one packet's payload, for naming. */
export interface CapturePayload extends CaptureKey {
  direction: 'in' | 'out';
  what: 'dns' | 'tls' | 'quic';
  wallMs: number;
  /** TCP: the sequence number of `bytes[0]`; null for UDP. */
  tcpSeq: number | null;
  /** The packet's whole payload length (`bytes` may be shorter). */
  length: number;
  bytes: Uint8Array;
}

/** The helper's counters of what it could not do, cumulative since it started. */
export interface CaptureLosses {
  /** Keys not inserted because the flow map was full, and their payload bytes (not counted anywhere). */
  flowMapFull: number;
  flowMapFullBytes: number;
  /** Sockets whose owner was not recorded (owner map). */
  ownerMapFull: number;
  /** Packet starts lost (ring buffer or queue full): only naming suffers. */
  packetStartsLost: number;
}

/** One line of the helper's output. */
export type CaptureLine =
  | { kind: 'version'; version: number; netnsCookie: string; intervalMs: number }
  | { kind: 'start'; snapshot: number; wallMs: number; monoMs: number }
  | { kind: 'flow'; closed: boolean; flow: CaptureFlow }
  | { kind: 'payload'; payload: CapturePayload }
  | { kind: 'end'; snapshot: number; losses: CaptureLosses; liveKeys: number };

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const COOKIE = /^[0-9a-f]{1,16}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

function integer(text: string | undefined): number | null {
  if (text === undefined || !DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

function key(fields: readonly string[], at: number): CaptureKey | null {
  const [cookie, protocol, family, address, portText] = fields.slice(at, at + 5);
  const port = integer(portText);
  if (cookie === undefined || !COOKIE.test(cookie) || address === undefined || port === null || port > 65535) return null;
  if (protocol !== 'tcp' && protocol !== 'udp') return null;
  if (family === '4' && isIPv4(address)) return { cookie, protocol, family: 4, address, port };
  if (family === '6' && isIPv6(address)) return { cookie, protocol, family: 6, address, port };
  return null;
}

/** Undoes the helper's `%XX` escaping of a task name; null for `-` (unknown) or a bad escape. */
export function decodeComm(text: string): string | null {
  if (text === '-' || text === '') return null;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}

function hexBytes(text: string): Uint8Array | null {
  if (!HEX.test(text)) return null;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

/** Parses one line of the helper's output; null when it does not follow the protocol. */
export function parseCaptureLine(line: string): CaptureLine | null {
  const fields = line.split('\t');
  const tag = fields[0] ?? '';
  switch (tag) {
    case 'V': {
      const [, versionText, netnsCookie, intervalText] = fields;
      const version = integer(versionText);
      const intervalMs = integer(intervalText);
      if (fields.length !== 4 || version === null || intervalMs === null || netnsCookie === undefined || !DECIMAL.test(netnsCookie)) return null;
      return { kind: 'version', version, netnsCookie, intervalMs };
    }
    case 'S': {
      const [snapshot, wallMs, monoMs] = fields.slice(1).map(integer);
      if (fields.length !== 4 || snapshot == null || wallMs == null || monoMs == null) return null;
      return { kind: 'start', snapshot, wallMs, monoMs };
    }
    case 'F':
    case 'C': {
      if (fields.length !== 13) return null;
      const k = key(fields, 1);
      const [bytesIn, bytesOut, packetsIn, packetsOut, pid, uid] = fields.slice(6, 12).map(integer);
      const commText = fields[12] ?? '';
      const comm = decodeComm(commText);
      if (k === null || bytesIn == null || bytesOut == null || packetsIn == null || packetsOut == null || pid == null || uid == null) return null;
      if (comm === null && commText !== '-') return null;
      return { kind: 'flow', closed: tag === 'C', flow: { ...k, bytesIn, bytesOut, packetsIn, packetsOut, pid, uid, comm } };
    }
    case 'P': {
      if (fields.length !== 12) return null;
      const k = key(fields, 1);
      const [, , , , , , direction, what, wallText, seqText, lengthText, hex] = fields;
      const wallMs = integer(wallText);
      const length = integer(lengthText);
      const bytes = hex === undefined ? null : hexBytes(hex);
      if (k === null || wallMs === null || length === null || bytes === null || bytes.length > length) return null;
      if (direction !== 'in' && direction !== 'out') return null;
      if (what !== 'dns' && what !== 'tls' && what !== 'quic') return null;
      let tcpSeq: number | null = null;
      if (k.protocol === 'tcp') {
        tcpSeq = integer(seqText);
        if (tcpSeq === null || tcpSeq > 0xffffffff) return null;
      } else if (seqText !== '-') {
        return null;
      }
      return { kind: 'payload', payload: { ...k, direction, what, wallMs, tcpSeq, length, bytes } };
    }
    case 'E': {
      const [snapshot, flowMapFull, flowMapFullBytes, ownerMapFull, packetStartsLost, liveKeys] = fields.slice(1).map(integer);
      if (fields.length !== 7 || snapshot == null || flowMapFull == null || flowMapFullBytes == null || ownerMapFull == null || packetStartsLost == null || liveKeys == null) {
        return null;
      }
      return { kind: 'end', snapshot, losses: { flowMapFull, flowMapFullBytes, ownerMapFull, packetStartsLost }, liveKeys };
    }
    default:
      return null;
  }
}

/** The `FlowCounter.id` of a key: the socket cookie for TCP (as the Linux sampler names it), and the peer too for UDP. */
export function captureFlowId(k: CaptureKey): string {
  return k.protocol === 'tcp' ? `sk:${k.cookie}` : `sk:${k.cookie}/${k.address}/${k.port}`;
}

/** Everything between one `S` line and its `E` line. */
export interface CaptureSnapshot {
  snapshot: number;
  wallMs: number;
  monoMs: number;
  flows: CaptureFlow[];
  closed: CaptureFlow[];
  payloads: CapturePayload[];
  losses: CaptureLosses;
  liveKeys: number;
}

/** Most packet starts one snapshot passes to naming. */
export const MAX_PAYLOADS_PER_SNAPSHOT = 4096;
/** Most characters of payload lines (hex) one snapshot passes to naming: 4 MiB of text, 2 MiB of packets. */
export const MAX_PAYLOAD_CHARS_PER_SNAPSHOT = 4 * 1024 * 1024;

/**
 * Groups lines into snapshots. A snapshot cut short (a new `S` before its `E`, or an `E` of another
 * number) is dropped and its lines count as malformed: half a snapshot would look like closed sockets.
 */
export class SnapshotAssembler {
  #current: CaptureSnapshot | null = null;
  #currentLines = 0;
  #malformed = 0;
  #payloadChars = 0;
  #payloadsDropped = 0;
  #version: Extract<CaptureLine, { kind: 'version' }> | null = null;

  /** Lines rejected so far (unparsable, out of place, or in a snapshot cut short). */
  get malformed(): number {
    return this.#malformed;
  }

  /** The helper's version line, once seen. */
  get version(): Extract<CaptureLine, { kind: 'version' }> | null {
    return this.#version;
  }

  /** Payload lines skipped because their snapshot already held its share (MAX_PAYLOAD_*_PER_SNAPSHOT). */
  get payloadsDropped(): number {
    return this.#payloadsDropped;
  }

  /** Feeds one line; returns a snapshot when this line completed one. */
  push(line: string): CaptureSnapshot | null {
    if (line === '') return null;
    // Payload volume per snapshot is bounded before any decoding: past it, packet starts are skipped
    // (naming misses them; counting is unaffected).
    if (line.startsWith('P\t') && this.#current !== null) {
      if (this.#current.payloads.length >= MAX_PAYLOADS_PER_SNAPSHOT || this.#payloadChars + line.length > MAX_PAYLOAD_CHARS_PER_SNAPSHOT) {
        this.#payloadsDropped += 1;
        this.#currentLines += 1;
        return null;
      }
      this.#payloadChars += line.length;
    }
    const parsed = parseCaptureLine(line);
    if (parsed === null) {
      this.#malformed += 1;
      return null;
    }
    switch (parsed.kind) {
      case 'version':
        this.#version = parsed;
        return null;
      case 'start':
        this.#abandon();
        this.#current = { snapshot: parsed.snapshot, wallMs: parsed.wallMs, monoMs: parsed.monoMs, flows: [], closed: [], payloads: [], losses: noLosses(), liveKeys: 0 };
        this.#currentLines = 1;
        this.#payloadChars = 0;
        return null;
      case 'flow':
      case 'payload':
        if (this.#current === null) {
          this.#malformed += 1;
          return null;
        }
        this.#currentLines += 1;
        if (parsed.kind === 'payload') this.#current.payloads.push(parsed.payload);
        else if (parsed.closed) this.#current.closed.push(parsed.flow);
        else this.#current.flows.push(parsed.flow);
        return null;
      case 'end': {
        const done = this.#current;
        if (done === null || done.snapshot !== parsed.snapshot) {
          this.#abandon();
          this.#malformed += 1;
          return null;
        }
        this.#current = null;
        this.#currentLines = 0;
        done.losses = parsed.losses;
        done.liveKeys = parsed.liveKeys;
        return done;
      }
      default:
        return assertNever(parsed);
    }
  }

  /** Forgets a snapshot in progress (the helper died mid-way). */
  reset(): void {
    this.#abandon();
  }

  #abandon(): void {
    if (this.#current !== null) this.#malformed += this.#currentLines;
    this.#current = null;
    this.#currentLines = 0;
  }
}

function noLosses(): CaptureLosses {
  return { flowMapFull: 0, flowMapFullBytes: 0, ownerMapFull: 0, packetStartsLost: 0 };
}

/** A packet start as the pipeline takes it. */
export function payloadEvent(p: CapturePayload): PayloadEvent {
  const event: PayloadEvent = {
    flowId: captureFlowId(p),
    wallMs: p.wallMs,
    direction: p.direction,
    protocol: p.protocol,
    remote: { address: p.address, port: p.port },
    bytes: p.bytes,
    truncated: p.bytes.length < p.length,
  };
  if (p.tcpSeq !== null) event.tcpSeq = p.tcpSeq;
  return event;
}

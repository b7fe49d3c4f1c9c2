// The sniffer: routes each packet start the privileged sampler passes up to its parser (DNS answers in
// from port 53, TLS ClientHellos out over TCP, QUIC Initials out over UDP) and keeps the little per-flow
// state reassembly needs, bounded: a flow's state goes as soon as it named the flow or gave up, and the
// oldest flows go first when there are too many. Flows that are done are remembered (also bounded) so
// their later packets cost a map lookup.
import type { PayloadEvent } from '../types.js';
import { createLogger } from '../log.js';
import { parseDnsResponse } from './dns.js';
import { clientInitialKeys, CryptoStream, looksLikeQuicInitial, readQuicDatagram, type InitialKeys } from './quic.js';
import { MAX_HELLO_BYTES, parseClientHello, parseTlsStreamStart, startsLikeClientHello, TcpStreamStart, type ClientHelloResult } from './tls.js';
import type { NameHint, Sniffer, SnifferStats } from './types.js';

export type { NameHint, Sniffer, SnifferStats } from './types.js';
export { parseDnsResponse, type DnsHint, type DnsParseResult } from './dns.js';
export { parseClientHello, parseTlsStreamStart, startsLikeClientHello, hostName, TcpStreamStart, type ClientHelloResult } from './tls.js';
export { clientInitialKeys, hkdfExpandLabel, readQuicDatagram, looksLikeQuicInitial, CryptoStream, QUIC_V1, QUIC_V2, type InitialKeys, type KeysFor, type QuicDatagram, type CryptoChunk } from './quic.js';

const log = createLogger('sniff');

/** Limits of the sniffer's state. */
export interface SnifferOptions {
  /** Flows with reassembly state at once; the oldest is dropped past this. Default 1024. */
  maxFlows?: number;
  /** Bytes held per flow before giving up on it. Default 16 KiB. */
  maxBytesPerFlow?: number;
  /** Finished flows remembered so their later packets are skipped at once. Default 8192. */
  maxDoneFlows?: number;
}

type FlowState =
  | { kind: 'tls'; stream: TcpStreamStart }
  | { kind: 'quic'; crypto: CryptoStream; keys: Map<string, InitialKeys | null>; firstDcid: string | null; datagrams: number };

/** Datagrams one QUIC flow may take before it is given up: a client's first flight is one to four Initials. */
export const MAX_QUIC_DATAGRAMS_PER_FLOW = 16;

const DNS_PORT = 53;

/**
 * Drops the oldest eighth (at least one) of a full map or set in one pass: deleting the first entry one
 * at a time makes each next lookup of "the first" walk the deleted slots V8 keeps until it rehashes.
 */
function dropOldest(entries: Map<string, unknown> | Set<string>, limit: number): void {
  let drop = entries.size - limit + Math.floor(limit / 8);
  for (const key of entries.keys()) {
    if (drop-- <= 0) break;
    entries.delete(key);
  }
}

/** Creates a sniffer with bounded per-flow state. */
export function createSniffer(options: SnifferOptions = {}): Sniffer {
  const maxFlows = Math.max(1, options.maxFlows ?? 1024);
  const maxBytes = Math.max(64, options.maxBytesPerFlow ?? MAX_HELLO_BYTES);
  const maxDone = Math.max(1, options.maxDoneFlows ?? 8192);
  const flows = new Map<string, FlowState>();
  const done = new Set<string>();
  const stats: SnifferStats = { dnsAnswers: 0, tlsNames: 0, quicNames: 0, malformed: 0, pendingFlows: 0 };

  const finish = (flowId: string): void => {
    flows.delete(flowId);
    done.add(flowId);
    if (done.size > maxDone) dropOldest(done, maxDone);
  };

  const hold = (flowId: string, state: FlowState): void => {
    flows.set(flowId, state);
    if (flows.size > maxFlows) dropOldest(flows, maxFlows);
  };

  /** Turns a parse outcome into a hint (or nothing), finishing the flow unless it waits for more. */
  const settle = (event: PayloadEvent, result: ClientHelloResult, via: 'tls' | 'quic'): NameHint[] => {
    switch (result.kind) {
      case 'need-more':
        return [];
      case 'not-hello':
        stats.malformed += 1;
        log.debug('gave up on a flow', { flow: event.flowId, via, reason: result.reason });
        finish(event.flowId);
        return [];
      case 'hello':
        finish(event.flowId);
        if (result.sni === null) return [];
        if (via === 'tls') stats.tlsNames += 1;
        else stats.quicNames += 1;
        return [{ kind: 'sni', flowId: event.flowId, name: result.sni, via, atMs: event.wallMs }];
    }
  };

  const onDns = (event: PayloadEvent): NameHint[] => {
    const result = parseDnsResponse(event.bytes, event.wallMs, event.truncated);
    switch (result.kind) {
      case 'answers':
        stats.dnsAnswers += result.hints.length;
        return result.hints;
      case 'ignored':
        return [];
      case 'malformed':
        stats.malformed += 1;
        return [];
    }
  };

  const onTls = (event: PayloadEvent): NameHint[] => {
    if (event.tcpSeq === undefined) {
      stats.malformed += 1;
      return [];
    }
    let state = flows.get(event.flowId);
    if (state === undefined) {
      state = { kind: 'tls', stream: new TcpStreamStart(maxBytes) };
      hold(event.flowId, state);
    }
    if (state.kind !== 'tls') return [];
    if (!state.stream.add(event.tcpSeq, event.bytes)) return settle(event, { kind: 'not-hello', reason: 'over the byte budget' }, 'tls');
    const stream = state.stream.contiguous();
    // Unless the bytes are surely the stream's start, the segment that starts it may still be on its way
    // (what we hold begins mid-stream): wait for it, within the byte budget.
    if (startsLikeClientHello(stream) !== true) return [];
    return settle(event, parseTlsStreamStart(stream), 'tls');
  };

  const onQuic = (event: PayloadEvent): NameHint[] => {
    let state = flows.get(event.flowId);
    if (state === undefined) {
      state = { kind: 'quic', crypto: new CryptoStream(maxBytes), keys: new Map(), firstDcid: null, datagrams: 0 };
      hold(event.flowId, state);
    }
    if (state.kind !== 'quic') return [];
    // Each datagram is decrypted and the stream re-read: a flow that never completes a hello stops here.
    state.datagrams += 1;
    if (state.datagrams > MAX_QUIC_DATAGRAMS_PER_FLOW) return settle(event, { kind: 'not-hello', reason: 'too many Initials without a whole ClientHello' }, 'quic');
    const quic = state;
    const keysOf = (id: string, dcid: Uint8Array, version: number): InitialKeys | null => {
      if (!quic.keys.has(id)) {
        if (quic.keys.size >= 4) quic.keys.clear();
        quic.keys.set(id, clientInitialKeys(dcid, version));
      }
      return quic.keys.get(id) ?? null;
    };
    const datagram = readQuicDatagram(event.bytes, (dcid, version) => {
      const hex = Buffer.from(dcid).toString('hex');
      quic.firstDcid ??= hex;
      const candidates = [keysOf(`${version}:${hex}`, dcid, version)];
      if (quic.firstDcid !== hex) candidates.push(keysOf(`${version}:${quic.firstDcid}`, Buffer.from(quic.firstDcid, 'hex'), version));
      return candidates.filter((k): k is InitialKeys => k !== null);
    });
    if (datagram.failed > 0 && !event.truncated) stats.malformed += datagram.failed;
    for (const chunk of datagram.chunks) {
      if (!state.crypto.add(chunk)) return settle(event, { kind: 'not-hello', reason: 'CRYPTO data past the byte budget' }, 'quic');
    }
    if (datagram.chunks.length === 0) return [];
    return settle(event, parseClientHello(state.crypto.contiguous()), 'quic');
  };

  return {
    onPayload(event: PayloadEvent): NameHint[] {
      if (done.has(event.flowId)) return [];
      try {
        if (event.direction === 'in') {
          return event.protocol === 'udp' && event.remote.port === DNS_PORT ? onDns(event) : [];
        }
        if (event.protocol === 'tcp') return onTls(event);
        return looksLikeQuicInitial(event.bytes) ? onQuic(event) : [];
      } catch (err) {
        // The parsers do not throw by design; this keeps one bad packet from stopping the sampler if they do.
        stats.malformed += 1;
        log.warn('parser threw', { flow: event.flowId, error: err instanceof Error ? err : String(err) });
        if (event.direction === 'out') finish(event.flowId);
        return [];
      }
    },
    forget(flowId: string): void {
      flows.delete(flowId);
      done.delete(flowId);
    },
    stats(): SnifferStats {
      return { ...stats, pendingFlows: flows.size };
    },
  };
}

// What the packet parsers tell about names: the contract between the sniffers (DNS, TLS, QUIC) and the
// flow namer, which keeps the state that ties names to flows. Names are host names only: never a path,
// a query or a URL (none of those are in the packets parsed here anyway: DNS, ClientHello, QUIC Initial).
import type { PayloadEvent } from '../types.js';

/** One thing a packet said about a name. */
export type NameHint =
  /** A DNS answer: `address` was given for `name` (the name asked for, before any CNAME), for `ttlS`. */
  | { kind: 'dns'; name: string; address: string; ttlS: number; atMs: number }
  /** A ClientHello's server_name on the flow `flowId` (over TCP: TLS; over UDP: a QUIC Initial). */
  | { kind: 'sni'; flowId: string; name: string; via: 'tls' | 'quic'; atMs: number };

/** Counters for health and tests. */
export interface SnifferStats {
  dnsAnswers: number;
  tlsNames: number;
  quicNames: number;
  /** Payloads that looked like their protocol but could not be parsed (skipped, counted). */
  malformed: number;
  /** Flows with reassembly state held now. */
  pendingFlows: number;
}

/** Turns payload events into name hints, holding per-flow reassembly state. */
export interface Sniffer {
  onPayload(event: PayloadEvent): NameHint[];
  /** Drops the reassembly state of a flow that closed. */
  forget(flowId: string): void;
  stats(): SnifferStats;
}

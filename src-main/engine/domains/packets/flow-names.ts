// Ties the names the packets told (NameHints from the sniffer) to flows. A flow's own ClientHello
// (TLS SNI, or a QUIC Initial's) names it best: it is what the app asked that server for. Else the DNS
// answer that gave the flow's remote address, as long as it is fresh. Pure state, clock passed in.
//
// Why a flow's DNS name is fixed when it is first named: an address (a CDN's, a shared host's) is
// answered for many names over time; the answer in force when the connection started is the one the
// app connected for, not whatever a later query for another name said about the same address.
// For the same reason an answer is also kept per asker (the app whose socket received it): when two
// apps resolve different names to one address at the same time, each app's flows take its own answer.
import { isIP } from 'node:net';
import type { NameHint } from '../../sniff/types.js';
import { assertNever } from '../../../../src-shared/contract/types.js';
import type { FlowDelta } from '../../types.js';
import { normalizeIp } from '../ip.js';

/** Options of `FlowNamer`; the defaults suit a desktop's resolver traffic. */
export interface FlowNamerOptions {
  /**
   * Shortest time (s) a DNS answer names its address, whatever its TTL (default 60): apps and their
   * resolvers keep answers beyond a short TTL, and a 0 s TTL still named the connection it was asked for.
   */
  minTtlS?: number;
  /** Longest time (s) an answer is kept, whatever its TTL (default 1 h): a day-long TTL outlives the address's use. */
  maxTtlS?: number;
  /** Most addresses remembered (default 8192); past it the least recently answered go first. */
  maxAddresses?: number;
  /** Most named flows remembered (default 65536); past it the least recently named go first (closed flows are forgotten anyway). */
  maxFlows?: number;
}

/** Counters for health and tests. */
export interface FlowNamerStats {
  addresses: number;
  flows: number;
  /** Hints whose name or address was not a host name or an IP address (skipped). */
  rejected: number;
  /** Entries dropped to stay within the bounds. */
  evicted: number;
}

interface Answer {
  name: string;
  atMs: number;
  expiresMs: number;
}

/** What is known of one address: its latest answer, and the latest one each asker received. */
interface AddressNames {
  latest: Answer;
  /** Asker → its latest answer for this address; Map order is answer order, oldest first. */
  byAsker: Map<string, Answer> | null;
  /** The latest expiry of any of them. */
  expiresMs: number;
}

/** Askers remembered per address (past it the least recently answered goes). */
const MAX_ASKERS = 8;

interface FlowName {
  name: string;
  via: 'sni' | 'dns';
}

const MAX_HOSTNAME = 253;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** The host name as stored (lower case, no trailing dot), or null when `text` is not a host name (an IP literal is not). */
export function normalizeHostName(text: string): string | null {
  let s = text.trim().toLowerCase();
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s.length === 0 || s.length > MAX_HOSTNAME || isIP(s) !== 0) return null;
  // Packets carry ASCII names (IDN as punycode); anything else is a malformed or hostile one.
  return s.split('.').every((label) => LABEL.test(label)) ? s : null;
}

/**
 * When `map` is at `max`, drops its oldest eighth (at least one) in one pass; returns how many. In
 * batches because a Map keeps deleted slots at its front until it rehashes: taking one oldest entry
 * per insert would walk them all each time.
 */
function evictOldest<K, V>(map: Map<K, V>, max: number): number {
  if (map.size < max) return 0;
  const target = max - Math.max(1, max >> 3);
  let dropped = 0;
  for (const key of map.keys()) {
    if (map.size <= target) break;
    map.delete(key);
    dropped += 1;
  }
  return dropped;
}

/** Names flows from DNS answers and ClientHellos (see the file's head for the rules). */
export class FlowNamer {
  private readonly minTtlMs: number;
  private readonly maxTtlMs: number;
  private readonly maxAddresses: number;
  private readonly maxFlows: number;
  /** Address → its answers; Map order is answer order (an update re-inserts), oldest first. */
  private readonly answers = new Map<string, AddressNames>();
  /** Flow id → its decided name; Map order is decision order, oldest first. */
  private readonly flows = new Map<string, FlowName>();
  private readonly counts = { rejected: 0, evicted: 0 };
  /** Answers stored since the last sweep for expired ones (a sweep reads them all, so it is spaced out). */
  private sinceSweep = Number.POSITIVE_INFINITY;

  constructor(options: FlowNamerOptions = {}) {
    this.minTtlMs = (options.minTtlS ?? 60) * 1000;
    this.maxTtlMs = Math.max(options.maxTtlS ?? 3600, options.minTtlS ?? 60) * 1000;
    this.maxAddresses = Math.max(1, options.maxAddresses ?? 8192);
    this.maxFlows = Math.max(1, options.maxFlows ?? 65_536);
  }

  /** Learns what one hint says; `asker` names who received a DNS answer (its app), where known. */
  note(hint: NameHint, asker?: string | null): void {
    const name = normalizeHostName(hint.name);
    if (name === null) {
      this.counts.rejected += 1;
      return;
    }
    switch (hint.kind) {
      case 'dns':
        this.noteAnswer(hint.address, name, hint.ttlS, hint.atMs, asker ?? null);
        return;
      case 'sni':
        // The flow's own ClientHello wins over any DNS name, decided or not.
        this.flows.delete(hint.flowId);
        this.remember(hint.flowId, { name, via: 'sni' });
        return;
      default:
        assertNever(hint, 'name hint');
    }
  }

  private noteAnswer(addressText: string, name: string, ttlS: number, atMs: number, asker: string | null): void {
    const address = normalizeIp(addressText);
    if (address === null || !Number.isFinite(atMs)) {
      this.counts.rejected += 1;
      return;
    }
    const ttlMs = Number.isFinite(ttlS) ? Math.min(this.maxTtlMs, Math.max(this.minTtlMs, ttlS * 1000)) : this.minTtlMs;
    const answer: Answer = { name, atMs, expiresMs: atMs + ttlMs };
    let entry = this.answers.get(address);
    if (entry === undefined) {
      if (this.answers.size >= this.maxAddresses) this.dropAnswers(atMs);
      entry = { latest: answer, byAsker: null, expiresMs: answer.expiresMs };
      this.answers.set(address, entry);
      this.sinceSweep += 1;
    } else if (atMs >= entry.latest.atMs) {
      // Answers can be passed up out of order; the most recent one names the address. Re-inserted:
      // the Map's order is what eviction takes as least recently answered.
      entry.latest = answer;
      this.answers.delete(address);
      this.answers.set(address, entry);
    }
    entry.expiresMs = Math.max(entry.expiresMs, answer.expiresMs);
    if (asker === null) return;
    entry.byAsker ??= new Map();
    const own = entry.byAsker.get(asker);
    if (own !== undefined && own.atMs > atMs) return;
    entry.byAsker.delete(asker);
    if (entry.byAsker.size >= MAX_ASKERS) evictOldest(entry.byAsker, MAX_ASKERS);
    entry.byAsker.set(asker, answer);
  }

  /**
   * Makes room for one answer: expired ones first, else the least recently answered. The sweep for
   * expired answers runs at most once per eighth of the bound's worth of new answers, so that a full
   * map costs O(1) per answer on average rather than a read of every entry.
   */
  private dropAnswers(nowMs: number): void {
    if (this.sinceSweep >= Math.max(1, this.maxAddresses >> 3)) {
      this.sinceSweep = 0;
      for (const [address, answer] of this.answers) if (answer.expiresMs < nowMs) this.answers.delete(address);
    }
    this.counts.evicted += evictOldest(this.answers, this.maxAddresses);
  }

  private remember(flowId: string, entry: FlowName): void {
    this.counts.evicted += evictOldest(this.flows, this.maxFlows);
    this.flows.set(flowId, entry);
  }

  /**
   * The host name of `flow` at `atMs` (the sample's wall time), or null when nothing named it; `asker`
   * is the flow's app, whose own fresh answer for the address wins over another app's later one. A
   * flow named by DNS keeps that name; one nothing named yet is asked again next time (an answer may
   * come later for a connection that was open before netmon listened).
   */
  name(flow: FlowDelta, atMs: number, asker?: string | null): string | null {
    const known = this.flows.get(flow.id);
    if (known !== undefined) return known.name;
    if (flow.remote === undefined) return null;
    const address = normalizeIp(flow.remote.address);
    if (address === null) return null;
    const entry = this.answers.get(address);
    if (entry === undefined) return null;
    if (entry.expiresMs < atMs) {
      this.answers.delete(address);
      return null;
    }
    const own = asker === undefined || asker === null ? undefined : entry.byAsker?.get(asker);
    const answer = own !== undefined && own.expiresMs >= atMs ? own : entry.latest.expiresMs >= atMs ? entry.latest : null;
    if (answer === null) return null;
    this.remember(flow.id, { name: answer.name, via: 'dns' });
    return answer.name;
  }

  /** Drops what is known of a flow that closed. */
  forget(flowId: string): void {
    this.flows.delete(flowId);
  }

  stats(): FlowNamerStats {
    return { addresses: this.answers.size, flows: this.flows.size, ...this.counts };
  }
}

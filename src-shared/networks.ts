// Networks as the views show them (issue 12 item 7): each uplink netmon saw, its bytes over a range,
// one network's timeline and applications, the user's name and metered mark (Settings › Networks),
// and the ledger's flagged hours (sockets over 1.2 × the physical interfaces).
// No dependency: the renderer, the CLI and the engine import this as it is.
import type { ByteTotals, ResolvedRange, Timeline } from './contract/types.js';

/** The network rows stored before per-network rows existed (schema v7 moved them here). */
export const UNKNOWN_NETWORK = 'unknown';
/** How the views name the unknown network. */
export const UNKNOWN_NETWORK_LABEL = 'Unknown network';
/** Longest name the user may give a network (the networks table's CHECK). */
export const MAX_NETWORK_LABEL = 200;

/** Whether a stored row's name is a tunnel provider's overhead (shown as such, never as an application). */
export function isOverheadName(name: string): boolean {
  return /^VPN overhead \(.+\)$/.test(name);
}

/** Who decided whether a network is metered: the user's mark beats the OS flag and netmon's guesses. */
export type MeteredBy = 'user' | 'netmon';

/** One known network and its bytes over the range asked for. */
export interface NetworkView extends ByteTotals {
  /** The network's id (`wifi:…`, `nm:UUID`, `unknown`). */
  network: string;
  /** The name shown: the user's, else netmon's. */
  label: string;
  /** netmon's own label ("Wi-Fi · a1b2"), kept when the user names it. */
  netmonLabel: string;
  /** The user's name, or null. */
  userLabel: string | null;
  /** Link kind: wifi, wired, hotspot, tether, cellular, or '' when unknown. */
  kind: string;
  /** null: not known. */
  metered: boolean | null;
  meteredBy: MeteredBy;
  /** Why metered or not, in words. */
  meteredReason: string;
  /** Epoch seconds netmon last stored the network's facts; null for the unknown network. */
  lastSeen: number | null;
}

/** What `networks:list` answers: every known network (the unknown one only with bytes), largest first. */
export interface NetworksList extends ResolvedRange {
  approximate: boolean;
  networks: NetworkView[];
  /** Sum over the networks: every byte of the per-network tiers in the range. */
  totals: ByteTotals;
}

/** One network's timeline (`networks:timeline`): the usage timeline's shape, with the network. */
export interface NetworkTimeline extends Timeline {
  network: string;
}

/** An application's bytes on one network; overhead is a tunnel's own bytes, unattributed nobody's. */
export interface NetworkAppTotal extends ByteTotals {
  app: string;
  kind: 'app' | 'overhead' | 'unattributed';
}

/** What `networks:apps` answers: one network's applications, largest first. */
export interface NetworkApps extends ResolvedRange {
  network: string;
  approximate: boolean;
  apps: NetworkAppTotal[];
  totals: ByteTotals;
}

/** An hour the ledger flagged: the sockets summed to more than 1.2 × the physical interfaces. */
export interface FlaggedHour {
  /** Start of the hour, epoch seconds. */
  hourStart: number;
  physical: ByteTotals;
  /** Attributed plus overhead: what the sockets counted. */
  sockets: ByteTotals;
  reason: string;
}

/** What `networks:ledger` answers: how many hours of the range have a ledger, and the flagged ones. */
export interface LedgerView extends ResolvedRange {
  hours: number;
  flagged: FlaggedHour[];
}

/** What a rename or a metered mark answers: the network as it is now. */
export interface NetworkMarkOutcome {
  network: NetworkView;
}

/** How the views name a network: the unknown one in words, else its label, else its id. */
export function networkLabel(n: { network: string; label: string }): string {
  if (n.network === UNKNOWN_NETWORK) return UNKNOWN_NETWORK_LABEL;
  return n.label === '' ? n.network : n.label;
}

/** How a network's id was made, in words: the gateway's MAC, NetworkManager's connection, or the interface. */
export function networkIdKind(key: string): string {
  if (key === UNKNOWN_NETWORK) return 'bytes stored before networks were recorded';
  if (key.startsWith('nm:')) return 'NetworkManager connection';
  if (/^[a-z]+:([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(key)) return "gateway's MAC address";
  return 'interface';
}

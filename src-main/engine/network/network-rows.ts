// The rows of the per-network tiers (schema v7): an app's bytes in one interval on one interface of one
// network, and what is known of each network (its uplink's label, kind and metered guess).
import type { AppUsage } from '../types.js';

/** Bytes of one app on one interface and network in one interval; `network` is the uplink's id. */
export interface NetworkUsage extends AppUsage {
  network: string;
  /** The physical interface the bytes crossed; '' where unknown. */
  iface: string;
}

/** What netmon knows of a network when it writes its rows (the user's name and mark are kept apart). */
export interface NetworkInfo {
  key: string;
  label: string;
  kind: string;
  metered: boolean | null;
  reason: string;
  /** Epoch seconds. */
  lastSeen: number;
}

/** One interval's part of its hour's ledger (engine/network/ledger.ts): sums, added up by the store. */
export interface LedgerDelta {
  /** Start of the UTC hour, epoch s. */
  hourStart: number;
  physical: { bytesIn: number; bytesOut: number };
  attributed: { bytesIn: number; bytesOut: number };
  overhead: { bytesIn: number; bytesOut: number };
  excluded: { bytesIn: number; bytesOut: number };
  unknownIntervals: number;
}

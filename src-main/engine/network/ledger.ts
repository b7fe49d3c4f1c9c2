// The hour's accounts: what crossed the physical interfaces, what the apps were charged, what was
// providers' overhead, what was left out at the user's word, and what nobody could be tied to.
//
// When the sockets sum to more than 1.2 × the physical total in a direction (a content filter's network
// extension can hide en0's input, exelban/stats #3141 and #3607), the interface counters are not the
// truth for that hour: the hour is flagged, the reason says so, and its total falls back to the sockets'
// sum (nothing unattributed). Small hours are not flagged: the excess must be at least `minExcess`.
import type { InterfaceTotals } from '../types.js';
import type { MigrationResult } from './migrate.js';

export interface LedgerHour {
  /** Start of the hour, epoch ms (UTC hour). */
  hourMs: number;
  physical: InterfaceTotals;
  attributed: InterfaceTotals;
  overhead: InterfaceTotals;
  excluded: InterfaceTotals;
  unattributed: InterfaceTotals;
  /** The total the hour stands for: physical, or the sockets' sum when flagged. */
  total: InterfaceTotals;
  /** Intervals with unknown interface counters (their sockets still count). */
  unknownIntervals: number;
  /** Sockets exceeded 1.2 × physical: interface counters disagree with the sockets. */
  mismatch: boolean;
  /** Words for the UI and doctor when flagged, else null. */
  reason: string | null;
}

export const MISMATCH_RATIO = 1.2;
const HOUR_MS = 3_600_000;

interface Acc {
  physical: InterfaceTotals;
  attributed: InterfaceTotals;
  overhead: InterfaceTotals;
  excluded: InterfaceTotals;
  unknownIntervals: number;
}

const z = (): InterfaceTotals => ({ bytesIn: 0, bytesOut: 0 });

export class NetworkLedger {
  readonly #hours = new Map<number, Acc>();
  readonly #minExcess: number;

  constructor(options: { minExcess?: number } = {}) {
    this.#minExcess = options.minExcess ?? 1024 * 1024;
  }

  /** Adds one settled interval that ended at `endMs`. */
  add(endMs: number, result: MigrationResult): void {
    const hourMs = Math.floor((endMs - 1) / HOUR_MS) * HOUR_MS;
    let acc = this.#hours.get(hourMs);
    if (acc === undefined) {
      acc = { physical: z(), attributed: z(), overhead: z(), excluded: z(), unknownIntervals: 0 };
      this.#hours.set(hourMs, acc);
    }
    if (result.network === null) acc.unknownIntervals += 1;
    else plus(acc.physical, result.network);
    for (const s of result.sockets) plus(acc.attributed, s);
    for (const o of result.overhead) plus(acc.overhead, o);
    plus(acc.excluded, result.excluded);
  }

  /** Adds an hour's stored sums (the store's `network_ledger`, read back by doctor). */
  addSums(hourMs: number, sums: { physical: InterfaceTotals; attributed: InterfaceTotals; overhead: InterfaceTotals; excluded: InterfaceTotals; unknownIntervals: number }): void {
    const acc = this.#hours.get(hourMs) ?? { physical: z(), attributed: z(), overhead: z(), excluded: z(), unknownIntervals: 0 };
    plus(acc.physical, sums.physical);
    plus(acc.attributed, sums.attributed);
    plus(acc.overhead, sums.overhead);
    plus(acc.excluded, sums.excluded);
    acc.unknownIntervals += sums.unknownIntervals;
    this.#hours.set(hourMs, acc);
  }

  /** The hour's accounts, or null when nothing was added for it. */
  hour(hourMs: number): LedgerHour | null {
    const acc = this.#hours.get(hourMs);
    return acc === undefined ? null : this.#close(hourMs, acc);
  }

  hours(): LedgerHour[] {
    return [...this.#hours].sort(([a], [b]) => a - b).map(([h, acc]) => this.#close(h, acc));
  }

  /** Drops hours before `hourMs` (after they are stored). */
  forgetBefore(hourMs: number): void {
    for (const h of this.#hours.keys()) if (h < hourMs) this.#hours.delete(h);
  }

  #close(hourMs: number, acc: Acc): LedgerHour {
    const sockets: InterfaceTotals = {
      bytesIn: acc.attributed.bytesIn + acc.overhead.bytesIn,
      bytesOut: acc.attributed.bytesOut + acc.overhead.bytesOut,
    };
    const over = (dir: 'bytesIn' | 'bytesOut'): boolean =>
      sockets[dir] > MISMATCH_RATIO * acc.physical[dir] && sockets[dir] - acc.physical[dir] >= this.#minExcess;
    const mismatchIn = over('bytesIn');
    const mismatchOut = over('bytesOut');
    const mismatch = mismatchIn || mismatchOut;
    const total: InterfaceTotals = {
      bytesIn: mismatchIn ? sockets.bytesIn : acc.physical.bytesIn,
      bytesOut: mismatchOut ? sockets.bytesOut : acc.physical.bytesOut,
    };
    const unattributed: InterfaceTotals = {
      bytesIn: Math.max(0, total.bytesIn - sockets.bytesIn - acc.excluded.bytesIn),
      bytesOut: Math.max(0, total.bytesOut - sockets.bytesOut - acc.excluded.bytesOut),
    };
    const dirs = [mismatchIn ? 'received' : null, mismatchOut ? 'sent' : null].filter((d) => d !== null).join(' and ');
    const reason = mismatch
      ? `interface counters disagree with the sockets (${dirs}: sockets over ${MISMATCH_RATIO}× the physical interfaces, as when a content filter hides the interface's traffic); this hour's total is the sockets' sum`
      : null;
    return {
      hourMs,
      physical: { ...acc.physical },
      attributed: { ...acc.attributed },
      overhead: { ...acc.overhead },
      excluded: { ...acc.excluded },
      unattributed,
      total,
      unknownIntervals: acc.unknownIntervals,
      mismatch,
      reason,
    };
  }
}

function plus(to: InterfaceTotals, from: InterfaceTotals): void {
  to.bytesIn += from.bytesIn;
  to.bytesOut += from.bytesOut;
}

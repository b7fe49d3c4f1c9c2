// The ledger's stored hours (schema v7 `network_ledger`, added to by every flush) read back as the
// ledger's accounts: physical, attributed, overhead, unattributed per hour, with the flagged ones (sockets
// over 1.2 × the physical interfaces) and their reason. `netmon doctor` shows the last hours.
import { formatBytes } from '../../../src-shared/units.js';
import type { ReadableDB } from '../store/readable.js';
import { hasTable } from '../store/schema.js';
import { NetworkLedger, type LedgerHour } from './ledger.js';

interface Row {
  hour: number;
  pi: number;
  po: number;
  ai: number;
  ao: number;
  oi: number;
  oo: number;
  ei: number;
  eo: number;
  unknown: number;
}

/** The stored hours since `sinceS` (epoch s), oldest first; [] before schema v7. */
export function storedLedgerHours(db: ReadableDB, sinceS: number): LedgerHour[] {
  if (!hasTable(db, 'network_ledger')) return [];
  const rows = db
    .prepare(
      `SELECT hour_start AS hour, physical_in AS pi, physical_out AS po, attributed_in AS ai, attributed_out AS ao, overhead_in AS oi,
              overhead_out AS oo, excluded_in AS ei, excluded_out AS eo, unknown_intervals AS unknown
         FROM network_ledger WHERE hour_start >= ? ORDER BY hour_start`,
    )
    .all(sinceS) as Row[];
  const ledger = new NetworkLedger();
  for (const r of rows) {
    ledger.addSums(r.hour * 1000, {
      physical: { bytesIn: r.pi, bytesOut: r.po },
      attributed: { bytesIn: r.ai, bytesOut: r.ao },
      overhead: { bytesIn: r.oi, bytesOut: r.oo },
      excluded: { bytesIn: r.ei, bytesOut: r.eo },
      unknownIntervals: r.unknown,
    });
  }
  return ledger.hours();
}

export interface LedgerCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Doctor's lines: the last `hours` stored hours (of the last day), each hour's accounts, flagged ones said. */
export function ledgerChecks(db: ReadableDB, nowS: number, hours = 6): LedgerCheck[] {
  const found = storedLedgerHours(db, Math.floor(nowS / 3600) * 3600 - 23 * 3600).slice(-hours);
  if (found.length === 0) return [{ name: 'network ledger', ok: true, detail: 'no hour recorded in the last day' }];
  const pair = (t: { bytesIn: number; bytesOut: number }): string => `${formatBytes(t.bytesIn)}/${formatBytes(t.bytesOut)}`;
  return found.map((h) => ({
    name: `network ledger ${new Date(h.hourMs).toISOString().slice(0, 13)}:00Z`,
    ok: true,
    detail:
      `physical ${pair(h.physical)}, attributed ${pair(h.attributed)}, overhead ${pair(h.overhead)}, unattributed ${pair(h.unattributed)}` +
      `${h.excluded.bytesIn + h.excluded.bytesOut > 0 ? `, excluded ${pair(h.excluded)}` : ''}` +
      `${h.unknownIntervals > 0 ? `; ${h.unknownIntervals} intervals without interface counters` : ''}` +
      `${h.mismatch ? `; FLAGGED: ${h.reason ?? ''}` : ''} (in/out)`,
  }));
}

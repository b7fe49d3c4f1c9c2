// Bytes per network (or per interface) over a range, from the per-network tiers (schema v7), planned
// like every range (tier-sql.ts). A network shows the user's name and metered mark where given, else
// what netmon guessed, with the reason. Rows stored before v7 are under the "unknown network".
import type { ReadableDB } from '../store/readable.js';
import { readCoverage } from '../store/meta.js';
import { hasTable } from '../store/schema.js';
import { cachedStatement } from '../store/statements.js';
import { planRange, provenanceOf } from './plan.js';
import { checkRange, type Bytes, type Provenance, type QueryRange } from './queries.js';
import { segmentsParam, tierPartsSql } from './tier-sql.js';

export interface NetworkBytes extends Bytes {
  /** The network's id (`wired:02:…`, `nm:UUID`, `unknown`). */
  network: string;
  label: string;
  kind: string;
  metered: boolean | null;
  /** Why metered or not: the user's mark, or netmon's guess and its reason. */
  meteredReason: string;
}

export interface InterfaceBytesRow extends Bytes {
  /** The physical interface ('' for bytes no interface was found for, and rows from before v7). */
  interface: string;
  network: string;
  label: string;
}

export interface NetworkTotalsResult<T> extends QueryRange, Provenance {
  rows: T[];
  totals: Bytes;
}

/** The statement (exported for a query-plan check). */
export function networkTotalsSql(): string {
  return `${tierPartsSql('network', ['network_id', 'iface'], false)}
SELECT n.key AS network, coalesce(n.user_label, n.label) AS label, n.kind AS kind, coalesce(n.user_metered, n.metered) AS metered,
       n.user_metered AS userMetered, n.metered_reason AS reason, g.iface AS iface, g.bytesIn AS bytesIn, g.bytesOut AS bytesOut
  FROM (SELECT network_id, iface, CAST(round(sum(bi)) AS INTEGER) AS bytesIn, CAST(round(sum(bo)) AS INTEGER) AS bytesOut
          FROM parts GROUP BY network_id, iface) AS g
  CROSS JOIN networks AS n ON n.id = g.network_id`;
}

interface Row {
  network: string;
  label: string;
  kind: string;
  metered: number | null;
  userMetered: number | null;
  reason: string;
  iface: string;
  bytesIn: number;
  bytesOut: number;
}

function rowsOf(db: ReadableDB, range: QueryRange): { rows: Row[]; provenance: Provenance } {
  checkRange(range);
  const segments = planRange(range.since, range.until, readCoverage(db));
  const provenance = provenanceOf(segments);
  if (segments.length === 0 || !hasTable(db, 'network_raw')) return { rows: [], provenance };
  const rows = (cachedStatement(db, networkTotalsSql()).all({ segments: segmentsParam(segments) }) as Row[]).filter((r) => r.bytesIn + r.bytesOut > 0);
  return { rows, provenance };
}

const byTotal = <T extends Bytes>(key: (r: T) => string) => (a: T, b: T): number => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const sum = (rows: readonly Bytes[]): Bytes => rows.reduce((t, r) => ({ bytesIn: t.bytesIn + r.bytesIn, bytesOut: t.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });

/** Bytes per network over [since, until), largest first. */
export function totalsByNetwork(db: ReadableDB, range: QueryRange): NetworkTotalsResult<NetworkBytes> {
  const { rows, provenance } = rowsOf(db, range);
  const byNetwork = new Map<string, NetworkBytes>();
  for (const r of rows) {
    const seen = byNetwork.get(r.network);
    if (seen !== undefined) {
      seen.bytesIn += r.bytesIn;
      seen.bytesOut += r.bytesOut;
      continue;
    }
    const metered = r.metered === null ? null : r.metered === 1;
    const meteredReason = r.userMetered !== null ? (r.userMetered === 1 ? 'you marked it metered' : 'you marked it not metered') : r.reason;
    byNetwork.set(r.network, { network: r.network, label: r.label, kind: r.kind, metered, meteredReason, bytesIn: r.bytesIn, bytesOut: r.bytesOut });
  }
  const out = [...byNetwork.values()].sort(byTotal((r) => r.network));
  return { ...range, ...provenance, rows: out, totals: sum(out) };
}

/** Bytes per physical interface (with its network) over [since, until), largest first. */
export function totalsByInterface(db: ReadableDB, range: QueryRange): NetworkTotalsResult<InterfaceBytesRow> {
  const { rows, provenance } = rowsOf(db, range);
  const out = rows.map((r) => ({ interface: r.iface, network: r.network, label: r.label, bytesIn: r.bytesIn, bytesOut: r.bytesOut })).sort(byTotal((r) => `${r.interface}|${r.network}`));
  return { ...range, ...provenance, rows: out, totals: sum(out) };
}

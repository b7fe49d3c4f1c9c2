// The dashboard's per-network views over the network tiers (schema v7), planned like every range
// (tier-sql.ts): every known network with its bytes (the same sums as `netmon report --by network`),
// one network's timeline and applications, and the ledger's flagged hours in a range.
import { isOverheadName, networkLabel, UNKNOWN_NETWORK, type FlaggedHour, type LedgerView, type NetworkAppTotal, type NetworkView } from '../../../src-shared/networks.js';
import { storedLedgerHours } from '../network/ledger-store.js';
import type { ReadableDB } from '../store/readable.js';
import { readCoverage } from '../store/meta.js';
import { hasTable } from '../store/schema.js';
import { cachedStatement } from '../store/statements.js';
import { hourStart } from '../store/time.js';
import { UNATTRIBUTED } from '../types.js';
import { totalsByNetwork } from './networks.js';
import { planRange, provenanceOf, type Segment } from './plan.js';
import { bucketEdges, checkRange, type Bytes, type QueryRange, type TimelinePoint } from './queries.js';
import { bucketSegmentsParam, segmentsParam, tierPartsSql } from './tier-sql.js';

/** The statements (exported for a query-plan check). */
export const NETWORK_VIEW_SQL = {
  id: 'SELECT id FROM networks WHERE key = ?',
  all: `SELECT key, label, kind, metered, metered_reason AS reason, user_label AS userLabel, user_metered AS userMetered, last_seen AS lastSeen
          FROM networks ORDER BY key`,
  timeline: `${tierPartsSql('network', [], false, { bucketed: true, networkFilter: true })}
SELECT i AS bucket, CAST(round(sum(bi)) AS INTEGER) AS bytesIn, CAST(round(sum(bo)) AS INTEGER) AS bytesOut FROM parts GROUP BY i`,
  apps: `${tierPartsSql('network', ['app_id'], false, { networkFilter: true })}
SELECT apps.name AS app, g.bytesIn AS bytesIn, g.bytesOut AS bytesOut
  FROM (SELECT app_id, CAST(round(sum(bi)) AS INTEGER) AS bytesIn, CAST(round(sum(bo)) AS INTEGER) AS bytesOut FROM parts GROUP BY app_id) AS g
  CROSS JOIN apps ON apps.id = g.app_id`,
} as const;

interface NetworkRow {
  key: string;
  label: string;
  kind: string;
  metered: number | null;
  reason: string;
  userLabel: string | null;
  userMetered: number | null;
  lastSeen: number;
}

/** The networks table's id of a network, or null when netmon never stored it (or the store predates v7). */
export function networkIdOf(db: ReadableDB, key: string): number | null {
  if (!hasTable(db, 'networks')) return null;
  const row = cachedStatement(db, NETWORK_VIEW_SQL.id).get(key) as { id: number } | undefined;
  return row?.id ?? null;
}

/** A stored network as the views show it, with `bytes` over some range. */
export function networkView(row: NetworkRow, bytes: Bytes): NetworkView {
  const byUser = row.userMetered !== null;
  const metered = byUser ? row.userMetered === 1 : row.metered === null ? null : row.metered === 1;
  const reason = byUser ? (row.userMetered === 1 ? 'you marked it metered' : 'you marked it not metered') : row.reason === '' ? (metered === null ? 'not known' : '') : row.reason;
  const label = networkLabel({ network: row.key, label: row.userLabel ?? row.label });
  return {
    network: row.key,
    label,
    netmonLabel: networkLabel({ network: row.key, label: row.label }),
    userLabel: row.userLabel,
    kind: row.kind,
    metered,
    meteredBy: byUser ? 'user' : 'netmon',
    meteredReason: reason,
    lastSeen: row.key === UNKNOWN_NETWORK || row.lastSeen === 0 ? null : row.lastSeen,
    bytesIn: bytes.bytesIn,
    bytesOut: bytes.bytesOut,
  };
}

/** One stored network's view (bytes 0), or null when it is not known. */
export function readNetwork(db: ReadableDB, key: string): NetworkView | null {
  if (!hasTable(db, 'networks')) return null;
  const row = (cachedStatement(db, NETWORK_VIEW_SQL.all).all() as NetworkRow[]).find((r) => r.key === key);
  return row === undefined ? null : networkView(row, { bytesIn: 0, bytesOut: 0 });
}

const byTotal = (a: NetworkView, b: NetworkView): number => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut) || a.label.localeCompare(b.label) || (a.network < b.network ? -1 : 1);

/**
 * Every known network with its bytes over [since, until), largest first: the sums of
 * `totalsByNetwork` (what `netmon report --by network` prints); the unknown network only where it
 * holds bytes in the range.
 */
export function knownNetworks(db: ReadableDB, range: QueryRange): { approximate: boolean; networks: NetworkView[]; totals: Bytes } {
  const sums = totalsByNetwork(db, range);
  if (!hasTable(db, 'networks')) return { approximate: sums.approximate, networks: [], totals: sums.totals };
  const bytes = new Map(sums.rows.map((r) => [r.network, { bytesIn: r.bytesIn, bytesOut: r.bytesOut }]));
  const networks = (cachedStatement(db, NETWORK_VIEW_SQL.all).all() as NetworkRow[])
    .filter((r) => r.key !== UNKNOWN_NETWORK || bytes.has(r.key))
    .map((r) => networkView(r, bytes.get(r.key) ?? { bytesIn: 0, bytesOut: 0 }))
    .sort(byTotal);
  return { approximate: sums.approximate, networks, totals: sums.totals };
}

/** One network's bytes per bucket over [since, until), every bucket present (as `timeline` cuts them). */
export function networkTimeline(db: ReadableDB, request: QueryRange & { bucketS: number; network: string }): { points: TimelinePoint[]; approximate: boolean } {
  checkRange(request);
  const coverage = readCoverage(db);
  const edges = bucketEdges(request, request.bucketS);
  const flat: (Segment & { bucket: number })[] = [];
  const exact = edges.map((e, i) => {
    const segments = planRange(e.from, e.to, coverage);
    for (const s of segments) flat.push({ ...s, bucket: i });
    return segments.every((s) => s.exact);
  });
  const id = networkIdOf(db, request.network);
  const sums =
    id === null || flat.length === 0
      ? []
      : (cachedStatement(db, NETWORK_VIEW_SQL.timeline).all({ segments: bucketSegmentsParam(flat), network: id }) as { bucket: number; bytesIn: number; bytesOut: number }[]);
  const byBucket = new Map(sums.map((r) => [r.bucket, r]));
  const points = edges.map((e, i) => ({ ts: e.start, end: e.end, bytesIn: byBucket.get(i)?.bytesIn ?? 0, bytesOut: byBucket.get(i)?.bytesOut ?? 0, approximate: exact[i] !== true }));
  return { points, approximate: provenanceOf(flat).approximate };
}

/** Which row of a network's applications a name is: a tunnel's overhead, the unattributed rest, or an application. */
export function appKind(app: string): NetworkAppTotal['kind'] {
  return app === UNATTRIBUTED ? 'unattributed' : isOverheadName(app) ? 'overhead' : 'app';
}

/** One network's applications over [since, until), largest first, at most `limit` (the totals count them all). */
export function networkApps(db: ReadableDB, range: QueryRange, network: string, limit = 1000): { approximate: boolean; apps: NetworkAppTotal[]; totals: Bytes } {
  checkRange(range);
  const segments = planRange(range.since, range.until, readCoverage(db));
  const approximate = provenanceOf(segments).approximate;
  const id = networkIdOf(db, network);
  const found = id === null || segments.length === 0 ? [] : (cachedStatement(db, NETWORK_VIEW_SQL.apps).all({ segments: segmentsParam(segments), network: id }) as { app: string; bytesIn: number; bytesOut: number }[]);
  const apps = found
    .filter((r) => r.bytesIn + r.bytesOut > 0)
    .map((r) => ({ app: r.app, kind: appKind(r.app), bytesIn: r.bytesIn, bytesOut: r.bytesOut }))
    .sort((a, b) => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut) || (a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  const totals = apps.reduce((t, r) => ({ bytesIn: t.bytesIn + r.bytesIn, bytesOut: t.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
  return { approximate, apps: apps.slice(0, limit), totals };
}

/** The ledger's hours overlapping [since, until): how many were recorded, and the flagged ones, oldest first. */
export function ledgerInRange(db: ReadableDB, range: QueryRange): Omit<LedgerView, 'since' | 'until'> {
  checkRange(range);
  const hours = storedLedgerHours(db, hourStart(range.since)).filter((h) => h.hourMs / 1000 < range.until);
  const flagged: FlaggedHour[] = hours
    .filter((h) => h.mismatch)
    .map((h) => ({
      hourStart: h.hourMs / 1000,
      physical: h.physical,
      sockets: { bytesIn: h.attributed.bytesIn + h.overhead.bytesIn, bytesOut: h.attributed.bytesOut + h.overhead.bytesOut },
      reason: h.reason ?? '',
    }));
  return { hours: hours.length, flagged };
}

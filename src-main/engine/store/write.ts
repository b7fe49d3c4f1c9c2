// What one flush writes, in one transaction: the buffered usage rows (through the tier writer in
// rollup.ts), process sightings, gaps, and domain rows. Ids of new apps and domains are kept apart
// until the transaction commits, so a rolled-back flush leaves no stale id in the caches.
import type Database from 'better-sqlite3';
import { rollbackSafeIds } from './ids.js';
import type { PendingBuffer } from './pending.js';
import { writeTiers, type TierStatements } from './rollup.js';
import { DOMAIN_TIERS, NETWORK_TIERS, USAGE_TIERS, tierUpsertSql, type TierFamily } from './tiers.js';

/** Inserts a name (or key) once and answers its id either way. */
const idSql = (table: string, column: string): string => `INSERT INTO ${table} (${column}) VALUES (?) ON CONFLICT (${column}) DO UPDATE SET ${column} = excluded.${column} RETURNING id`;

const SQL = {
  app: idSql('apps', 'name'),
  process: `INSERT INTO processes (app_id, name, pid, path, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (app_id, name, pid, path) DO UPDATE SET
          first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)`,
  gap: 'INSERT INTO gaps (start_ts, end_ts, reason) VALUES (?, ?, ?)',
} as const;

// Domain rows (schema v3), keyed by (time, app, domain, estimate), and per-network rows (schema v7),
// keyed by (time, network, interface, app): the same three tiers as usage (their upserts: tiers.ts).
const NETWORK_SQL = {
  network: idSql('networks', 'key'),
  info: `INSERT INTO networks (key, label, kind, metered, metered_reason, last_seen) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET label = excluded.label, kind = excluded.kind, metered = excluded.metered,
          metered_reason = excluded.metered_reason, last_seen = max(last_seen, excluded.last_seen)`,
  ledger: `INSERT INTO network_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hour_start) DO UPDATE SET
          physical_in = physical_in + excluded.physical_in, physical_out = physical_out + excluded.physical_out,
          attributed_in = attributed_in + excluded.attributed_in, attributed_out = attributed_out + excluded.attributed_out,
          overhead_in = overhead_in + excluded.overhead_in, overhead_out = overhead_out + excluded.overhead_out,
          excluded_in = excluded_in + excluded.excluded_in, excluded_out = excluded_out + excluded.excluded_out,
          unknown_intervals = unknown_intervals + excluded.unknown_intervals`,
} as const;

/** Rows written by one flush. */
export interface FlushCounts {
  usage: number;
  processes: number;
  gaps: number;
  /** Domain rows written; present only when there were some. */
  domains?: number;
  /** Per-network rows written; present only when there were some. */
  networks?: number;
}

/** The flush transaction over a writable connection. */
export interface BatchWriter {
  /**
   * Writes everything in `pending`, then `extra` (the delta engine's baselines, engine/resume), in one
   * BEGIN IMMEDIATE … COMMIT; throws (rolled back) on failure. `before` runs first inside the
   * transaction (the privacy levels' redaction: it sees what another process committed before it).
   */
  write(pending: PendingBuffer, extra?: ((db: Database.Database) => void) | null, before?: () => void): FlushCounts;
  /** Forgets the cached name ids (this connection deleted or renamed names). */
  resetIds(): void;
}

/** Prepares the usage statements now and the domain ones on the first domain row (a store opened at an older schema in tests has no domain tables). */
export function createBatchWriter(db: Database.Database): BatchWriter {
  const tiers = (family: TierFamily): TierStatements => {
    const sql = tierUpsertSql(family);
    return { raw: db.prepare(sql.raw), hourly: db.prepare(sql.hourly), daily: db.prepare(sql.daily) };
  };
  const usage = tiers(USAGE_TIERS);
  const process = db.prepare(SQL.process);
  const gap = db.prepare(SQL.gap);
  let domain: (TierStatements & { name: Database.Statement }) | null = null;
  const apps = rollbackSafeIds(db.prepare(SQL.app));
  let domains: ReturnType<typeof rollbackSafeIds> | null = null;
  let network: (TierStatements & { key: Database.Statement; info: Database.Statement; ledger: Database.Statement }) | null = null;
  let networks: ReturnType<typeof rollbackSafeIds> | null = null;

  // Another connection's commit (the CLI's forget or fold) may have deleted names whose ids are cached:
  // PRAGMA data_version changes exactly then, and the caches start again. One statement, prepared once
  // and stepped each flush (SQLite reads the version when the statement runs): `db.pragma()` would
  // prepare a new one per flush, whose native memory (about 2.5 KB) better-sqlite3 frees only when V8
  // collects the JS object and the event loop next turns (a 30-day soak whose loop never turned
  // measured them as resident memory growing 5 MB per simulated day).
  const dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
  const readDataVersion = (): number => dataVersionStmt.get() as number;
  let dataVersion = readDataVersion();
  const resetIds = (): void => {
    apps.reset();
    domains?.reset();
    networks?.reset();
  };
  const writeAll = (pending: PendingBuffer, extra: ((db: Database.Database) => void) | null, before: (() => void) | null): FlushCounts => {
    const version = readDataVersion();
    if (version !== dataVersion) resetIds();
    dataVersion = version;
    before?.();
    const counts: FlushCounts = {
      usage: writeTiers(usage, pending.usage, (row) => [apps.id(row.app)]),
      processes: pending.processes.size,
      gaps: pending.gaps.length,
    };
    for (const p of pending.processes.values()) process.run(apps.id(p.app), p.name, p.pid, p.path, p.firstSeen, p.lastSeen);
    for (const g of pending.gaps) gap.run(g.start, g.end, g.reason);
    if (pending.domainUsage.length > 0) {
      domain ??= { name: db.prepare(idSql('domains', 'name')), ...tiers(DOMAIN_TIERS) };
      const names = (domains ??= rollbackSafeIds(domain.name));
      counts.domains = writeTiers(domain, pending.domainUsage, (row) => [apps.id(row.app), names.id(row.domain), row.estimate ? 1 : 0]);
    }
    if (pending.networkUsage.length > 0 || pending.networks.size > 0 || pending.ledger.size > 0) {
      network ??= {
        key: db.prepare(NETWORK_SQL.network),
        info: db.prepare(NETWORK_SQL.info),
        ledger: db.prepare(NETWORK_SQL.ledger),
        ...tiers(NETWORK_TIERS),
      };
      for (const h of pending.ledger.values()) {
        network.ledger.run(h.hourStart, h.physical.bytesIn, h.physical.bytesOut, h.attributed.bytesIn, h.attributed.bytesOut, h.overhead.bytesIn, h.overhead.bytesOut, h.excluded.bytesIn, h.excluded.bytesOut, h.unknownIntervals);
      }
      for (const n of pending.networks.values()) network.info.run(n.key, n.label, n.kind, n.metered === null ? null : n.metered ? 1 : 0, n.reason, n.lastSeen);
      const keys = (networks ??= rollbackSafeIds(network.key));
      counts.networks = writeTiers(network, pending.networkUsage, (row) => [keys.id(row.network), row.iface, apps.id(row.app)]);
    }
    extra?.(db);
    return counts;
  };
  // Created once: better-sqlite3 wraps the function in BEGIN IMMEDIATE … COMMIT (or ROLLBACK on a throw).
  const tx = db.transaction(writeAll);
  return {
    resetIds,
    write(pending, extra = null, before) {
      try {
        const counts = tx.immediate(pending, extra, before ?? null);
        apps.commit();
        domains?.commit();
        networks?.commit();
        return counts;
      } catch (err) {
        apps.rollback();
        domains?.rollback();
        networks?.rollback();
        throw err;
      }
    },
  };
}

// Privacy levels in the store (src-shared/privacy.ts): what a flush writes for a private name, folding
// a name's stored rows into the private row, and forgetting a name. Both of the latter run in one
// transaction with secure_delete on, then truncate the WAL, so the deleted name's bytes leave the file.
// A network's name is its id (networks.key); its label goes with its networks row.
import type Database from 'better-sqlite3';
import { domainMatches, PRIVATE_APP, PRIVATE_DOMAIN, PRIVATE_NETWORK, PRIVATE_NETWORK_LABEL, type PrivacyKind } from '../../../src-shared/privacy.js';
import type { PrivacyView } from '../privacy/list.js';
import type { PendingBuffer } from './pending.js';
import { rewritePlanRecords } from './privacy-records.js';
import { usageInstant } from './time.js';

/**
 * What a flush does first, inside its transaction (so a fold or forget another process committed just
 * before is seen): drops the buffered rows of a name forgotten after they were taken, renames the rows of
 * private names to the private row, drops a private app's processes, and puts a private network's rows
 * and facts under the private network.
 */
export function redactPending(pending: PendingBuffer, privacy: PrivacyView): void {
  const level = (kind: PrivacyKind, name: string): boolean => name !== PRIVATE_APP && privacy.level(kind, name) === 'private';
  if (privacy.forgottenAt !== undefined && privacy.hasForgetMarkers?.() !== false) dropForgotten(pending, privacy.forgottenAt.bind(privacy));
  const app = (name: string): string => (level('app', name) ? PRIVATE_APP : name);
  for (const row of pending.usage) row.app = app(row.app);
  for (const row of pending.domainUsage) {
    row.app = app(row.app);
    if (row.domain !== PRIVATE_DOMAIN && level('domain', row.domain)) row.domain = PRIVATE_DOMAIN;
  }
  for (const [key, p] of pending.processes) if (app(p.app) !== p.app) pending.processes.delete(key);
  const network = (key: string): boolean => key !== PRIVATE_NETWORK && level('network', key);
  for (const row of pending.networkUsage) {
    row.app = app(row.app);
    if (network(row.network)) row.network = PRIVATE_NETWORK;
  }
  for (const [key, info] of pending.networks) {
    if (!network(key)) continue;
    pending.networks.delete(key);
    const seen = pending.networks.get(PRIVATE_NETWORK);
    pending.networks.set(PRIVATE_NETWORK, { key: PRIVATE_NETWORK, label: PRIVATE_NETWORK_LABEL, kind: '', metered: null, reason: '', lastSeen: Math.max(seen?.lastSeen ?? 0, info.lastSeen) });
  }
}

/** Drops buffered rows of names forgotten at or after the rows' instant (they were counted before the forget). */
function dropForgotten(pending: PendingBuffer, forgottenAt: (kind: PrivacyKind, name: string) => number | null): void {
  const memo = new Map<string, number | null>();
  const at = (kind: PrivacyKind, name: string): number | null => {
    const key = `${kind}\u0000${name}`;
    if (!memo.has(key)) memo.set(key, forgottenAt(kind, name));
    return memo.get(key) ?? null;
  };
  const gone = (kind: PrivacyKind, name: string, ts: number): boolean => {
    const t = at(kind, name);
    return t !== null && usageInstant(ts) <= t;
  };
  pending.usage = pending.usage.filter((r) => !gone('app', r.app, r.ts));
  pending.domainUsage = pending.domainUsage.filter((r) => !gone('app', r.app, r.ts) && !gone('domain', r.domain, r.ts));
  pending.networkUsage = pending.networkUsage.filter((r) => !gone('app', r.app, r.ts) && !gone('network', r.network, r.ts));
  for (const [key, p] of pending.processes) if (gone('app', p.app, p.firstSeen)) pending.processes.delete(key);
  for (const [key, n] of pending.networks) if (gone('network', key, n.lastSeen)) pending.networks.delete(key);
}

/** Drops buffered rows of a name (forgotten, or folded: the next flush must not write it again). */
export function dropPending(pending: PendingBuffer, kind: PrivacyKind, name: string): void {
  if (kind === 'app') {
    pending.usage = pending.usage.filter((r) => r.app !== name);
    pending.domainUsage = pending.domainUsage.filter((r) => r.app !== name);
    pending.networkUsage = pending.networkUsage.filter((r) => r.app !== name);
    for (const [key, p] of pending.processes) if (p.app === name) pending.processes.delete(key);
  } else if (kind === 'domain') {
    pending.domainUsage = pending.domainUsage.filter((r) => !domainMatches(name, r.domain));
  } else {
    pending.networkUsage = pending.networkUsage.filter((r) => r.network !== name);
    pending.networks.delete(name);
  }
}

// Each tier: its table, its key columns besides the app or domain id, and its other columns.
interface Tier {
  table: string;
  keys: string[];
  ids: string[];
  values: string[];
  /** Columns that take the larger value on a merge (duration), the rest add up. */
  max?: string[];
}
const USAGE_TIERS: Tier[] = [
  { table: 'usage_raw', keys: ['ts'], ids: ['app_id'], values: ['duration_s', 'bytes_in', 'bytes_out'], max: ['duration_s'] },
  { table: 'usage_hourly', keys: ['hour_start'], ids: ['app_id'], values: ['bytes_in', 'bytes_out'] },
  { table: 'usage_daily', keys: ['day_start'], ids: ['app_id'], values: ['day_end', 'bytes_in', 'bytes_out'], max: ['day_end'] },
];
const NETWORK_TIERS: Tier[] = [
  { table: 'network_raw', keys: ['ts'], ids: ['network_id', 'iface', 'app_id'], values: ['duration_s', 'bytes_in', 'bytes_out'], max: ['duration_s'] },
  { table: 'network_hourly', keys: ['hour_start'], ids: ['network_id', 'iface', 'app_id'], values: ['bytes_in', 'bytes_out'] },
  { table: 'network_daily', keys: ['day_start'], ids: ['network_id', 'iface', 'app_id'], values: ['day_end', 'bytes_in', 'bytes_out'], max: ['day_end'] },
];
const DOMAIN_TIERS: Tier[] = [
  { table: 'domain_raw', ids: ['app_id', 'domain_id'], keys: ['ts'], values: ['estimate', 'duration_s', 'bytes_in', 'bytes_out'], max: ['duration_s'] },
  { table: 'domain_hourly', ids: ['app_id', 'domain_id'], keys: ['hour_start'], values: ['estimate', 'bytes_in', 'bytes_out'] },
  { table: 'domain_daily', ids: ['app_id', 'domain_id'], keys: ['day_start'], values: ['day_end', 'estimate', 'bytes_in', 'bytes_out'], max: ['day_end'] },
];

/** INSERT … SELECT the rows of `column` = $from under $to, adding to rows already there; then the key conflict target. */
function mergeSql(tier: Tier, column: 'app_id' | 'domain_id' | 'network_id', conflict: string[]): string {
  const all = [...tier.keys, ...tier.ids, ...tier.values];
  const select = all.map((c) => (c === column ? '$to' : c)).join(', ');
  const merged = tier.values
    .filter((c) => c !== 'estimate')
    .map((c) => (tier.max?.includes(c) ? `${c} = max(${c}, excluded.${c})` : `${c} = ${c} + excluded.${c}`))
    .join(', ');
  return `INSERT INTO ${tier.table} (${all.join(', ')}) SELECT ${select} FROM ${tier.table} WHERE ${column} = $from AND true
          ON CONFLICT (${conflict.join(', ')}) DO UPDATE SET ${merged}`;
}

/** Rows deleted (or folded) per table. */
export type NameRows = Record<string, number>;

const hasTable = (db: Database.Database, name: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/**
 * Moves every stored row of a name under `to` (folding: the private row) or deletes them (`to` null:
 * forget), in every tier (usage, domain and per-network), in one transaction; the name itself leaves the
 * apps, domains or networks table (a network's label with it). A private app's processes and a domain's
 * browser reports are deleted, never folded. The plan records that name it follow (store/privacy-records.ts):
 * on a fold, budgets and plans on it are moved to the private row; alerts and cycle summaries stop naming it.
 */
export function rewriteName(db: Database.Database, kind: PrivacyKind, name: string, to: string | null): NameRows {
  const done: NameRows = {};
  if (name === to) return done;
  const count = (table: string, n: number): void => {
    if (n > 0) done[table] = (done[table] ?? 0) + n;
  };
  const secure = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    const rewriteApp = (from: number): void => {
      const target = to === null ? null : (db.prepare('INSERT INTO apps (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id').get(to) as { id: number }).id;
      for (const tier of USAGE_TIERS) {
        if (target !== null) db.prepare(mergeSql(tier, 'app_id', [...tier.keys, 'app_id'])).run({ from, to: target });
        count(tier.table, db.prepare(`DELETE FROM ${tier.table} WHERE app_id = ?`).run(from).changes);
      }
      for (const tier of DOMAIN_TIERS) {
        if (target !== null) db.prepare(mergeSql(tier, 'app_id', [...tier.keys, 'app_id', 'domain_id', 'estimate'])).run({ from, to: target });
        count(tier.table, db.prepare(`DELETE FROM ${tier.table} WHERE app_id = ?`).run(from).changes);
      }
      for (const tier of hasTable(db, 'network_raw') ? NETWORK_TIERS : []) {
        if (target !== null) db.prepare(mergeSql(tier, 'app_id', [...tier.keys, 'network_id', 'iface', 'app_id'])).run({ from, to: target });
        count(tier.table, db.prepare(`DELETE FROM ${tier.table} WHERE app_id = ?`).run(from).changes);
      }
      count('processes', db.prepare('DELETE FROM processes WHERE app_id = ?').run(from).changes);
      count('apps', db.prepare('DELETE FROM apps WHERE id = ?').run(from).changes);
    };
    db.transaction(() => {
      if (kind === 'app') {
        const from = (db.prepare('SELECT id FROM apps WHERE name = ?').get(name) as { id: number } | undefined)?.id;
        if (from !== undefined) rewriteApp(from);
        for (const [table, n] of Object.entries(rewritePlanRecords(db, kind, name, to))) count(table, n);
        return;
      }
      if (kind === 'network') {
        const from = (db.prepare('SELECT id FROM networks WHERE key = ?').get(name) as { id: number } | undefined)?.id;
        if (from !== undefined) {
          const target =
            to === null
              ? null
              : (db.prepare("INSERT INTO networks (key, label) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET label = excluded.label, kind = '', metered = NULL, metered_reason = '', user_label = NULL, user_metered = NULL RETURNING id").get(to, PRIVATE_NETWORK_LABEL) as { id: number }).id;
          for (const tier of NETWORK_TIERS) {
            if (target !== null) db.prepare(mergeSql(tier, 'network_id', [...tier.keys, 'network_id', 'iface', 'app_id'])).run({ from, to: target });
            count(tier.table, db.prepare(`DELETE FROM ${tier.table} WHERE network_id = ?`).run(from).changes);
          }
        }
        // Its labels (netmon's guess and the user's) may be quoted in alerts: they go with it.
        const labels = from === undefined ? [] : (db.prepare('SELECT label, user_label FROM networks WHERE id = ?').all(from) as { label: string; user_label: string | null }[]).flatMap((r) => [r.label, r.user_label ?? '']);
        if (from !== undefined) count('networks', db.prepare('DELETE FROM networks WHERE id = ?').run(from).changes);
        for (const [table, n] of Object.entries(rewritePlanRecords(db, kind, name, to, labels))) count(table, n);
        return;
      }
      const ids = (db.prepare("SELECT id FROM domains WHERE name = ? OR name LIKE '%.' || ?").all(name, name) as { id: number }[]).map((r) => r.id);
      const target = to === null || ids.length === 0 ? null : (db.prepare('INSERT INTO domains (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id').get(to) as { id: number }).id;
      for (const from of ids) {
        for (const tier of DOMAIN_TIERS) {
          if (target !== null) db.prepare(mergeSql(tier, 'domain_id', [...tier.keys, 'app_id', 'domain_id', 'estimate'])).run({ from, to: target });
          count(tier.table, db.prepare(`DELETE FROM ${tier.table} WHERE domain_id = ?`).run(from).changes);
        }
        count('domains', db.prepare('DELETE FROM domains WHERE id = ?').run(from).changes);
      }
      count('browser_reports', db.prepare("DELETE FROM browser_reports WHERE domain = ? OR domain LIKE '%.' || ? OR hostname = ? OR hostname LIKE '%.' || ?").run(name, name, name, name).changes);
      for (const [table, n] of Object.entries(rewritePlanRecords(db, kind, name, to))) count(table, n);
    })();
  } finally {
    db.pragma(`secure_delete = ${secure === 0 ? 'OFF' : 'ON'}`);
  }
  // Old copies of the pages live on in the WAL until a checkpoint: write them back and truncate it.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return done;
}

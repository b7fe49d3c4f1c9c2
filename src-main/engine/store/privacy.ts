// Privacy levels in the store (src-shared/privacy.ts): what a flush writes for a private name, folding
// a name's stored rows into the private row, and forgetting a name. Both of the latter run in one
// transaction with secure_delete on, then truncate the WAL, so the deleted name's bytes leave the file.
import type Database from 'better-sqlite3';
import { domainMatches, PRIVATE_APP, PRIVATE_DOMAIN, type PrivacyKind } from '../../../src-shared/privacy.js';
import type { PrivacyView } from '../privacy/list.js';
import type { PendingBuffer } from './pending.js';

/** Renames the buffered rows of private names before they are written; a private app's processes are dropped. */
export function redactPending(pending: PendingBuffer, privacy: PrivacyView): void {
  const app = (name: string): string => (name !== PRIVATE_APP && privacy.level('app', name) === 'private' ? PRIVATE_APP : name);
  for (const row of pending.usage) row.app = app(row.app);
  for (const row of pending.domainUsage) {
    row.app = app(row.app);
    if (row.domain !== PRIVATE_DOMAIN && privacy.level('domain', row.domain) === 'private') row.domain = PRIVATE_DOMAIN;
  }
  for (const [key, p] of pending.processes) if (app(p.app) !== p.app) pending.processes.delete(key);
}

/** Drops buffered rows of a name (forgotten, or folded: the next flush must not write it again). */
export function dropPending(pending: PendingBuffer, kind: PrivacyKind, name: string): void {
  if (kind === 'app') {
    pending.usage = pending.usage.filter((r) => r.app !== name);
    pending.domainUsage = pending.domainUsage.filter((r) => r.app !== name);
    for (const [key, p] of pending.processes) if (p.app === name) pending.processes.delete(key);
  } else {
    pending.domainUsage = pending.domainUsage.filter((r) => !domainMatches(name, r.domain));
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
const DOMAIN_TIERS: Tier[] = [
  { table: 'domain_raw', ids: ['app_id', 'domain_id'], keys: ['ts'], values: ['estimate', 'duration_s', 'bytes_in', 'bytes_out'], max: ['duration_s'] },
  { table: 'domain_hourly', ids: ['app_id', 'domain_id'], keys: ['hour_start'], values: ['estimate', 'bytes_in', 'bytes_out'] },
  { table: 'domain_daily', ids: ['app_id', 'domain_id'], keys: ['day_start'], values: ['day_end', 'estimate', 'bytes_in', 'bytes_out'], max: ['day_end'] },
];

/** INSERT … SELECT the rows of `column` = $from under $to, adding to rows already there; then the key conflict target. */
function mergeSql(tier: Tier, column: 'app_id' | 'domain_id', conflict: string[]): string {
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

/**
 * Moves every stored row of a name under `to` (folding: the private row) or deletes them (`to` null:
 * forget), in every tier, in one transaction; the name itself leaves the apps or domains table. A
 * private app's processes and a domain's browser reports are deleted, never folded.
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
    db.transaction(() => {
      if (kind === 'app') {
        const from = (db.prepare('SELECT id FROM apps WHERE name = ?').get(name) as { id: number } | undefined)?.id;
        if (from === undefined) return;
        const target = to === null ? null : (db.prepare('INSERT INTO apps (name) VALUES (?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id').get(to) as { id: number }).id;
        for (const tier of USAGE_TIERS) {
          if (target !== null) db.prepare(mergeSql(tier, 'app_id', [...tier.keys, 'app_id'])).run({ from, to: target });
          count(tier.table, db.prepare(`DELETE FROM ${tier.table} WHERE app_id = ?`).run(from).changes);
        }
        for (const tier of DOMAIN_TIERS) {
          if (target !== null) db.prepare(mergeSql(tier, 'app_id', [...tier.keys, 'app_id', 'domain_id', 'estimate'])).run({ from, to: target });
          count(tier.table, db.prepare(`DELETE FROM ${tier.table} WHERE app_id = ?`).run(from).changes);
        }
        count('processes', db.prepare('DELETE FROM processes WHERE app_id = ?').run(from).changes);
        count('apps', db.prepare('DELETE FROM apps WHERE id = ?').run(from).changes);
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
    })();
  } finally {
    db.pragma(`secure_delete = ${secure === 0 ? 'OFF' : 'ON'}`);
  }
  // Old copies of the pages live on in the WAL until a checkpoint: write them back and truncate it.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return done;
}

/** The private row's name for a kind. */
export function privateRowOf(kind: PrivacyKind): string {
  return kind === 'app' ? PRIVATE_APP : PRIVATE_DOMAIN;
}

// What a connection's schema holds, asked once per connection: code that serves several schema
// versions (a store opened with fewer migrations in tests, a read-only report on an older file)
// checks here before it touches a table that a later migration made.
import type { ReadableDB } from './readable.js';

const domainTables = new WeakMap<ReadableDB, boolean>();

/** Whether the domain tiers (migration v3) exist on `db`. Cached per connection: tables are never dropped. */
export function hasDomainTables(db: ReadableDB): boolean {
  let known = domainTables.get(db);
  if (known === undefined) {
    known = hasTable(db, 'domain_raw');
    // A false answer is not cached: the store may migrate the same connection later.
    if (known) domainTables.set(db, known);
  }
  return known;
}

/** Whether `db` has the table `name` (asked each time: a store may migrate its connection later). */
export function hasTable(db: ReadableDB, name: string): boolean {
  return db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?").pluck().get(name) === 1;
}

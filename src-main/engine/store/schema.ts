// What a connection's schema holds, asked once per connection: code that serves several schema
// versions (a store opened with fewer migrations in tests, a read-only report on an older file)
// checks here before it touches a table that a later migration made.
import type Database from 'better-sqlite3';

const domainTables = new WeakMap<Database.Database, boolean>();

/** Whether the domain tiers (migration v3) exist on `db`. Cached per connection: tables are never dropped. */
export function hasDomainTables(db: Database.Database): boolean {
  let known = domainTables.get(db);
  if (known === undefined) {
    known = db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'domain_raw'").pluck().get() === 1;
    // A false answer is not cached: the store may migrate the same connection later.
    if (known) domainTables.set(db, known);
  }
  return known;
}

// Prepared statements are compiled once per connection and reused: the SQL text is the key.
import type Database from 'better-sqlite3';
import type { ReadableDB } from './readable.js';

const cache = new WeakMap<ReadableDB, Map<string, Database.Statement>>();

/** The statement for `sql` on `db`, prepared on first use. */
export function cachedStatement(db: ReadableDB, sql: string): Database.Statement {
  let perDb = cache.get(db);
  if (perDb === undefined) {
    perDb = new Map();
    cache.set(db, perDb);
  }
  let stmt = perDb.get(sql);
  if (stmt === undefined) {
    stmt = db.prepare(sql);
    perDb.set(sql, stmt);
  }
  return stmt;
}

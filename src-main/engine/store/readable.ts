// The store's connection as readers see it (after Signal's ReadableDB/WritableDB): the query layer,
// the CLI's reports and the monitor's restart point get a handle that can only prepare statements
// SQLite itself calls read-only (`Statement.readonly`). The store keeps the writable connection to
// itself, so `Store.db` is no back door for writes: an INSERT, UPDATE, DELETE, DDL or a writing
// pragma prepared through it throws before it runs.
import type Database from 'better-sqlite3';

/** A connection that reads. A writable `Database` is one too, so tests and the CLI can pass theirs. */
export type ReadableDB = Pick<Database.Database, 'prepare'>;

/** Thrown when a write is prepared through a read-only handle. */
export class WriteThroughReaderError extends Error {
  constructor(sql: string) {
    super(`the store's read handle refuses a statement that writes: ${sql.trim().slice(0, 80)}`);
    this.name = 'WriteThroughReaderError';
  }
}

/** `db` seen through a handle that prepares only read-only statements. */
export function readableView(db: Database.Database): ReadableDB {
  const prepare = (sql: string): Database.Statement => {
    const statement = db.prepare(sql);
    if (!statement.readonly) throw new WriteThroughReaderError(sql);
    return statement;
  };
  return { prepare: prepare as Database.Database['prepare'] };
}

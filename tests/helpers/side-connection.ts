// A second connection to a store's database file, for what a test must do behind the store's back:
// inject a fault (a trigger), checkpoint the WAL before filling a disk, verify the file, or play a
// writer that skips the API. The store itself hands out only a read handle (`Store.db`).
import Database from 'better-sqlite3';

/** Opens `store.path` beside the store (the caller closes it). */
export function sideConnection(store: { path: string }, options: { readonly?: boolean } = {}): Database.Database {
  const db = new Database(store.path, { readonly: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  return db;
}

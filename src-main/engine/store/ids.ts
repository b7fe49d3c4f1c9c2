// Name → id caches for the apps and domains tables. An id inserted by a running transaction joins
// the cache only once it commits: after a rollback the row is gone and so must its id be.
import type Database from 'better-sqlite3';

/** Ids by name over an `INSERT … RETURNING id` upsert. */
export interface IdCache {
  /** The id of `name`, inserting the row when new. */
  id(name: string): number;
  /** The transaction committed: ids inserted in it are kept. */
  commit(): void;
  /** The transaction rolled back: ids inserted in it are forgotten. */
  rollback(): void;
  /** Forgets every id (rows were deleted or renamed behind the cache: a forget or fold, here or in another process). */
  reset(): void;
}

export function rollbackSafeIds(upsert: Database.Statement): IdCache {
  const known = new Map<string, number>();
  let fresh = new Map<string, number>();
  return {
    id(name) {
      const id = known.get(name) ?? fresh.get(name);
      if (id !== undefined) return id;
      const row = upsert.get(name) as { id: number };
      fresh.set(name, row.id);
      return row.id;
    },
    commit() {
      for (const [name, id] of fresh) known.set(name, id);
      fresh = new Map();
    },
    rollback() {
      fresh = new Map();
    },
    reset() {
      known.clear();
      fresh = new Map();
    },
  };
}

// What the status says about a damaged database set aside at start and what was salvaged from it.
import type { StorageHealthView } from '../../src-shared/contract/types.js';

/** One line for the status, or null when no database was set aside. */
export function recoveredText(storage: Pick<StorageHealthView, 'recoveredTo' | 'salvaged'>): string | null {
  if (storage.recoveredTo === null) return null;
  const salvaged = storage.salvaged ?? null;
  return `a damaged database was set aside (kept at ${storage.recoveredTo})${salvaged === null ? '' : `; ${salvaged}`}`;
}

// The user's word on a network (Settings › Networks, `netmon network rename|metered`): a name and a
// metered mark, stored in the networks table's own columns (user_label, user_metered), apart from what
// netmon guessed, which each flush keeps refreshing. The user's mark beats the OS flag and the guesses
// (issue 12 item 6); clearing it gives the guess back. The unknown network (rows from before networks
// were recorded) is no uplink and takes no mark.
import type Database from 'better-sqlite3';
import { MAX_NETWORK_LABEL, UNKNOWN_NETWORK } from '../../../src-shared/networks.js';

/** A refused mark; the message names what to fix. */
export class NetworkInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkInputError';
  }
}

/** Runs a write on the store's writable connection (`Store.withWriter`, or a CLI's own connection). */
export type NetworkWriter = <T>(write: (db: Database.Database) => T) => T;

function checkKnown(db: Database.Database, key: string): void {
  if (key === UNKNOWN_NETWORK) throw new NetworkInputError('network: the unknown network holds bytes stored before networks were recorded; it cannot be renamed or marked');
  const found = db.prepare('SELECT 1 FROM networks WHERE key = ?').get(key);
  if (found === undefined) throw new NetworkInputError(`network: no network ${JSON.stringify(key)} (see \`netmon network list\`)`);
}

/** The name as stored: trimmed; empty means "netmon's label again" (null). */
export function cleanLabel(label: string | null): string | null {
  if (label === null) return null;
  const trimmed = label.trim();
  if (trimmed === '') return null;
  if (trimmed.length > MAX_NETWORK_LABEL) throw new NetworkInputError(`label: at most ${MAX_NETWORK_LABEL} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new NetworkInputError('label: no control characters');
  return trimmed;
}

/** Names a network (null or blank: netmon's label again). */
export function renameNetwork(write: NetworkWriter, key: string, label: string | null): void {
  const clean = cleanLabel(label);
  write((db) => {
    checkKnown(db, key);
    db.prepare('UPDATE networks SET user_label = ? WHERE key = ?').run(clean, key);
  });
}

/** Marks a network metered or not (null: netmon's guess again). */
export function markMetered(write: NetworkWriter, key: string, metered: boolean | null): void {
  write((db) => {
    checkKnown(db, key);
    db.prepare('UPDATE networks SET user_metered = ? WHERE key = ?').run(metered === null ? null : metered ? 1 : 0, key);
  });
}

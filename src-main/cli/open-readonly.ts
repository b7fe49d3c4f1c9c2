// Read-only access to a data folder for the reporting commands: no migration, no recovery, no chmod,
// safe while `netmon serve` writes the same database; and the writable open of the commands that
// change a few rows (privacy, network marks).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { DB_FILE_NAME, DatabaseTooNewError, DatabaseUnusableError, openDatabase } from '../engine/store/index.js';
import { UserError } from './main.js';

/** Opens DIR's database for reading, or explains why it cannot. */
export function openForReading(dataDir: string): Database.Database {
  const file = path.join(dataDir, DB_FILE_NAME);
  if (!existsSync(file)) {
    throw new UserError(`no database in ${dataDir} yet: run \`netmon serve\` to start measuring, or \`netmon demo --days 30\` to try it with synthetic data`);
  }
  try {
    return openDatabase(dataDir, { readonly: true }).db;
  } catch (err) {
    if (err instanceof DatabaseTooNewError || err instanceof DatabaseUnusableError) throw new UserError(err.message);
    throw err;
  }
}

/** Opens DIR's database for a small write (migrated like serve's), or explains why it cannot. */
export function openForWriting(dataDir: string): Database.Database {
  if (!existsSync(dataDir)) throw new UserError(`no data folder at ${dataDir}`);
  try {
    return openDatabase(dataDir).db;
  } catch (err) {
    if (err instanceof DatabaseTooNewError || err instanceof DatabaseUnusableError) throw new UserError(err.message);
    throw err;
  }
}

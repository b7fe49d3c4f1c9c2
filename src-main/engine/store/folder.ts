// Size of the data folder on disk, for `netmon doctor`, the status API and /metrics.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { errorCode } from './errors.js';
import { DB_FILE_NAME } from './open.js';

/** Bytes of the whole data folder (database, WAL, logs, config, moved-aside files) and of the live database. */
export interface FolderSize {
  totalBytes: number;
  /** network_monitor.db with its -wal and -shm. */
  databaseBytes: number;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return 0;
    throw err;
  }
}

function walk(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += walk(full);
    else if (entry.isFile()) total += sizeOf(full);
  }
  return total;
}

/** Sizes of `dataDir` and of its database files. */
export function dataFolderSize(dataDir: string): FolderSize {
  const db = path.join(dataDir, DB_FILE_NAME);
  return { totalBytes: walk(dataDir), databaseBytes: sizeOf(db) + sizeOf(`${db}-wal`) + sizeOf(`${db}-shm`) };
}

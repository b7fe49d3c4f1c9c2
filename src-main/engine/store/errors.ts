// Errors the store raises at open, and the classification of write failures into codes a user can act on.

/** The database was written by a newer netmon: it is left exactly as it is. */
export class DatabaseTooNewError extends Error {
  override readonly name = 'DatabaseTooNewError';
  constructor(
    readonly path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${path} has schema version ${found}, but this netmon knows versions up to ${supported}: ` +
        'it was written by a newer netmon. The file was not touched; update netmon, or use another --data-dir.',
    );
  }
}

/** The database cannot be used and was not repaired (read-only open, or a fresh file failed too). */
export class DatabaseUnusableError extends Error {
  override readonly name = 'DatabaseUnusableError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** A failure with the code SQLite or the OS gave (`SQLITE_FULL`, `EACCES`, …) and its message. */
export interface StoreError {
  code: string;
  message: string;
  /** Epoch ms when it happened. */
  at: number;
}

/** The `code` of a SqliteError or a Node system error, or `UNKNOWN`. */
export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    if (typeof code === 'string') return code;
  }
  return 'UNKNOWN';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True for the codes SQLite uses when the file is not a database or is damaged. */
export function isCorruptionCode(code: string): boolean {
  return code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT_');
}

/** A short hint for a write failure, in words a user can act on. */
export function writeFailureHint(code: string): string {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'the disk is full';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return 'the data folder is read-only';
  if (code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_AUTH') return 'permission denied on the data folder';
  if (code.startsWith('SQLITE_IOERR')) return 'the disk reported an I/O error';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'another process holds the database locked';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'a database file could not be opened';
  if (isCorruptionCode(code)) return 'the database file is damaged';
  return 'the write failed';
}

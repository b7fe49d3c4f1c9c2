// Writing a file the user named (export --output) without being turned against them: a symlink
// planted where the file should go is refused (it would send the history elsewhere), an existing file
// is kept unless --force, and what is written is 600 whatever was there before.
import { closeSync, constants, fchmodSync, lstatSync, openSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from './main.js';

function lstatOrNull(file: string): Stats | null {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/** Creates `file` (600) with `body`; refuses a symlink, and an existing file unless `force` (then replaced, not rewritten in place). */
export function writePrivateFile(file: string, body: string, force: boolean): void {
  const data = Buffer.from(body, 'utf8');
  const existing = lstatOrNull(file);
  if (existing?.isSymbolicLink()) throw new UserError(`${file} is a symbolic link; refusing to write through it (name the real file)`);
  if (existing !== null && !existing.isFile()) throw new UserError(`${file} exists and is not a regular file`);
  if (existing !== null && !force) throw new UserError(`${file} exists; add --force to replace it`);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
  if (existing === null) {
    // O_EXCL with O_CREAT never follows a symlink, even one planted after the look above.
    let fd: number;
    try {
      fd = openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UserError(`${file} appeared while writing; add --force to replace it`);
      throw err;
    }
    try {
      fchmodSync(fd, 0o600);
      writeAll(fd, data);
    } finally {
      closeSync(fd);
    }
    return;
  }
  // Replace: a fresh 600 file beside it, renamed over it (rename replaces the name, never follows it).
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeAll(fd, data);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

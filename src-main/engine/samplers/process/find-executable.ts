// Finding an optional helper program (stdbuf, setpriv) before relying on it.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** `name` if it is an executable path, or the first executable `name` on PATH; null if none (or `name` is null). */
export function findExecutable(name: string | null): string | null {
  if (name === null) return null;
  const candidates = name.includes('/') ? [name] : (process.env['PATH'] ?? '').split(':').filter((d) => d !== '').map((d) => path.join(d, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

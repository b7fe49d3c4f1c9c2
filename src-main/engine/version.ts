// netmon's version, as package.json says it: read once from the nearest package.json named netmon
// above this module (dist/src-main/engine, the bundle in dist/bundle/cli, or the app's asar), so the
// version is written in one place.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version in the package.json above `fromDir`, or null when no package.json of netmon is found. */
export function packageVersion(fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'netmon' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No (readable) package.json here: look one folder up.
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** netmon's version ('unknown' when package.json cannot be found, which a build never does). */
export const VERSION = packageVersion(path.dirname(fileURLToPath(import.meta.url))) ?? 'unknown';

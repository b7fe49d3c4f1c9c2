// Helpers shared by the store and query integration tests: temp data folders and a real SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { setLogLevel } from '../../src-main/engine/log.js';

// Expected failures log at warn and error; the info lines (migrations, flush recovery) are noise here.
setLogLevel('warn');

const made: string[] = [];

/** A fresh temp folder, removed after the test; the data folder is `<it>/data` (not created). */
export function tempRoot(prefix = 'netmon-store-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A data folder path inside a fresh temp folder. */
export function tempDataDir(): string {
  return path.join(tempRoot(), 'data');
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Epoch seconds of a UTC wall time (an independent way to write expected instants). */
export function utc(y: number, m: number, d: number, h = 0, min = 0, s = 0): number {
  return Date.UTC(y, m - 1, d, h, min, s) / 1000;
}

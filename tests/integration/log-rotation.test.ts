// logs/netmon.log: rotated at 10 MB, five gzipped files kept, every file 600.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { attachLogFile, closeLogFile, createLogger, setLogLevel } from '../../src-main/engine/log.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('log file', () => {
  it('rotates past 10 MB into gzipped files, keeps at most five, all mode 600', async () => {
    const dir = path.join(root, 'logs');
    attachLogFile(dir, { echoWarnings: false });
    setLogLevel('info');
    const log = createLogger('rotation-test');
    const line = 'x'.repeat(1000);
    // About 62 MB of lines: enough for six rotations, so the oldest must be dropped.
    for (let i = 0; i < 62_000; i += 1) log.info(line, { i });
    const gz = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.gz'));
    await until(() => gz().length >= 5, 30_000);
    await closeLogFile();
    // Rotation and compression finish asynchronously; wait for the count to settle at its bound.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const files = readdirSync(dir);
    expect(files).toContain('netmon.log');
    expect(gz().length).toBeLessThanOrEqual(5);
    expect(gz().length).toBeGreaterThanOrEqual(4);
    for (const file of files) expect(statSync(path.join(dir, file)).mode & 0o777, file).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const first = gz()[0] ?? '';
    const text = gunzipSync(readFileSync(path.join(dir, first))).toString('utf8');
    expect(text).toMatch(/ info rotation-test: x{1000} i=\d+\n/);
    expect(statSync(path.join(dir, 'netmon.log')).size).toBeLessThanOrEqual(10 * 1024 * 1024);
  }, 60_000);
});

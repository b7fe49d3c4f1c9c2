// The pairing token in a real data folder: 32 random bytes as hex, file mode 600, kept across
// starts, replaced when damaged or rotated; compared in constant time.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PAIRING_TOKEN_FILE, loadOrCreatePairingToken, rotatePairingToken, tokensEqual } from '../../src-main/http/pairing.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netmon-pairing-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('pairing token', () => {
  it('is created as 64 hex characters in a 600 file, and the same one is read back', () => {
    const dir = tempDir();
    const token = loadOrCreatePairingToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, PAIRING_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(loadOrCreatePairingToken(dir)).toBe(token);
  });

  it('differs between data folders (it is random, not derived)', () => {
    expect(loadOrCreatePairingToken(tempDir())).not.toBe(loadOrCreatePairingToken(tempDir()));
  });

  it('tightens a file made readable by others', () => {
    const dir = tempDir();
    const token = loadOrCreatePairingToken(dir);
    const file = path.join(dir, PAIRING_TOKEN_FILE);
    chmodSync(file, 0o644);
    expect(loadOrCreatePairingToken(dir)).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('replaces a damaged or weak token file', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, PAIRING_TOKEN_FILE), 'password\n', { mode: 0o600 });
    const token = loadOrCreatePairingToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rotates to a new token that the next load returns', () => {
    const dir = tempDir();
    const first = loadOrCreatePairingToken(dir);
    const second = rotatePairingToken(dir);
    expect(second).not.toBe(first);
    expect(loadOrCreatePairingToken(dir)).toBe(second);
  });
});

describe('tokensEqual', () => {
  const t = 'ab'.repeat(32);
  it.each([
    [t, t, true],
    [t.toUpperCase(), t, false],
    [t.slice(0, 63), t, false],
    [`${t}0`, t, false],
    ['', t, false],
    ['', '', false],
  ])('%s vs %s → %s', (presented, expected, equal) => {
    expect(tokensEqual(presented, expected)).toBe(equal);
  });
});

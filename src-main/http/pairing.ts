// The pairing token: 32 random bytes, hex, kept in the data folder (600). The app shows it in its
// settings, the extension stores it, and every write over HTTP must carry it.
import { chmodSync, closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// node:crypto is loaded only when a token is compared (a write) or must be drawn without a random
// device: importing it builds crypto's module graph and touches OpenSSL, about 3 MB resident that an
// idle `netmon serve`, which only reads its token file, does not need.
const crypto = () => process.getBuiltinModule('node:crypto');

/** The token's file in the data folder. */
export const PAIRING_TOKEN_FILE = 'pairing-token';

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

function writeToken(dataDir: string, token: string): void {
  const file = path.join(dataDir, PAIRING_TOKEN_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  // Created exclusively (never through a planted symlink) and 600 from the first byte.
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * Bytes from the kernel's CSPRNG device. On Linux /dev/urandom is the same source as getrandom(2)
 * without flags (what OpenSSL seeds randomBytes from); it differs only before the pool's first
 * seeding in early boot, long before a user session runs netmon. On macOS /dev/urandom and
 * /dev/random are one kernel generator. Null where the device cannot be read (then randomBytes).
 */
function deviceRandom(bytes: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync('/dev/urandom', 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(bytes);
    let filled = 0;
    while (filled < bytes) {
      const n = readSync(fd, buf, filled, bytes - filled, null);
      if (n <= 0) return null;
      filled += n;
    }
    return buf;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A fresh token: 32 bytes from the OS's CSPRNG, as 64 hex characters. */
export function generatePairingToken(): string {
  return (deviceRandom(32) ?? crypto().randomBytes(32)).toString('hex');
}

/** Reads the data folder's token, creating it (600) when it is missing or not a valid token. */
export function loadOrCreatePairingToken(dataDir: string): string {
  const file = path.join(dataDir, PAIRING_TOKEN_FILE);
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    const token = readFileSync(file, 'utf8').trim();
    if (TOKEN_PATTERN.test(token)) return token;
  }
  const token = generatePairingToken();
  writeToken(dataDir, token);
  return token;
}

/** Replaces the token (the extension must be paired again) and returns the new one. */
export function rotatePairingToken(dataDir: string): string {
  const token = generatePairingToken();
  writeToken(dataDir, token);
  return token;
}

/**
 * Compares a presented token with the expected one in constant time. Both are hashed first so that
 * neither a length difference nor an early mismatch shows in the timing.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const { createHash, timingSafeEqual } = crypto();
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/**
 * The token as a running server should use it: read at start, and read again when the file changes
 * (`netmon token rotate` writes a new one), looked at no more than once a second. A deleted or damaged
 * file keeps the token in use: it never silently mints a new one mid-run.
 */
export function watchPairingToken(dataDir: string, mono: () => number = () => performance.now()): () => string {
  const file = path.join(dataDir, PAIRING_TOKEN_FILE);
  let token = loadOrCreatePairingToken(dataDir);
  const stamp = (): string | null => {
    try {
      const st = statSync(file);
      return `${st.mtimeMs}:${st.ino}:${st.size}`;
    } catch {
      return null;
    }
  };
  let seen = stamp();
  let lookedAt = mono();
  return () => {
    const now = mono();
    if (now - lookedAt < 1000) return token;
    lookedAt = now;
    const current = stamp();
    if (current === null || current === seen) return token;
    seen = current;
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (TOKEN_PATTERN.test(text)) token = text;
    } catch {
      // Unreadable for a moment: keep the token in use.
    }
    return token;
  };
}

// The server's side of handshake.ts (src-shared): its proof that it knows the token, and the one-time
// pairing codes `serve --open` hands to the browser instead of the token.
import { PAIRING_CODE_PATTERN, PAIRING_CODE_TTL_S, PROOF_NONCE_PATTERN, serverProofMessage } from '../../src-shared/handshake.js';
import { generatePairingToken } from './pairing.js';

const crypto = () => process.getBuiltinModule('node:crypto');

/** HMAC-SHA256(token, serverProofMessage(host, nonce)) as hex, or null when the nonce is not one. */
export function serverProof(token: string, host: string, nonce: string): string | null {
  if (!PROOF_NONCE_PATTERN.test(nonce)) return null;
  return crypto().createHmac('sha256', token).update(serverProofMessage(host, nonce), 'utf8').digest('hex');
}

/** One-time pairing codes, each good for one exchange within its lifetime. */
export interface PairingCodes {
  /** A fresh code (128 random bits, hex). */
  issue(): string;
  /** True once for a live code; false for an unknown, used or expired one. */
  redeem(code: string): boolean;
  /** Codes that may still be redeemed. */
  outstanding(): number;
}

/** Most codes alive at once; issuing past it drops the oldest. */
const MAX_CODES = 8;

export function createPairingCodes(options: { ttlMs?: number; mono?: () => number } = {}): PairingCodes {
  const ttlMs = options.ttlMs ?? PAIRING_CODE_TTL_S * 1000;
  const mono = options.mono ?? (() => performance.now());
  // Insertion order is issue order, so the first entry is the oldest.
  const codes = new Map<string, number>();
  const prune = (now: number): void => {
    for (const [code, expires] of codes) if (expires <= now) codes.delete(code);
  };
  return {
    issue() {
      const now = mono();
      prune(now);
      while (codes.size >= MAX_CODES) codes.delete(codes.keys().next().value as string);
      const code = generatePairingToken().slice(0, 32);
      codes.set(code, now + ttlMs);
      return code;
    },
    redeem(code) {
      const now = mono();
      prune(now);
      if (!PAIRING_CODE_PATTERN.test(code)) return false;
      // Compared by map lookup of the exact string: the code is random, and used codes are gone.
      const found = codes.has(code);
      codes.delete(code);
      return found;
    },
    outstanding() {
      prune(mono());
      return codes.size;
    },
  };
}

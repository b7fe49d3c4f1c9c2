// The pairing token of an HTTP dashboard. No endpoint hands it out: one that did would give it to
// every local process that can reach the port, which is what the token keeps away from writes. The
// user brings it instead: `netmon serve` prints (and with --open opens) the dashboard as
// `/#pair=TOKEN` (a fragment never reaches a server or its logs), or the user pastes it in the
// settings. It is then kept in this origin's localStorage.
import type { PAIRING_FRAGMENT_KEY } from '../../src-shared/api.js';

/** Where a token is kept. */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

const STORAGE_KEY = 'netmon.pairingToken';
const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** Whether `text` looks like a pairing token (64 hex characters). */
export function isPlausibleToken(text: string): boolean {
  return TOKEN_PATTERN.test(text.trim().toLowerCase());
}

/** The fragment key `netmon serve` puts the token under (src-shared PAIRING_FRAGMENT_KEY, checked at compile time). */
export const PAIR_KEY: typeof PAIRING_FRAGMENT_KEY = 'pair';

/**
 * Splits a `pair=TOKEN` parameter out of a location hash, in either form: `#pair=TOKEN` (the link
 * `netmon serve` prints) or `#/page?pair=TOKEN`. Returns the token (null when absent or not a
 * plausible token) and the hash without it.
 */
export function takePairToken(hash: string): { token: string | null; hash: string } {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const isRoute = body.startsWith('/');
  const q = isRoute ? body.indexOf('?') : 0;
  if (isRoute && q === -1) return { token: null, hash };
  const head = isRoute ? body.slice(0, q) : '';
  const params = new URLSearchParams(isRoute ? body.slice(q + 1) : body);
  const token = params.get(PAIR_KEY);
  if (token === null) return { token: null, hash };
  params.delete(PAIR_KEY);
  const rest = params.toString();
  const cleaned = isRoute ? head + (rest === '' ? '' : `?${rest}`) : rest;
  return { token: isPlausibleToken(token) ? token.trim().toLowerCase() : null, hash: cleaned === '' ? '' : `#${cleaned}` };
}

/** The part of the Web Storage API the token store uses (`localStorage` has it). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A token store over `localStorage` (or memory, where storage is unavailable). */
export function createTokenStore(storage: KeyValueStorage | null): TokenStore {
  let memory: string | null = null;
  return {
    get() {
      try {
        return storage?.getItem(STORAGE_KEY) ?? memory;
      } catch {
        return memory;
      }
    },
    set(token) {
      const value = token === null ? null : token.trim().toLowerCase();
      memory = value;
      try {
        if (value === null) storage?.removeItem(STORAGE_KEY);
        else storage?.setItem(STORAGE_KEY, value);
      } catch {
        // Storage disabled (private mode): the token lasts for this page only.
      }
    },
  };
}

// The pairing token of an HTTP dashboard. No endpoint hands it out: one that did would give it to
// every local process that can reach the port, which is what the token keeps away from writes. The
// user brings it instead: `netmon serve` prints (and with --open opens) the dashboard as
// `/#pair=TOKEN` (a fragment never reaches a server or its logs), `serve --open` opens it with a
// one-time code instead (`/#paircode=CODE`, exchanged for the token), or the user pastes it. Before a
// token is kept the server must prove it knows it (server-proof.ts), so a program squatting on the
// port cannot plant a token of its own. It is then kept in this origin's localStorage and sent with
// every request (reads too).
import { PAIRING_FRAGMENT_KEY } from '../../src-shared/contract/http.js';

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

/**
 * Splits a `KEY=VALUE` parameter out of a location hash, in either form: `#KEY=VALUE` (the link
 * `netmon serve` prints) or `#/page?KEY=VALUE`. Returns the raw value (null when absent) and the hash
 * without it.
 */
export function takeHashParam(hash: string, key: string): { value: string | null; hash: string } {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const isRoute = body.startsWith('/');
  const q = isRoute ? body.indexOf('?') : 0;
  if (isRoute && q === -1) return { value: null, hash };
  const head = isRoute ? body.slice(0, q) : '';
  const params = new URLSearchParams(isRoute ? body.slice(q + 1) : body);
  const value = params.get(key);
  if (value === null) return { value: null, hash };
  params.delete(key);
  const rest = params.toString();
  const cleaned = isRoute ? head + (rest === '' ? '' : `?${rest}`) : rest;
  return { value, hash: cleaned === '' ? '' : `#${cleaned}` };
}

/**
 * Splits a `pair=TOKEN` parameter out of a location hash (see takeHashParam). Returns the token (null
 * when absent or not a plausible token) and the hash without it.
 */
export function takePairToken(hash: string): { token: string | null; hash: string } {
  const { value, hash: rest } = takeHashParam(hash, PAIRING_FRAGMENT_KEY);
  return { token: value !== null && isPlausibleToken(value) ? value.trim().toLowerCase() : null, hash: rest };
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

// The dashboard's side of the handshake (src-shared/handshake.ts): make sure the server on this
// origin knows a token before keeping it, and swap a one-time pairing code for the token.
import { AUTH_PROVE_PATH, PAIR_EXCHANGE_PATH, PAIRING_CODE_PATTERN, serverProofMessage } from '../../src-shared/handshake.js';

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** HMAC-SHA256(key, message) in hex, by WebCrypto (the page is on loopback, a secure context). */
export async function hmacHex(key: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', k, enc.encode(message)));
}

/** Compares two strings without stopping at the first difference. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * True when the server at `base` (for Host `host`) proves that it knows `token`: it answers a fresh
 * random nonce with the HMAC only the token's holder can make. Nothing of the token is sent.
 */
export async function serverKnowsToken(doFetch: typeof fetch, base: string, host: string, token: string): Promise<boolean> {
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)));
  try {
    const res = await doFetch(`${base}${AUTH_PROVE_PATH}?nonce=${nonce}`, { headers: { Accept: 'application/json' } });
    if (res.status !== 200) return false;
    const body = (await res.json()) as { ok?: unknown; value?: { proof?: unknown } };
    const proof = body.ok === true ? body.value?.proof : undefined;
    if (typeof proof !== 'string') return false;
    return sameText(proof, await hmacHex(token, serverProofMessage(host, nonce)));
  } catch {
    return false;
  }
}

/** Swaps a one-time pairing code for the token, then checks the server with it. */
export async function exchangePairingCode(doFetch: typeof fetch, base: string, host: string, code: string): Promise<{ ok: true; token: string } | { ok: false; message: string }> {
  if (!PAIRING_CODE_PATTERN.test(code)) return { ok: false, message: 'the pairing link is damaged (its code is not one netmon makes)' };
  let token: unknown;
  try {
    const res = await doFetch(`${base}${PAIR_EXCHANGE_PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ code }) });
    const body = (await res.json()) as { ok?: unknown; value?: { token?: unknown }; error?: { message?: unknown } };
    if (body.ok !== true) return { ok: false, message: typeof body.error?.message === 'string' ? body.error.message : `netmon answered ${res.status}` };
    token = body.value?.token;
  } catch (err) {
    return { ok: false, message: `cannot reach netmon (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof token !== 'string' || !/^[0-9a-f]{64}$/.test(token)) return { ok: false, message: 'netmon answered the pairing code with something that is not a token' };
  if (!(await serverKnowsToken(doFetch, base, host, token))) return { ok: false, message: 'the server on this port could not prove it is netmon; nothing was kept' };
  return { ok: true, token };
}

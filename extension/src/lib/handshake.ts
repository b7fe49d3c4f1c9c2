// Before the extension sends netmon anything (the token, a hostname), the server on the port must
// prove it knows the token: the extension draws a nonce, asks GET /api/auth/prove?nonce=N with nothing
// else, and checks the answer is HMAC-SHA256(token, label \n host \n N). A program squatting on the
// port while netmon is down cannot answer, so it receives nothing. The constants mirror
// src-shared/handshake.ts (types only may be imported from there; a change fails this file's type check).
import type { AUTH_PROVE_PATH as ProvePath } from '../../../src-shared/handshake.js';
import { post, type FetchLike, type Outcome } from './client.js';
import type { Outgoing } from './contract.js';

export const PROVE_PATH: typeof ProvePath = '/api/auth/prove';

/** The message the server's proof is the HMAC of (src-shared serverProofMessage, tested to agree). */
export function proofMessage(host: string, nonce: string): string {
  return `netmon-server-proof-v1\n${host.toLowerCase()}\n${nonce}`;
}

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function hmacHex(key: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', k, enc.encode(message)));
}

/** The fetch the proof needs: a GET with no body and no credentials of ours. */
export type ProveFetch = (url: string, init: { method: 'GET'; headers: Record<string, string>; signal?: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

/**
 * Whether the server on 127.0.0.1:port proves it knows `token` ('proven'), answers with a proof of
 * another token ('mismatch': a netmon whose token changed, or an impostor), or gives no proof at all
 * ('no-proof'). Sends only a random nonce.
 */
export async function serverProves(fetchFn: ProveFetch, port: number, token: string, timeoutMs = 5000): Promise<'proven' | 'mismatch' | 'no-proof'> {
  const nonce = hex(crypto.getRandomValues(new Uint8Array(16)));
  const host = `127.0.0.1:${port}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetchFn(`http://127.0.0.1:${port}${PROVE_PATH}?nonce=${nonce}`, { method: 'GET', headers: { Accept: 'application/json' }, signal: controller.signal });
    if (res.status !== 200) return 'no-proof';
    const body = JSON.parse(await res.text()) as { ok?: unknown; value?: { proof?: unknown } };
    const proof = body.ok === true ? body.value?.proof : undefined;
    if (typeof proof !== 'string' || proof.length !== 64) return 'no-proof';
    const expected = await hmacHex(token, proofMessage(host, nonce));
    let diff = 0;
    for (let i = 0; i < 64; i++) diff |= proof.charCodeAt(i) ^ expected.charCodeAt(i);
    return diff === 0 ? 'proven' : 'mismatch';
  } catch {
    return 'no-proof';
  } finally {
    clearTimeout(timer);
  }
}

/** Posts `item` only after the server proved it knows the token; otherwise nothing leaves and the item waits. */
export async function postToProvenServer(fetchFn: FetchLike & ProveFetch, port: number, token: string, item: Outgoing): Promise<Outcome> {
  if (token === '') return { kind: 'not-paired', detail: 'no pairing token yet' };
  const proof = await serverProves(fetchFn, port, token);
  if (proof === 'mismatch') return { kind: 'not-paired', detail: `the server on port ${port} does not know this pairing token; nothing was sent (pair again)` };
  if (proof === 'no-proof') return { kind: 'not-running', detail: `no netmon on port ${port} proved it knows the pairing token; nothing was sent` };
  return post(fetchFn, port, token, item);
}

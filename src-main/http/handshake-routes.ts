// The two token-less routes of the handshake (handshake.ts): GET /api/auth/prove, the server's proof
// that it knows the token, and POST /api/pair/exchange, a one-time pairing code for the token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Refused } from './guard.js';
import { serverProof, type PairingCodes } from './handshake.js';
import type { RateLimiter } from './rate-limit.js';
import type { RefusalLog } from './refusal-log.js';
import { readJsonBody, sendError, sendJson } from './respond.js';

/** GET /api/auth/prove?nonce=: the HMAC of the nonce under `token`, bound to the request's Host. */
export function answerProve(req: IncomingMessage, res: ServerResponse, token: string, params: Readonly<Record<string, string>>, cors: Record<string, string>): void {
  const host = String(req.headers.host ?? '');
  const proof = serverProof(token, host, params['nonce'] ?? '');
  if (proof === null || Object.keys(params).length !== 1) {
    sendError(res, 'bad-request', 'expected exactly one parameter, nonce: 32 to 128 lower-case hex digits', cors);
    return;
  }
  sendJson(res, 200, { ok: true, value: { proof } }, cors);
}

/** What the exchange needs of the server. */
export interface PairExchange {
  codes: PairingCodes;
  /** Its own bucket: guessing codes is a write like any other. */
  bucket: RateLimiter;
  bodyLimit: number;
  logRefusal: RefusalLog;
}

/** POST /api/pair/exchange `{code}`: the token for a live one-time code, 401 for any other. */
export async function answerPairExchange(req: IncomingMessage, res: ServerResponse, token: string, exchange: PairExchange): Promise<void> {
  if (!exchange.bucket.tryTake()) {
    res.setHeader('Connection', 'close');
    sendError(res, 'rate-limited', 'too many pairing attempts; slow down', { 'Retry-After': String(exchange.bucket.retryAfterSeconds()) });
    return;
  }
  const body = await readJsonBody(req, exchange.bodyLimit);
  if (!body.ok) {
    res.setHeader('Connection', 'close');
    sendError(res, body.code, body.message);
    return;
  }
  const code = typeof body.value === 'object' && body.value !== null && 'code' in body.value ? body.value.code : undefined;
  if (typeof code !== 'string' || !exchange.codes.redeem(code)) {
    const refused: Refused = { ok: false, status: 401, code: 'unauthorized', message: 'pairing code refused', headers: {} };
    exchange.logRefusal(refused, req);
    sendError(res, 'unauthorized', 'this pairing code is unknown, used or expired (codes last 2 minutes and work once): run netmon serve --open again, or paste the token in Settings');
    return;
  }
  sendJson(res, 200, { ok: true, value: { token } });
}

// What every route of the HTTP transport shares to answer: the headers on every response, JSON
// answers and errors with the contract's status per code, and a JSON body read under a size limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiErrorCode, Result } from '../../src-shared/contract/types.js';
import { STATUS_OF } from './guard.js';

/** Set on every response before anything else. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  // Another site cannot embed our answers as <script>, <img> or <video> (no-cors reads); CORS
  // requests, which only the extension gets, are not affected by it.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

export function sendError(res: ServerResponse, code: ApiErrorCode, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, STATUS_OF[code], { ok: false, error: { code, message } }, headers);
}

export function sendResult(res: ServerResponse, result: Result<unknown>, headers: Record<string, string> = {}): void {
  if (result.ok) {
    sendJson(res, 200, result, headers);
    return;
  }
  sendJson(res, STATUS_OF[result.error.code] ?? 500, result, headers);
}

/** A request body: the parsed JSON, or why it was not read. */
export type Body = { ok: true; value: unknown } | { ok: false; code: ApiErrorCode; message: string };

/** Reads a JSON body of at most `limit` bytes; stops reading as soon as the limit is passed. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<Body> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (body: Body): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, code: 'payload-too-large', message: `request body larger than ${limit} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', () => finish({ ok: false, code: 'bad-request', message: 'request body could not be read' }));
    req.on('end', () => {
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
      } catch {
        finish({ ok: false, code: 'bad-request', message: 'request body is not valid UTF-8' });
        return;
      }
      try {
        finish({ ok: true, value: JSON.parse(text) as unknown });
      } catch (err) {
        finish({ ok: false, code: 'bad-request', message: `request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}` });
      }
    });
  });
}

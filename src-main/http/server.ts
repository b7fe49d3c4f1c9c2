// The HTTP transport of the API: /api/v1/<channel> (GET for queries, POST for commands), the live
// feed as server-sent events, GET /metrics, the extension's POST /api/browser/active-tab and
// /api/browser/bytes, the server's proof of the token and the pairing-code exchange (handshake.ts),
// and the renderer's static files. Bound to loopback only (127.0.0.1, and ::1
// where the machine has it). Every request passes the guard (guard.ts) first; this file only moves bytes.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAIRING_TOKEN_HEADER } from '../../src-shared/contract/http.js';
import { assertNever, type ApiErrorCode, type LiveEvent, type LiveEvents, type Result } from '../../src-shared/contract/types.js';
import type { ApiHandlers } from '../api/handlers.js';
import type { LiveSource } from '../api/live.js';
import { createLogger } from '../engine/log.js';
import { guardRequest, STATUS_OF, type GuardContext, type Refused } from './guard.js';
import { createPairingCodes, serverProof, type PairingCodes } from './handshake.js';
import { METRICS_CONTENT_TYPE, renderMetrics, type MetricsSnapshot } from './metrics.js';
import { createRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { lookupStatic, sendStatic } from './static.js';

const log = createLogger('http');

// Not `import http from 'node:http'`: an ESM import builds the module's namespace by reading every
// export, and http's lazy WebSocket/CloseEvent/MessageEvent getters then load undici, http2, tls and
// crypto — about 10 MB resident for an idle `netmon serve`. The CommonJS object reads nothing.
const http = process.getBuiltinModule('node:http');

/** Options of `startHttpServer`. */
export interface HttpServerOptions {
  /** Port on loopback; 0 picks a free one (tests). */
  port: number;
  handlers: ApiHandlers;
  /** The pairing token every API request must carry; a function is asked on every request, so a rotation applies at once. */
  token: string | (() => string);
  /** The live feed for GET /api/v1/live; without it that path answers 503. */
  live?: LiveSource | undefined;
  /** What GET /metrics shows (the server adds its own live-client count); without it, 404. */
  metrics?: (() => Omit<MetricsSnapshot, 'liveClients'>) | undefined;
  /** Folder of the renderer's built files; without it only the API is served. */
  staticDir?: string | undefined;
  /** Largest request body, bytes (default 16 KiB). */
  bodyLimitBytes?: number | undefined;
  /** Token bucket for writes, one for the API's commands and one for the extension (default 30 at once, 10/s). */
  writeRateLimit?: RateLimitOptions | undefined;
  /** Interval of the live feed's keep-alive comments, ms (default 15 s). */
  heartbeatMs?: number | undefined;
  /** Most live-feed clients at once (default 16). */
  maxLiveClients?: number | undefined;
  /** Also listen on ::1 when the machine has IPv6 loopback (default true). */
  ipv6?: boolean | undefined;
  /** Monotonic clock, ms (rate limits, pairing codes' lifetime); defaults to performance.now. */
  mono?: (() => number) | undefined;
  /** One-time pairing codes (default: a fresh set with a 2-minute lifetime on `mono`). */
  pairingCodes?: PairingCodes | undefined;
}

/** A running server. */
export interface HttpServer {
  port: number;
  /** The URL to print: `http://127.0.0.1:PORT`. */
  url: string;
  /** The addresses actually bound (`127.0.0.1`, and `::1` when available). */
  addresses: string[];
  liveClients(): number;
  /** A one-time code that a page on this server may exchange for the token within 2 minutes (`serve --open`). */
  issuePairingCode(): string;
  /** Stops listening, ends live-feed clients and open connections; resolves when all is closed. */
  close(): Promise<void>;
}

/**
 * The one sentence for a taken port, for `netmon serve` and the app alike; `remedy` says how to
 * choose another there (`--port`, or web_server_port in config.json).
 */
export function portInUseMessage(port: number, remedy: string): string {
  return `port ${port} on 127.0.0.1 is already in use (is netmon, or netmon serve, already running?); ${remedy}`;
}

/** The port is taken by another program; `portInUseMessage` words it for the user. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly address: string,
  ) {
    super(`port ${port} is in use on ${address}`);
    this.name = 'PortInUseError';
  }
}

const DEFAULT_BODY_LIMIT = 16 * 1024;
const DEFAULT_RATE: RateLimitOptions = { capacity: 30, refillPerSecond: 10 };
// A live client that cannot keep up (its socket buffer holds this much) is dropped.
const MAX_LIVE_BACKLOG = 1024 * 1024;

const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  // Another site cannot embed our answers as <script>, <img> or <video> (no-cors reads); CORS
  // requests, which only the extension gets, are not affected by it.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function errorCodeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function sendError(res: ServerResponse, code: ApiErrorCode, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, STATUS_OF[code], { ok: false, error: { code, message } }, headers);
}

function sendResult(res: ServerResponse, result: Result<unknown>, headers: Record<string, string> = {}): void {
  if (result.ok) {
    sendJson(res, 200, result, headers);
    return;
  }
  sendJson(res, STATUS_OF[result.error.code] ?? 500, result, headers);
}

type Body = { ok: true; value: unknown } | { ok: false; code: ApiErrorCode; message: string };

/** Reads a JSON body of at most `limit` bytes; stops reading as soon as the limit is passed. */
function readJsonBody(req: IncomingMessage, limit: number): Promise<Body> {
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

/** Logs refusals without letting a flood of them flood the log: one line per code per 10 s. */
function createRefusalLog(mono: () => number): (refused: Refused, req: IncomingMessage) => void {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (refused, req) => {
    const now = mono();
    const entry = last.get(refused.code);
    if (entry !== undefined && now - entry.at < 10_000) {
      entry.suppressed += 1;
      return;
    }
    last.set(refused.code, { at: now, suppressed: 0 });
    const level = refused.status >= 421 || refused.status === 401 || refused.status === 403 ? 'warn' : 'debug';
    log[level]('request refused', {
      status: refused.status,
      code: refused.code,
      method: req.method,
      path: (req.url ?? '').slice(0, 200),
      origin: req.headers.origin,
      suppressedBefore: entry?.suppressed ?? 0,
    });
  };
}

function liveFrame(event: LiveEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** Starts the server on loopback and resolves once it listens; rejects with `PortInUseError` when the port is taken. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const mono = options.mono ?? (() => performance.now());
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const rate = options.writeRateLimit ?? DEFAULT_RATE;
  const commandBucket = createRateLimiter(rate, mono);
  const extensionBucket = createRateLimiter(rate, mono);
  const exchangeBucket = createRateLimiter(rate, mono);
  const pairingCodes = options.pairingCodes ?? createPairingCodes({ mono });
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxLiveClients = options.maxLiveClients ?? 16;
  const tokenOf = typeof options.token === 'function' ? options.token : ((t: string) => () => t)(options.token);
  const logRefusal = createRefusalLog(mono);
  const liveResponses = new Set<ServerResponse>();
  let port = 0;

  const serveLive = (req: IncomingMessage, res: ServerResponse, live: LiveSource): void => {
    if (liveResponses.size >= maxLiveClients) {
      sendError(res, 'unavailable', `too many live-feed clients (at most ${maxLiveClients})`, { 'Retry-After': '5' });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    liveResponses.add(res);
    let heartbeat: NodeJS.Timeout | null = null;
    const send = (text: string): void => {
      if (res.writableLength > MAX_LIVE_BACKLOG) {
        log.warn('live client too slow; disconnected');
        res.destroy();
        return;
      }
      res.write(text);
    };
    const unsubscribe = live.subscribe((event) => send(liveFrame(event)));
    const beat = (): void => {
      send(': keep-alive\n\n');
      heartbeat = setTimeout(beat, heartbeatMs);
    };
    heartbeat = setTimeout(beat, heartbeatMs);
    const cleanup = (): void => {
      unsubscribe();
      if (heartbeat !== null) clearTimeout(heartbeat);
      heartbeat = null;
      liveResponses.delete(res);
    };
    req.on('close', cleanup);
    res.on('close', cleanup);
    // The reconnect delay first, then the latest rate so a new client has something to show at once.
    send('retry: 5000\n\n');
    const latest: LiveEvents['rate'] | null = live.latestRate();
    if (latest !== null) send(liveFrame({ event: 'rate', data: latest }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(BASE_HEADERS)) res.setHeader(name, value);
    const ctx: GuardContext = { port, token: tokenOf(), bodyLimit, hasStatic: options.staticDir !== undefined };
    const verdict = guardRequest(req, ctx);
    if (!verdict.ok) {
      logRefusal(verdict, req);
      // The refused request's body is never read: close the connection rather than drain it.
      if (req.method !== 'GET' && req.method !== 'HEAD') res.setHeader('Connection', 'close');
      sendError(res, verdict.code, verdict.message, verdict.headers);
      return;
    }
    const cors: Record<string, string> = verdict.corsOrigin === null ? {} : { 'Access-Control-Allow-Origin': verdict.corsOrigin, Vary: 'Origin' };
    const route = verdict.route;
    switch (route.kind) {
      case 'preflight':
        res.writeHead(204, {
          ...cors,
          'Access-Control-Allow-Methods': 'POST',
          'Access-Control-Allow-Headers': `content-type, authorization, ${PAIRING_TOKEN_HEADER}`,
          'Access-Control-Max-Age': '600',
        });
        res.end();
        return;
      case 'api':
      case 'extension': {
        const write = route.kind === 'extension' || route.write;
        let input: unknown = route.kind === 'api' ? route.params : undefined;
        if (write) {
          const bucket = route.kind === 'extension' ? extensionBucket : commandBucket;
          if (!bucket.tryTake()) {
            const refused: Refused = { ok: false, status: 429, code: 'rate-limited', message: 'too many writes; slow down', headers: {} };
            logRefusal(refused, req);
            res.setHeader('Connection', 'close');
            sendError(res, 'rate-limited', 'too many writes; slow down', { ...cors, 'Retry-After': String(bucket.retryAfterSeconds()) });
            return;
          }
          const body = await readJsonBody(req, bodyLimit);
          if (!body.ok) {
            res.setHeader('Connection', 'close');
            sendError(res, body.code, body.message, cors);
            return;
          }
          input = body.value;
        }
        const result =
          route.kind === 'api'
            ? await options.handlers.invoke(route.channel, input)
            : route.endpoint === 'bytes'
              ? await options.handlers.reportBrowserBytes(input)
              : await options.handlers.reportActiveTab(input);
        sendResult(res, result, cors);
        return;
      }
      case 'live':
        if (options.live === undefined) {
          sendError(res, 'unavailable', 'the live feed is not running');
          return;
        }
        serveLive(req, res, options.live);
        return;
      case 'metrics': {
        if (options.metrics === undefined) {
          sendError(res, 'not-found', 'metrics are not enabled');
          return;
        }
        const text = renderMetrics({ ...options.metrics(), liveClients: liveResponses.size });
        res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      case 'prove': {
        const host = String(req.headers.host ?? '');
        const proof = serverProof(ctx.token, host, route.params['nonce'] ?? '');
        if (proof === null || Object.keys(route.params).length !== 1) {
          sendError(res, 'bad-request', 'expected exactly one parameter, nonce: 32 to 128 lower-case hex digits', cors);
          return;
        }
        sendJson(res, 200, { ok: true, value: { proof } }, cors);
        return;
      }
      case 'pair-exchange': {
        if (!exchangeBucket.tryTake()) {
          res.setHeader('Connection', 'close');
          sendError(res, 'rate-limited', 'too many pairing attempts; slow down', { 'Retry-After': String(exchangeBucket.retryAfterSeconds()) });
          return;
        }
        const body = await readJsonBody(req, bodyLimit);
        if (!body.ok) {
          res.setHeader('Connection', 'close');
          sendError(res, body.code, body.message);
          return;
        }
        const code = typeof body.value === 'object' && body.value !== null && 'code' in body.value ? body.value.code : undefined;
        if (typeof code !== 'string' || !pairingCodes.redeem(code)) {
          const refused: Refused = { ok: false, status: 401, code: 'unauthorized', message: 'pairing code refused', headers: {} };
          logRefusal(refused, req);
          sendError(res, 'unauthorized', 'this pairing code is unknown, used or expired (codes last 2 minutes and work once): run netmon serve --open again, or paste the token in Settings');
          return;
        }
        sendJson(res, 200, { ok: true, value: { token: ctx.token } });
        return;
      }
      case 'static': {
        const found = options.staticDir === undefined ? { found: false as const } : await lookupStatic(options.staticDir, route.segments);
        if (!found.found) {
          sendError(res, 'not-found', `nothing at /${route.segments.join('/')}`);
          return;
        }
        sendStatic(res, found, req.method === 'HEAD');
        return;
      }
      default:
        assertNever(route, 'route');
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      log.error('request failed', { error: err, path: (req.url ?? '').slice(0, 200) });
      if (!res.headersSent) sendError(res, 'internal', 'internal error; see the log');
      else res.destroy();
    });
  };

  const makeServer = (): Server => {
    const server = http.createServer({ requestTimeout: 15_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024 }, onRequest);
    server.keepAliveTimeout = 5_000;
    return server;
  };

  const servers: Server[] = [];
  const attempts = options.port === 0 ? 5 : 1;
  for (let attempt = 1; attempt <= attempts && servers.length === 0; attempt++) {
    const v4 = makeServer();
    try {
      await listen(v4, options.port, '127.0.0.1');
    } catch (err) {
      if (errorCodeOf(err) === 'EADDRINUSE') throw new PortInUseError(options.port, '127.0.0.1');
      throw err;
    }
    port = (v4.address() as AddressInfo).port;
    if (options.ipv6 === false) {
      servers.push(v4);
      break;
    }
    const v6 = makeServer();
    try {
      await listen(v6, port, '::1');
      servers.push(v4, v6);
    } catch (err) {
      const code = errorCodeOf(err);
      if (code === 'EADDRINUSE') {
        await closeServer(v4);
        // An ephemeral port free on IPv4 but taken on IPv6: draw another.
        if (options.port === 0 && attempt < attempts) continue;
        throw new PortInUseError(options.port === 0 ? port : options.port, '::1');
      }
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT' || code === 'EINVAL') {
        log.debug('no IPv6 loopback here; serving on 127.0.0.1 only', { code });
        servers.push(v4);
      } else {
        await closeServer(v4);
        throw err;
      }
    }
  }
  if (servers.length === 0) throw new PortInUseError(options.port, '::1');

  const url = `http://127.0.0.1:${port}`;
  const addresses = servers.map((s) => (s.address() as AddressInfo).address);
  log.info('listening', { url, addresses: addresses.join(' ') });
  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    addresses,
    liveClients: () => liveResponses.size,
    issuePairingCode: () => pairingCodes.issue(),
    close() {
      closing ??= (async () => {
        for (const res of liveResponses) res.end();
        liveResponses.clear();
        const closed = Promise.all(servers.map(closeServer));
        // Keep-alive sockets mid-request get a moment, then are cut.
        const timer = setTimeout(() => servers.forEach((s) => s.closeAllConnections()), 2_000);
        await closed;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

// The HTTP transport of the API, as routing: every request passes the guard (guard.ts) first, then
// goes to its route: /api/v1/<channel> (GET for queries, POST for commands) and the extension's POST
// /api/browser/active-tab and /api/browser/bytes to the handlers, the live feed (live-stream.ts),
// GET /metrics, the handshake's token-less routes (handshake-routes.ts) and the renderer's static
// files (static.ts). Bound to loopback only (listen.ts); this file only moves bytes.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAIRING_TOKEN_HEADER } from '../../src-shared/contract/http.js';
import { assertNever } from '../../src-shared/contract/types.js';
import type { ApiHandlers } from '../api/handlers.js';
import type { LiveSource } from '../api/live.js';
import { createLogger } from '../engine/log.js';
import { guardRequest, type GuardContext, type Refused } from './guard.js';
import { answerPairExchange, answerProve, type PairExchange } from './handshake-routes.js';
import { createPairingCodes, type PairingCodes } from './handshake.js';
import { closeServer, listenOnLoopback } from './listen.js';
import { createLiveStreams } from './live-stream.js';
import { METRICS_CONTENT_TYPE, renderMetrics, type MetricsSnapshot } from './metrics.js';
import { createRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { createRefusalLog } from './refusal-log.js';
import { BASE_HEADERS, readJsonBody, sendError, sendResult } from './respond.js';
import { lookupStatic, sendStatic } from './static.js';

export { PortInUseError, portInUseMessage } from './listen.js';

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

const DEFAULT_BODY_LIMIT = 16 * 1024;
const DEFAULT_RATE: RateLimitOptions = { capacity: 30, refillPerSecond: 10 };

/** Starts the server on loopback and resolves once it listens; rejects with `PortInUseError` when the port is taken. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const mono = options.mono ?? (() => performance.now());
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const rate = options.writeRateLimit ?? DEFAULT_RATE;
  const commandBucket = createRateLimiter(rate, mono);
  const extensionBucket = createRateLimiter(rate, mono);
  const pairingCodes = options.pairingCodes ?? createPairingCodes({ mono });
  const tokenOf = typeof options.token === 'function' ? options.token : ((t: string) => () => t)(options.token);
  const logRefusal = createRefusalLog(mono);
  const exchange: PairExchange = { codes: pairingCodes, bucket: createRateLimiter(rate, mono), bodyLimit, logRefusal };
  const live = createLiveStreams({ maxClients: options.maxLiveClients ?? 16, heartbeatMs: options.heartbeatMs ?? 15_000 });
  let port = 0;

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
        live.serve(req, res, options.live);
        return;
      case 'metrics': {
        if (options.metrics === undefined) {
          sendError(res, 'not-found', 'metrics are not enabled');
          return;
        }
        const text = renderMetrics({ ...options.metrics(), liveClients: live.count() });
        res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      case 'prove':
        answerProve(req, res, ctx.token, route.params, cors);
        return;
      case 'pair-exchange':
        await answerPairExchange(req, res, ctx.token, exchange);
        return;
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
  const servers = await listenOnLoopback(makeServer, { port: options.port, ipv6: options.ipv6 !== false, onPort: (bound) => (port = bound) });

  const url = `http://127.0.0.1:${port}`;
  const addresses = servers.map((s) => (s.address() as AddressInfo).address);
  log.info('listening', { url, addresses: addresses.join(' ') });
  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    addresses,
    liveClients: () => live.count(),
    issuePairingCode: () => pairingCodes.issue(),
    close() {
      closing ??= (async () => {
        live.endAll();
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

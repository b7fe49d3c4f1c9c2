// The request guard: every check a request's head must pass before anything else runs, in one place.
// Local does not mean safe: any web page the user opens can send requests to 127.0.0.1, and a DNS
// rebinding attack can make the browser treat our port as the page's own origin. So:
//   Host must name this server (localhost / 127.0.0.1 / [::1] with our port),
//   Origin, when present, must be our own (or an extension's, for the extension endpoint only),
//   paths are decoded once and refused if they try to leave their folder,
//   writes are POST with a JSON content type (a page cannot send that without a CORS preflight,
//   which we never grant to web origins),
//   every read and write of data (the API, the live feed, /metrics, the extension's endpoints) carries
//   the pairing token: loopback is shared by every account on the machine, so without it any local
//   user would read the whole history. Token-less are only the static dashboard files, the server's
//   proof that it knows the token (handshake.ts) and the one-time pairing-code exchange.
import type { IncomingHttpHeaders } from 'node:http';
import { isApiChannel, type ApiChannel } from '../../src-shared/contract/channels.js';
import { BROWSER_ACTIVE_TAB_PATH, BROWSER_BYTES_PATH, PAIRING_TOKEN_HEADER } from '../../src-shared/contract/http.js';
import { API_CHANNELS } from '../../src-shared/contract/schemas.js';
import { assertNever, type ApiErrorCode } from '../../src-shared/contract/types.js';
import { AUTH_PROVE_PATH, PAIR_EXCHANGE_PATH } from '../../src-shared/handshake.js';
import { tokensEqual } from './pairing.js';

/** The HTTP status of each API error code. */
export const STATUS_OF: Readonly<Record<ApiErrorCode, number>> = {
  'bad-request': 400,
  unauthorized: 401,
  'forbidden-origin': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  // 421 Misdirected Request: this server does not answer for the host named (RFC 9110 §15.5.20).
  'forbidden-host': 421,
  'rate-limited': 429,
  internal: 500,
  unavailable: 503,
};

/** Where an admitted request goes. */
export type Route =
  | { kind: 'api'; channel: ApiChannel; write: boolean; params: Record<string, string> }
  | { kind: 'extension'; endpoint: 'active-tab' | 'bytes' }
  | { kind: 'preflight' }
  | { kind: 'live' }
  | { kind: 'metrics' }
  | { kind: 'prove'; params: Record<string, string> }
  | { kind: 'pair-exchange' }
  | { kind: 'static'; segments: string[] };

/** What the guard knows about the server. */
export interface GuardContext {
  /** The port the server listens on (the Host header must name it). */
  port: number;
  /** The pairing token every API request must carry. */
  token: string;
  /** Largest request body accepted, in bytes. */
  bodyLimit: number;
  /** Whether static files are served (otherwise unknown paths are 404 without a look). */
  hasStatic: boolean;
}

/** The parts of a request the guard looks at. */
export interface RequestHead {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

/** A request the guard let through, with the origin to echo in CORS headers (extensions only). */
export interface Admitted {
  ok: true;
  route: Route;
  corsOrigin: string | null;
}

/** A request the guard refused: the status, the coded error, and headers to send with it. */
export interface Refused {
  ok: false;
  status: number;
  code: ApiErrorCode;
  message: string;
  headers: Record<string, string>;
}

/** The endpoint the browser extension posts its active tab to. */
export const EXTENSION_ACTIVE_TAB_PATH = BROWSER_ACTIVE_TAB_PATH;
/** The endpoint the browser extension posts its per-host byte counts to. */
export const EXTENSION_BYTES_PATH = BROWSER_BYTES_PATH;

const EXTENSION_ORIGIN = /^(?:moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|chrome-extension:\/\/[a-p]{32})$/;
const MAX_URL = 4096;

function refuse(code: ApiErrorCode, message: string, headers: Record<string, string> = {}): Refused {
  return { ok: false, status: STATUS_OF[code], code, message, headers };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The Host values this server answers to. */
export function allowedHosts(port: number): Set<string> {
  const hosts = new Set([`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`]);
  // A client omits the port when it is the scheme's default.
  if (port === 80) for (const h of ['localhost', '127.0.0.1', '[::1]']) hosts.add(h);
  return hosts;
}

type OriginKind = 'none' | 'self' | 'extension' | 'foreign';

/** Sorts an Origin header: absent, this server's own, a browser extension's, or anything else. */
export function classifyOrigin(origin: string | undefined, port: number): OriginKind {
  if (origin === undefined) return 'none';
  const lower = origin.toLowerCase();
  if (lower === `http://127.0.0.1:${port}` || lower === `http://localhost:${port}` || lower === `http://[::1]:${port}`) return 'self';
  if (EXTENSION_ORIGIN.test(origin)) return 'extension';
  // Includes "null" (sandboxed frames, file: pages, redirects): it cannot be told apart from an attacker.
  return 'foreign';
}

/** Decodes a raw path into segments, or refuses it when it is malformed or tries to climb out. */
export function decodePath(rawPath: string): { ok: true; segments: string[] } | { ok: false; message: string } {
  if (!rawPath.startsWith('/')) return { ok: false, message: 'request target must be a path starting with /' };
  if (rawPath.includes('\\')) return { ok: false, message: 'backslashes are not allowed in paths' };
  const segments: string[] = [];
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return { ok: false, message: 'malformed percent-encoding in path' };
    }
    // Checked after decoding, so %2e%2e, %2f and %5c are caught as well as their plain forms.
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) {
      return { ok: false, message: 'path traversal refused' };
    }
    segments.push(segment);
  }
  return { ok: true, segments };
}

function parseParams(query: string): { ok: true; params: Record<string, string> } | { ok: false; message: string } {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) {
    if (Object.hasOwn(params, key)) return { ok: false, message: `parameter ${key} is given more than once` };
    params[key] = value;
  }
  return { ok: true, params };
}

function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...rest] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return rest.every((param) => param === '' || param === 'charset=utf-8' || param === 'charset="utf-8"');
}

function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const direct = single(headers[PAIRING_TOKEN_HEADER])?.trim();
  if (direct !== undefined && direct !== '') return direct;
  const auth = single(headers.authorization);
  const bearer = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return bearer?.[1];
}

const [PROVE_SECOND, PROVE_THIRD] = AUTH_PROVE_PATH.split('/').slice(2);
const [EXCHANGE_SECOND, EXCHANGE_THIRD] = PAIR_EXCHANGE_PATH.split('/').slice(2);

function routeOf(segments: string[], rawQuery: string, hasStatic: boolean): { ok: true; route: Route } | Refused {
  const [first, second, third, ...more] = segments;
  if (first === 'api') {
    if (second === PROVE_SECOND && third === PROVE_THIRD && more.length === 0) {
      const parsed = parseParams(rawQuery);
      if (!parsed.ok) return refuse('bad-request', parsed.message);
      return { ok: true, route: { kind: 'prove', params: parsed.params } };
    }
    if (second === EXCHANGE_SECOND && third === EXCHANGE_THIRD && more.length === 0) return { ok: true, route: { kind: 'pair-exchange' } };
    if (second === 'v1' && third !== undefined && more.length === 0) {
      if (third === 'live') return { ok: true, route: { kind: 'live' } };
      if (isApiChannel(third)) {
        const write = API_CHANNELS[third].kind === 'command';
        const parsed = parseParams(rawQuery);
        if (!parsed.ok) return refuse('bad-request', parsed.message);
        return { ok: true, route: { kind: 'api', channel: third, write, params: parsed.params } };
      }
    }
    if (second === 'browser' && third === 'active-tab' && more.length === 0) return { ok: true, route: { kind: 'extension', endpoint: 'active-tab' } };
    if (second === 'browser' && third === 'bytes' && more.length === 0) return { ok: true, route: { kind: 'extension', endpoint: 'bytes' } };
    return refuse('not-found', `no such endpoint: /${segments.join('/')} (the API lives under /api/v1/<area:verb>)`);
  }
  if (first === 'metrics' && segments.length === 1) return { ok: true, route: { kind: 'metrics' } };
  if (!hasStatic) return refuse('not-found', `nothing at /${segments.join('/')}`);
  return { ok: true, route: { kind: 'static', segments } };
}

function allowedMethods(route: Route): string[] {
  switch (route.kind) {
    case 'api':
      return route.write ? ['POST'] : ['GET'];
    case 'extension':
      return ['POST', 'OPTIONS'];
    case 'preflight':
      return ['OPTIONS'];
    case 'live':
    case 'metrics':
    case 'prove':
      return ['GET'];
    case 'pair-exchange':
      return ['POST'];
    case 'static':
      return ['GET', 'HEAD'];
    default:
      return assertNever(route, 'route');
  }
}

/** Whether a route needs the pairing token: everything that reads or writes data. */
export function needsToken(route: Route): boolean {
  switch (route.kind) {
    case 'api':
    case 'extension':
    case 'live':
    case 'metrics':
      return true;
    case 'preflight':
    case 'prove':
    case 'pair-exchange':
    case 'static':
      return false;
    default:
      return assertNever(route, 'route');
  }
}

/** Checks a request's head; the server acts only on what this admits. */
export function guardRequest(req: RequestHead, ctx: GuardContext): Admitted | Refused {
  const host = single(req.headers.host)?.toLowerCase();
  if (host === undefined || !allowedHosts(ctx.port).has(host)) {
    return refuse('forbidden-host', `Host ${JSON.stringify(host ?? '')} is not this server; use http://127.0.0.1:${ctx.port} (requests for other host names are refused against DNS rebinding)`);
  }

  const url = req.url ?? '';
  if (url.length > MAX_URL) return refuse('bad-request', `request target longer than ${MAX_URL} characters`);
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const rawQuery = queryAt === -1 ? '' : url.slice(queryAt + 1);
  const decoded = decodePath(rawPath);
  if (!decoded.ok) return refuse('bad-request', decoded.message);

  const origin = single(req.headers.origin);
  const originKind = classifyOrigin(origin, ctx.port);
  const routed = routeOf(decoded.segments, rawQuery, ctx.hasStatic);
  // Decided on the decoded route, so /api/browser/%61ctive-tab is the extension's path too.
  const isExtensionPath = routed.ok && routed.route.kind === 'extension';
  // The extension asks the server's proof too, before it sends anything else.
  const extensionMayAsk = routed.ok && routed.route.kind === 'prove';
  if (isExtensionPath) {
    if (originKind !== 'extension') {
      return refuse('forbidden-origin', `only the netmon browser extension may call ${rawPath} (Origin ${JSON.stringify(origin ?? '(none)')} refused)`);
    }
  } else {
    if (originKind === 'foreign' || (originKind === 'extension' && !extensionMayAsk)) {
      return refuse('forbidden-origin', `cross-origin requests are refused (Origin ${JSON.stringify(origin)})`);
    }
    // Fetch metadata tells even requests that carry no Origin (a GET from a foreign page's <img>).
    const site = single(req.headers['sec-fetch-site']);
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return refuse('forbidden-origin', `cross-site requests are refused (Sec-Fetch-Site: ${site})`);
    }
  }

  const corsOrigin = originKind === 'extension' && origin !== undefined ? origin : null;
  // From here on the caller is one we answer; the extension must be able to read why it was refused.
  const cors: Record<string, string> = corsOrigin === null ? {} : { 'Access-Control-Allow-Origin': corsOrigin, Vary: 'Origin' };
  const deny = (code: ApiErrorCode, message: string, headers: Record<string, string> = {}): Refused => refuse(code, message, { ...cors, ...headers });
  if (!routed.ok) return { ...routed, headers: { ...cors, ...routed.headers } };
  const method = (req.method ?? '').toUpperCase();
  const route: Route = method === 'OPTIONS' && routed.route.kind === 'extension' ? { kind: 'preflight' } : routed.route;
  const allowed = allowedMethods(routed.route);
  if (!allowed.includes(method)) {
    return deny('method-not-allowed', `${method || '(none)'} is not allowed here; use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });
  }
  if (route.kind === 'preflight') return { ok: true, route, corsOrigin };

  const write = (route.kind === 'api' && route.write) || route.kind === 'extension' || route.kind === 'pair-exchange';
  if (write) {
    if (rawQuery !== '') return deny('bad-request', 'writes take their parameters in the JSON body, not the query string');
    if (!isJsonContentType(single(req.headers['content-type']))) {
      return deny('unsupported-media-type', 'writes need Content-Type: application/json (form and text bodies are refused)');
    }
    const length = single(req.headers['content-length']);
    if (length !== undefined && Number(length) > ctx.bodyLimit) {
      return deny('payload-too-large', `request body larger than ${ctx.bodyLimit} bytes`);
    }
  }
  if (needsToken(route)) {
    const token = presentedToken(req.headers);
    if (token === undefined || token === '') {
      return deny('unauthorized', `pairing token missing: send it in the ${PAIRING_TOKEN_HEADER} header or as Authorization: Bearer (netmon serve prints the pairing link; the token is in the data folder's pairing-token file)`, {
        'WWW-Authenticate': 'Bearer realm="netmon"',
      });
    }
    if (!tokensEqual(token, ctx.token)) {
      return deny('unauthorized', 'pairing token does not match: pair the client again from netmon\'s settings', {
        'WWW-Authenticate': 'Bearer realm="netmon", error="invalid_token"',
      });
    }
  }
  return { ok: true, route, corsOrigin };
}

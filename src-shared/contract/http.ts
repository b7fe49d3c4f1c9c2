// The contract as it travels over HTTP: paths, header names, the default port and how a channel's
// request becomes a request line. No dependency but the channel table: the renderer's HTTP client and
// the browser extension import these values instead of redeclaring them (nothing here pulls zod).
import { CHANNEL_KINDS, type ApiChannel } from './channels.js';

/** netmon's default port (`netmon serve --port`, config `web_server_port`). */
export const DEFAULT_PORT = 7500;

/** Where the API's channels live: `/api/v1/<area:verb>`. */
export const API_PATH_PREFIX = '/api/v1/';
/** The live feed (server-sent events). */
export const LIVE_PATH = '/api/v1/live';

/** The extension's endpoint for the active tab. */
export const BROWSER_ACTIVE_TAB_PATH = '/api/browser/active-tab';
/** The extension's endpoint for what the browser fetched, per host and server address. */
export const BROWSER_BYTES_PATH = '/api/browser/bytes';
/** Most entries in one `POST /api/browser/bytes` (keeps a report under the 16 KiB body limit). */
export const MAX_BROWSER_BYTES_ENTRIES = 64;

/** The header that carries the pairing token on every request, reads included (`Authorization: Bearer TOKEN` works too). */
export const PAIRING_TOKEN_HEADER = 'x-netmon-token';

/** The fragment key under which `netmon serve` hands the pairing token to the dashboard it prints (`/#pair=TOKEN`). */
export const PAIRING_FRAGMENT_KEY = 'pair';

// application/x-www-form-urlencoded, as URLSearchParams writes it (src-shared has neither DOM nor Node
// types): everything but letters, digits and `*-._` escaped, a space as `+`.
function formEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * The query string of a GET request (`?a=1&b=x`, '' for none): every defined field, as text. A value
 * that is not a string, number or boolean cannot travel in a query and is refused with a TypeError.
 */
export function queryString(request: object): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(request) as Array<[string, unknown]>) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError(`parameter ${key} must be a string, number or boolean`);
    }
    pairs.push(`${formEncode(key)}=${formEncode(String(value))}`);
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** One channel's request as HTTP carries it. */
export interface HttpRequestLine {
  method: 'GET' | 'POST';
  /** Path and query string, under the server's origin. */
  path: string;
  /** The JSON body of a command; null for a query. */
  body: string | null;
}

/** How a channel's request travels: GET with a query string for queries, POST with JSON for commands. Throws a TypeError as `queryString` does. */
export function httpRequestOf(channel: ApiChannel, request: object): HttpRequestLine {
  const path = `${API_PATH_PREFIX}${channel}`;
  if (CHANNEL_KINDS[channel] === 'command') return { method: 'POST', path, body: JSON.stringify(request) };
  return { method: 'GET', path: path + queryString(request), body: null };
}

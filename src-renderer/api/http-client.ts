// The HTTP transport: queries are GET /api/v1/<channel>?params, commands are POST with a JSON body,
// the live feed is server-sent events on /api/v1/live (read over fetch, so it can carry the token).
// The page is served by the same server, so its requests are same-origin and pass the guard; every
// request carries the pairing token (guard.ts): without it netmon answers 401 and the page asks to pair.
import type { ApiChannel, ApiRequest, ApiResponses, PAIRING_TOKEN_HEADER } from '../../src-shared/api.js';
import type { Result } from '../../src-shared/result.js';
import { CHANNEL_KINDS, clientError, isResultShape, parseLiveData, type ApiClient, type LiveHandlers } from './client.js';
import { FetchEventSource, type LiveSourceLike } from './fetch-event-source.js';
import type { TokenStore } from './pairing.js';

/**
 * The header the guard reads the pairing token from: src-shared's PAIRING_TOKEN_HEADER, checked at
 * compile time (importing the value would pull zod, about 26 KB gzipped, into the bundle).
 */
export const TOKEN_HEADER: typeof PAIRING_TOKEN_HEADER = 'x-netmon-token';

/** What the HTTP client needs from its environment (injected so tests can drive it). */
export interface HttpClientOptions {
  /** Origin and path prefix of the server, e.g. `http://127.0.0.1:7500` (no trailing slash); '' for same origin. */
  baseUrl: string;
  tokens: TokenStore;
  fetch?: typeof fetch;
  /** Called when netmon refused the token this client sent (rotated, or never right). */
  onUnauthorized?: () => void;
  /** Opens the live feed; `headers` is asked on each (re)connection. Default: server-sent events over fetch. */
  eventSource?: (url: string, headers: () => Record<string, string>) => LiveSourceLike;
}

/** The query string of a GET request: every defined field, as text. */
export function queryString(request: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params.set(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** Creates the client for a dashboard served over HTTP. */
export function createHttpClient(options: HttpClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const openSource = options.eventSource ?? ((url: string, headers: () => Record<string, string>) => new FetchEventSource(url, headers, doFetch));
  const tokenHeaders = (): Record<string, string> => {
    const token = options.tokens.get();
    return token === null ? {} : { [TOKEN_HEADER]: token };
  };
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call<K extends ApiChannel>(channel: K, request: ApiRequest<K>): Promise<Result<ApiResponses[K]>> {
    const kind = CHANNEL_KINDS[channel];
    const url = `${base}/api/v1/${channel}`;
    let response: Response;
    try {
      if (kind === 'query') {
        response = await doFetch(url + queryString(request), { headers: { Accept: 'application/json', ...tokenHeaders() } });
      } else {
        const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', ...tokenHeaders() };
        response = await doFetch(url, { method: 'POST', headers, body: JSON.stringify(request) });
      }
    } catch (err) {
      return clientError('unavailable', `cannot reach netmon (${err instanceof Error ? err.message : String(err)})`);
    }
    if (response.status === 401 && options.tokens.get() !== null) options.onUnauthorized?.();
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return clientError('internal', `netmon answered ${response.status} without a JSON body`);
    }
    if (!isResultShape(body)) return clientError('internal', `netmon answered ${response.status} with an unexpected body`);
    return body as Result<ApiResponses[K]>;
  }

  function subscribeLive(handlers: LiveHandlers): () => void {
    const source = openSource(`${base}/api/v1/live`, tokenHeaders);
    handlers.onConnection?.('connecting');
    // Named SSE events arrive as MessageEvents; typed as plain Events so DOM and Node typings agree.
    const onFrame = (name: 'rate' | 'status') => (ev: Event) => {
      if (!('data' in ev) || typeof ev.data !== 'string') return;
      const message = parseLiveData(name, ev.data);
      if (message !== null) handlers.onEvent(message);
    };
    const onRate = onFrame('rate');
    const onStatus = onFrame('status');
    source.addEventListener('rate', onRate);
    source.addEventListener('status', onStatus);
    // The source reconnects by itself (the server asks for 5 s); the status line only says so.
    source.onopen = () => handlers.onConnection?.('open');
    source.onerror = () => handlers.onConnection?.('reconnecting');
    return () => {
      source.removeEventListener('rate', onRate);
      source.removeEventListener('status', onStatus);
      source.close();
    };
  }

  return {
    call,
    subscribeLive,
    canWrite: () => options.tokens.get() !== null,
    pairingToken: () => Promise.resolve(options.tokens.get()),
    pairable: true,
    pair: (token) => options.tokens.set(token),
  };
}

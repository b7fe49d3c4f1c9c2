// The HTTP transport: queries are GET /api/v1/<channel>?params, commands are POST with a JSON body,
// the live feed is server-sent events on /api/v1/live (read over fetch, so it can carry the token).
// The page is served by the same server, so its requests are same-origin and pass the guard; every
// request carries the pairing token (guard.ts): without it netmon answers 401 and the page asks to pair.
import type { ApiChannel } from '../../src-shared/contract/channels.js';
import { httpRequestOf, LIVE_PATH, PAIRING_TOKEN_HEADER } from '../../src-shared/contract/http.js';
import type { ApiRequest } from '../../src-shared/contract/schemas.js';
import { failure, isResult, type ApiResponses, type Result } from '../../src-shared/contract/types.js';
import { parseLiveData, type ApiClient, type LiveHandlers } from './client.js';
import { FetchEventSource, type LiveSourceLike } from './fetch-event-source.js';
import type { TokenStore } from './pairing.js';

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

/** Creates the client for a dashboard served over HTTP. */
export function createHttpClient(options: HttpClientOptions): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const openSource = options.eventSource ?? ((url: string, headers: () => Record<string, string>) => new FetchEventSource(url, headers, doFetch));
  const tokenHeaders = (): Record<string, string> => {
    const token = options.tokens.get();
    return token === null ? {} : { [PAIRING_TOKEN_HEADER]: token };
  };
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call<K extends ApiChannel>(channel: K, request: ApiRequest<K>): Promise<Result<ApiResponses[K]>> {
    let line;
    try {
      line = httpRequestOf(channel, request);
    } catch (err) {
      // A request field that cannot travel in a query string (an object, say): refused here, not dropped.
      return failure('bad-request', `${channel}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let response: Response;
    try {
      if (line.body === null) {
        response = await doFetch(base + line.path, { headers: { Accept: 'application/json', ...tokenHeaders() } });
      } else {
        const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json', ...tokenHeaders() };
        response = await doFetch(base + line.path, { method: line.method, headers, body: line.body });
      }
    } catch (err) {
      return failure('unavailable', `cannot reach netmon (${err instanceof Error ? err.message : String(err)})`);
    }
    if (response.status === 401 && options.tokens.get() !== null) options.onUnauthorized?.();
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return failure('internal', `netmon answered ${response.status} without a JSON body`);
    }
    if (!isResult(body)) return failure('internal', `netmon answered ${response.status} with an unexpected body`);
    return body as Result<ApiResponses[K]>;
  }

  function subscribeLive(handlers: LiveHandlers): () => void {
    const source = openSource(base + LIVE_PATH, tokenHeaders);
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
    startAtLogin: null,
  };
}

// The one way page code reaches the engine. Two transports implement it: HTTP + server-sent events
// (the dashboard in a browser, served by `netmon serve`) and the Electron preload bridge. Pages get
// an `ApiClient` from context and never learn which one they hold.
import type { ApiChannel, ApiRequest, ApiResponses, LiveEvents } from '../../src-shared/api.js';
import type { Result } from '../../src-shared/result.js';

/** One event of the live feed, as every transport delivers it. */
export type LiveMessage = { [K in keyof LiveEvents]: { event: K; data: LiveEvents[K] } }[keyof LiveEvents];

/** The live feed's connection, for the status line. */
export type LiveConnection = 'connecting' | 'open' | 'reconnecting';

/** What a live subscriber is told. */
export interface LiveHandlers {
  onEvent(message: LiveMessage): void;
  onConnection?(state: LiveConnection): void;
}

/** How page code talks to the engine, whatever carries the calls. */
export interface ApiClient {
  /** Calls one channel of the contract; failures (network included) come back as `{ ok: false }`, never thrown. */
  call<K extends ApiChannel>(channel: K, request: ApiRequest<K>): Promise<Result<ApiResponses[K]>>;
  /** Subscribes to the live feed; returns the unsubscribe function. */
  subscribeLive(handlers: LiveHandlers): () => void;
  /** Whether commands (settings, pause, purge) can be sent now; false until an HTTP dashboard is paired. */
  canWrite(): boolean;
  /** The pairing token, when this client knows it (shown in the settings for pairing the extension). */
  pairingToken(): Promise<string | null>;
  /** Whether writes depend on a token the user brings (so the page offers pairing); false over IPC. */
  readonly pairable: boolean;
  /** Remembers a token the user pasted (null forgets it); transports that need none ignore it. */
  pair(token: string | null): void;
}

/** Each channel's kind (query → GET, command → POST), from the zod-free part of the contract. */
export { CHANNEL_KINDS } from '../../src-shared/channels.js';

/** A failed call, built on the client side (the engine could not be reached or answered nonsense). */
export function clientError(code: string, message: string): { ok: false; error: { code: string; message: string } } {
  return { ok: false, error: { code, message } };
}

/** True when `value` has the shape of a `Result` (the boundary check on every answer). */
export function isResultShape(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'value' in value;
  if (value.ok !== false || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string';
}

/** Parses one live-feed frame's data; null when it is not JSON or names an unknown event. */
export function parseLiveData(event: string, data: string): LiveMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  switch (event) {
    case 'rate':
      return 'ts' in parsed && typeof parsed.ts === 'number' && 'bytesInPerS' in parsed && typeof parsed.bytesInPerS === 'number'
        ? { event: 'rate', data: parsed as LiveEvents['rate'] }
        : null;
    case 'status':
      return 'sampler' in parsed && 'pause' in parsed ? { event: 'status', data: parsed as LiveEvents['status'] } : null;
    default:
      return null;
  }
}

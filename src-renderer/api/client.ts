// The one way page code reaches the engine. Two transports implement it: HTTP + server-sent events
// (the dashboard in a browser, served by `netmon serve`) and the Electron preload bridge. Pages get
// an `ApiClient` from context and never learn which one they hold.
import type { ApiChannel } from '../../src-shared/contract/channels.js';
import type { NetmonBridge } from '../../src-shared/contract/ipc.js';
import type { ApiRequest } from '../../src-shared/contract/schemas.js';
import type { ApiResponses, LiveEvent, LiveEvents, Result } from '../../src-shared/contract/types.js';

/** The live feed's connection, for the status line. */
export type LiveConnection = 'connecting' | 'open' | 'reconnecting';

/** What a live subscriber is told. */
export interface LiveHandlers {
  onEvent(message: LiveEvent): void;
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
  /** Start at login, where the app can do it (the Electron shell); null in a browser. */
  readonly startAtLogin: NetmonBridge['startAtLogin'] | null;
}

/** Parses one live-feed frame's data; null when it is not JSON or names an unknown event. */
export function parseLiveData(event: string, data: string): LiveEvent | null {
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

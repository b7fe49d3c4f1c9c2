// The Electron transport: the preload script exposes one object, `window.netmon`, with one function
// per channel (the contract's `ApiClient` map), a live-feed subscription and the pairing token.
// The preload itself belongs to the Electron shell; this is the shape the renderer expects of it.
import type { ApiChannel, ApiClient as ChannelFunctions, ApiRequest, ApiResponses } from '../../src-shared/api.js';
import type { Result } from '../../src-shared/result.js';
import { clientError, isResultShape, type ApiClient, type LiveMessage } from './client.js';

/** What the Electron preload exposes as `window.netmon` (checked there with `satisfies NetmonBridge`). */
export interface NetmonBridge {
  /** One async function per channel, errors as values. */
  api: ChannelFunctions;
  /** Calls `listener` for every live event; returns the unsubscribe function. */
  onLive(listener: (message: LiveMessage) => void): () => void;
  /** The pairing token, for the settings page (the shell reads it from the data folder). */
  pairingToken(): Promise<string | null>;
}

/** True when `value` looks like the preload's bridge (the check the transport choice relies on). */
export function isNetmonBridge(value: unknown): value is NetmonBridge {
  return (
    typeof value === 'object' &&
    value !== null &&
    'api' in value &&
    typeof value.api === 'object' &&
    'onLive' in value &&
    typeof value.onLive === 'function' &&
    'pairingToken' in value &&
    typeof value.pairingToken === 'function'
  );
}

/** Creates the client over the preload bridge; IPC needs no token, so writes are always possible. */
export function createBridgeClient(bridge: NetmonBridge): ApiClient {
  async function call<K extends ApiChannel>(channel: K, request: ApiRequest<K>): Promise<Result<ApiResponses[K]>> {
    // The map's functions differ per channel; TypeScript cannot tie K's function to K's request.
    const fn = bridge.api[channel] as unknown as ((req: ApiRequest<K>) => Promise<unknown>) | undefined;
    if (typeof fn !== 'function') return clientError('not-found', `the app does not offer ${channel}`);
    try {
      const result = await fn(request);
      return isResultShape(result) ? (result as Result<ApiResponses[K]>) : clientError('internal', `${channel} answered with an unexpected value`);
    } catch (err) {
      return clientError('unavailable', `${channel} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    call,
    subscribeLive(handlers) {
      // IPC is up as long as the window is: there is no reconnecting to report.
      handlers.onConnection?.('open');
      return bridge.onLive((message) => handlers.onEvent(message));
    },
    canWrite: () => true,
    pairingToken: () => bridge.pairingToken(),
    pairable: false,
    pair: () => undefined,
  };
}

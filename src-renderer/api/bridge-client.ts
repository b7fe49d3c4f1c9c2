// The Electron transport: the preload script exposes one object, `window.netmon` (the contract's
// `NetmonBridge`, src-shared/contract/ipc.ts), with one function per channel, a live-feed
// subscription, the pairing token and start at login.
import type { ApiChannel } from '../../src-shared/contract/channels.js';
import type { NetmonBridge } from '../../src-shared/contract/ipc.js';
import type { ApiRequest } from '../../src-shared/contract/schemas.js';
import { failure, isResult, type ApiResponses, type Result } from '../../src-shared/contract/types.js';
import type { ApiClient } from './client.js';

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
    if (typeof fn !== 'function') return failure('not-found', `the app does not offer ${channel}`);
    try {
      const result = await fn(request);
      return isResult(result) ? (result as Result<ApiResponses[K]>) : failure('internal', `${channel} answered with an unexpected value`);
    } catch (err) {
      return failure('unavailable', `${channel} failed: ${err instanceof Error ? err.message : String(err)}`);
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
    startAtLogin: bridge.startAtLogin,
  };
}

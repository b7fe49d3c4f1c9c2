// The object the preload exposes, built over the part of `ipcRenderer` it needs. Kept apart from
// preload.ts (which only wires Electron in) so that it can be tested with a plain fake; bundled
// with it into one CommonJS file, since a sandboxed preload can require nothing but `electron`.
import type { ApiChannel, ApiClient } from '../../src-shared/api.js';
import type { Result } from '../../src-shared/result.js';
import type { LiveEvent } from '../api/live.js';
import {
  API_INVOKE_CHANNELS,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResult,
  type NetmonBridge,
  type PushChannel,
  type SendChannel,
  type StartAtLogin,
} from './ipc-contract.js';

/** The part of Electron's `ipcRenderer` the bridge uses (Electron's own object satisfies it). */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function failure(code: string, message: string): { ok: false; error: { code: string; message: string } } {
  return { ok: false, error: { code, message } };
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'value' in value;
  if (value.ok !== false || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' && 'message' in error && typeof error.message === 'string';
}

/** The typed wrapper over `ipcRenderer.invoke`: the only way the bridge reaches the shell. */
export async function invokeChannel<K extends InvokeChannel>(ipc: RendererIpc, channel: K, request: InvokeRequest<K>): Promise<InvokeResult<K>> {
  try {
    const answer = await ipc.invoke(channel, request);
    // The shell answers every channel with a Result; anything else means the two sides disagree.
    return isResult(answer) ? (answer as InvokeResult<K>) : failure('internal', `${channel} answered with something that is not a result`);
  } catch (err) {
    return failure('unavailable', `${channel} did not reach the app: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function sendChannel(ipc: RendererIpc, channel: SendChannel): void {
  ipc.send(channel);
}

const LIVE_EVENT: PushChannel = 'live:event';

function isLiveEvent(value: unknown): value is LiveEvent {
  return (
    typeof value === 'object' &&
    value !== null &&
    'event' in value &&
    (value.event === 'rate' || value.event === 'status') &&
    'data' in value &&
    typeof value.data === 'object' &&
    value.data !== null
  );
}

/** Builds `window.netmon` over `ipc`. */
export function createBridge(ipc: RendererIpc): NetmonBridge {
  const api: Partial<Record<ApiChannel, (request: unknown) => Promise<Result<unknown>>>> = {};
  for (const channel of Object.keys(API_INVOKE_CHANNELS) as ApiChannel[]) {
    api[channel] = (request) => invokeChannel(ipc, channel, request as InvokeRequest<typeof channel>);
  }

  // One IPC listener and one subscription for however many listeners the page adds.
  const listeners = new Set<(message: LiveEvent) => void>();
  const relay = (_event: unknown, payload: unknown): void => {
    if (!isLiveEvent(payload)) return;
    for (const listener of [...listeners]) {
      try {
        listener(payload);
      } catch {
        // A page's listener that throws must not keep the others from the event.
      }
    }
  };

  const bridge = {
    // Built channel by channel from the exhaustive list above; the map type cannot follow the loop.
    api: api as ApiClient,
    onLive(listener: (message: LiveEvent) => void): () => void {
      const first = listeners.size === 0;
      listeners.add(listener);
      if (first) {
        ipc.on(LIVE_EVENT, relay);
        sendChannel(ipc, 'live:subscribe');
      }
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        listeners.delete(listener);
        if (listeners.size === 0) {
          ipc.removeListener(LIVE_EVENT, relay);
          sendChannel(ipc, 'live:unsubscribe');
        }
      };
    },
    async pairingToken(): Promise<string | null> {
      const result = await invokeChannel(ipc, 'pairing:token', {});
      return result.ok ? result.value : null;
    },
    startAtLogin: {
      get: (): Promise<Result<StartAtLogin>> => invokeChannel(ipc, 'login-item:get', {}),
      set: (enabled: boolean): Promise<Result<StartAtLogin>> => invokeChannel(ipc, 'login-item:set', { enabled }),
    },
  } satisfies NetmonBridge;
  return bridge;
}

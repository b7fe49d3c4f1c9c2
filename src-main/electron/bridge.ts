// The object the preload exposes, built over the part of `ipcRenderer` it needs. Kept apart from
// preload.ts (which only wires Electron in) so that it can be tested with a plain fake; bundled
// with it into one CommonJS file, since a sandboxed preload can require nothing but `electron`.
import { API_CHANNEL_NAMES } from '../../src-shared/contract/channels.js';
import type { InvokeChannel, InvokeRequest, InvokeResult, NetmonBridge, PushChannel, SendChannel, StartAtLogin } from '../../src-shared/contract/ipc.js';
import { failure, isResult, type ChannelFunctions, type LiveEvent, type Result } from '../../src-shared/contract/types.js';

/** The part of Electron's `ipcRenderer` the bridge uses (Electron's own object satisfies it). */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
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
  const api: Partial<Record<InvokeChannel, (request: unknown) => Promise<Result<unknown>>>> = {};
  for (const channel of API_CHANNEL_NAMES) {
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
    api: api as ChannelFunctions,
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

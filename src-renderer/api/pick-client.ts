// Picks the transport once, at start-up: the preload bridge when the Electron shell exposed one,
// HTTP to the page's own origin otherwise.
import { createBridgeClient, isNetmonBridge } from './bridge-client.js';
import type { ApiClient } from './client.js';
import { createHttpClient } from './http-client.js';
import { createTokenStore, takePairToken } from './pairing.js';

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The client for this window; a `pair=` token in the URL is stored and removed from the address bar. */
export function pickClient(): ApiClient {
  const bridge: unknown = (window as Window & { netmon?: unknown }).netmon;
  if (isNetmonBridge(bridge)) return createBridgeClient(bridge);
  const tokens = createTokenStore(safeStorage());
  const { token, hash } = takePairToken(window.location.hash);
  if (hash !== window.location.hash) {
    if (token !== null) tokens.set(token);
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash === '' ? '#/overview' : hash}`);
  }
  return createHttpClient({ baseUrl: '', tokens });
}

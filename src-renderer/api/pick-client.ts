// Picks the transport once, at start-up: the preload bridge when the Electron shell exposed one,
// HTTP to the page's own origin otherwise. A pairing link's token (`#pair=`) or one-time code
// (`#paircode=`) is taken out of the address bar and kept only once the server proved it knows it.
import { PAIRING_CODE_FRAGMENT_KEY } from '../../src-shared/handshake.js';
import { createBridgeClient, isNetmonBridge } from './bridge-client.js';
import type { ApiClient } from './client.js';
import { createHttpClient } from './http-client.js';
import { createTokenStore, takeHashParam, takePairToken, type TokenStore } from './pairing.js';
import { exchangePairingCode, serverKnowsToken } from './server-proof.js';

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The client for this window, and what became of a pairing link in its address (null: none, or it paired). */
export interface PickedClient {
  client: ApiClient;
  pairingProblem: string | null;
}

async function pairFromLink(tokens: TokenStore): Promise<string | null> {
  const doFetch: typeof fetch = (input, init) => fetch(input, init);
  const host = window.location.host;
  const withToken = takePairToken(window.location.hash);
  const withCode = takeHashParam(withToken.hash, PAIRING_CODE_FRAGMENT_KEY);
  if (withCode.hash === window.location.hash) return null;
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${withCode.hash === '' ? '#/overview' : withCode.hash}`);
  if (withToken.token !== null) {
    if (await serverKnowsToken(doFetch, '', host, withToken.token)) {
      tokens.set(withToken.token);
      return null;
    }
    return 'the server on this port could not prove it knows the token in the link, so it was not kept (is netmon running on this port?)';
  }
  if (withCode.value !== null) {
    const exchanged = await exchangePairingCode(doFetch, '', host, withCode.value);
    if (exchanged.ok) {
      tokens.set(exchanged.token);
      return null;
    }
    return exchanged.message;
  }
  return 'the pairing link holds no valid token';
}

/** The client for this window, after any pairing link in the address was dealt with. */
export async function pickClient(): Promise<PickedClient> {
  const bridge: unknown = (window as Window & { netmon?: unknown }).netmon;
  if (isNetmonBridge(bridge)) return { client: createBridgeClient(bridge), pairingProblem: null };
  const tokens = createTokenStore(safeStorage());
  const pairingProblem = await pairFromLink(tokens);
  // A token netmon no longer takes (`netmon token rotate`) is forgotten, and the page asks to pair again.
  const onUnauthorized = (): void => {
    tokens.set(null);
    window.location.reload();
  };
  return { client: createHttpClient({ baseUrl: '', tokens, onUnauthorized }), pairingProblem };
}

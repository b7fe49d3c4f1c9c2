// The one part of a URL that ever leaves the extension: its hostname. Paths, queries, fragments,
// ports and credentials are dropped here, before anything is counted or queued.

/** The host access the extension needs (the manifest's host_permissions; the build test keeps them equal). */
export const SITE_ORIGINS = ['*://*/*', 'ws://*/*', 'wss://*/*'];

const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The lower-case hostname of an http(s) URL, or null for anything netmon does not count as a site:
 * other schemes (about:, chrome:, file:, moz-extension:), IP literals and localhost.
 */
export function hostOfUrl(url: string | undefined | null): string | null {
  return hostOf(url, WEB);
}

/**
 * The same for a request the browser made: WebSocket handshakes (`ws:`, `wss:`) count too, so that a
 * chat's or a trading page's socket teaches netmon its server address. The active tab stays http(s).
 */
export function hostOfRequestUrl(url: string | undefined | null): string | null {
  return hostOf(url, REQUEST);
}

const WEB = new Set(['http:', 'https:']);
const REQUEST = new Set(['http:', 'https:', 'ws:', 'wss:']);

function hostOf(url: string | undefined | null, schemes: ReadonlySet<string>): string | null {
  if (url === undefined || url === null || url === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!schemes.has(parsed.protocol)) return null;
  // The URL parser already lower-cases, turns IDN into punycode and numeric hosts into dotted quads.
  let host = parsed.hostname;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '' || host.startsWith('[') || DOTTED_QUAD.test(host)) return null;
  if (host === 'localhost' || host.endsWith('.localhost')) return null;
  return host;
}

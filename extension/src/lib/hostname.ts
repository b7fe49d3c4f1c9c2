// The one part of a URL that ever leaves the extension: its hostname. Paths, queries, fragments,
// ports and credentials are dropped here, before anything is counted or queued.

const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * The lower-case hostname of an http(s) URL, or null for anything netmon does not count as a site:
 * other schemes (about:, chrome:, file:, moz-extension:), IP literals and localhost.
 */
export function hostOfUrl(url: string | undefined | null): string | null {
  if (url === undefined || url === null || url === '') return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  // The URL parser already lower-cases, turns IDN into punycode and numeric hosts into dotted quads.
  let host = parsed.hostname;
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '' || host.startsWith('[') || DOTTED_QUAD.test(host)) return null;
  if (host === 'localhost' || host.endsWith('.localhost')) return null;
  return host;
}

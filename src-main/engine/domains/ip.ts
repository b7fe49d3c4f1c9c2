// Server addresses as both sides spell them: the sampler (ss, nettop) and the browser (webRequest's
// `ip`). Normalized so that they meet: lower case, no brackets, no zone, IPv4-mapped IPv6 as IPv4.
import { isIP } from 'node:net';

/** The canonical text of an IP address, or null when `text` is not one. */
export function normalizeIp(text: string): string | null {
  let s = text.trim().toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (mapped?.[1] !== undefined) s = mapped[1];
  const family = isIP(s);
  if (family === 0) return null;
  // IPv6 has many spellings of one address (leading zeros, ::): URL parsing prints the shortest.
  if (family === 6) return new URL(`http://[${s}]/`).hostname.slice(1, -1);
  return s;
}

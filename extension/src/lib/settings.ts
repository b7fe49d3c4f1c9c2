// The extension's settings (kept in storage.local) and the pairing input: the token netmon shows in
// its settings, or the whole dashboard link `netmon serve` prints (`http://127.0.0.1:7500/#pair=…`).
import { DEFAULT_PORT, FRAGMENT_KEY } from './contract.js';

/** What the user sets on the options page. */
export interface Settings {
  /** The pairing token ('' until paired). */
  token: string;
  /** The port netmon listens on, on 127.0.0.1. */
  port: number;
  /** Report private (incognito) windows too; off unless the user turns it on. */
  reportPrivate: boolean;
  /** The browser's name for netmon (`zen`, `firefox`, `chromium`, …); null: detected. */
  browser: string | null;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = { token: '', port: DEFAULT_PORT, reportPrivate: false, browser: null };

const TOKEN = /^[0-9a-f]{64}$/;
const BROWSER = /^[a-z0-9][a-z0-9 ._-]{0,31}$/;

/** Whether `port` is a port netmon can listen on. */
export function isPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65_535;
}

/** Settings from storage, each value checked; anything wrong falls back to its default. */
export function parseSettings(raw: unknown): Settings {
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    token: typeof o['token'] === 'string' && TOKEN.test(o['token']) ? o['token'] : '',
    port: isPort(o['port']) ? o['port'] : DEFAULT_PORT,
    reportPrivate: o['reportPrivate'] === true,
    browser: typeof o['browser'] === 'string' && BROWSER.test(o['browser']) ? o['browser'] : null,
  };
}

/** What the pairing box understood: a token, and the port when a link named one. */
export type PairingInput = { ok: true; token: string; port: number | null } | { ok: false; error: string };

/** Reads what the user pasted: a bare token or netmon's dashboard link with `#pair=TOKEN`. */
export function parsePairingInput(text: string): PairingInput {
  const input = text.trim();
  if (TOKEN.test(input.toLowerCase())) return { ok: true, token: input.toLowerCase(), port: null };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, error: 'paste the pairing token (64 hexadecimal characters) or the dashboard link netmon printed' };
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    return { ok: false, error: 'a pairing link points at netmon on this computer (http://127.0.0.1:PORT/…)' };
  }
  const token = new URLSearchParams(url.hash.replace(/^#/, '')).get(FRAGMENT_KEY)?.toLowerCase() ?? '';
  if (!TOKEN.test(token)) return { ok: false, error: `the link carries no pairing token (#${FRAGMENT_KEY}=…)` };
  const port = url.port === '' ? 80 : Number(url.port);
  return { ok: true, token, port };
}

/** The browser's name for netmon, from what the browser says of itself. */
export function detectBrowser(info: { name?: string | undefined; brands?: readonly string[] | undefined }): string {
  const name = (info.name ?? '').toLowerCase();
  if (name.includes('zen')) return 'zen';
  if (name.includes('firefox') || name.includes('librewolf') || name.includes('floorp')) return 'firefox';
  const brands = (info.brands ?? []).map((b) => b.toLowerCase());
  if (brands.some((b) => b.includes('edge'))) return 'edge';
  if (brands.some((b) => b.includes('brave'))) return 'brave';
  if (brands.some((b) => b.includes('opera'))) return 'opera';
  if (brands.some((b) => b.includes('vivaldi'))) return 'vivaldi';
  if (brands.some((b) => b === 'google chrome')) return 'chrome';
  return 'chromium';
}

// Where the renderer comes from, and how the shell recognises its own pages. Packaged (and by
// default) the renderer's build is served under a privileged scheme of our own, `app://netmon/`,
// so that pages have an origin no other content shares (file:// is shared by every local file).
// During development the vite dev server's origin can stand in for it. No Electron here.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The scheme the renderer is served under (registered as standard and secure before ready). */
export const APP_SCHEME = 'app';
/** The one host of that scheme. */
export const APP_HOST = 'netmon';

/** The content security policy of every page: our own scripts only, nothing loaded from elsewhere. */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // React and the charts set style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Where the renderer's pages are and which URLs are ours. */
export interface RendererLocation {
  /** The URL of a route (`#/popover`, `#/overview`). */
  pageUrl(route: string): string;
  /** True for a URL of our own renderer (the check every IPC message's sender passes). */
  isOwn(url: string): boolean;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The renderer's location: `app://netmon/index.html` or, when `devUrl` is given (development only, the
 * caller makes sure of that), the vite dev server's page.
 */
export function rendererLocation(devUrl: string | null): RendererLocation {
  if (devUrl !== null) {
    const dev = parse(devUrl);
    if (dev === null || (dev.protocol !== 'http:' && dev.protocol !== 'https:')) throw new Error(`not an http(s) URL for the renderer: ${devUrl}`);
    const base = `${dev.origin}${dev.pathname}`;
    return {
      pageUrl: (route) => `${base}${route}`,
      isOwn: (url) => parse(url)?.origin === dev.origin,
    };
  }
  return {
    pageUrl: (route) => `${APP_SCHEME}://${APP_HOST}/index.html${route}`,
    isOwn: (url) => {
      const u = parse(url);
      // Node's URL gives custom schemes the origin "null" (and keeps their host's case): compare scheme
      // and host instead, as Chromium canonicalises them for a standard scheme.
      return u !== null && u.protocol === `${APP_SCHEME}:` && u.host.toLowerCase() === APP_HOST && u.username === '' && u.password === '';
    },
  };
}

/** What our pages may ask the browser for: writing to the clipboard (the settings page copies the pairing token). */
export const ALLOWED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

/** Whether a permission is granted: only those above, only to our own pages; everything else is refused. */
export function permissionAllowed(location: RendererLocation, permission: string, requestingUrl: string): boolean {
  return ALLOWED_PERMISSIONS.includes(permission) && location.isOwn(requestingUrl);
}

/** The route (`#/apps?app=Slack`) of one of our page URLs, or null when the URL is not ours. */
export function routeOf(location: RendererLocation, url: string): string | null {
  if (!location.isOwn(url)) return null;
  const u = parse(url);
  if (u === null) return null;
  return u.hash === '' ? '#/overview' : u.hash;
}

/** The file under `rootDir` that an `app://netmon/…` URL names, or null when it names none (or escapes the folder). */
export function resolveAppFile(rootDir: string, url: string): string | null {
  const u = parse(url);
  if (u === null || u.protocol !== `${APP_SCHEME}:` || u.host.toLowerCase() !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const root = path.resolve(rootDir);
  const full = path.resolve(root, `.${pathname}`);
  const rel = path.relative(root, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return full;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' } });
}

/** Answers one request of the app scheme from the renderer's build folder (what `protocol.handle` calls). */
export async function serveAppRequest(rootDir: string, request: { url: string; method: string }): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
  const file = resolveAppFile(rootDir, request.url);
  if (file === null) return plain(404, 'not found');
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR' ? plain(404, 'not found') : plain(500, 'could not read the file');
  }
  const headers = {
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Security-Policy': APP_CSP,
    'X-Content-Type-Options': 'nosniff',
  };
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

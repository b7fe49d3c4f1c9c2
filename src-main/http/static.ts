// Static files of the renderer, served from one folder. The guard has already refused `..` and
// encoded separators; this also resolves symlinks and refuses any file whose real path is outside
// the folder, and serves only regular files.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The outcome of looking a path up in the static folder. */
export type StaticLookup = { found: true; file: string; size: number; contentType: string } | { found: false };

/** Finds the file that `segments` names under `root` (a folder maps to its index.html). */
export async function lookupStatic(root: string, segments: readonly string[]): Promise<StaticLookup> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { found: false };
  }
  const parts = segments.filter((s) => s !== '');
  // Dot-files (.git, .env) are never part of a build.
  if (parts.some((p) => p.startsWith('.'))) return { found: false };
  let candidate = path.join(realRoot, ...parts);
  try {
    candidate = await realpath(candidate);
    if (candidate !== realRoot && !candidate.startsWith(realRoot + path.sep)) return { found: false };
    let st = await stat(candidate);
    if (st.isDirectory()) {
      candidate = await realpath(path.join(candidate, 'index.html'));
      if (!candidate.startsWith(realRoot + path.sep)) return { found: false };
      st = await stat(candidate);
    }
    if (!st.isFile()) return { found: false };
    return { found: true, file: candidate, size: st.size, contentType: TYPES[path.extname(candidate).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return { found: false };
  }
}

/** Streams a found file (headers only for HEAD). */
export function sendStatic(res: ServerResponse, found: Extract<StaticLookup, { found: true }>, headOnly: boolean): void {
  res.writeHead(200, {
    'Content-Type': found.contentType,
    'Content-Length': String(found.size),
    'Cache-Control': 'no-cache',
    // The dashboard runs only its own scripts, and never inside another site's frame (clickjacking a purge).
    'Content-Security-Policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
  });
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(found.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

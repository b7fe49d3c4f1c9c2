// Builds the extension from one source into two unpacked packages:
//   extension/dist/firefox   (Firefox, Zen: MV3 event page, gecko settings)  → lint with web-ext
//   extension/dist/chromium  (Chromium, Chrome, Edge, Brave: MV3 service worker)
// and, with --zip (npm run package:extension), the archives to hand out (netmon-firefox.xpi,
// netmon-chromium.zip).
// Each script is bundled on its own (rolldown, IIFE): an extension's scripts cannot share chunks.
// Usage: node extension/build.ts [--out DIR] [--zip]
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- web-ext ships no types; that file declares what we call.
/// <reference path="./web-ext.d.ts" />
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { rolldown } from 'rolldown';

const HERE = import.meta.dirname;
/** The extension's version is netmon's (package.json): each signed build needs a new one (AMO refuses a repeat). */
export const VERSION = (JSON.parse(readFileSync(path.join(HERE, '..', 'package.json'), 'utf8')) as { version: string }).version;
/**
 * What the extension needs host access to: web pages and WebSockets; not file:, ftp: or data:. Chromium's
 * `*` scheme is http and https only (Firefox's also ws and wss): without ws:// and wss:// named, Chromium
 * shows no WebSocket handshake to webRequest.
 */
export const HOST_PERMISSIONS = ['*://*/*', 'ws://*/*', 'wss://*/*'];
// (the background checks the same list with permissions.contains: src/lib/hostname.ts SITE_ORIGINS)
/** The store description: at most 132 characters (the Chrome Web Store refuses more). */
export const DESCRIPTION = 'Tells the netmon app on this computer which sites your browser traffic went to: hostnames and byte counts, sent only to 127.0.0.1.';
export const TARGETS = ['firefox', 'chromium'] as const;
export type Target = (typeof TARGETS)[number];
const ENTRIES = ['background', 'options', 'pair'] as const;
const ICON_SIZES = [16, 32, 48, 128] as const;

/** The manifest of one target. */
export function manifestFor(target: Target): Record<string, unknown> {
  const icons = Object.fromEntries(ICON_SIZES.map((s) => [String(s), `icons/icon-${s}.png`]));
  const common = {
    manifest_version: 3,
    name: 'netmon',
    version: VERSION,
    description: DESCRIPTION,
    // tabs: the active tab's URL (for its hostname) and which tabs are private; webRequest: hostnames, server
    // addresses and sizes of what the browser fetched; storage: settings and the queue; alarms: wake-ups.
    permissions: ['tabs', 'webRequest', 'storage', 'alarms'],
    host_permissions: HOST_PERMISSIONS,
    icons,
    action: { default_title: 'netmon', default_icon: icons },
    options_ui: { page: 'options.html', open_in_tab: true },
    // netmon's dashboard link carries the pairing token in its fragment (#pair=…): read it there only.
    content_scripts: [{ matches: ['http://127.0.0.1/*', 'http://localhost/*'], js: ['pair.js'], run_at: 'document_start' }],
    incognito: 'spanning',
  };
  switch (target) {
    case 'firefox':
      return {
        ...common,
        background: { scripts: ['background.js'] },
        browser_specific_settings: {
          // browsingActivity: the hostnames of visited sites leave the add-on (to netmon on this computer).
          gecko: { id: 'netmon-extension@netmon.invalid', strict_min_version: '140.0', data_collection_permissions: { required: ['browsingActivity'] } },
          // Android got the data-collection key in 142 (web-ext lint asks for the floor). netmon itself runs on
          // desktops: the signed package is unlisted and offered for Zen and Firefox on a computer only. Android
          // has no windows API: the background reads the active tab without it (tested in extension-background).
          gecko_android: { strict_min_version: '142.0' },
        },
      };
    case 'chromium':
      return { ...common, background: { service_worker: 'background.js' }, minimum_chrome_version: '116' };
    default: {
      const never: never = target;
      throw new Error(`unknown target ${String(never)}`);
    }
  }
}

/** A square PNG: netmon's three bars on a dark rounded tile (drawn here, so no binary lives in git). */
export function iconPng(size: number): Buffer {
  const rows: Buffer[] = [];
  const r = size * 0.2;
  const inRounded = (x: number, y: number): boolean => {
    const cx = Math.min(Math.max(x, r), size - r);
    const cy = Math.min(Math.max(y, r), size - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
  const bars = [
    [0.22, 0.38, 0.55],
    [0.42, 0.58, 0.3],
    [0.62, 0.78, 0.45],
  ] as const;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      let rgba = [0, 0, 0, 0];
      if (inRounded(px, py)) {
        rgba = [24, 32, 48, 255];
        for (const [x0, x1, top] of bars) if (px >= x0 * size && px < x1 * size && py >= top * size && py < 0.8 * size) rgba = [76, 175, 80, 255];
      }
      row.set(rgba, 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** Builds one target's unpacked extension into `dir` (emptied first). */
export async function buildTarget(target: Target, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'icons'), { recursive: true });
  for (const entry of ENTRIES) {
    const bundle = await rolldown({ input: path.join(HERE, 'src', `${entry}.ts`), platform: 'browser', logLevel: 'warn' });
    await bundle.write({ file: path.join(dir, `${entry}.js`), format: 'iife', minify: false, sourcemap: false });
    await bundle.close();
  }
  cpSync(path.join(HERE, 'static'), dir, { recursive: true });
  for (const s of ICON_SIZES) writeFileSync(path.join(dir, 'icons', `icon-${s}.png`), iconPng(s));
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifestFor(target), null, 2)}\n`);
}

/** Builds both targets under `outDir` (default extension/dist); with `zip`, also their archives (web-ext build). */
export async function buildAll(outDir = path.join(HERE, 'dist'), zip = false): Promise<Record<Target, string>> {
  const dirs = { firefox: path.join(outDir, 'firefox'), chromium: path.join(outDir, 'chromium') };
  for (const t of TARGETS) await buildTarget(t, dirs[t]);
  if (zip) {
    const { default: webExt } = await import('web-ext');
    for (const t of TARGETS) {
      await webExt.cmd.build(
        { sourceDir: dirs[t], artifactsDir: outDir, filename: t === 'firefox' ? 'netmon-firefox.xpi' : 'netmon-chromium.zip', overwriteDest: true },
        { shouldExitProgram: false },
      );
    }
  }
  return dirs;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = outAt === -1 ? undefined : path.resolve(args[outAt + 1] ?? '');
  const dirs = await buildAll(outDir, args.includes('--zip'));
  process.stdout.write(`built ${dirs.firefox} and ${dirs.chromium}\n`);
}

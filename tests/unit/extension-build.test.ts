// The extension's build: both packages from one source, manifests as each browser needs them, no
// Node or engine code in the bundles, and `web-ext lint` clean on the Firefox/Zen package.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- web-ext ships no types; that file declares what we call.
/// <reference path="../../extension/web-ext.d.ts" />
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webExt from 'web-ext';
import { buildAll, iconPng, manifestFor } from '../../extension/build.js';

let out: string;
let dirs: { firefox: string; chromium: string };

beforeAll(async () => {
  out = mkdtempSync(path.join(os.tmpdir(), 'netmon-ext-build-'));
  dirs = await buildAll(out, true);
}, 60_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const manifest = (dir: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown>;

describe('extension build', () => {
  it('writes both unpacked packages with every file their manifests name, and the archives', () => {
    for (const dir of [dirs.firefox, dirs.chromium]) {
      for (const f of ['background.js', 'options.js', 'pair.js', 'options.html', 'options.css', 'icons/icon-16.png', 'icons/icon-128.png']) expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(existsSync(path.join(out, 'netmon-firefox.xpi'))).toBe(true);
    expect(existsSync(path.join(out, 'netmon-chromium.zip'))).toBe(true);
  });

  it('Firefox/Zen: an MV3 event page with a gecko id; Chromium: a service worker', () => {
    const ff = manifest(dirs.firefox);
    const cr = manifest(dirs.chromium);
    expect(ff).toMatchObject({ manifest_version: 3, background: { scripts: ['background.js'] }, browser_specific_settings: { gecko: { id: 'netmon-extension@netmon.invalid' } } });
    expect(cr).toMatchObject({ manifest_version: 3, background: { service_worker: 'background.js' } });
    expect(cr).not.toHaveProperty('browser_specific_settings');
    for (const m of [ff, cr]) {
      expect(m['permissions']).toEqual(['tabs', 'webRequest', 'storage', 'alarms']);
      // The pairing script runs on netmon's own pages only (match patterns without a port match any port).
      expect(m['content_scripts']).toEqual([{ matches: ['http://127.0.0.1/*', 'http://localhost/*'], js: ['pair.js'], run_at: 'document_start' }]);
    }
    expect(manifestFor('firefox')).toEqual(ff);
  });

  it('bundles no engine code: no zod, no Node built-ins, and no address but loopback', () => {
    for (const dir of [dirs.firefox, dirs.chromium]) {
      const js = ['background.js', 'options.js', 'pair.js'].map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
      expect(js).not.toMatch(/from ["']zod|node:|require\(/);
      const urls = [...js.matchAll(/https?:\/\/[^\s"'`]+/g)].map((m) => m[0]);
      for (const u of urls) expect(u).toMatch(/^http:\/\/(127\.0\.0\.1|localhost)\b/);
    }
  });

  it('web-ext lint passes on the Firefox build: no errors, no warnings', async () => {
    const result = await webExt.cmd.lint({ sourceDir: dirs.firefox, output: 'none', boring: true }, { shouldExitProgram: false });
    expect(result.errors, JSON.stringify(result.errors)).toEqual([]);
    expect(result.warnings, JSON.stringify(result.warnings)).toEqual([]);
  }, 60_000);

  it('draws valid PNG icons of the asked size', () => {
    const png = iconPng(48);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([48, 48]);
  });
});

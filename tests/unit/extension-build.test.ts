// The extension's build: both packages from one source, manifests as each browser needs them, no
// Node or engine code in the bundles, and `web-ext lint` clean on the Firefox/Zen package.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- web-ext ships no types; that file declares what we call.
/// <reference path="../../extension/web-ext.d.ts" />
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webExt from 'web-ext';
import { buildAll, DESCRIPTION, HOST_PERMISSIONS, iconPng, manifestFor } from '../../extension/build.js';
import { signPlan } from '../../extension/sign.js';
import { SITE_ORIGINS } from '../../extension/src/lib/hostname.js';

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

  it('declares what it sends: Firefox data collection "browsingActivity" (visited hostnames leave the add-on)', () => {
    const ff = manifest(dirs.firefox) as { browser_specific_settings: { gecko: { data_collection_permissions: unknown } } };
    expect(ff.browser_specific_settings.gecko.data_collection_permissions).toEqual({ required: ['browsingActivity'] });
  });

  it('meets the Chrome Web Store limits: a description of at most 132 characters, host access to web pages and sockets only', () => {
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const m of [manifest(dirs.firefox), manifest(dirs.chromium)]) {
      expect(String(m['description']).length).toBeLessThanOrEqual(132);
      expect(m['description']).toBe(DESCRIPTION);
      // http, https, ws and wss (Chromium's `*` scheme is http and https only: WebSocket handshakes need
      // ws:// and wss:// named); <all_urls> would add file:, ftp: and data:.
      expect(m['host_permissions']).toEqual(['*://*/*', 'ws://*/*', 'wss://*/*']);
      // netmon's version: every signed build a new one.
      expect(m['version']).toBe(pkg.version);
    }
    // What the background checks with permissions.contains is what the manifest asks for.
    expect(SITE_ORIGINS).toEqual(HOST_PERMISSIONS);
  });

  it('signs only with credentials from the environment, a version not signed before, and committed sources', () => {
    const base = { version: '0.2.0', signed: [], dirty: [], sourceDir: '/x/firefox', artifactsDir: '/x/signed', sourceZip: '/x/src.zip' };
    const errorOf = (plan: ReturnType<typeof signPlan>): string => (plan.ok ? '' : plan.error);
    expect(errorOf(signPlan({ ...base, env: {} }))).toContain('https://addons.mozilla.org/developers/addon/api/key/');
    const env = { WEB_EXT_API_KEY: 'user:1:2', WEB_EXT_API_SECRET: 's' };
    expect(errorOf(signPlan({ ...base, env, signed: ['netmon-0.2.0.xpi'] }))).toContain('raise "version" in package.json');
    expect(errorOf(signPlan({ ...base, env, dirty: [' M extension/src/background.ts'] }))).toContain('commit them first');
    const plan = signPlan({ ...base, env, signed: ['netmon-0.1.0.xpi'] });
    expect(plan).toEqual({ ok: true, args: ['sign', '--channel', 'unlisted', '--source-dir', '/x/firefox', '--artifacts-dir', '/x/signed', '--upload-source-code', '/x/src.zip', '--no-input'] });
    // The secrets never go on a command line (web-ext reads them from its environment).
    expect(JSON.stringify(plan)).not.toContain('user:1:2');
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

  it('the options page and both READMEs state what the extension cannot see', () => {
    const repo = path.join(import.meta.dirname, '..', '..');
    const texts = [readFileSync(path.join(dirs.chromium, 'options.html'), 'utf8'), readFileSync(path.join(repo, 'README.md'), 'utf8'), readFileSync(path.join(repo, 'extension', 'README.md'), 'utf8')];
    for (const text of texts) for (const spot of ['WebRTC', 'WebTransport', 'aborted', 'uploads', 'Content-Length']) expect(text).toContain(spot);
  });

  it('draws valid PNG icons of the asked size', () => {
    const png = iconPng(48);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([48, 48]);
  });
});

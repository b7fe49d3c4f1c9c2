// The renderer's origin: which URLs count as our own pages (the check every IPC sender passes), the
// routes of our links, and the app:// scheme's file server (no way out of the build folder, the
// content security policy on every answer).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_CSP, rendererLocation, resolveAppFile, routeOf, serveAppRequest } from '../../src-main/electron/app-url.js';

describe('our own pages', () => {
  const packaged = rendererLocation(null);
  const dev = rendererLocation('http://127.0.0.1:5173/');
  const cases: Array<[string, boolean, boolean]> = [
    // url, ours when packaged, ours with the dev server
    ['app://netmon/index.html#/popover', true, false],
    ['app://netmon/', true, false],
    ['APP://NETMON/index.html', true, false],
    ['app://evil/index.html', false, false],
    ['app://netmon.evil/index.html', false, false],
    ['app://user:pw@netmon/index.html', false, false],
    ['file:///work/dist/renderer/index.html', false, false],
    ['https://netmon/', false, false],
    ['http://127.0.0.1:7500/#/overview', false, false],
    ['http://127.0.0.1:5173/#/overview', false, true],
    ['http://127.0.0.1:5174/', false, false],
    ['http://localhost:5173/', false, false],
    ['about:blank', false, false],
    ['', false, false],
    ['not a url', false, false],
  ];
  it.each(cases)('%s', (url, ours, oursInDev) => {
    expect(packaged.isOwn(url)).toBe(ours);
    expect(dev.isOwn(url)).toBe(oursInDev);
  });

  it('builds page URLs for routes', () => {
    expect(packaged.pageUrl('#/popover')).toBe('app://netmon/index.html#/popover');
    expect(dev.pageUrl('#/apps?app=Slack')).toBe('http://127.0.0.1:5173/#/apps?app=Slack');
    expect(() => rendererLocation('file:///x/index.html')).toThrow(/http/);
  });

  it('reads the route of our links, and nothing of others', () => {
    expect(routeOf(packaged, 'app://netmon/index.html#/settings')).toBe('#/settings');
    expect(routeOf(packaged, 'app://netmon/index.html')).toBe('#/overview');
    expect(routeOf(packaged, 'https://example.org/#/settings')).toBeNull();
  });
});

describe('resolveAppFile', () => {
  const root = '/srv/renderer';
  const cases: Array<[string, string | null]> = [
    ['app://netmon/', '/srv/renderer/index.html'],
    ['app://netmon/index.html#/popover', '/srv/renderer/index.html'],
    ['app://netmon/assets/main-abc.js?v=1', '/srv/renderer/assets/main-abc.js'],
    ['app://netmon/assets/a%20b.css', '/srv/renderer/assets/a b.css'],
    ['app://netmon/../../etc/passwd', '/srv/renderer/etc/passwd'],
    // The URL parser takes %2e%2e as a dot segment: the path stays inside the folder.
    ['app://netmon/%2e%2e/%2e%2e/etc/passwd', '/srv/renderer/etc/passwd'],
    ['app://netmon/assets/%2e%2e%2f%2e%2e%2fsecret', null],
    ['app://netmon/a%5c..%5c..%5csecret', null],
    ['app://netmon/a%00.js', null],
    ['app://netmon/%E0%A4%A', null],
    ['app://other/index.html', null],
    ['http://netmon/index.html', null],
  ];
  it.each(cases)('%s → %s', (url, file) => {
    expect(resolveAppFile(root, url)).toBe(file);
  });
});

describe('serveAppRequest', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-app-url-'));
  mkdirSync(path.join(root, 'renderer', 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>netmon</title>');
  writeFileSync(path.join(root, 'renderer', 'assets', 'main.js'), 'export {};');
  writeFileSync(path.join(root, 'renderer', 'assets', 'data.bin'), Buffer.from([1, 2, 3]));
  writeFileSync(path.join(root, 'secret.txt'), 'outside');
  const dir = path.join(root, 'renderer');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('serves the page with its type and the content security policy', async () => {
    const res = await serveAppRequest(dir, { url: 'app://netmon/index.html#/popover', method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(APP_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<!doctype html><title>netmon</title>');
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toContain('unsafe-eval');
  });

  it('serves scripts as JavaScript and unknown files as bytes', async () => {
    const js = await serveAppRequest(dir, { url: 'app://netmon/assets/main.js', method: 'GET' });
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const bin = await serveAppRequest(dir, { url: 'app://netmon/assets/data.bin', method: 'GET' });
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await bin.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await serveAppRequest(dir, { url: 'app://netmon/index.html', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await serveAppRequest(dir, { url: 'app://netmon/index.html', method: 'POST' })).status).toBe(405);
  });

  it('finds nothing outside the folder, missing, or a folder', async () => {
    for (const url of ['app://netmon/%2e%2e/secret.txt', 'app://netmon/nope.js', 'app://netmon/assets', 'app://evil/index.html']) {
      const res = await serveAppRequest(dir, { url, method: 'GET' });
      expect(res.status, url).toBe(404);
      expect(await res.text()).toBe('not found');
    }
  });
});

// The extension's link to netmon in Debian's Chromium, on loopback (no bytes are measured here, only
// the reports): the badge says not paired, then connected after pasting the dashboard link on the
// options page; a page that opens netmon's link with a token of its own pairs nothing; while netmon is
// stopped the badge says so and the active-tab reports wait in the bounded queue, and they arrive,
// with the times they were made, once netmon answers again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../bench/renderer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../extension/build.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const NETMON = path.join(REPO, 'bin', 'netmon.js');
const CHROMIUM = process.env['NETMON_CHROMIUM'] ?? '/usr/bin/chromium';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Serve {
  child: ChildProcess;
  port: number;
  dashboard: string;
  stop(): Promise<void>;
}

function startServe(dataDir: string, port: number): Promise<Serve> {
  const child = spawn(process.execPath, [NETMON, 'serve', '--port', String(port), '--sampler', 'linux', '--interval', '1', '--no-open', '--data-dir', dataDir], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`netmon serve did not start: ${err}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /netmon: dashboard (http:\/\/127\.0\.0\.1:(\d+)\/#pair=[0-9a-f]{64})/.exec(out);
      if (m?.[1] !== undefined && m[2] !== undefined) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[2]), dashboard: m[1], stop });
      }
    });
  });
}

const badge = (worker: Worker): Promise<string> => worker.evaluate(() => (globalThis as unknown as { chrome: { action: { getBadgeText(d: object): Promise<string> } } }).chrome.action.getBadgeText({}));

async function waitForBadge(worker: Worker, text: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await badge(worker)) !== text) {
    if (Date.now() > until) throw new Error(`badge did not become ${JSON.stringify(text)} (is ${JSON.stringify(await badge(worker))})`);
    await sleep(200);
  }
}

describe.skipIf(!existsSync(CHROMIUM))('the extension and netmon going away and coming back', () => {
  let root: string;
  let dataDir: string;
  let site: http.Server;
  let context: BrowserContext;
  let worker: Worker;
  let extensionId: string;
  let serve: Serve;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'netmon-ext-offline-'));
    dataDir = path.join(root, 'data');
    const ext = await buildAll(path.join(root, 'ext'));
    site = http.createServer((req, res) => {
      const body = `<!doctype html><title>${req.headers.host ?? ''}</title>`;
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    serve = await startServe(dataDir, 0);
    context = await chromium.launchPersistentContext(path.join(root, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP *.test 127.0.0.1', `--load-extension=${ext.chromium}`, `--disable-extensions-except=${ext.chromium}`],
    });
    worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    extensionId = new URL(worker.url()).host;
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await serve?.stop();
    await new Promise<void>((resolve) => (site === undefined ? resolve() : site.close(() => resolve())));
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  const visit = async (host: string): Promise<Page> => {
    const page = await context.newPage();
    await page.bringToFront();
    await page.goto(`http://${host}:${(site.address() as AddressInfo).port}/some/path?q=1`);
    return page;
  };
  const reports = (): { ts: number; hostname: string; receivedAt: number }[] => {
    const db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true });
    try {
      return db.prepare('SELECT ts, hostname, received_at AS receivedAt FROM browser_reports ORDER BY ts, id').all() as { ts: number; hostname: string; receivedAt: number }[];
    } finally {
      db.close();
    }
  };

  it('says "not paired" until the dashboard link is pasted on the options page, then "connected"', async () => {
    await waitForBadge(worker, '!');
    const options = await context.newPage();
    await options.goto(`chrome-extension://${extensionId}/options.html`);
    await options.fill('#token', serve.dashboard);
    await options.click('#pair');
    await options.locator('#status[data-state="connected"]').waitFor({ timeout: 20_000 });
    expect(await options.textContent('#pair-result')).toBe('Paired.');
    await options.close();
    await waitForBadge(worker, '');
  }, 40_000);

  it('a page that opens netmon with a token of its own pairs nothing', async () => {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${serve.port}/#pair=${'0'.repeat(64)}`);
    await sleep(1500);
    await page.close();
    const stored = await worker.evaluate(async () => (await (globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<Record<string, { token?: string }>> } } } }).chrome.storage.local.get('settings'))['settings']?.token);
    expect(stored).toBe(/#pair=([0-9a-f]{64})/.exec(serve.dashboard)?.[1]);
  }, 20_000);

  it('queues while netmon is stopped and delivers, with their own times, when it answers again', async () => {
    const a = await visit('one.test');
    await sleep(2000);
    expect(reports().map((r) => r.hostname)).toContain('one.test');
    const port = serve.port;
    await serve.stop();
    const offlineFrom = Math.floor(Date.now() / 1000);
    const b = await visit('two.test');
    await sleep(6000);
    await waitForBadge(worker, 'off');
    const offlineUntil = Math.floor(Date.now() / 1000);
    serve = await startServe(dataDir, port);
    const restartedAt = Math.floor(Date.now() / 1000);
    await waitForBadge(worker, '', 30_000);
    await sleep(1500);
    const offline = reports().filter((r) => r.ts >= offlineFrom && r.ts <= offlineUntil);
    // The tab of the offline spell, reported at the switch and again by the 5-s heartbeat (a last
    // heartbeat of the first tab may fall in the spell too), each kept with the time it was made and
    // received only once netmon was back.
    expect(offline.filter((r) => r.hostname === 'two.test').length).toBeGreaterThanOrEqual(2);
    expect(offline.every((r) => r.hostname === 'two.test' || r.hostname === 'one.test')).toBe(true);
    expect(offline.every((r) => r.receivedAt >= restartedAt - 1)).toBe(true);
    await a.close();
    await b.close();
  }, 60_000);
});

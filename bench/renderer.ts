// The renderer's benchmark, and the harness the end-to-end tests share with it: a demo data folder,
// `netmon serve` on it, Debian's Chromium driven by playwright-core. Measures the time to the first
// meaningful paint of the overview (totals and timeline on screen, marked by the page itself as
// `netmon:overview-ready`) over a year of demo data, and the production bundle's size.
// Plain Node runs this file (type stripping): only erasable TypeScript, no imports of our own.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The repository's root. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

/** Where the renderer's production build lives (what `netmon serve` serves). */
export const RENDERER_DIST = path.join(REPO_ROOT, 'dist', 'renderer');

/** Debian's Chromium. */
export const CHROMIUM_PATH = process.env['NETMON_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Flags for Chromium here: no sandbox (root in a container), no GPU, and none of its background
 * connections (this network refuses them, and netmon's own traffic should be the only traffic).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The time zone the server and the browser share (the test script pins TZ). */
export const TIME_ZONE = process.env['TZ'] ?? 'Europe/Berlin';

/** A temporary data folder; `remove` deletes it. */
export function tempDataDir(prefix = 'netmon-e2e-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function netmonCommand(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'netmon.js'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TZ: TIME_ZONE },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** Fills `dataDir` with `days` of synthetic history (`netmon demo`). */
export function runDemo(dataDir: string, days: number, extra: readonly string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = netmonCommand(['demo', '--days', String(days), '--data-dir', dataDir, ...extra]);
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.resume();
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`netmon demo exited ${code}: ${err.trim()}`))));
  });
}

/** A running `netmon serve`. */
export interface NetmonServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  /** The dashboard link it printed, with the pairing token in the fragment. */
  dashboardUrl: string;
  token: string;
  dataDir: string;
  /** What it wrote to stderr so far (for failure messages). */
  stderr: () => string;
  /** SIGTERM to its process group, then waits for it to exit (SIGKILL after 10 s). */
  stop: () => Promise<void>;
}

/** Options of `startServe`. */
export interface ServeOptions {
  /** Sampling interval in seconds (the engine's default when left out). */
  intervalS?: number;
  /** Sampler flags (default `--sampler linux`); e.g. a nettop path that does not exist, for a failing sampler. */
  samplerArgs?: readonly string[];
  timeoutMs?: number;
}

/** Starts `netmon serve` on a free port (the Linux sampler by default) and resolves once it printed its links. */
export function startServe(dataDir: string, options: ServeOptions = {}): Promise<NetmonServer> {
  const args = ['serve', '--data-dir', dataDir, '--port', '0', ...(options.samplerArgs ?? ['--sampler', 'linux']), '--no-open'];
  if (options.intervalS !== undefined) args.push('--interval', String(options.intervalS));
  const child = netmonCommand(args);
  let out = '';
  let err = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    process.kill(-child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (!exited && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, 10_000);
    await exit;
    clearTimeout(timer);
  };
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`netmon serve did not print its URL in time; stderr:\n${err}`)));
    }, options.timeoutMs ?? 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`netmon serve exited ${code} before serving; stderr:\n${err}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const served = /netmon: serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      const dashboard = /netmon: dashboard (\S+#pair=([0-9a-f]{64}))/.exec(out);
      if (served?.[1] !== undefined && dashboard?.[1] !== undefined && dashboard[2] !== undefined) {
        clearTimeout(timer);
        resolve({ url: served[1], dashboardUrl: dashboard[1], token: dashboard[2], dataDir, stderr: () => err, stop });
      }
    });
  });
}

/** Launches Debian's Chromium headless. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}

/** A browser context as the tests and the bench use it: the shared time zone, a given size and colour scheme. */
export function newContext(browser: Browser, options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    timezoneId: TIME_ZONE,
    locale: 'en-GB',
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
  });
}

/** Collects what a page reports as errors: console errors, uncaught exceptions, failed requests. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}${process.env['NETMON_E2E_STACKS'] === '1' ? `\n${err.stack ?? ''}` : ''}`));
  page.on('requestfailed', (req) => {
    // The live feed is cut when a page navigates or closes; that is not an error of the page.
    if (!req.url().endsWith('/api/v1/live')) errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return errors;
}

/** One file of the production build. */
export interface BundleFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

/** The production build's files, sizes raw and gzipped (level 9), largest first. */
export function bundleFiles(dir = RENDERER_DIST): BundleFile[] {
  const files: BundleFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(js|css|html)$/.test(name)) {
        const body = readFileSync(full);
        files.push({ file: path.relative(dir, full), bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  return files.sort((a, b) => b.bytes - a.bytes);
}

/** What `benchRenderer` measured. */
export interface RendererBenchResult {
  demoDays: number;
  /** Navigation start to `netmon:overview-ready`, each run in a fresh browser context (cold cache), ms. */
  overviewReadyMs: number[];
  medianMs: number;
  maxMs: number;
  /** Static bytes (HTML, JS, CSS) the overview fetched before it was ready, uncompressed. */
  overviewStaticBytes: number;
  bundle: { files: number; bytes: number; gzipBytes: number; largest: BundleFile[] };
}

/** Options of `benchRenderer`. */
export interface RendererBenchOptions {
  days?: number;
  runs?: number;
  log?: (line: string) => void;
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Times the overview's first meaningful paint over `days` of demo data and sizes the bundle (needs `npm run build`). */
export async function benchRenderer(options: RendererBenchOptions = {}): Promise<RendererBenchResult> {
  const days = options.days ?? 365;
  const runs = options.runs ?? 7;
  const log = options.log ?? (() => undefined);
  if (bundleFiles().length === 0) throw new Error(`no renderer build in ${RENDERER_DIST}: run npm run build first`);
  const data = tempDataDir('netmon-bench-renderer-');
  let server: NetmonServer | null = null;
  let browser: Browser | null = null;
  try {
    log(`demo: ${days} days`);
    await runDemo(data.dir, days);
    server = await startServe(data.dir);
    browser = await launchChromium();
    const times: number[] = [];
    let staticBytes = 0;
    // One unmeasured run first: the engine's first queries warm SQLite's page cache.
    for (let i = 0; i <= runs; i++) {
      const context = await newContext(browser);
      const page = await context.newPage();
      const errors = watchErrors(page);
      let bytes = 0;
      page.on('response', (res) => {
        if (!res.url().includes('/api/')) void res.body().then((b) => (bytes += b.length)).catch(() => undefined);
      });
      await page.goto(`${server.url}/#/overview`);
      await page.waitForSelector('[data-testid="page-overview"][data-ready="true"]', { timeout: 30_000 });
      const mark = await page.evaluate(() => performance.getEntriesByName('netmon:overview-ready')[0]?.startTime ?? null);
      if (mark === null) throw new Error('the overview became ready without its performance mark');
      if (errors.length > 0) throw new Error(`the overview reported errors: ${errors.join('; ')}`);
      if (i > 0) {
        times.push(mark);
        staticBytes = bytes;
        log(`run ${i}: ${mark.toFixed(0)} ms`);
      }
      await context.close();
    }
    const files = bundleFiles();
    return {
      demoDays: days,
      overviewReadyMs: times.map((t) => Math.round(t)),
      medianMs: Math.round(median(times)),
      maxMs: Math.round(Math.max(...times)),
      overviewStaticBytes: staticBytes,
      bundle: {
        files: files.length,
        bytes: files.reduce((t, f) => t + f.bytes, 0),
        gzipBytes: files.reduce((t, f) => t + f.gzipBytes, 0),
        largest: files.slice(0, 3),
      },
    };
  } finally {
    await browser?.close();
    await server?.stop();
    data.remove();
  }
}

/** The result as rows for the bench table (the shape of bench/run.ts's figures). */
export function rendererFigures(r: RendererBenchResult): { name: string; value: number; unit: string; goal?: string; note?: string }[] {
  return [
    {
      name: 'overview first meaningful paint',
      value: r.medianMs,
      unit: 'ms',
      goal: '≤ 1000 ms',
      note: `median of ${r.overviewReadyMs.length} cold loads over ${r.demoDays} days of demo data, max ${r.maxMs} ms`,
    },
    { name: 'renderer bundle', value: r.bundle.bytes, unit: 'bytes', note: `${r.bundle.files} files (JS, CSS, HTML)` },
    { name: 'renderer bundle gzipped', value: r.bundle.gzipBytes, unit: 'bytes' },
    { name: 'overview static load', value: r.overviewStaticBytes, unit: 'bytes', note: 'HTML, JS and CSS the overview fetches (uncompressed; the server does not compress)' },
  ];
}

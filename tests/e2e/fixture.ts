// What every end-to-end file needs: a fresh data folder (with demo history or empty), `netmon serve`
// on it, Debian's Chromium, pages that fail the test on any console error, screenshots into
// tests/artifacts/, and direct API reads for the expected values.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  RENDERER_DIST,
  REPO_ROOT,
  launchChromium,
  newContext,
  runDemo,
  startServe,
  tempDataDir,
  watchErrors,
  type NetmonServer,
  type ServeOptions,
} from '../../bench/renderer.js';

export const ARTIFACTS = path.join(REPO_ROOT, 'tests', 'artifacts');

/** A server on its own data folder, and a browser. */
export interface E2e {
  server: NetmonServer;
  browser: Browser;
  dataDir: string;
  close: () => Promise<void>;
}

/** Starts the stack for one test file; `demoDays` null leaves the folder empty (a first start); `demoArgs` go to `netmon demo` (e.g. `--anomaly`). */
export async function startE2e(demoDays: number | null, serve: ServeOptions = {}, demoArgs: readonly string[] = []): Promise<E2e> {
  for (const file of [path.join(RENDERER_DIST, 'index.html'), path.join(REPO_ROOT, 'dist', 'src-main', 'cli', 'main.js')]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build (it builds the engine and the renderer) first`);
  }
  const data = tempDataDir();
  let server: NetmonServer | null = null;
  try {
    if (demoDays !== null) await runDemo(data.dir, demoDays, demoArgs);
    server = await startServe(data.dir, serve);
    const browser = await launchChromium();
    const s = server;
    return {
      server: s,
      browser,
      dataDir: data.dir,
      close: async () => {
        await browser.close();
        await s.stop();
        data.remove();
      },
    };
  } catch (err) {
    await server?.stop();
    data.remove();
    throw err;
  }
}

/** A page and the errors it reports (checked by `expectNoErrors`). */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

/** Opens a context and a page; with `paired`, it first follows the dashboard link `netmon serve` printed. */
export async function openPage(e2e: E2e, options: { paired?: boolean; width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<WatchedPage> {
  const context = await newContext(e2e.browser, options);
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (options.paired ?? true) {
    await page.goto(e2e.server.dashboardUrl);
    await page.waitForSelector('[data-testid="page-overview"]');
  }
  return { context, page, errors };
}

/** Goes to a route and waits until the page says its data is on screen. */
export async function showPage(page: Page, server: NetmonServer, route: string, testId: string): Promise<void> {
  await page.goto(`${server.url}/#/${route}`);
  await page.waitForSelector(`[data-testid="${testId}"][data-ready="true"]`, { timeout: 30_000 });
}

/** Saves a screenshot as tests/artifacts/NAME.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage, animations: 'disabled' });
  return file;
}

/** Reads a channel straight from the server (the values a page must show). */
export async function apiGet<T>(server: NetmonServer, channel: string, params: Record<string, string | number> = {}): Promise<T> {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await fetch(`${server.url}/api/v1/${channel}${query === '' ? '' : `?${query}`}`, { headers: { 'x-netmon-token': server.token } });
  const body = (await res.json()) as { ok: true; value: T } | { ok: false; error: { code: string; message: string } };
  if (!body.ok) throw new Error(`${channel}: ${body.error.code} ${body.error.message}`);
  return body.value;
}

/** The values of an attribute over the elements a selector matches, in document order. */
export async function attributes(page: Page, selector: string, name: string): Promise<string[]> {
  const elements = await page.locator(selector).all();
  return Promise.all(elements.map(async (el) => (await el.getAttribute(name)) ?? ''));
}

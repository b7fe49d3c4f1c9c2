// What the extension's end-to-end files share: a test web server for a server network namespace that
// counts what it wrote to and read from each Host's connections (the ground truth), processes
// started inside a namespace and stopped by process group, `netmon report` as a user runs it, and a
// scan of the data folder for anything of a URL.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { chromium, type BrowserContext, type Worker } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../bench/renderer.js';
import { buildAll } from '../../extension/build.js';
import { domainUsageMismatches } from '../helpers/invariants.js';
import { createNetnsPair, netnsArgv, netnsSupport, type NetnsPair } from '../helpers/netns.js';

export const REPO = path.resolve(import.meta.dirname, '..', '..');
export const NETMON = path.join(REPO, 'bin', 'netmon.js');
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A query value the pages carry, which must never reach the data folder. */
export const SECRET = 'hunter2secret';

// The page behind `/auto`: waits (`wait` ms on the first), downloads its step, moves on.
const AUTO_HTML = `<!doctype html><title>auto</title><script>
const q = new URLSearchParams(location.search), plan = JSON.parse(q.get('plan')), i = Number(q.get('i') || 0);
setTimeout(async () => {
  await (await fetch('/blob?n=' + plan[i][1] + '&key=${SECRET}')).arrayBuffer();
  setTimeout(() => {
    if (i + 1 < plan.length) location.href = 'http://' + plan[i + 1][0] + ':8080/auto/next?i=' + (i + 1) + '&plan=' + encodeURIComponent(JSON.stringify(plan));
    else fetch('/done');
  }, 3000);
}, i === 0 ? Number(q.get('wait') || 0) : 500);
</script>`;

// `/sw-page?n=N`: registers `/sw.js`, a service worker that downloads N bytes and then fetches
// `/done` itself: requests the browser makes for no tab (webRequest's tabId -1).
const SW_PAGE_HTML = `<!doctype html><title>sw</title><script>
navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then((r) => r.active.postMessage(location.search));
</script>`;
const SW_SCRIPT = `self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('message', (e) => e.waitUntil(fetch('/blob?n=' + new URLSearchParams(e.data).get('n')).then((r) => r.arrayBuffer()).then(() => fetch('/done'))));`;

/**
 * The test server (node -e, in the server namespace, port 8080): a small page on any path;
 * `/blob?n=N` sends N bytes spread over about 2 s (so that 1-s polls see the connection move);
 * `/auto?plan=[[host,n],…]&i=I` downloads plan[I] from its own host, then goes on to the next host
 * (a browser driven by its pages, for Firefox); `/sw-page?n=N` the same download by a service worker;
 * `/done` prints "done". On SIGTERM it prints, per
 * Host, the bytes written and read on its connections and how many there were.
 */
export const SERVER_JS = `
const http = require('node:http');
const sockets = new Map();
const AUTO = ${JSON.stringify(AUTO_HTML)};
const SW_PAGE = ${JSON.stringify(SW_PAGE_HTML)};
const SW_JS = ${JSON.stringify(SW_SCRIPT)};
const server = http.createServer((req, res) => {
  const host = String(req.headers.host || '').replace(/:\\d+$/, '');
  if (!sockets.has(req.socket)) sockets.set(req.socket, host);
  const url = new URL(req.url, 'http://x');
  const send = (type, body) => { res.writeHead(200, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' }); res.end(body); };
  if (url.pathname === '/blob') {
    const n = Number(url.searchParams.get('n'));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(n), 'cache-control': 'no-store' });
    const chunk = 64 * 1024, steps = Math.ceil(n / chunk), every = Math.max(1, Math.floor(2000 / steps));
    let sent = 0;
    const tick = () => { const k = Math.min(chunk, n - sent); res.write(Buffer.alloc(k, 120)); sent += k; if (sent < n) setTimeout(tick, every); else res.end(); };
    tick();
    return;
  }
  if (url.pathname.startsWith('/auto')) return send('text/html', AUTO);
  if (url.pathname === '/done') { process.stdout.write('done\\n'); return send('text/plain', 'ok'); }
  if (url.pathname === '/sw-page') return send('text/html', SW_PAGE);
  if (url.pathname === '/sw.js') return send('text/javascript', SW_JS);
  if (url.pathname === '/favicon.ico') { res.writeHead(404, { 'content-length': '0' }); res.end(); return; }
  send('text/html', '<!doctype html><title>' + host + '</title><p>' + host + '</p>');
});
// WebSocket (/socket?n=N): the handshake, then N bytes in binary frames, then a close frame.
server.on('upgrade', (req, socket) => {
  const host = String(req.headers.host || '').replace(/:\\d+$/, '');
  sockets.set(socket, host);
  const accept = require('node:crypto').createHash('sha1').update(req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: ' + accept + '\\r\\n\\r\\n');
  let left = Number(new URL(req.url, 'http://x').searchParams.get('n'));
  const tick = () => {
    if (left <= 0) { socket.end(Buffer.from([0x88, 0x00])); return; }
    const k = Math.min(60000, left); left -= k;
    const head = Buffer.from([0x82, 126, k >> 8, k & 255]);
    socket.write(Buffer.concat([head, Buffer.alloc(k, 121)]));
    setTimeout(tick, 100);
  };
  tick();
  socket.on('error', () => undefined);
});
server.listen(8080, '0.0.0.0', () => process.stdout.write('listening\\n'));
process.on('SIGTERM', () => {
  const totals = {};
  for (const [s, host] of sockets) { const t = totals[host] ??= { written: 0, read: 0, connections: 0 }; t.written += s.bytesWritten; t.read += s.bytesRead; t.connections += 1; }
  process.stdout.write(JSON.stringify(totals) + '\\n');
  process.exit(0);
});
`;

/** What the test server counted for one Host. */
export interface Truth {
  written: number;
  read: number;
  connections: number;
}

/** A process started in a namespace, in its own process group. */
export interface Started {
  child: ChildProcess;
  out(): string;
  err(): string;
}

/** Starts `argv` inside namespace `ns` (its own process group, so that `stop` ends all of it). */
export function startIn(ns: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const [cmd, ...args] = netnsArgv(ns, argv);
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

/** Waits until `check` holds, or throws after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** SIGTERM to the process group, SIGKILL after 10 s; resolves when the leader exited. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-pid, 'SIGTERM');
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 10_000);
  await exited;
  clearTimeout(timer);
}

/** The test server's per-Host totals, from what it printed on SIGTERM. */
export function truthOf(server: Started): Record<string, Truth> {
  return JSON.parse(server.out().split('\n').find((l) => l.startsWith('{')) ?? '{}') as Record<string, Truth>;
}

/** A report's range in epoch seconds, as `netmon report --since/--until` takes it. */
export interface ReportRange {
  since: number;
  until: number;
}

/**
 * The range that holds every row a stopped `netmon serve` wrote in the last hour. Its rows are
 * stamped with their interval's end rounded to the nearest second, so the last one can lie up to
 * half a second after the instant serve stopped: `until` is rounded up. Reports that are compared
 * with each other must share one such range; `--since 1h` alone ends at each run's own `now`.
 */
export function rangeAfterStop(nowMs = Date.now()): ReportRange {
  const until = Math.ceil(nowMs / 1000);
  return { since: until - 3600, until };
}

const isoOf = (s: number): string => new Date(s * 1000).toISOString().replace(/\.000Z$/, 'Z');

/**
 * Runs `netmon report ARGS --data-dir DIR` over `range` and returns its output. Meant for after serve
 * stopped: the default range then holds every row written (see `rangeAfterStop`).
 */
export function netmonReport(args: string[], dataDir: string, range: ReportRange = rangeAfterStop()): string {
  const when = ['--since', isoOf(range.since), '--until', isoOf(range.until)];
  const r = spawnSync(process.execPath, [NETMON, 'report', ...args, ...when, '--data-dir', dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`netmon report failed: ${r.stderr}`);
  return r.stdout;
}

/** One stored interval in which an app's usage rows and its domain rows disagree. */
export interface RowMismatch {
  ts: number;
  usage: number;
  domains: number;
}

/**
 * The raw intervals (ts in (since, until]) whose bytes of `app` differ between usage_raw and
 * domain_raw, read from the database read-only: what a failed "domains add up to the app" check shows.
 */
export function usageVsDomainRows(dbPath: string, app: string, range: ReportRange): RowMismatch[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const sum = (a: number | null, b: number | null): number => (a ?? 0) + (b ?? 0);
    return domainUsageMismatches(db, { app, since: range.since, until: range.until }).map((m) => ({ ts: m.at, usage: sum(m.usageIn, m.usageOut), domains: sum(m.domainsIn, m.domainsOut) }));
  } finally {
    db.close();
  }
}

/** Every file under `dir` whose bytes contain one of `needles`, with the needle: none is the goal. */
export function findInFolder(dir: string, needles: readonly string[]): { file: string; needle: string }[] {
  const found: { file: string; needle: string }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const bytes = readFileSync(full);
        for (const needle of needles) if (bytes.includes(needle)) found.push({ file: full, needle });
      }
    }
  };
  walk(dir);
  return found;
}

/** A stored domain row, as `netmon report --by domain --json` lists it. */
export interface DomainRow {
  domain: string;
  bytesIn: number;
  bytesOut: number;
}

/** `netmon report --by domain --json` over `range`: the stored domain rows. */
export function domainRows(dataDir: string, range: ReportRange = rangeAfterStop()): DomainRow[] {
  return (JSON.parse(netmonReport(['--by', 'domain', '--json'], dataDir, range)) as { rows: DomainRow[] }).rows;
}

/** The hostnames of the stored active-tab reports (browser_reports), read from the database read-only. */
export function activeTabHosts(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'network_monitor.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT DISTINCT hostname FROM browser_reports').pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** What every extension e2e file starts: the builds, a namespace pair, the test server, and `netmon serve` on port 7500 in the client namespace. */
export interface ExtensionStack {
  root: string;
  dataDir: string;
  ext: { firefox: string; chromium: string };
  pair: NetnsPair;
  server: Started;
  serve: Started;
  /** The dashboard link serve printed (with the pairing token). */
  dashboard: string;
  /** Stops serve and the test server (the server prints its truth then). */
  stopServers(): Promise<void>;
  /** Removes the namespaces and the folder. */
  destroy(): void;
}

/**
 * `moreServerAddresses`: added to the server's side of the link (one per host name, for the IP join);
 * `sampler`: serve's sampler flags (default the unprivileged Linux sampler).
 */
export async function startExtensionStack(prefix: string, moreServerAddresses: readonly string[] = [], sampler: readonly string[] = ['--sampler', 'linux']): Promise<ExtensionStack> {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = path.join(root, 'data');
  const ext = await buildAll(path.join(root, 'ext'));
  const pair = createNetnsPair();
  for (const a of moreServerAddresses) spawnSync('ip', ['-n', pair.server, 'addr', 'add', `${a}/24`, 'dev', pair.serverDevice], { stdio: 'inherit' });
  const server = startIn(pair.server, [process.execPath, '-e', SERVER_JS]);
  await waitFor('the test server', () => server.out().includes('listening'));
  const serve = startIn(pair.client, [process.execPath, NETMON, 'serve', '--port', '7500', ...sampler, '--interval', '1', '--no-open', '--data-dir', dataDir]);
  await waitFor('netmon serve', () => /netmon: dashboard \S+#pair=[0-9a-f]{64}/.test(serve.out()));
  const dashboard = /netmon: dashboard (\S+#pair=[0-9a-f]{64})/.exec(serve.out())?.[1] ?? '';
  return {
    root,
    dataDir,
    ext,
    pair,
    server,
    serve,
    dashboard,
    stopServers: async () => {
      await stop(serve.child);
      await stop(server.child);
    },
    destroy: () => {
      pair.destroy();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A Firefox driven over Marionette (tests/fixtures/marionette.js in its namespace). */
export interface Marionette {
  /** Sends one command; resolves with its result, throws its error. */
  send<T = unknown>(command: string, params?: Record<string, unknown>): Promise<T>;
  /** Runs `script` (a function body; `arguments` as WebDriver gives them) in the page, or in Firefox's own chrome with `chrome`. */
  run<T = unknown>(script: string, options?: { chrome?: boolean; async?: boolean }): Promise<T>;
  /** Loads `url` in the tab. */
  goto(url: string): Promise<void>;
  close(): Promise<void>;
}

export const FIREFOX = process.env['NETMON_FIREFOX'] ?? '/usr/bin/firefox-esr';

/**
 * Starts Firefox headless in namespace `ns` with Marionette (system access allowed, for installing a
 * temporary add-on and for what about:addons does), a fresh profile with `prefs`, and a driver.
 */
export async function startFirefox(ns: string, root: string, prefs: Record<string, string | number | boolean>): Promise<Marionette> {
  const profile = mkdtempSync(path.join(root, 'firefox-profile-'));
  const port = 2828;
  const all = { 'marionette.port': port, 'browser.shell.checkDefaultBrowser': false, 'datareporting.policy.dataSubmissionEnabled': false, 'app.update.disabledForTesting': true, ...prefs };
  writeUserJs(profile, all);
  const firefox = startIn(ns, [FIREFOX, '-headless', '-marionette', '-remote-allow-system-access', '-no-remote', '-profile', profile], { ...process.env, HOME: root, MOZ_HEADLESS: '1' });
  const [cmd, ...args] = netnsArgv(ns, [process.execPath, path.join(REPO, 'tests', 'fixtures', 'marionette.js'), String(port)]);
  const driver = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const answers: Array<(line: string) => void> = [];
  readline.createInterface({ input: driver.stdout }).on('line', (line) => answers.shift()?.(line));
  const send = <T>(command: string, params: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      answers.push((line) => {
        const answer = JSON.parse(line) as { ok: true; value: T } | { ok: false; error: unknown };
        if (answer.ok) resolve(answer.value);
        else reject(new Error(`${command}: ${JSON.stringify(answer.error)}\n${firefox.err().slice(-1000)}`));
      });
      driver.stdin.write(`${JSON.stringify([command, params])}\n`);
    });
  let context: 'content' | 'chrome' = 'content';
  const inContext = async (want: 'content' | 'chrome'): Promise<void> => {
    if (want === context) return;
    await send('Marionette:SetContext', { value: want });
    context = want;
  };
  const run = async <T>(script: string, options: { chrome?: boolean; async?: boolean } = {}): Promise<T> => {
    await inContext(options.chrome === true ? 'chrome' : 'content');
    const answer = await send<{ value: T }>(options.async === true ? 'WebDriver:ExecuteAsyncScript' : 'WebDriver:ExecuteScript', { script, args: [] });
    return answer.value;
  };
  await send('WebDriver:NewSession', {});
  return {
    send,
    run,
    goto: async (url) => {
      await inContext('content');
      await send('WebDriver:Navigate', { url });
    },
    close: async () => {
      driver.stdin.end();
      await stop(firefox.child);
      if (driver.exitCode === null) driver.kill();
    },
  };
}

function writeUserJs(profile: string, prefs: Record<string, string | number | boolean>): void {
  const lines = Object.entries(prefs).map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});`);
  writeFileSync(path.join(profile, 'user.js'), `${lines.join('\n')}\n`);
}

export const CHROMIUM = process.env['NETMON_CHROMIUM'] ?? '/usr/bin/chromium';

/** Whether the Chromium extension files can run here, and why not. */
export function chromiumExtensionSupport(): { ready: boolean; why: string } {
  const support = netnsSupport();
  if (!support.ok) return { ready: false, why: support.reason };
  if (!existsSync(CHROMIUM)) return { ready: false, why: `${CHROMIUM} is missing` };
  if (!existsSync(path.join(REPO, 'dist', 'renderer', 'index.html'))) return { ready: false, why: 'dist/renderer is missing: run npm run build first' };
  return { ready: true, why: '' };
}

/**
 * Debian's Chromium in the stack's client namespace (a wrapper, the way Playwright launches any
 * executable), headless, with the unpacked Chromium build loaded and nothing else; `rules` are
 * --host-resolver-rules entries (`MAP host address`).
 */
export function launchChromiumWithExtension(stack: ExtensionStack, rules: readonly string[], extraArgs: readonly string[] = []): Promise<BrowserContext> {
  const wrapper = path.join(stack.root, 'chromium-in-netns');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${stack.pair.client} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return chromium.launchPersistentContext(path.join(stack.root, 'profile'), {
    executablePath: wrapper,
    headless: true,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=${rules.join(', ')}`, `--load-extension=${stack.ext.chromium}`, `--disable-extensions-except=${stack.ext.chromium}`, ...extraArgs],
  });
}

/** The extension's worker and pages, once paired in one click by the dashboard link serve printed. */
export interface PairedChromium {
  worker: Worker;
  extensionId: string;
  optionsUrl: string;
  /** What the options page said once connected. */
  status: string;
}

export async function pairChromium(context: BrowserContext, dashboard: string): Promise<PairedChromium> {
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  const optionsUrl = `chrome-extension://${extensionId}/options.html`;
  const dash = await context.newPage();
  await dash.goto(dashboard);
  const options = await context.newPage();
  await options.goto(optionsUrl);
  await options.locator('#status[data-state="connected"]').waitFor({ timeout: 20_000 });
  const status = (await options.textContent('#status')) ?? '';
  await options.close();
  await dash.close();
  return { worker, extensionId, optionsUrl, status };
}

/**
 * A WebSocket site's check: the page received all `socket.bytes`, and its domain's stored download is
 * what the test server wrote to that host's connections, within 2 % (or one byte per connection).
 */
export function expectSocketStored(socket: { host: string; domain: string; bytes: number }, received: number, truth: Record<string, Truth>, byDomain: readonly DomainRow[]): void {
  expect(received).toBe(socket.bytes);
  const t = truth[socket.host];
  const row = byDomain.find((r) => r.domain === socket.domain);
  expect(row, JSON.stringify(byDomain)).toBeDefined();
  expect(t, JSON.stringify(truth)).toBeDefined();
  if (row === undefined || t === undefined) return;
  expect(t.written).toBeGreaterThan(socket.bytes);
  expect(Math.abs(row.bytesIn - t.written), `stored ${row.bytesIn}, server wrote ${t.written}`).toBeLessThanOrEqual(Math.max(t.written * 0.02, t.connections));
}

/** How many times the test server was told `/done` (a page or worker finished its download). */
export function doneCount(server: Started): number {
  return server.out().split('\n').filter((l) => l === 'done').length;
}

/** The extension's settings as chrome://extensions sets them: developer mode on, then "Allow in Incognito" (Chromium reloads the extension). */
export async function allowInIncognito(context: BrowserContext, extensionId: string): Promise<void> {
  const page = await context.newPage();
  await page.goto(`chrome://extensions/?id=${extensionId}`);
  // Unpacked extensions are disabled on reload while developer mode is off.
  await page.evaluate(async (id) => {
    const dev = (globalThis as unknown as { chrome: { developerPrivate: { updateProfileConfiguration(o: object): Promise<void>; updateExtensionConfiguration(o: object): Promise<void> } } }).chrome.developerPrivate;
    await dev.updateProfileConfiguration({ inDeveloperMode: true });
    await dev.updateExtensionConfiguration({ extensionId: id, incognitoAccess: true });
  }, extensionId);
  await page.close();
}

/**
 * Stops the extension's service worker as Chromium does when it idles out (CDP Target.closeTarget on its
 * target). Playwright keeps the same Worker object: its next evaluate runs in the worker started again.
 */
export async function stopServiceWorker(context: BrowserContext, extensionId: string): Promise<void> {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { targetId: string; type: string; url: string }[] };
    const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${extensionId}/`));
    if (sw === undefined) throw new Error(`no service worker of ${extensionId} runs: ${JSON.stringify(targetInfos.map((t) => t.url))}`);
    await cdp.send('Target.closeTarget', { targetId: sw.targetId });
  } finally {
    await cdp.detach();
  }
}

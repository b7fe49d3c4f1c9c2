// The shell's wiring, with Electron faked (electron-mock.ts) and the engine real: runApp starts
// startRuntime in a temp data folder (port 0, the Linux sampler) exactly as the app does. It proves
// the single-instance hand-over, the app scheme set up before ready, the tray following the rate, the
// menu items calling the right engine functions, one dashboard that remembers its place, the popover's
// links and navigation locked to our pages, notifications, start at login, and that quitting writes
// the buffered rows and stops the sampler before the app goes. A few cases (macOS, a failing sampler,
// a stop that hangs) drive startShell with the real handler layer over small parts instead.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PauseState, SamplerHealthView } from '../../../src-shared/contract/types.js';
import { createApiHandlers } from '../../../src-main/api/handlers.js';
import { createLiveFeed } from '../../../src-main/api/live.js';
import { DEFAULT_CONFIG } from '../../../src-main/engine/config.js';
import { DB_FILE_NAME, openStore } from '../../../src-main/engine/store/index.js';
import { runApp } from '../../../src-main/electron/app.js';
import { rendererLocation } from '../../../src-main/electron/app-url.js';
import { startShell, type Shell, type ShellEngine } from '../../../src-main/electron/shell.js';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../../src-main/runtime.js';
import { app, fake, type FakeBrowserWindow, type FakeMenu, type FakeTray, ipcMain, powerMonitor } from '../../helpers/electron-mock.js';

vi.mock('electron', () => import('../../helpers/electron-mock.js'));
vi.mock('menubar', () => import('../../helpers/electron-mock.js'));

const REPO = path.resolve(import.meta.dirname, '..', '..', '..');
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Setup {
  root: string;
  dataDir: string;
  mainDir: string;
  configHome: string;
  env: NodeJS.ProcessEnv;
}

let setup: Setup;
let shells: Shell[] = [];
let runtimes: Runtime[] = [];

beforeEach(() => {
  fake.reset();
  app.appPath = REPO;
  const root = mkdtempSync(path.join(os.tmpdir(), 'netmon-electron-shell-'));
  const mainDir = path.join(root, 'dist', 'src-main', 'electron');
  mkdirSync(mainDir, { recursive: true });
  mkdirSync(path.join(root, 'dist', 'renderer'), { recursive: true });
  writeFileSync(path.join(root, 'dist', 'renderer', 'index.html'), '<!doctype html><title>netmon test</title>');
  const dataDir = path.join(root, 'data');
  const configHome = path.join(root, 'config');
  setup = { root, dataDir, mainDir, configHome, env: { NETMON_HOME: dataDir, XDG_CONFIG_HOME: configHome } };
  shells = [];
  runtimes = [];
});

afterEach(async () => {
  // Whatever a test left running is quit the way the app quits.
  if (shells.length > 0 && !app.quitted) app.quit();
  for (const shell of shells) await shell.whenStopped();
  for (const runtime of runtimes) await runtime.stop();
  rmSync(setup.root, { recursive: true, force: true });
});

async function launch(options: { engine?: Partial<RuntimeOptions>; expectShell?: boolean; platform?: NodeJS.Platform } = {}): Promise<{ shell: Shell; runtime: Runtime }> {
  let runtime: Runtime | null = null;
  const shell = await runApp({
    mainDir: setup.mainDir,
    env: setup.env,
    ...(options.platform === undefined ? {} : { platform: options.platform }),
    startEngine: async (o) => {
      runtime = await startRuntime(o);
      runtimes.push(runtime);
      return runtime;
    },
    engineOptions: { port: 0, sampler: 'linux', intervalS: 60, logToFile: false, ...options.engine },
    shellOptions: { pollMs: 3_600_000 },
  });
  if (shell === null || runtime === null) throw new Error('the app did not start');
  shells.push(shell);
  await tick();
  return { shell, runtime };
}

function tray(): FakeTray {
  const t = fake.trays[0];
  if (t === undefined) throw new Error('no tray');
  return t;
}

function menu(): FakeMenu {
  const m = tray().contextMenu;
  if (m === null) throw new Error('no context menu');
  return m;
}

function click(id: string): void {
  const item = menu().item(id);
  if (item.click === undefined) throw new Error(`${id} has no action`);
  item.click();
}

function popoverWindow(): FakeBrowserWindow {
  const win = fake.menubars[0]?.window;
  if (win === undefined) throw new Error('no popover window');
  return win;
}

function dashboards(): FakeBrowserWindow[] {
  return fake.windows.filter((w) => w !== fake.menubars[0]?.window && !w.destroyed);
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

describe('start', () => {
  it('hands over to the running instance and quits, starting nothing', async () => {
    app.lockAvailable = false;
    const startEngine = vi.fn(startRuntime);
    expect(await runApp({ mainDir: setup.mainDir, env: setup.env, startEngine })).toBeNull();
    expect(app.quitRequests).toBe(1);
    expect(startEngine).not.toHaveBeenCalled();
    expect(fake.trays).toEqual([]);
  });

  it('registers the app scheme before ready, serves the renderer under it, and starts the engine of netmon serve', async () => {
    const { runtime } = await launch();
    expect(fake.journal.indexOf('registerSchemesAsPrivileged')).toBeLessThan(fake.journal.indexOf('whenReady'));
    expect(fake.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
    ]);
    const handler = fake.protocolHandlers.get('app');
    const page = await handler?.({ url: 'app://netmon/index.html#/popover', method: 'GET' } as Request);
    expect(await page?.text()).toBe('<!doctype html><title>netmon test</title>');
    expect(runtime.dataDir).toBe(setup.dataDir);
    // The same runtime serves HTTP: the status over the API, the dashboard from the same build.
    const status = await fetch(`${runtime.server.url}/api/v1/status:get`, { headers: { 'x-netmon-token': runtime.token } });
    expect(((await status.json()) as { ok: boolean }).ok).toBe(true);
    expect(await (await fetch(`${runtime.server.url}/`)).text()).toContain('netmon test');
  });

  it('tells the user and exits when the engine cannot start (port taken)', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const shell = await runApp({ mainDir: setup.mainDir, env: setup.env, engineOptions: { port, sampler: 'linux', logToFile: false } });
      expect(shell).toBeNull();
      expect(fake.errorBoxes).toHaveLength(1);
      expect(fake.errorBoxes[0]?.content).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(app.exitCode).toBe(1);
      expect(fake.trays).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('brings the dashboard forward when the app is launched again', async () => {
    await launch();
    expect(dashboards()).toHaveLength(0);
    app.emit('second-instance', {}, [], '/');
    expect(dashboards()).toHaveLength(1);
    expect(dashboards()[0]?.webContents.url).toBe('app://netmon/index.html#/overview');
  });
});

describe('tray', () => {
  it('follows the rate: level image and tooltip', async () => {
    const { runtime } = await launch();
    expect(path.basename(tray().image.path)).toBe('tray-idle.png');
    expect(existsSync(tray().image.path)).toBe(true);
    runtime.live.publish({ event: 'rate', data: { ts: nowS(), intervalS: 5, bytesInPerS: 2_000_000, bytesOutPerS: 1_000_000, topApps: [] } });
    expect(path.basename(tray().image.path)).toBe('tray-high.png');
    expect(tray().tooltip).toBe('netmon: ↓ 2.00 MB/s  ↑ 1.00 MB/s');
    runtime.live.publish({ event: 'rate', data: { ts: nowS(), intervalS: 5, bytesInPerS: 40_000, bytesOutPerS: 10_000, topApps: [] } });
    expect(path.basename(tray().image.path)).toBe('tray-low.png');
    for (const image of tray().images) expect(existsSync(image.path), image.path).toBe(true);
  });

  it('shows the popover, with our page, sandboxed, and the menu offers it on Linux', async () => {
    await launch();
    const options = fake.menubars[0]?.options;
    expect(options?.index).toBe('app://netmon/index.html#/popover');
    expect(options?.preloadWindow).toBe(true);
    expect(options?.browserWindow).toMatchObject({
      width: 360,
      height: 480,
      webPreferences: { preload: path.join(setup.mainDir, 'preload.cjs'), sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false },
    });
    expect(popoverWindow().webContents.url).toBe('app://netmon/index.html#/popover');
    click('show-popover');
    await tick();
    expect(popoverWindow().visible).toBe(true);
  });
});

describe('menu', () => {
  it('lists the items in order', async () => {
    await launch();
    expect(menu().items.map((i) => i.id ?? i.type)).toEqual(['show-popover', 'separator', 'today', 'separator', 'open-dashboard', 'pause', 'view-logs', 'separator', 'start-at-login', 'separator', 'quit']);
  });

  it("shows today's usage from the store", async () => {
    const { runtime, shell } = await launch();
    runtime.store.append([{ ts: nowS(), durationS: 1, app: 'Firefox', bytesIn: 1_500_000, bytesOut: 250_000 }]);
    expect(runtime.store.flush().ok).toBe(true);
    await shell.refresh();
    expect(menu().item('today').label).toBe('Today: ↓ 1.50 MB  ↑ 250.00 KB');
    expect(menu().item('today').enabled).toBe(false);
  });

  it('pauses and resumes the monitor, and says which it will do', async () => {
    const { runtime } = await launch();
    expect(menu().item('pause').label).toBe('Pause Monitoring');
    click('pause');
    await vi.waitFor(() => expect(runtime.monitor.pauseState().paused).toBe(true));
    await vi.waitFor(() => expect(menu().item('pause').label).toBe('Resume Monitoring'));
    expect(tray().tooltip).toBe('netmon: monitoring paused');
    click('pause');
    await vi.waitFor(() => expect(runtime.monitor.pauseState().paused).toBe(false));
    await vi.waitFor(() => expect(menu().item('pause').label).toBe('Pause Monitoring'));
  });

  it('opens the logs folder', async () => {
    await launch();
    click('view-logs');
    expect(fake.openedPaths).toEqual([path.join(setup.dataDir, 'logs')]);
  });

  it('writes and removes the XDG autostart entry (start at login, Linux)', async () => {
    await launch();
    const file = path.join(setup.configHome, 'autostart', 'netmon.desktop');
    expect(menu().item('start-at-login')).toMatchObject({ type: 'checkbox', checked: false, enabled: true });
    click('start-at-login');
    // Not packaged: Electron's binary and the app folder (no reserved characters in either here).
    expect(readFileSync(file, 'utf8')).toContain(`\nExec=${process.execPath} ${REPO}\n`);
    expect(menu().item('start-at-login').checked).toBe(true);
    click('start-at-login');
    expect(existsSync(file)).toBe(false);
    expect(menu().item('start-at-login').checked).toBe(false);
  });
});

describe('dashboard', () => {
  it('is one window, sandboxed, brought forward when opened again', async () => {
    const { shell } = await launch();
    click('open-dashboard');
    click('open-dashboard');
    expect(dashboards()).toHaveLength(1);
    const win = dashboards()[0];
    expect(win?.options['webPreferences']).toMatchObject({ preload: path.join(setup.mainDir, 'preload.cjs'), sandbox: true, contextIsolation: true, nodeIntegration: false });
    expect(win?.focused).toBe(true);
    win?.minimize();
    shell.openDashboard('#/apps');
    expect(dashboards()).toHaveLength(1);
    expect(win?.isMinimized()).toBe(false);
    expect(win?.webContents.url).toBe('app://netmon/index.html#/apps');
  });

  it('remembers its place in the data folder (600) and reopens there', async () => {
    const { shell } = await launch();
    shell.openDashboard();
    const first = dashboards()[0];
    first?.setBounds({ x: 200, y: 100, width: 1000, height: 700 });
    first?.close();
    const file = path.join(setup.dataDir, 'electron-state.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ dashboard: { x: 200, y: 100, width: 1000, height: 700, maximized: false } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    shell.openDashboard();
    expect(dashboards()[0]?.options).toMatchObject({ x: 200, y: 100, width: 1000, height: 700 });
  });

  it('comes back onto the screen when its display is gone', async () => {
    mkdirSync(setup.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(setup.dataDir, 'electron-state.json'), JSON.stringify({ dashboard: { x: 3000, y: 100, width: 1000, height: 700 } }));
    const { shell } = await launch();
    shell.openDashboard();
    // Centred on the 1440 × 875 primary display: (1440 - 1000) / 2 = 220, (875 - 700) / 2 = 87.5 → 88.
    expect(dashboards()[0]?.options).toMatchObject({ x: 220, y: 88, width: 1000, height: 700 });
  });
});

describe('pages stay ours', () => {
  it("opens the popover's dashboard links in the dashboard, https links in the browser, nothing else", async () => {
    await launch();
    const popover = popoverWindow();
    await fake.menubars[0]?.showWindow();
    const open = popover.webContents.windowOpenHandler;
    expect(open?.({ url: 'app://netmon/index.html#/settings' })).toEqual({ action: 'deny' });
    expect(dashboards()).toHaveLength(1);
    expect(dashboards()[0]?.webContents.url).toBe('app://netmon/index.html#/settings');
    expect(fake.menubars[0]?.visible).toBe(false);
    expect(open?.({ url: 'https://addons.mozilla.org/' })).toEqual({ action: 'deny' });
    expect(fake.openedExternal).toEqual(['https://addons.mozilla.org/']);
    expect(open?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'http://127.0.0.1:7500/' })).toEqual({ action: 'deny' });
    expect(fake.openedExternal).toHaveLength(1);
    expect(dashboards()).toHaveLength(1);
  });

  it('refuses navigation away, and every permission but the clipboard write of our pages', async () => {
    await launch();
    const contents = popoverWindow().webContents;
    expect(contents.tryNavigate('https://evil.example/')).toBe(false);
    expect(contents.tryNavigate('file:///etc/passwd', 'will-redirect')).toBe(false);
    expect(contents.tryNavigate('app://netmon/index.html#/overview')).toBe(true);
    const granted: boolean[] = [];
    const ask = (permission: string, requestingUrl: string): void => fake.permissionRequestHandler?.(contents, permission, (g) => granted.push(g), { requestingUrl });
    ask('notifications', 'app://netmon/index.html#/popover');
    ask('media', 'app://netmon/index.html#/popover');
    ask('clipboard-sanitized-write', 'https://evil.example/');
    ask('clipboard-sanitized-write', 'app://netmon/index.html#/settings');
    expect(granted).toEqual([false, false, false, true]);
    expect(fake.permissionCheckHandler?.(contents, 'clipboard-read', 'app://netmon')).toBe(false);
    expect(fake.permissionCheckHandler?.(contents, 'clipboard-sanitized-write', 'app://netmon')).toBe(true);
    expect(fake.permissionCheckHandler?.(contents, 'clipboard-sanitized-write', 'file://')).toBe(false);
  });
});

describe('notifications', () => {
  function writeConfig(values: Record<string, unknown>): void {
    mkdirSync(setup.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(setup.dataDir, 'config.json'), JSON.stringify(values), { mode: 0o600 });
  }

  it('announces a day over the threshold once, also across a restart, and opens the overview on click', async () => {
    writeConfig({ high_usage_threshold_gb: 0.001 });
    const { runtime, shell } = await launch();
    // 1.5 MB + 0.5 MB = 2 MB today, over 0.001 GB = 1 MB.
    runtime.store.append([{ ts: nowS(), durationS: 1, app: 'Firefox', bytesIn: 1_500_000, bytesOut: 500_000 }]);
    expect(runtime.store.flush().ok).toBe(true);
    await shell.refresh();
    await shell.refresh();
    const usage = fake.notifications.filter((n) => n.options.title === 'High network usage today');
    expect(usage).toHaveLength(1);
    expect(usage[0]?.shown).toBe(true);
    expect(usage[0]?.options.body).toBe('netmon counted 2.00 MB today (↓ 1.50 MB, ↑ 500.00 KB), over your 1.00 MB a day.');
    usage[0]?.emit('click');
    expect(dashboards()[0]?.webContents.url).toBe('app://netmon/index.html#/overview?range=24h');

    app.quit();
    await shell.whenStopped();
    fake.reset();
    app.appPath = REPO;
    const again = await launch();
    await again.shell.refresh();
    expect(fake.notifications.filter((n) => n.options.title === 'High network usage today')).toEqual([]);
  });

  it('keeps each notification until it is clicked, closed or failed, so that its click still works', async () => {
    writeConfig({ sampling_interval_seconds: 'fast' });
    const { shell } = await launch();
    const shown = fake.notifications.length;
    expect(shown).toBeGreaterThan(0);
    expect(shell.pendingNotifications()).toBe(shown);
    fake.notifications[0]?.emit('close');
    expect(shell.pendingNotifications()).toBe(shown - 1);
    if (shown > 1) {
      fake.notifications[1]?.emit('failed', {}, 'unsigned');
      expect(shell.pendingNotifications()).toBe(shown - 2);
    }
  });

  it('says nothing when notifications are off', async () => {
    writeConfig({ high_usage_threshold_gb: 0.001, enable_notifications: false });
    const { runtime, shell } = await launch();
    runtime.store.append([{ ts: nowS(), durationS: 1, app: 'Firefox', bytesIn: 5_000_000, bytesOut: 0 }]);
    expect(runtime.store.flush().ok).toBe(true);
    await shell.refresh();
    expect(fake.notifications).toEqual([]);
  });

  it('a salvaged database: the status says what was recovered, and one notification says it once', async () => {
    // A populated database with one page of usage_raw overwritten, as a bad sector would leave it.
    mkdirSync(setup.dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(setup.dataDir, DB_FILE_NAME);
    const seeded = openStore({ dataDir: setup.dataDir, retention: { rawDays: 3650, hourlyDays: 3650 } });
    const t0 = nowS() - 3 * 86_400;
    for (let day = 0; day < 2; day += 1) {
      const rows = Array.from({ length: 288 * 4 }, (_, i) => ({ ts: t0 + day * 86_400 + Math.floor(i / 4) * 300, durationS: 300, app: `app${i % 4}`, bytesIn: 1000 + i, bytesOut: 10 + i }));
      seeded.append(rows);
      expect(seeded.flush().ok).toBe(true);
    }
    seeded.close();
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = 'usage_raw' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
    db.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (leaves[Math.floor(leaves.length / 2)]! - 1) * pageSize);
    closeSync(fd);

    const { runtime, shell } = await launch();
    const status = await runtime.handlers.invoke('status:get', {});
    if (!status.ok) throw new Error(status.error.message);
    expect(status.value.storage.recoveredTo).toContain(`${DB_FILE_NAME}.corrupt-`);
    expect(status.value.storage.salvaged).toMatch(/^recovered \d+ rows: .*usage_raw \d+ \(1 damaged stretch lost\)/);
    const said = fake.notifications.filter((n) => n.options.body.startsWith('from the damaged database: '));
    expect(said.map((n) => n.options.body)).toEqual([`from the damaged database: ${status.value.storage.salvaged}`]);
    await shell.refresh();
    await shell.refresh();
    expect(fake.notifications.filter((n) => n.options.body.startsWith('from the damaged database: '))).toHaveLength(1);
  });

  it("passes on the engine's start-up notices", async () => {
    writeConfig({ sampling_interval_seconds: 'fast' });
    const { runtime } = await launch();
    expect(runtime.notices.length).toBeGreaterThan(0);
    expect(fake.notifications.map((n) => n.options)).toEqual(runtime.notices.map((body) => ({ title: 'netmon', body })));
  });
});

/** The names of this process's child processes (the sampler's long-lived ss). */
function ourChildren(): string[] {
  const names: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid) names.push(stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return names;
}

/** What usage_raw holds now, read by another connection (what a reader sees once the app is gone). */
function storedUsage(): { bytesIn: number | null; bytesOut: number | null } {
  const db = new Database(path.join(setup.dataDir, 'network_monitor.db'), { readonly: true });
  try {
    return db.prepare('SELECT sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut FROM usage_raw').get() as { bytesIn: number; bytesOut: number };
  } finally {
    db.close();
  }
}

describe('quit', () => {
  it('writes the buffered rows and stops the sampler before the app goes', async () => {
    const { runtime, shell } = await launch();
    // The Linux sampler's long-lived child (ss -E, started through stdbuf).
    await vi.waitFor(() => expect(ourChildren().length).toBeGreaterThan(0));
    runtime.store.append([{ ts: nowS(), durationS: 1, app: 'Firefox', bytesIn: 123_456, bytesOut: 7_890 }]);
    expect(runtime.store.pendingRows()).toBeGreaterThan(0);
    click('quit');
    // Held: the first quit is prevented until the engine has stopped.
    expect(app.quitted).toBe(false);
    await shell.whenStopped();
    expect(app.quitted).toBe(true);
    expect(app.quitRequests).toBe(2);
    expect(runtime.monitor.samplerHealth().state).toBe('stopped');
    expect(ourChildren()).toEqual([]);
    expect(tray().destroyed).toBe(true);
    expect(ipcMain.handlers.size).toBe(0);
    await expect(fetch(`${runtime.server.url}/api/v1/status:get`)).rejects.toThrow();
    const db = new Database(path.join(setup.dataDir, 'network_monitor.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT sum(bytes_in) AS bytesIn, sum(bytes_out) AS bytesOut FROM usage_raw').get() as { bytesIn: number; bytesOut: number };
      expect(row).toEqual({ bytesIn: 123_456, bytesOut: 7_890 });
    } finally {
      db.close();
    }
  });

  it('quits on SIGTERM the same way, and lets go of the signal', async () => {
    const before = process.listenerCount('SIGTERM');
    const { shell } = await launch();
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM');
    await shell.whenStopped();
    expect(app.quitted).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it("never holds the system's quit (logout, restart, shutdown, the Dock): the buffer is written before app.quit() returns", async () => {
    const { runtime, shell } = await launch();
    runtime.store.append([{ ts: nowS(), durationS: 1, app: 'Firefox', bytesIn: 4_321, bytesOut: 123 }]);
    let stoppedBeforeReturn = false;
    void shell.whenStopped().then(() => (stoppedBeforeReturn = true));
    app.quit();
    // Not prevented: one request, through at once (macOS would otherwise cancel the shutdown).
    expect(app.quitRequests).toBe(1);
    expect(app.quitted).toBe(true);
    // Written synchronously, before anything else ran.
    expect(storedUsage()).toEqual({ bytesIn: 4_321, bytesOut: 123 });
    expect(tray().destroyed).toBe(true);
    expect(ipcMain.handlers.size).toBe(0);
    await shell.whenStopped();
    expect(stoppedBeforeReturn).toBe(true);
  });

  it('writes at once on powerMonitor shutdown, and lets the quit that follows through', async () => {
    const { runtime } = await launch();
    runtime.store.append([{ ts: nowS(), durationS: 1, app: 'Firefox', bytesIn: 777, bytesOut: 11 }]);
    powerMonitor.emit('shutdown', { preventDefault: () => expect.unreachable('the shutdown must not be delayed') });
    expect(storedUsage()).toEqual({ bytesIn: 777, bytesOut: 11 });
    app.quit();
    expect(app.quitted).toBe(true);
    expect(app.quitRequests).toBe(1);
  });

  it("does not hold a system quit that comes while the menu's orderly quit is under way", async () => {
    const { runtime, shell } = await launch();
    runtime.store.append([{ ts: nowS(), durationS: 1, app: 'Firefox', bytesIn: 5_000, bytesOut: 50 }]);
    click('quit');
    expect(app.quitted).toBe(false);
    app.quit();
    expect(app.quitted).toBe(true);
    expect(storedUsage()).toEqual({ bytesIn: 5_000, bytesOut: 50 });
    await shell.whenStopped();
    // The orderly stop's own late app.quit() does not quit a second time.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(app.quitRequests).toBe(2);
  });
});

describe('a system sleep', () => {
  it('stops the sampler and its children on suspend with the buffer written, and starts a fresh one on resume; the sleep is one gap', async () => {
    // The runtime's clock, moved 10 minutes at the sleep, both clocks (Node's on macOS counts through a sleep).
    let offset = 0;
    const clock = { now: () => Date.now() + offset, mono: () => performance.now() + offset };
    const { runtime, shell } = await launch({ engine: { intervalS: 1, clock } });
    await vi.waitFor(() => expect(runtime.monitor.monitorStats().samples).toBeGreaterThan(1), { timeout: 10_000 });
    runtime.store.append([{ ts: Math.floor(clock.now() / 1000), durationS: 1, app: 'Firefox', bytesIn: 2_468, bytesOut: 13 }]);
    powerMonitor.emit('suspend');
    await vi.waitFor(() => expect(ourChildren()).toEqual([]));
    await vi.waitFor(() => expect(storedUsage().bytesIn).toBeGreaterThanOrEqual(2_468));
    expect(runtime.monitor.samplerHealth().state).toBe('stopped');
    const asleepAt = Math.floor(clock.now() / 1000);
    offset += 600_000;
    const samples = runtime.monitor.monitorStats().samples;
    powerMonitor.emit('resume');
    await vi.waitFor(() => expect(ourChildren().length).toBeGreaterThan(0));
    await vi.waitFor(() => expect(runtime.monitor.monitorStats().samples).toBeGreaterThan(samples + 1), { timeout: 10_000 });
    expect(runtime.monitor.samplerHealth().state).toBe('running');
    click('quit');
    await shell.whenStopped();
    const db = new Database(path.join(setup.dataDir, 'network_monitor.db'), { readonly: true });
    try {
      const gaps = db.prepare("SELECT start_ts AS start, end_ts AS end FROM gaps WHERE reason = 'sleep-or-clock-jump'").all() as Array<{ start: number; end: number }>;
      expect(gaps).toHaveLength(1);
      expect(gaps[0]?.start).toBeLessThanOrEqual(asleepAt);
      expect((gaps[0]?.end ?? 0) - (gaps[0]?.start ?? 0)).toBeGreaterThanOrEqual(599);
      expect((gaps[0]?.end ?? 0) - (gaps[0]?.start ?? 0)).toBeLessThan(620);
      // No interval spans the sleep.
      expect((db.prepare('SELECT max(duration_s) AS d FROM usage_raw').get() as { d: number | null }).d ?? 0).toBeLessThan(60);
      expect(runtime.monitor.monitorStats().lateSamples).toBe(0);
    } finally {
      db.close();
    }
    // Quitting let go of powerMonitor.
    expect(powerMonitor.listenerCount('suspend')).toBe(0);
    expect(powerMonitor.listenerCount('resume')).toBe(0);
  });
});

// ---- startShell over the real handler layer with small parts: what the Linux runtime here cannot show.

interface Parts {
  engine: ShellEngine;
  health: { current: SamplerHealthView };
  stop: ReturnType<typeof vi.fn>;
}

function parts(stop: () => Promise<void> = () => Promise.resolve()): Parts {
  const dataDir = path.join(setup.root, 'parts');
  mkdirSync(dataDir, { recursive: true });
  let pause: PauseState = { paused: false, until: null };
  const health = { current: { sampler: 'nettop', state: 'running', reason: null, restarts: 0, malformedLines: 0, lastSampleAt: null, details: {} } as SamplerHealthView };
  const handlers = createApiHandlers({
    now: () => Date.now(),
    dataDir,
    queries: {
      totals: () => ({ bytesIn: 0, bytesOut: 0 }),
      apps: () => [],
      processes: () => [],
      domains: () => [],
      timeline: () => [],
      heatmap: () => [],
      purge: (range) => ({ ...range, deletedRows: 0 }),
    },
    capture: { state: () => pause, pause: (until) => (pause = { paused: true, until }), resume: () => (pause = { paused: false, until: null }) },
    config: { get: () => ({ ...DEFAULT_CONFIG }), set: () => ({ ...DEFAULT_CONFIG }) },
    status: {
      version: 'test',
      startedAt: 0,
      samplerHealth: () => health.current,
      lastSampleAt: () => null,
      dataBytes: () => 0,
      storageHealth: () => ({ ok: true, error: null, pendingRows: 0, recoveredTo: null }),
    },
    live: createLiveFeed(),
    browserReports: { record: () => 1 },
  });
  const stopSpy = vi.fn(stop);
  return { engine: { dataDir, token: 'tok', notices: [], handlers, live: createLiveFeed(), stop: stopSpy, stopNow: vi.fn(), suspend: vi.fn(() => Promise.resolve()), wake: vi.fn(() => Promise.resolve()) }, health, stop: stopSpy };
}

function shellOver(p: Parts, platform: NodeJS.Platform, extra: { now?: () => number; stopTimeoutMs?: number } = {}): Shell {
  const shell = startShell({
    engine: p.engine,
    location: rendererLocation(null),
    preloadPath: '/app/preload.cjs',
    trayImagesDir: path.join(REPO, 'build', 'tray'),
    platform,
    launch: { execPath: '/Applications/netmon.app/Contents/MacOS/netmon', isPackaged: true, appPath: '/x', appImage: undefined },
    autostartFile: path.join(setup.root, 'autostart', 'netmon.desktop'),
    pollMs: 3_600_000,
    ...extra,
  });
  shells.push(shell);
  return shell;
}

describe('macOS', () => {
  it('uses template images, a right-click menu, the login item API and the Dock only while the dashboard is open', async () => {
    const shell = shellOver(parts(), 'darwin');
    await tick();
    expect(path.basename(tray().image.path)).toBe('tray-idleTemplate.png');
    expect(tray().image.template).toBe(true);
    expect(existsSync(tray().image.path)).toBe(true);
    expect(existsSync(tray().image.path.replace('.png', '@2x.png'))).toBe(true);
    expect(tray().contextMenu).toBeNull();
    tray().emit('right-click');
    const popped = tray().poppedUp[0];
    expect(popped?.items.map((i) => i.id).filter(Boolean)).toEqual(['today', 'open-dashboard', 'pause', 'view-logs', 'start-at-login', 'quit']);
    popped?.item('start-at-login').click?.();
    expect(app.loginItem.openAtLogin).toBe(true);
    expect(existsSync(path.join(setup.root, 'autostart', 'netmon.desktop'))).toBe(false);
    shell.openDashboard();
    expect(app.dock.visible).toBe(true);
    dashboards()[0]?.close();
    expect(app.dock.visible).toBe(false);
  });

  it('re-opening the app from Finder (activate) brings the dashboard to the front, not the popover', async () => {
    shellOver(parts(), 'darwin');
    await tick();
    app.emit('activate', {}, false);
    await tick();
    expect(dashboards()).toHaveLength(1);
    expect(dashboards()[0]?.webContents.url).toBe('app://netmon/index.html#/overview');
    expect(fake.menubars[0]?.visible).toBe(false);
    expect(app.focusSteals).toBeGreaterThan(0);
  });

  it('takes focus for the dashboard only once the Dock icon is shown (while it is an accessory app, macOS may leave it behind)', async () => {
    shellOver(parts(), 'darwin');
    await tick();
    app.dock.hide();
    fake.journal.length = 0;
    app.emit('activate', {}, false);
    await vi.waitFor(() => expect(fake.journal).toContain('focus stolen'));
    const shown = fake.journal.indexOf('dock shown');
    expect(shown).toBeGreaterThanOrEqual(0);
    expect(shown).toBeLessThan(fake.journal.indexOf('focus stolen'));
  });

  it('shows "allow in System Settings" while macOS waits for approval', async () => {
    app.loginItem = { openAtLogin: false, status: 'requires-approval' };
    shellOver(parts(), 'darwin');
    await tick();
    tray().emit('right-click');
    expect(tray().poppedUp[0]?.item('start-at-login')).toMatchObject({ checked: true, label: 'Start at Login (allow in System Settings)' });
  });
});

describe('macOS: a packaged copy outside Applications (the disk image, App Translocation)', () => {
  beforeEach(() => {
    app.isPackaged = true;
    app.inApplications = false;
    // Electron's Resources folder, where a packaged app finds its tray images.
    Object.defineProperty(process, 'resourcesPath', { value: path.join(REPO, 'build'), configurable: true, writable: true });
  });
  afterEach(() => {
    Reflect.deleteProperty(process, 'resourcesPath');
  });

  it('offers the move in front before anything starts; "Move to Applications" moves and starts nothing', async () => {
    fake.messageBoxAnswer = 0;
    const startEngine = vi.fn(startRuntime);
    const shell = await runApp({ mainDir: setup.mainDir, env: setup.env, platform: 'darwin', startEngine, engineOptions: { port: 0, sampler: 'linux', logToFile: false } });
    expect(shell).toBeNull();
    expect(app.moves).toBe(1);
    expect(startEngine).not.toHaveBeenCalled();
    expect(fake.messageBoxes).toHaveLength(1);
    expect(fake.messageBoxes[0]).toMatchObject({ message: 'Move netmon to the Applications folder?', buttons: ['Move to Applications', 'Not Now'], cancelId: 1 });
    // The app took focus before its box (an accessory app's box can open behind other windows).
    expect(fake.messageBoxes[0]?.focusStealsBefore).toBe(1);
  });

  it('"Not Now": the app starts where it is, and the next launch does not ask again', async () => {
    fake.messageBoxAnswer = 1;
    const first = await launch({ platform: 'darwin' });
    expect(fake.messageBoxes).toHaveLength(1);
    expect(app.moves).toBe(0);
    expect(first.runtime.monitor.samplerHealth().sampler).toBe('linux');
    app.quit();
    await first.shell.whenStopped();
    // Quitting kept the answer (the shell rewrites electron-state.json as it quits).
    fake.reset();
    app.isPackaged = true;
    app.inApplications = false;
    await launch({ platform: 'darwin' });
    expect(fake.messageBoxes).toEqual([]);
    expect(app.moves).toBe(0);
  });

  it('a failed move says why in front, once, and the app starts where it is', async () => {
    app.moveResult = new Error('The destination is read-only');
    await launch({ platform: 'darwin' });
    expect(app.moves).toBe(1);
    expect(fake.errorBoxes).toHaveLength(1);
    expect(fake.errorBoxes[0]?.content).toContain('The destination is read-only');
    expect(fake.trays).toHaveLength(1);
  });

  it('asks nothing from /Applications', async () => {
    app.inApplications = true;
    await launch({ platform: 'darwin' });
    expect(fake.messageBoxes).toEqual([]);
  });
});

describe('a failing sampler', () => {
  it('is announced after two minutes of failing, once', async () => {
    let now = 1_800_000_000_000;
    const p = parts();
    const shell = shellOver(p, 'linux', { now: () => now });
    p.health.current = { ...p.health.current, state: 'failing', reason: 'ss exited (code 1)' };
    await shell.refresh();
    expect(tray().tooltip).toBe('netmon: not measuring: ss exited (code 1)');
    now += 119_000;
    await shell.refresh();
    expect(fake.notifications).toEqual([]);
    now += 1_000;
    await shell.refresh();
    now += 600_000;
    await shell.refresh();
    expect(fake.notifications.map((n) => n.options)).toEqual([{ title: 'netmon is not measuring', body: 'ss exited (code 1). View Logs in the menu has the details.' }]);
  });
});

describe('a stop that hangs', () => {
  it('does not keep the app from quitting', async () => {
    const p = parts(() => new Promise<void>(() => undefined));
    const shell = shellOver(p, 'linux', { stopTimeoutMs: 50 });
    await tick();
    // The menu's Quit is the one that waits for the engine (a system quit writes at once).
    click('quit');
    await shell.whenStopped();
    expect(p.stop).toHaveBeenCalledTimes(1);
    expect(app.quitted).toBe(true);
  });
});

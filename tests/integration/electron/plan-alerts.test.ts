// The plan's alerts reach the user through the shell, with Electron faked (electron-mock.ts) and the
// engine real (runApp → startRuntime in a temp data folder, as the app does): the engine's checker
// stores an alert, the next poll shows it as a system notification once (not on the next poll, not
// after a restart), naming its cause and the top apps and sites, a click opens the Plan panel; and
// the menubar icon turns red past 100 % of the plan.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runApp } from '../../../src-main/electron/app.js';
import type { Shell } from '../../../src-main/electron/shell.js';
import { checkPlans } from '../../../src-main/engine/plans/checker.js';
import { startRuntime, type Runtime } from '../../../src-main/runtime.js';
import { app, fake } from '../../helpers/electron-mock.js';

vi.mock('electron', () => import('../../helpers/electron-mock.js'));
vi.mock('menubar', () => import('../../helpers/electron-mock.js'));

const REPO = path.resolve(import.meta.dirname, '..', '..', '..');
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const nowS = (): number => Math.floor(Date.now() / 1000);

let root: string;
let running: { shell: Shell; runtime: Runtime }[] = [];

beforeEach(() => {
  fake.reset();
  app.appPath = REPO;
  root = mkdtempSync(path.join(os.tmpdir(), 'netmon-electron-plan-'));
  mkdirSync(path.join(root, 'dist', 'src-main', 'electron'), { recursive: true });
  mkdirSync(path.join(root, 'dist', 'renderer'), { recursive: true });
  writeFileSync(path.join(root, 'dist', 'renderer', 'index.html'), '<!doctype html><title>netmon test</title>');
  running = [];
});

afterEach(async () => {
  await quit();
  rmSync(root, { recursive: true, force: true });
});

async function quit(): Promise<void> {
  if (running.length > 0 && !app.quitted) app.quit();
  for (const { shell, runtime } of running) {
    await shell.whenStopped();
    await runtime.stop();
  }
  running = [];
}

async function launch(): Promise<{ shell: Shell; runtime: Runtime }> {
  let runtime: Runtime | null = null;
  const shell = await runApp({
    mainDir: path.join(root, 'dist', 'src-main', 'electron'),
    env: { NETMON_HOME: path.join(root, 'data'), XDG_CONFIG_HOME: path.join(root, 'config') },
    startEngine: async (o) => (runtime = await startRuntime(o)),
    engineOptions: { port: 0, sampler: 'linux', intervalS: 60, logToFile: false },
    shellOptions: { pollMs: 3_600_000 },
  });
  if (shell === null || runtime === null) throw new Error('the app did not start');
  running.push({ shell, runtime });
  await tick();
  return { shell, runtime };
}

const planNotices = (): { title: string; body: string }[] => fake.notifications.filter((n) => n.options.title.startsWith('Data plan')).map((n) => n.options);
const trayImage = (): string => path.basename(fake.trays[0]?.image.path ?? '');

describe('plan alerts in the shell', () => {
  it('notifies each alert once (also across a restart), names its cause and top 3, and turns the icon red past 100 %', async () => {
    const { shell, runtime } = await launch();
    // A 10 MB plan, then 12 MB today: 8 + 3 MB to two apps, 1 MB unattributed.
    expect((await runtime.handlers.invoke('plans:set', { kind: 'monthly', day: 1, quotaGb: 0.01 })).ok).toBe(true);
    runtime.store.append([
      { ts: nowS() - 60, durationS: 60, app: 'Photos', bytesIn: 1_000_000, bytesOut: 7_000_000 },
      { ts: nowS() - 60, durationS: 60, app: 'Firefox', bytesIn: 3_000_000, bytesOut: 0 },
      { ts: nowS() - 60, durationS: 60, app: '(unattributed)', bytesIn: 1_000_000, bytesOut: 0 },
    ]);
    expect(runtime.store.flush().ok).toBe(true);
    await shell.refresh();
    expect(planNotices()).toEqual([]);
    expect(trayImage()).toBe('tray-idle-over.png');
    expect(fake.trays[0]?.tooltip).toMatch(/\(data plan over its quota\)$/);

    // The engine's check (every 5 minutes in the app) stores the alert; the shell's next poll delivers it.
    const stored = runtime.store.withWriter((db) => checkPlans(db, nowS(), { anomalies: false }));
    expect(stored.map((a) => a.title)).toEqual(['Data plan: 100 % used']);
    await shell.refresh();
    await shell.refresh();
    expect(planNotices()).toEqual([{ title: 'Data plan: 100 % used', body: stored[0]?.body }]);
    expect(planNotices()[0]?.body).toMatch(/^Used 12\.00 MB of 10\.00 MB this cycle \(since \d{4}-\d{2}-\d{2}\)\. Top apps: Photos 8\.00 MB, Firefox 3\.00 MB\.$/);
    const shown = fake.notifications.find((n) => n.options.title === 'Data plan: 100 % used');
    expect(shown?.shown).toBe(true);
    shown?.emit('click');
    expect(fake.windows.some((w) => w.webContents.url === 'app://netmon/index.html#/overview')).toBe(true);

    // A restart repeats nothing; the icon is red again from the first poll.
    await quit();
    fake.reset();
    app.appPath = REPO;
    const again = await launch();
    await again.shell.refresh();
    expect(planNotices()).toEqual([]);
    expect(trayImage()).toBe('tray-idle-over.png');

    // A larger quota: back under 100 %, the icon is no longer red.
    expect((await again.runtime.handlers.invoke('plans:set', { kind: 'monthly', day: 1, quotaGb: 1 })).ok).toBe(true);
    await again.shell.refresh();
    expect(trayImage()).toBe('tray-idle.png');
  });

  it('says nothing with notifications off, and does not announce those alerts when they are switched back on', async () => {
    mkdirSync(path.join(root, 'data'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(root, 'data', 'config.json'), JSON.stringify({ enable_notifications: false }), { mode: 0o600 });
    const { shell, runtime } = await launch();
    expect((await runtime.handlers.invoke('plans:set', { kind: 'monthly', day: 1, quotaGb: 0.01 })).ok).toBe(true);
    runtime.store.append([{ ts: nowS() - 60, durationS: 60, app: 'Photos', bytesIn: 9_000_000, bytesOut: 0 }]);
    expect(runtime.store.flush().ok).toBe(true);
    expect(runtime.store.withWriter((db) => checkPlans(db, nowS(), { anomalies: false })).map((a) => a.title)).toEqual(['Data plan: 80 % used']);
    await shell.refresh();
    expect((await runtime.handlers.invoke('config:set', { enable_notifications: true })).ok).toBe(true);
    await shell.refresh();
    expect(planNotices()).toEqual([]);
    expect(trayImage()).toBe('tray-idle.png');
  });
});

// The preload, end to end over the fake IPC: it exposes one object, `window.netmon`, whose calls
// reach the real engine's handlers through the main side's registration, whose live subscription
// follows the page's listeners, and which the renderer's own transport (createBridgeClient) accepts.
// The bundled preload.cjs is also run the way a sandbox runs it: CommonJS, `require('electron')` only.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_CHANNEL_NAMES } from '../../../src-shared/contract/channels.js';
import type { LiveRate } from '../../../src-shared/contract/types.js';
import { createBridgeClient, isNetmonBridge } from '../../../src-renderer/api/bridge-client.js';
import { rendererLocation } from '../../../src-main/electron/app-url.js';
import type { NetmonBridge } from '../../../src-shared/contract/ipc.js';
import type { IpcRegistration, MainIpc } from '../../../src-main/electron/ipc-main.js';
import { registerIpcOnRuntime } from '../../helpers/ipc-runtime.js';
import { startRuntime, type Runtime } from '../../../src-main/runtime.js';
import { contextBridge, fake, FakeWebContents, ipcMain, ipcRenderer } from '../../helpers/electron-mock.js';

vi.mock('electron', () => import('../../helpers/electron-mock.js'));

let dataDir = '';
let runtime: Runtime;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'netmon-electron-preload-'));
  runtime = await startRuntime({ dataDir, port: 0, sampler: 'linux', intervalS: 60, staticDir: null, logToFile: false });
});
afterAll(async () => {
  await runtime.stop();
  await rm(dataDir, { recursive: true, force: true });
});

let registration: IpcRegistration;
let pageContents: FakeWebContents;

beforeEach(() => {
  fake.reset();
  registration = registerIpcOnRuntime(ipcMain as unknown as MainIpc, runtime, (url) => rendererLocation(null).isOwn(url));
  pageContents = new FakeWebContents();
  pageContents.url = 'app://netmon/index.html#/popover';
  fake.setRendererPage(pageContents);
});

let runs = 0;
/** Runs preload.ts as the page's preload (afresh each time: a new query is a new module) and returns what it exposed. */
async function loadPreload(): Promise<NetmonBridge> {
  runs += 1;
  await import(/* @vite-ignore */ `../../../src-main/electron/preload.ts?run=${runs}`);
  expect(fake.exposed.map((e) => e.name)).toEqual(['netmon']);
  return fake.exposed[0]?.api as NetmonBridge;
}

const rate: LiveRate = { ts: 1_800_000_000, intervalS: 5, bytesInPerS: 1, bytesOutPerS: 2, topApps: [{ app: 'Firefox', bytesInPerS: 1, bytesOutPerS: 2 }] };

describe('preload.ts', () => {
  it('exposes one object with the bridge and nothing of ipcRenderer', async () => {
    const bridge = await loadPreload();
    expect(Object.keys(bridge).sort()).toEqual(['api', 'onLive', 'pairingToken', 'startAtLogin']);
    expect(Object.keys(bridge.api).sort()).toEqual([...API_CHANNEL_NAMES].sort());
    expect(Object.values(bridge).includes(ipcRenderer)).toBe(false);
    expect(isNetmonBridge(bridge)).toBe(true);
  });

  it('reaches the engine handlers: values and validation errors', async () => {
    const bridge = await loadPreload();
    const summary = await bridge.api['usage:summary']({});
    expect(summary.ok).toBe(true);
    if (summary.ok) expect(Object.keys(summary.value).sort()).toEqual(['month', 'today', 'week']);
    const bad = await bridge.api['apps:list']({ limit: 5000 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await bridge.pairingToken()).toBe(runtime.token);
    expect(await bridge.startAtLogin.set(true)).toEqual({ ok: true, value: { supported: true, enabled: true, requiresApproval: false } });
    expect(await bridge.startAtLogin.get()).toEqual({ ok: true, value: { supported: true, enabled: true, requiresApproval: false } });
  });

  it('is what the renderer transport works with', async () => {
    const client = createBridgeClient(await loadPreload());
    const status = await client.call('status:get', {});
    expect(status.ok && status.value.dataDir).toBe(runtime.dataDir);
    const paused = await client.call('capture:pause', {});
    expect(paused).toEqual({ ok: true, value: { paused: true, until: null } });
    expect(await client.call('capture:resume', {})).toEqual({ ok: true, value: { paused: false, until: null } });
    expect(client.canWrite()).toBe(true);
    const got: unknown[] = [];
    const off = client.subscribeLive({ onEvent: (m) => got.push(m) });
    runtime.live.publish({ event: 'rate', data: rate });
    off();
    expect(got).toEqual([{ event: 'rate', data: rate }]);
  });

  it('subscribes to the live feed once for all listeners, and unsubscribes with the last', async () => {
    const bridge = await loadPreload();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = bridge.onLive((m) => a.push(m));
    const offB = bridge.onLive((m) => {
      b.push(m);
      throw new Error('a listener that throws');
    });
    expect(registration.liveSubscribers()).toBe(1);
    runtime.live.publish({ event: 'rate', data: rate });
    expect(a).toEqual([{ event: 'rate', data: rate }]);
    expect(b).toHaveLength(1);
    offA();
    offA();
    expect(registration.liveSubscribers()).toBe(1);
    offB();
    expect(registration.liveSubscribers()).toBe(0);
    expect(pageContents.pageListeners.listenerCount('live:event')).toBe(0);
    runtime.live.publish({ event: 'rate', data: rate });
    expect(a).toHaveLength(1);
  });

  it('gets refusals, not values, when the page is not ours', async () => {
    pageContents.url = 'https://evil.example/';
    const bridge = await loadPreload();
    expect(await bridge.api['config:get']({})).toEqual({ ok: false, error: { code: 'forbidden-origin', message: "config:get is only answered to netmon's own pages" } });
    expect(await bridge.pairingToken()).toBeNull();
  });

  it('turns a failed invoke into an unavailable result', async () => {
    fake.setRendererPage(null);
    const bridge = await loadPreload();
    expect(await bridge.api['status:get']({})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await bridge.pairingToken()).toBeNull();
  });
});

describe('the bundled preload.cjs, as a sandbox runs it', () => {
  const bundle = path.join(import.meta.dirname, '..', '..', '..', 'dist', 'src-main', 'electron', 'preload.cjs');

  it('is CommonJS that needs nothing but electron, and exposes one working object', async () => {
    expect(existsSync(bundle), `${bundle} is built by npm run build`).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const required: string[] = [];
    const sandboxRequire = (id: string): unknown => {
      required.push(id);
      if (id === 'electron') return { contextBridge, ipcRenderer };
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    const run = vm.runInNewContext(`(function (require, module, exports) {\n${code}\n})`, {}) as (r: typeof sandboxRequire, m: object, e: object) => void;
    run(sandboxRequire, module, module.exports);
    expect(required).toEqual(['electron']);
    expect(fake.exposed.map((e) => e.name)).toEqual(['netmon']);
    const bridge = fake.exposed[0]?.api as NetmonBridge;
    const status = await bridge.api['status:get']({});
    expect(status.ok && status.value.dataDir).toBe(runtime.dataDir);
    // No schemas in it: the contract's zod stays in the main process.
    expect(code).not.toContain('zod');
    expect(code.length).toBeLessThan(20_000);
  });
});

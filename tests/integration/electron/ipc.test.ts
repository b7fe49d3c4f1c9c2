// The main side of the IPC contract, over the real engine (startRuntime in a temp data folder, port
// 0): every channel registered and nothing else, answered by the same handlers as HTTP, requests
// validated, throws mapped to `internal`, frames that are not our own pages refused without running
// anything, the live feed pushed only to our pages that asked for it.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { API_CHANNEL_NAMES, CHANNELS } from '../../../src-shared/contract/channels.js';
import { rendererLocation } from '../../../src-main/electron/app-url.js';
import { registerIpc, type IpcRegistration } from '../../../src-main/electron/ipc-main.js';
import { startRuntime, type Runtime } from '../../../src-main/runtime.js';
import { fake, FakeWebContents, invokeFrom, ipcMain, sendFrom } from '../../helpers/electron-mock.js';

vi.mock('electron', () => import('../../helpers/electron-mock.js'));

let dataDir = '';
let runtime: Runtime;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'netmon-electron-ipc-'));
  runtime = await startRuntime({ dataDir, port: 0, sampler: 'linux', intervalS: 60, staticDir: null, logToFile: false });
});
afterAll(async () => {
  await runtime.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const location = rendererLocation(null);
let calls: Array<{ channel: string; request: unknown }> = [];
let registration: IpcRegistration;
let loginItem = { supported: true, enabled: false, requiresApproval: false };

function page(url = 'app://netmon/index.html#/popover'): FakeWebContents {
  const contents = new FakeWebContents();
  contents.url = url;
  return contents;
}

beforeEach(() => {
  fake.reset();
  calls = [];
  loginItem = { supported: true, enabled: false, requiresApproval: false };
  registration = registerIpc({
    ipcMain: ipcMain as unknown as Parameters<typeof registerIpc>[0]['ipcMain'],
    isOwnUrl: (url) => location.isOwn(url),
    api: {
      // The engine's own handlers, counted on the way through.
      invoke: (channel, request) => {
        calls.push({ channel, request });
        return runtime.handlers.invoke(channel, request);
      },
    },
    live: runtime.live,
    shell: {
      pairingToken: () => runtime.token,
      getStartAtLogin: () => Promise.resolve(loginItem),
      setStartAtLogin: (enabled) => Promise.resolve((loginItem = { ...loginItem, enabled })),
    },
  });
});

describe('channels', () => {
  it('registers exactly the contract: every API channel and the shell own three', () => {
    const expected = [...API_CHANNEL_NAMES, 'pairing:token', 'login-item:get', 'login-item:set'].sort();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(expected);
    expect(Object.keys(CHANNELS).sort()).toEqual(expected);
    expect(ipcMain.listenerCount('live:subscribe')).toBe(1);
    expect(ipcMain.listenerCount('live:unsubscribe')).toBe(1);
  });

  it('disposes of everything it registered', () => {
    registration.dispose();
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.listenerCount('live:subscribe')).toBe(0);
    expect(ipcMain.listenerCount('live:unsubscribe')).toBe(0);
  });
});

describe('API channels go to the engine handlers', () => {
  it('answers status:get with the engine status', async () => {
    const answer = (await invokeFrom(page(), 'status:get', {})) as { ok: boolean; value: { dataDir: string; version: string } };
    expect(answer.ok).toBe(true);
    expect(answer.value.dataDir).toBe(runtime.dataDir);
    expect(calls).toEqual([{ channel: 'status:get', request: {} }]);
  });

  it('validates requests with the contract and answers bad-request', async () => {
    const answer = await invokeFrom(page(), 'apps:list', { limit: 0 });
    expect(answer).toEqual({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('limit') as unknown } });
    expect(await invokeFrom(page(), 'status:get', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(await invokeFrom(page(), 'status:get', 'not an object')).toMatchObject({ ok: false, error: { code: 'bad-request' } });
  });

  it('changes the same settings file as HTTP does (config:set)', async () => {
    const answer = await invokeFrom(page(), 'config:set', { high_usage_threshold_gb: 3.5 });
    expect(answer).toMatchObject({ ok: true, value: { high_usage_threshold_gb: 3.5 } });
    const onDisk = JSON.parse(readFileSync(path.join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(onDisk['high_usage_threshold_gb']).toBe(3.5);
  });

  it('pauses and resumes the engine monitor (capture:pause, capture:resume)', async () => {
    expect(await invokeFrom(page(), 'capture:pause', {})).toEqual({ ok: true, value: { paused: true, until: null } });
    expect(runtime.monitor.pauseState().paused).toBe(true);
    expect(await invokeFrom(page(), 'capture:resume', {})).toEqual({ ok: true, value: { paused: false, until: null } });
    expect(runtime.monitor.pauseState().paused).toBe(false);
  });

  it('maps a throwing handler to internal without internals', async () => {
    registration.dispose();
    registerIpc({
      ipcMain: ipcMain as unknown as Parameters<typeof registerIpc>[0]['ipcMain'],
      isOwnUrl: (url) => location.isOwn(url),
      api: {
        invoke: () => {
          throw new Error('SQLITE_IOERR at /secret/path');
        },
      },
      live: runtime.live,
      shell: { pairingToken: () => 't', getStartAtLogin: () => Promise.reject(new Error('boom')), setStartAtLogin: () => Promise.reject(new Error('boom')) },
    });
    expect(await invokeFrom(page(), 'usage:summary', {})).toEqual({ ok: false, error: { code: 'internal', message: 'usage:summary failed; see the log for details' } });
    expect(await invokeFrom(page(), 'login-item:get', {})).toEqual({ ok: false, error: { code: 'internal', message: 'login-item:get failed; see the log for details' } });
  });
});

describe('senders that are not our pages', () => {
  const strangers: Array<[string, (contents: FakeWebContents) => { url: string; parent: unknown } | null]> = [
    ['a web page', () => ({ url: 'https://evil.example/', parent: null })],
    ['a local file', () => ({ url: 'file:///tmp/x.html', parent: null })],
    ['another app:// host', () => ({ url: 'app://evil/index.html', parent: null })],
    ['netmon serve over HTTP', () => ({ url: 'http://127.0.0.1:7500/#/overview', parent: null })],
    ['a frame inside our page', (c) => ({ url: 'app://netmon/index.html', parent: c.mainFrame() })],
    ['a frame gone since sending', () => null],
  ];
  it.each(strangers)('%s: refused, nothing runs', async (_name, frameOf) => {
    const contents = page();
    const answer = await invokeFrom(contents, 'capture:pause', {}, frameOf(contents) as never);
    expect(answer).toEqual({ ok: false, error: { code: 'forbidden-origin', message: "capture:pause is only answered to netmon's own pages" } });
    expect(await invokeFrom(contents, 'pairing:token', {}, frameOf(contents) as never)).toMatchObject({ ok: false, error: { code: 'forbidden-origin' } });
    expect(calls).toEqual([]);
    expect(runtime.monitor.pauseState().paused).toBe(false);
    // Nor may it subscribe to the live feed.
    sendFrom(contents, 'live:subscribe', frameOf(contents) as never);
    expect(registration.liveSubscribers()).toBe(0);
  });
});

describe('shell channels', () => {
  it('hands our pages the pairing token, the one in the data folder', async () => {
    const onDisk = readFileSync(path.join(dataDir, 'pairing-token'), 'utf8').trim();
    expect(await invokeFrom(page(), 'pairing:token', {})).toEqual({ ok: true, value: onDisk });
  });

  it('reads and sets start at login, validating the request', async () => {
    expect(await invokeFrom(page(), 'login-item:get', {})).toEqual({ ok: true, value: { supported: true, enabled: false, requiresApproval: false } });
    expect(await invokeFrom(page(), 'login-item:set', { enabled: true })).toEqual({ ok: true, value: { supported: true, enabled: true, requiresApproval: false } });
    expect(await invokeFrom(page(), 'login-item:set', { enabled: 'yes' })).toMatchObject({ ok: false, error: { code: 'bad-request', message: expect.stringContaining('enabled') as unknown } });
    expect(await invokeFrom(page(), 'login-item:set', {})).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    expect(loginItem.enabled).toBe(true);
  });
});

describe('the live feed', () => {
  const rate = { ts: 1_800_000_000, intervalS: 5, bytesInPerS: 10, bytesOutPerS: 20, topApps: [] };

  it('reaches our pages that subscribed, and stops when they unsubscribe', () => {
    const popover = page();
    const dashboard = page('app://netmon/index.html#/overview');
    const quiet = page();
    sendFrom(popover, 'live:subscribe');
    sendFrom(dashboard, 'live:subscribe');
    sendFrom(dashboard, 'live:subscribe');
    expect(registration.liveSubscribers()).toBe(2);
    runtime.live.publish({ event: 'rate', data: rate });
    expect(popover.sent).toEqual([['live:event', { event: 'rate', data: rate }]]);
    expect(dashboard.sent).toEqual([['live:event', { event: 'rate', data: rate }]]);
    expect(quiet.sent).toEqual([]);
    sendFrom(popover, 'live:unsubscribe');
    runtime.live.publish({ event: 'rate', data: { ...rate, ts: rate.ts + 5 } });
    expect(popover.sent).toHaveLength(1);
    expect(dashboard.sent).toHaveLength(2);
  });

  it('drops pages that are gone or left our origin', () => {
    const closed = page();
    const strayed = page();
    sendFrom(closed, 'live:subscribe');
    sendFrom(strayed, 'live:subscribe');
    closed.destroy();
    strayed.url = 'https://evil.example/';
    runtime.live.publish({ event: 'rate', data: rate });
    expect(closed.sent).toEqual([]);
    expect(strayed.sent).toEqual([]);
    expect(registration.liveSubscribers()).toBe(0);
  });

  it('stops pushing once disposed', () => {
    const popover = page();
    sendFrom(popover, 'live:subscribe');
    registration.dispose();
    runtime.live.publish({ event: 'rate', data: rate });
    expect(popover.sent).toEqual([]);
  });
});

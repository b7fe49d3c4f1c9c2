// The renderer's live state: the sparkline's window (duplicates and stale events from a reconnecting
// feed ignored), the zustand store driven without React, the empty-state messages, request keys.
import { describe, expect, it } from 'vitest';
import type { LiveRate, StatusInfo } from '../../src-shared/contract/types.js';
import { collectingMessage } from '../../src-renderer/lib/collecting.js';
import { appendRate, seedHistory } from '../../src-renderer/state/live-history.js';
import { createNetmonStore, INITIAL_STATE } from '../../src-renderer/state/store.js';
import { requestKey } from '../../src-renderer/state/use-api.js';

const rate = (ts: number, inPerS = 100, outPerS = 10): LiveRate => ({ ts, intervalS: 5, bytesInPerS: inPerS, bytesOutPerS: outPerS, topApps: [] });

const STATUS: StatusInfo = {
  version: '0.1.0',
  sampler: { sampler: 'linux', state: 'running', reason: null, restarts: 0, malformedLines: 0, lastSampleAt: null, details: {} },
  pause: { paused: false, until: null },
  lastSampleAt: null,
  dataDir: '/data',
  dataBytes: 0,
  uptimeS: 2,
  storage: { ok: true, error: null, pendingRows: 0, recoveredTo: null },
};

describe('sparkline window', () => {
  it('appends rates in time order and ignores repeats and stale ones', () => {
    const one = appendRate([], rate(100, 1, 2));
    expect(one).toEqual([{ ts: 100, inPerS: 1, outPerS: 2 }]);
    expect(appendRate(one, rate(100, 9, 9))).toBe(one);
    expect(appendRate(one, rate(90))).toBe(one);
  });

  it('keeps only the window before the newest point', () => {
    let h = appendRate([], rate(100));
    h = appendRate(h, rate(110), 30);
    h = appendRate(h, rate(120), 30);
    h = appendRate(h, rate(131), 30);
    expect(h.map((p) => p.ts)).toEqual([110, 120, 131]);
  });

  it('fills the past from stored buckets that ended before the live points, as rates', () => {
    const live = appendRate([], rate(1000));
    const seeded = seedHistory(
      live,
      [
        { ts: 880, bytesIn: 600, bytesOut: 60 },
        { ts: 940, bytesIn: 1200, bytesOut: 0 },
        { ts: 1000, bytesIn: 6000, bytesOut: 0 },
      ],
      60,
      1010,
    );
    expect(seeded).toEqual([
      { ts: 940, inPerS: 10, outPerS: 1 },
      { ts: 1000, inPerS: 100, outPerS: 10 },
    ]);
  });

  it('seeds an empty window with complete buckets only, trimmed to its length', () => {
    const points = Array.from({ length: 20 }, (_, i) => ({ ts: i * 60, bytesIn: 60, bytesOut: 0 }));
    // The timeline ends at 1170: the bucket 1140–1200 is still filling and is left out.
    const seeded = seedHistory([], points, 60, 1170, 300);
    // Complete buckets end at 60…1140; the window keeps those after 1140 − 300.
    expect(seeded.map((p) => p.ts)).toEqual([900, 960, 1020, 1080, 1140]);
  });

  it('does not let a seed hold back the live points that follow it', () => {
    const seeded = seedHistory([], [{ ts: 0, bytesIn: 60, bytesOut: 0 }, { ts: 60, bytesIn: 60, bytesOut: 0 }], 60, 100);
    expect(seeded.map((p) => p.ts)).toEqual([60]);
    expect(appendRate(seeded, rate(101)).map((p) => p.ts)).toEqual([60, 101]);
  });
});

describe('live store', () => {
  it('starts empty', () => {
    const store = createNetmonStore();
    expect(store.getState()).toMatchObject(INITIAL_STATE);
  });

  it('takes rates from the feed and leaves the state alone on a repeated event', () => {
    const store = createNetmonStore();
    store.getState().receive({ event: 'rate', data: rate(100) });
    const after = store.getState();
    expect(after.latest?.ts).toBe(100);
    expect(after.liveTs).toBe(100);
    expect(after.history).toHaveLength(1);
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.getState().receive({ event: 'rate', data: rate(100) });
    expect(store.getState()).toBe(after);
    expect(notified).toBe(0);
  });

  it('takes the status from the feed or from a query', () => {
    const store = createNetmonStore();
    store.getState().receive({ event: 'status', data: STATUS });
    expect(store.getState().status).toBe(STATUS);
    const paused = { ...STATUS, pause: { paused: true, until: null } };
    store.getState().setStatus(paused);
    expect(store.getState().status?.pause.paused).toBe(true);
  });

  it('records the connection and notifies only on a change', () => {
    const store = createNetmonStore();
    let notified = 0;
    store.subscribe(() => (notified += 1));
    store.getState().setConnection('open');
    store.getState().setConnection('open');
    store.getState().setConnection('reconnecting');
    expect(store.getState().connection).toBe('reconnecting');
    expect(notified).toBe(2);
  });
});

describe('what an empty view says', () => {
  const winter = Date.parse('2026-11-21T15:30:00Z') / 1000; // 16:30 in Berlin
  it.each([
    ['before the engine answered', { status: null, latest: null, intervalS: 5 }, 'connecting to netmon…'],
    ['paused until resumed', { status: { ...STATUS, pause: { paused: true, until: null } }, latest: null, intervalS: 5 }, 'capture is paused until resumed'],
    ['paused for a while', { status: { ...STATUS, pause: { paused: true, until: winter } }, latest: null, intervalS: 5, timeZone: 'Europe/Berlin' }, 'capture is paused until 16:30'],
    [
      'a failing sampler',
      { status: { ...STATUS, sampler: { ...STATUS.sampler, state: 'failing' as const, reason: 'ss not found' } }, latest: null, intervalS: 5 },
      'the linux sampler is failing: ss not found — nothing is being collected',
    ],
    ['two seconds after start', { status: STATUS, latest: null, intervalS: 5 }, 'collecting — first numbers in 3 s'],
    ['past the first interval', { status: { ...STATUS, uptimeS: 7 }, latest: null, intervalS: 5 }, 'collecting — first numbers any moment now'],
    ['without the settings', { status: STATUS, latest: null, intervalS: null }, 'collecting — first numbers after the first sampling interval'],
    ['live but nothing stored', { status: STATUS, latest: rate(100), intervalS: 5 }, 'collecting — live numbers are coming in; the first stored numbers follow shortly'],
    ['data stored', { status: { ...STATUS, lastSampleAt: 100 }, latest: null, intervalS: 5 }, null],
  ])('%s', (_name, input, expected) => {
    expect(collectingMessage(input)).toBe(expected);
  });
});

describe('request keys', () => {
  it('ignores field order and undefined fields', () => {
    expect(requestKey('apps:list', { range: '7d', limit: 5 })).toBe(requestKey('apps:list', { limit: 5, range: '7d', since: undefined }));
    expect(requestKey('apps:list', { range: '7d' })).not.toBe(requestKey('apps:list', { range: '30d' }));
    expect(requestKey('apps:list', { range: '7d' })).not.toBe(requestKey('domains:list', { range: '7d' }));
  });
});

// DomainTracker: the extension's reports and the monitor's intervals meet here. The intervals carry
// Linux-style flows (a socket per remote address); expected rows are worked out by hand.
import { describe, expect, it } from 'vitest';
import { DomainTracker } from '../../src-main/engine/domains/index.js';
import type { FlowDelta, Interval, ProcessInfo } from '../../src-main/engine/types.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';

const chromium: ProcessInfo = { pid: 10, name: 'chromium', path: '/usr/lib/chromium/chromium' };
const curl: ProcessInfo = { pid: 11, name: 'curl', path: '/usr/bin/curl' };
const T0 = 1_700_000_000_000;

function flow(id: string, owner: ProcessInfo, address: string | null, bytesIn: number, bytesOut = 0): FlowDelta {
  return { id, owner, bytesIn, bytesOut, ...(address === null ? {} : { remote: { protocol: 'tcp4' as const, address, port: 443 } }) };
}
function interval(startMs: number, flows: FlowDelta[]): Interval {
  return { startMs, endMs: startMs + 5000, flows, iface: null };
}
const host = (name: string) => ({ hostname: `www.${name}`, domain: name });

describe('DomainTracker', () => {
  it('attributes browser flows by the reported address, the rest by the active tab, once the interval settled', () => {
    const t = new DomainTracker({ platform: 'linux', settleDelayMs: 10_000 });
    t.noteActiveTab('chromium', host('tab.test'), T0);
    t.noteBytes('chromium', [{ ...host('a.test'), ip: '198.51.100.1', bytesIn: 5000, bytesOut: 0, estimate: true }], T0, T0 + 5000);
    t.addInterval(
      interval(T0, [flow('1', chromium, '198.51.100.1', 6000, 60), flow('2', chromium, '198.51.100.3', 400, 4), flow('3', curl, '198.51.100.1', 777)]),
      T0 / 1000 + 5,
      5,
    );
    expect(t.settle(T0 + 14_999)).toEqual([]);
    const rows = t.settle(T0 + 15_000);
    // curl is no browser: left out. 198.51.100.3 is unknown: the active tab (tab.test), an estimate.
    expect(rows).toEqual([
      { ts: T0 / 1000 + 5, durationS: 5, app: 'Chromium', domain: 'a.test', estimate: false, bytesIn: 6000, bytesOut: 60 },
      { ts: T0 / 1000 + 5, durationS: 5, app: 'Chromium', domain: 'tab.test', estimate: true, bytesIn: 400, bytesOut: 4 },
    ]);
    expect(t.settle(T0 + 20_000)).toEqual([]);
  });

  it('learns an address reported after the interval (within the settle delay)', () => {
    const t = new DomainTracker({ platform: 'linux' });
    t.noteActiveTab('chromium', host('tab.test'), T0);
    t.addInterval(interval(T0, [flow('1', chromium, '198.51.100.2', 1000)]), T0 / 1000 + 5, 5);
    t.noteBytes('chromium', [{ ...host('late.test'), ip: '::ffff:198.51.100.2', bytesIn: 1000, bytesOut: 0, estimate: false }], T0 + 6000, T0 + 8000);
    expect(t.settleAll().map((r) => [r.domain, r.estimate, r.bytesIn])).toEqual([['late.test', false, 1000]]);
  });

  it('stores full hostnames with rollup off', () => {
    const t = new DomainTracker({ platform: 'linux', rollup: false });
    t.noteBytes('chromium', [{ ...host('a.test'), ip: '198.51.100.1', bytesIn: 1, bytesOut: 0, estimate: true }], T0, T0);
    t.addInterval(interval(T0, [flow('1', chromium, '198.51.100.1', 10)]), T0 / 1000 + 5, 5);
    expect(t.settleAll().map((r) => r.domain)).toEqual(['www.a.test']);
  });

  it('an extension\'s first report finds the intervals just before it', () => {
    const t = new DomainTracker({ platform: 'linux' });
    t.addInterval(interval(T0, [flow('1', chromium, '198.51.100.1', 10)]), T0 / 1000 + 5, 5);
    t.noteBytes('chromium', [{ ...host('a.test'), ip: '198.51.100.1', bytesIn: 10, bytesOut: 0, estimate: true, startedAt: T0 + 1000, endedAt: T0 + 2000 }], T0, T0 + 7000);
    expect(t.settleAll().map((r) => [r.domain, r.bytesIn])).toEqual([['a.test', 10]]);
  });

  it('writes nothing for a browser whose extension is silent, and nothing without any report', () => {
    const t = new DomainTracker({ platform: 'linux', liveMs: 60_000 });
    t.addInterval(interval(T0, [flow('1', chromium, '198.51.100.1', 10)]), T0 / 1000 + 5, 5);
    expect(t.settleAll()).toEqual([]);
    // Firefox's extension speaks, Chromium's does not.
    t.noteActiveTab('firefox', host('tab.test'), T0);
    t.addInterval(interval(T0, [flow('1', chromium, '198.51.100.1', 10)]), T0 / 1000 + 5, 5);
    expect(t.settleAll()).toEqual([]);
    // Chromium's extension was heard, but more than liveMs before the interval.
    t.noteActiveTab('chromium', host('tab.test'), T0 - 120_000);
    t.addInterval(interval(T0, [flow('1', chromium, '198.51.100.1', 10)]), T0 / 1000 + 5, 5);
    expect(t.settleAll()).toEqual([]);
  });

  it('with the extension running but no tab and no address, the bytes are unattributed (so shares add up)', () => {
    const t = new DomainTracker({ platform: 'linux', tabHoldMs: 15_000 });
    t.noteBytes('chromium', [], T0 - 30_000, T0);
    t.noteActiveTab('chromium', host('old.test'), T0 - 30_000);
    t.addInterval(interval(T0, [flow('1', chromium, null, 42, 2)]), T0 / 1000 + 5, 5);
    expect(t.settleAll()).toEqual([{ ts: T0 / 1000 + 5, durationS: 5, app: 'Chromium', domain: UNATTRIBUTED, estimate: false, bytesIn: 42, bytesOut: 2 }]);
  });

  it('nettop rows (no address): by what the browser fetched per host in the interval, else by the active tab', () => {
    const t = new DomainTracker({ platform: 'darwin' });
    const chrome: ProcessInfo = { pid: 30, name: 'Google Chrome H' };
    t.noteActiveTab('chrome', host('tab.test'), T0);
    t.noteBytes(
      'chrome',
      [
        { ...host('x.test'), ip: '198.51.100.1', bytesIn: 3000, bytesOut: 0, estimate: true, startedAt: T0 + 1000, endedAt: T0 + 2000 },
        { ...host('y.test'), ip: '198.51.100.2', bytesIn: 1000, bytesOut: 0, estimate: true, startedAt: T0 + 1000, endedAt: T0 + 2000 },
      ],
      T0,
      T0 + 5000,
    );
    t.addInterval(interval(T0, [flow('Google Chrome H.30', chrome, null, 4000, 40)]), T0 / 1000 + 5, 5);
    // 30 s later nothing is fetched: the active tab (reported again) takes the interval.
    t.noteActiveTab('chrome', host('tab.test'), T0 + 30_000);
    t.addInterval(interval(T0 + 30_000, [flow('Google Chrome H.30', chrome, null, 500, 0)]), T0 / 1000 + 35, 5);
    expect(t.settleAll().map((r) => [r.ts - T0 / 1000, r.app, r.domain, r.estimate, r.bytesIn, r.bytesOut])).toEqual([
      [5, 'Google Chrome', 'x.test', true, 3000, 30],
      [5, 'Google Chrome', 'y.test', true, 1000, 10],
      [35, 'Google Chrome', 'tab.test', true, 500, 0],
    ]);
  });

  it('attributes at once what exceeds maxPending', () => {
    const t = new DomainTracker({ platform: 'linux', maxPending: 2 });
    t.noteActiveTab('chromium', host('tab.test'), T0);
    for (let i = 0; i < 3; i++) t.addInterval(interval(T0 + i * 5000, [flow('1', chromium, null, 10)]), T0 / 1000 + 5 * (i + 1), 5);
    expect(t.settle(T0).map((r) => r.ts)).toEqual([T0 / 1000 + 5]);
    expect(t.stats().pendingIntervals).toBe(2);
  });
});

// attribute(): bytes per app, the unattributed remainder, over-attribution, process detail, and the
// conservation property. Expected figures are summed by hand (or, in the property, by a plain
// reduction over the flows that does not group by app).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attribute } from '../../src-main/engine/attribution/index.js';
import type { FlowDelta, InterfaceTotals, Interval, ProcessInfo } from '../../src-main/engine/types.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';

const END = 1_700_000_005_000;

const renderer: ProcessInfo = { pid: 74297, name: 'Google Chrome H' };
const chromeMain: ProcessInfo = { pid: 74000, name: 'Google Chrome' };
const webkit: ProcessInfo = { pid: 1790, name: 'com.apple.WebKi' };
const telegram: ProcessInfo = { pid: 97533, name: 'Telegram', path: '/Applications/Telegram.app/Contents/MacOS/Telegram' };

function d(id: string, owner: ProcessInfo | null, bytesIn: number, bytesOut: number): FlowDelta {
  return { id, owner, bytesIn, bytesOut };
}

function interval(flows: FlowDelta[], iface: InterfaceTotals | null, startMs = END - 5000, endMs = END): Interval {
  return { startMs, endMs, flows, iface };
}

describe('attribute', () => {
  it('sums helpers into their app and stores the remainder of the interface total as unattributed', () => {
    const result = attribute(
      interval(
        [d('Google Chrome H.74297', renderer, 1000, 100), d('Google Chrome.74000', chromeMain, 500, 50), d('com.apple.WebKi.1790', webkit, 300, 30), d('sock:9', null, 40, 4)],
        // Flows: in 1840, out 184. Remainder: in 160, out 16; unattributed = 40 + 160, 4 + 16.
        { bytesIn: 2000, bytesOut: 200 },
      ),
      'darwin',
    );
    expect(result.usage).toEqual([
      { ts: 1_700_000_005, durationS: 5, app: UNATTRIBUTED, bytesIn: 200, bytesOut: 20 },
      { ts: 1_700_000_005, durationS: 5, app: 'Google Chrome', bytesIn: 1500, bytesOut: 150 },
      { ts: 1_700_000_005, durationS: 5, app: 'Safari', bytesIn: 300, bytesOut: 30 },
    ]);
    expect(result.overAttributed).toEqual({ bytesIn: 0, bytesOut: 0 });
  });

  it('without interface counters, stores the flows only and reports no excess', () => {
    const result = attribute(interval([d('a', telegram, 10, 20)], null), 'darwin');
    expect(result.usage).toEqual([{ ts: 1_700_000_005, durationS: 5, app: 'Telegram', bytesIn: 10, bytesOut: 20 }]);
    expect(result.overAttributed).toEqual({ bytesIn: 0, bytesOut: 0 });
  });

  it('keeps what the flows claimed beyond the interface total, and reports the excess per direction', () => {
    // In: flows 900 vs iface 600 → excess 300, no remainder. Out: flows 90 vs iface 100 → remainder 10.
    const result = attribute(interval([d('a', telegram, 900, 90)], { bytesIn: 600, bytesOut: 100 }), 'darwin');
    expect(result.usage).toEqual([
      { ts: 1_700_000_005, durationS: 5, app: UNATTRIBUTED, bytesIn: 0, bytesOut: 10 },
      { ts: 1_700_000_005, durationS: 5, app: 'Telegram', bytesIn: 900, bytesOut: 90 },
    ]);
    expect(result.overAttributed).toEqual({ bytesIn: 300, bytesOut: 0 });
  });

  it('writes no zero rows: no unattributed row when the flows match the interface exactly', () => {
    const result = attribute(interval([d('a', telegram, 50, 5), d('b', webkit, 0, 0)], { bytesIn: 50, bytesOut: 5 }), 'darwin');
    expect(result.usage.map((u) => u.app)).toEqual(['Telegram']);
    expect(result.processes.map((p) => p.name)).toEqual(['Telegram']);
  });

  it('an interval with no flows and an idle interface gives no rows', () => {
    expect(attribute(interval([], { bytesIn: 0, bytesOut: 0 }), 'linux')).toEqual({ usage: [], processes: [], overAttributed: { bytesIn: 0, bytesOut: 0 }, carry: { bytesIn: 0, bytesOut: 0 } });
  });

  it('an interval with no flows but interface traffic is all unattributed', () => {
    expect(attribute(interval([], { bytesIn: 7, bytesOut: 3 }), 'linux').usage).toEqual([{ ts: 1_700_000_005, durationS: 5, app: UNATTRIBUTED, bytesIn: 7, bytesOut: 3 }]);
  });

  it('ts is the rounded end in epoch seconds; durations tile whole seconds', () => {
    // 1 700 000 000 400 → 1 700 000 000; 1 700 000 005 600 → 1 700 000 006: 6 s; the next interval
    // 1 700 000 005 600 → 1 700 000 010 400 is 1 700 000 006 → 1 700 000 010: 4 s. Together 10 s.
    const a = attribute(interval([d('a', telegram, 1, 1)], null, 1_700_000_000_400, 1_700_000_005_600), 'darwin');
    const b = attribute(interval([d('a', telegram, 1, 1)], null, 1_700_000_005_600, 1_700_000_010_400), 'darwin');
    expect(a.usage[0]).toMatchObject({ ts: 1_700_000_006, durationS: 6 });
    expect(b.usage[0]).toMatchObject({ ts: 1_700_000_010, durationS: 4 });
  });

  it('a zero-length interval (clamped after a backward clock jump) has duration 0', () => {
    expect(attribute(interval([d('a', telegram, 1, 1)], null, END, END), 'darwin').usage[0]).toMatchObject({ ts: 1_700_000_005, durationS: 0 });
  });

  it('lists each (app, name, pid, path) once', () => {
    const result = attribute(
      interval(
        [
          d('s1', { pid: 10, name: 'Web Content', path: '/usr/lib/firefox-esr/firefox-esr' }, 5, 5),
          d('s2', { pid: 10, name: 'Web Content', path: '/usr/lib/firefox-esr/firefox-esr' }, 6, 6),
          d('s3', { pid: 11, name: 'Web Content', path: '/usr/lib/firefox-esr/firefox-esr' }, 1, 0),
          d('s4', { pid: 12, name: 'curl', path: '/usr/bin/curl' }, 0, 9),
          d('s5', null, 100, 100),
        ],
        null,
      ),
      'linux',
    );
    expect(result.usage).toEqual([
      { ts: 1_700_000_005, durationS: 5, app: UNATTRIBUTED, bytesIn: 100, bytesOut: 100 },
      { ts: 1_700_000_005, durationS: 5, app: 'Firefox', bytesIn: 12, bytesOut: 11 },
      { ts: 1_700_000_005, durationS: 5, app: 'curl', bytesIn: 0, bytesOut: 9 },
    ]);
    expect(result.processes).toEqual([
      { app: 'Firefox', name: 'Web Content', pid: 10, path: '/usr/lib/firefox-esr/firefox-esr', ts: 1_700_000_005 },
      { app: 'Firefox', name: 'Web Content', pid: 11, path: '/usr/lib/firefox-esr/firefox-esr', ts: 1_700_000_005 },
      { app: 'curl', name: 'curl', pid: 12, path: '/usr/bin/curl', ts: 1_700_000_005 },
    ]);
  });

  it('processes with the same name but different parents land in different apps within one interval', () => {
    const result = attribute(
      interval([d('s1', { pid: 20, name: 'Web Content', parentName: 'zen' }, 3, 0), d('s2', { pid: 21, name: 'Web Content', parentName: 'firefox' }, 4, 0), d('s3', { pid: 22, name: 'Web Content', parentName: 'zen' }, 5, 0)], null),
      'darwin',
    );
    expect(result.usage.map((u) => [u.app, u.bytesIn])).toEqual([
      ['Firefox', 4],
      ['Zen', 8],
    ]);
  });

  it('a process without a known path is listed with path null', () => {
    expect(attribute(interval([d('x', renderer, 1, 0)], null), 'darwin').processes).toEqual([{ app: 'Google Chrome', name: 'Google Chrome H', pid: 74297, path: null, ts: 1_700_000_005 }]);
  });
});

describe('attribute properties', () => {
  const owners: (ProcessInfo | null)[] = [renderer, chromeMain, webkit, telegram, null, { pid: 5, name: 'Web Content' }, { pid: 6, name: 'zen' }];
  const flowArb = fc.record({ owner: fc.constantFrom(...owners), bytesIn: fc.nat({ max: 1_000_000 }), bytesOut: fc.nat({ max: 1_000_000 }) });
  const ifaceArb = fc.option(fc.record({ bytesIn: fc.nat({ max: 5_000_000 }), bytesOut: fc.nat({ max: 5_000_000 }) }), { nil: null });

  it('(d) conserves bytes: rows sum to max(interface, flows) per direction; no zero or negative row', () => {
    fc.assert(
      fc.property(fc.array(flowArb, { maxLength: 12 }), ifaceArb, fc.constantFrom<'darwin' | 'linux'>('darwin', 'linux'), (flows, iface, platform) => {
        const deltas = flows.map((f, i) => d(`f${i}`, f.owner, f.bytesIn, f.bytesOut));
        const result = attribute(interval(deltas, iface), platform);
        const flowIn = flows.reduce((s, f) => s + f.bytesIn, 0);
        const flowOut = flows.reduce((s, f) => s + f.bytesOut, 0);
        const rowIn = result.usage.reduce((s, u) => s + u.bytesIn, 0);
        const rowOut = result.usage.reduce((s, u) => s + u.bytesOut, 0);
        expect(rowIn).toBe(iface === null ? flowIn : Math.max(iface.bytesIn, flowIn));
        expect(rowOut).toBe(iface === null ? flowOut : Math.max(iface.bytesOut, flowOut));
        expect(result.overAttributed).toEqual(iface === null ? { bytesIn: 0, bytesOut: 0 } : { bytesIn: Math.max(0, flowIn - iface.bytesIn), bytesOut: Math.max(0, flowOut - iface.bytesOut) });
        for (const u of result.usage) {
          expect(u.bytesIn).toBeGreaterThanOrEqual(0);
          expect(u.bytesOut).toBeGreaterThanOrEqual(0);
          expect(u.bytesIn + u.bytesOut).toBeGreaterThan(0);
        }
        expect(new Set(result.usage.map((u) => u.app)).size).toBe(result.usage.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('attribute with a carried surplus (counters read a moment apart)', () => {
  const curl: ProcessInfo = { pid: 10, name: 'curl', path: '/usr/bin/curl' };

  it('takes the previous surplus off the remainder, so the stored total meets the interface total', () => {
    // Interval 1: flows 1300 in, interface 1000 → 300 over. Interval 2: flows 700, interface 1000 →
    // remainder 300, all of it the surplus already stored: no unattributed row.
    const first = attribute(interval([d('s1', curl, 1300, 0)], { bytesIn: 1000, bytesOut: 0 }), 'linux');
    expect(first.overAttributed).toEqual({ bytesIn: 300, bytesOut: 0 });
    expect(first.carry).toEqual({ bytesIn: 300, bytesOut: 0 });
    const second = attribute(interval([d('s1', curl, 700, 0)], { bytesIn: 1000, bytesOut: 0 }), 'linux', first.carry);
    expect(second.usage).toEqual([{ ts: 1_700_000_005, durationS: 5, app: 'curl', bytesIn: 700, bytesOut: 0 }]);
    expect(second.carry).toEqual({ bytesIn: 0, bytesOut: 0 });
    const stored = [...first.usage, ...second.usage].reduce((sum, row) => sum + row.bytesIn, 0);
    expect(stored).toBe(2000);
  });

  it('settles only what the remainder holds and keeps the rest for later', () => {
    // Remainder 100 in, 50 out; carry 250 in, 20 out → 100 and 20 settled; 150 in still to settle, 30 out unattributed.
    const result = attribute(interval([d('s1', curl, 900, 950)], { bytesIn: 1000, bytesOut: 1000 }), 'linux', { bytesIn: 250, bytesOut: 20 });
    expect(result.usage.find((row) => row.app === UNATTRIBUTED)).toEqual({ ts: 1_700_000_005, durationS: 5, app: UNATTRIBUTED, bytesIn: 0, bytesOut: 30 });
    expect(result.carry).toEqual({ bytesIn: 150, bytesOut: 0 });
  });

  it('keeps the carry when the interface total is unknown', () => {
    const result = attribute(interval([d('s1', curl, 900, 0)], null), 'linux', { bytesIn: 40, bytesOut: 5 });
    expect(result.carry).toEqual({ bytesIn: 40, bytesOut: 5 });
    expect(result.usage).toEqual([{ ts: 1_700_000_005, durationS: 5, app: 'curl', bytesIn: 900, bytesOut: 0 }]);
  });

  it('whatever the read skew, stored bytes equal the interface bytes plus the bytes counted early', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(10_000), fc.nat(10_000)), { minLength: 1, maxLength: 40 }), (steps) => {
        // Interval i moves b bytes (the interface's count). The flows are read a moment later than the
        // interface, so they also hold e_i bytes the interface counts next time (0 ≤ e_i ≤ b_{i+1}),
        // and no longer the e_{i-1} counted early last time: flows_i = b_i − e_{i−1} + e_i.
        const bytes = steps.map(([b]) => b);
        const early = steps.map(([, e], i) => (i + 1 < steps.length ? Math.min(e, bytes[i + 1] ?? 0) : 0));
        let carry: InterfaceTotals = { bytesIn: 0, bytesOut: 0 };
        let stored = 0;
        let iface = 0;
        for (let i = 0; i < steps.length; i += 1) {
          const b = bytes[i] ?? 0;
          const flows = b - (i > 0 ? (early[i - 1] ?? 0) : 0) + (early[i] ?? 0);
          const result = attribute(interval([d('s', curl, flows, 0)], { bytesIn: b, bytesOut: 0 }), 'linux', carry);
          carry = result.carry;
          stored += result.usage.reduce((sum, row) => sum + row.bytesIn, 0);
          iface += b;
          // What is stored beyond the interface so far is exactly what was counted early, nothing more.
          expect(stored - iface).toBe(early[i] ?? 0);
          expect(carry.bytesIn).toBe(early[i] ?? 0);
        }
        expect(stored).toBe(iface);
      }),
    );
  });
});

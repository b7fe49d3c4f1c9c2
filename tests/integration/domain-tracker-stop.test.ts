// The last bytes of a browser at shutdown (its sockets' FINs, in the sample `stop()` takes) through the
// real monitor, DomainTracker and SQLite store, read back the way `netmon report` reads them. The
// e2e check "Chromium's domain rows add up to its usage rows" once failed by 2 bytes: the rows agree
// (this file), but the two reports it compared each ended at their own `now`, and the last interval is
// stamped with its end rounded to the nearest second, up to 0.5 s after serve stopped.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainTracker } from '../../src-main/engine/domains/index.js';
import { Monitor } from '../../src-main/engine/monitor.js';
import { totalsByApp, totalsByDomain } from '../../src-main/engine/queries/index.js';
import { openStore } from '../../src-main/engine/store/index.js';
import type { Clock, FlowCounter, Sample } from '../../src-main/engine/types.js';
import { rangeAfterStop, usageVsDomainRows, type ReportRange } from '../e2e/extension-helpers.js';
import { sideConnection } from '../helpers/side-connection.js';
import { tempDataDir } from '../helpers/store.js';
import { chromium, chromiumSocket as socket } from '../helpers/chromium-socket.js';
import { ScriptedSampler } from '../helpers/scripted-sampler.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);


interface Run {
  dbPath: string;
  /** When `stop()` took its last sample (epoch ms). */
  stopMs: number;
  db: ReturnType<typeof openStore>['db'];
  close(): void;
}

/**
 * One browser download through the pipeline: samples every second at `frac` ms past the second, the
 * extension's report of 3000 B in / 100 B out from 198.51.100.1, and at stop the socket's close with
 * one FIN counted each way (3001 / 101 in all).
 */
async function downloadThenStop(frac: number): Promise<Run> {
  const dataDir = tempDataDir();
  let now = T0 + frac;
  const clock: Clock = { now: () => now, mono: () => now };
  const sample = (flows: FlowCounter[], closed: FlowCounter[] = []): Sample => ({ wallMs: now, monoMs: now, mode: 'cumulative', flows, closed, iface: null });
  const store = openStore({ dataDir, clock });
  const tracker = new DomainTracker({ platform: 'linux' });
  const sampler = new ScriptedSampler({ finalSample: () => sample([], [socket(3001, 101)]) });
  const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 1000, clock, flushIntervalMs: 3_600_000, domains: tracker });
  monitor.start();
  sampler.push(sample([]));
  tracker.noteActiveTab('chromium', { hostname: 'video.a.test', domain: 'a.test' }, now);
  now += 1000;
  sampler.push(sample([socket(3000, 100, { newSincePrevious: true })]));
  const entry = { hostname: 'video.a.test', domain: 'a.test', ip: '198.51.100.1', bytesIn: 3000, bytesOut: 100, estimate: true, startedAt: now - 900, endedAt: now - 100 };
  tracker.noteBytes('chromium', [entry], now - 5000, now);
  now += 1000;
  sampler.push(sample([socket(3000, 100)]));
  // The browser closes: its socket's last counters come with the sample stop() takes.
  now += 1000;
  const stopMs = now;
  await monitor.stop();
  return { dbPath: store.path, stopMs, db: store.db, close: () => store.close() };
}

/** Chromium's bytes over `range` as `netmon report --by app` and `--by domain` read them. */
function chromiumBytes(db: Run['db'], range: ReportRange): { usage: number; domains: number } {
  const app = totalsByApp(db, range).rows.find((r) => r.app === 'Chromium');
  const domains = totalsByDomain(db, range).totals;
  return { usage: (app?.bytesIn ?? 0) + (app?.bytesOut ?? 0), domains: domains.bytesIn + domains.bytesOut };
}

// 3001 B in + 101 B out, worked out from the script above.
const ALL = 3102;

describe('a browser’s bytes at shutdown, as the reports after serve stopped read them', () => {
  it.each([
    // [ms past the second of every sample, ms from stop to the report]
    [0, 0],
    [400, 300],
    [500, 0],
    [600, 300],
    [600, 399],
    [999, 0],
    [999, 999],
  ])('samples at +%i ms, report %i ms after stop: domain rows and usage rows both hold every byte', async (frac, delay) => {
    const run = await downloadThenStop(frac);
    try {
      const range = rangeAfterStop(run.stopMs + delay);
      expect(chromiumBytes(run.db, range)).toEqual({ usage: ALL, domains: ALL });
      expect(usageVsDomainRows(run.dbPath, 'Chromium', range)).toEqual([]);
      // The last interval's stamp, by the rounding rule, lies inside the range.
      const lastTs = Math.round(run.stopMs / 1000);
      expect(lastTs).toBeGreaterThan(range.since);
      expect(lastTs).toBeLessThanOrEqual(range.until);
    } finally {
      run.close();
    }
  });

  it('the CI failure: two `--since 1h` reports, 0.3 s and 0.7 s after a stop at .6 s, differ by the FINs', async () => {
    const run = await downloadThenStop(600);
    try {
      // `--since 1h` ends at floor(now): the first report ends a second before the last interval's stamp.
      const sinceOneHour = (atMs: number): ReportRange => ({ since: Math.floor(atMs / 1000) - 3600, until: Math.floor(atMs / 1000) });
      const domains = chromiumBytes(run.db, sinceOneHour(run.stopMs + 300)).domains;
      const usage = chromiumBytes(run.db, sinceOneHour(run.stopMs + 700)).usage;
      expect({ domains, usage }).toEqual({ domains: ALL - 2, usage: ALL });
    } finally {
      run.close();
    }
  });

  it('shows the interval where usage and domain rows disagree', async () => {
    const run = await downloadThenStop(600);
    try {
      // A usage row of Chromium with no domain row: what the e2e failure message must point at.
      const ts = Math.round(run.stopMs / 1000) + 1;
      // Written behind the store, on a second connection: the store's own handle only reads.
      const side = sideConnection({ path: run.dbPath });
      side.prepare('INSERT INTO usage_raw (ts, app_id, duration_s, bytes_in, bytes_out) VALUES (?, (SELECT id FROM apps WHERE name = ?), 1, 5, 2)').run(ts, 'Chromium');
      side.close();
      expect(usageVsDomainRows(run.dbPath, 'Chromium', { since: ts - 3600, until: ts })).toEqual([{ ts, usage: 7, domains: 0 }]);
      expect(usageVsDomainRows(run.dbPath, 'Chromium', { since: ts - 3600, until: ts - 1 })).toEqual([]);
    } finally {
      run.close();
    }
  });
});

// Random browsing through the same pipeline: sockets of Chromium to reported, shared and unreported
// addresses, one of curl, growing, closing (a FIN byte each way) and reopening; the extension reporting
// hosts and tabs now and then; a stop at any fraction of a second and a report soon after. Chromium's
// bytes are summed from the script itself.
const SOCKETS = [
  { owner: chromium, address: '198.51.100.1' },
  { owner: chromium, address: '198.51.100.3' },
  { owner: chromium, address: '203.0.113.9' },
  { owner: { pid: 11, name: 'curl', path: '/usr/bin/curl' }, address: '198.51.100.1' },
] as const;
const HOSTS = [
  { hostname: 'video.a.test', domain: 'a.test', ip: '198.51.100.1' },
  { hostname: 'cdn.b.test', domain: 'b.test', ip: '198.51.100.3' },
  { hostname: 'www.b.test', domain: 'b.test', ip: '198.51.100.3' },
] as const;

const stepArb = fc.record({
  grow: fc.array(fc.record({ socket: fc.integer({ min: 0, max: 3 }), bytesIn: fc.nat({ max: 50_000 }), bytesOut: fc.nat({ max: 2_000 }) }), { maxLength: 4 }),
  close: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  report: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  tab: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
});

interface Open {
  id: string;
  bytesIn: number;
  bytesOut: number;
  listed: boolean;
}

describe('random browsing, stopped at any instant', () => {
  it('Chromium’s domain rows equal its usage rows in every interval, and both hold every byte it moved', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 }), fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (frac, delay, steps) => {
        const dataDir = tempDataDir();
        let now = T0 + frac;
        const clock: Clock = { now: () => now, mono: () => now };
        const store = openStore({ dataDir, clock });
        const tracker = new DomainTracker({ platform: 'linux' });
        const open = new Map<number, Open>();
        let generation = 0;
        let moved = 0;
        const counter = (i: number, o: Open, extra: Partial<FlowCounter> = {}): FlowCounter => {
          const s = SOCKETS[i] ?? SOCKETS[0];
          return { id: o.id, owner: s.owner, remote: { protocol: 'tcp4', address: s.address, port: 443 }, bytesIn: o.bytesIn, bytesOut: o.bytesOut, ...extra };
        };
        // A close: the kernel counts the FIN each way as a byte.
        const closeSocket = (i: number): FlowCounter | null => {
          const o = open.get(i);
          if (o === undefined) return null;
          open.delete(i);
          o.bytesIn += 1;
          o.bytesOut += 1;
          if (i < 3) moved += 2;
          return counter(i, o);
        };
        const sample = (closed: FlowCounter[]): Sample => {
          const flows = [...open].map(([i, o]) => {
            const c = counter(i, o, o.listed ? {} : { newSincePrevious: true });
            o.listed = true;
            return c;
          });
          return { wallMs: now, monoMs: now, mode: 'cumulative', flows, closed, iface: null };
        };
        const sampler = new ScriptedSampler({ finalSample: () => sample([...open.keys()].map(closeSocket).filter((c): c is FlowCounter => c !== null)) });
        const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 1000, clock, flushIntervalMs: 3_600_000, domains: tracker });
        try {
          monitor.start();
          sampler.push(sample([]));
          tracker.noteActiveTab('chromium', HOSTS[0], now);
          for (const step of steps) {
            now += 1000;
            for (const g of step.grow) {
              let o = open.get(g.socket);
              if (o === undefined) {
                generation += 1;
                o = { id: `c${g.socket}.${generation}`, bytesIn: 0, bytesOut: 0, listed: false };
                open.set(g.socket, o);
              }
              o.bytesIn += g.bytesIn;
              o.bytesOut += g.bytesOut;
              if (g.socket < 3) moved += g.bytesIn + g.bytesOut;
            }
            const closed = step.close === null ? null : closeSocket(step.close);
            if (step.report !== null) {
              const h = HOSTS[step.report] ?? HOSTS[0];
              tracker.noteBytes('chromium', [{ ...h, bytesIn: 1000, bytesOut: 10, estimate: true, startedAt: now - 800, endedAt: now - 200 }], now - 1000, now);
            }
            if (step.tab !== null) tracker.noteActiveTab('chromium', HOSTS[step.tab] ?? HOSTS[0], now - 500);
            sampler.push(sample(closed === null ? [] : [closed]));
          }
          now += 1000;
          const stopMs = now;
          await monitor.stop();
          const range = rangeAfterStop(stopMs + delay);
          expect(usageVsDomainRows(store.path, 'Chromium', range)).toEqual([]);
          expect(chromiumBytes(store.db, range)).toEqual({ usage: moved, domains: moved });
        } finally {
          store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});

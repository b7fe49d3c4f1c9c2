// The store's write buffer: validation, folding under the cap, process and gap bookkeeping.
process.env.TZ = 'Europe/Berlin';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PendingBuffer, boundUsage, foldUsage, normalizeUsage, type PendingUsage } from '../../src-main/engine/store/pending.js';

const H = Date.UTC(2024, 6, 10, 8) / 1000; // 10:00 local (UTC+2), an hour boundary
const row = (ts: number, app: string, bytesIn: number, bytesOut = 0, durationS = 5): PendingUsage => ({ ts, durationS, app, bytesIn, bytesOut });

describe('normalizeUsage', () => {
  it.each([
    { name: 'valid', input: { ts: H, durationS: 5, app: 'a', bytesIn: 10, bytesOut: 2 }, out: row(H, 'a', 10, 2) },
    { name: 'fractions are rounded', input: { ts: H + 0.4, durationS: 4.6, app: 'a', bytesIn: 10.5, bytesOut: 0.2 }, out: row(H, 'a', 11, 0, 5) },
    { name: 'zero is dropped', input: { ts: H, durationS: 5, app: 'a', bytesIn: 0, bytesOut: 0 }, out: 'zero' },
    { name: 'rounds to zero', input: { ts: H, durationS: 5, app: 'a', bytesIn: 0.2, bytesOut: 0.4 }, out: 'zero' },
    { name: 'negative bytes', input: { ts: H, durationS: 5, app: 'a', bytesIn: -1, bytesOut: 0 }, out: null },
    { name: 'NaN', input: { ts: H, durationS: 5, app: 'a', bytesIn: Number.NaN, bytesOut: 0 }, out: null },
    { name: 'infinite ts', input: { ts: Number.POSITIVE_INFINITY, durationS: 5, app: 'a', bytesIn: 1, bytesOut: 0 }, out: null },
    { name: 'no app', input: { ts: H, durationS: 5, app: '', bytesIn: 1, bytesOut: 0 }, out: null },
  ])('$name', ({ input, out }) => {
    expect(normalizeUsage(input)).toEqual(out);
  });
});

describe('foldUsage', () => {
  it('merges per hour and app, counting a row that ends on the hour in the hour before', () => {
    const rows = [row(H, 'a', 1, 10), row(H + 5, 'a', 2, 20), row(H + 10, 'a', 4, 40), row(H + 5, 'b', 8), row(H - 5, 'b', 16)];
    expect(foldUsage(rows, 'hour')).toEqual([
      // 09:00–10:00: a's row ending 10:00:00, b's ending 09:59:55
      row(H - 5, 'b', 16),
      row(H, 'a', 1, 10),
      // 10:00–11:00
      row(H + 5, 'b', 8),
      { ts: H + 10, durationS: 10, app: 'a', bytesIn: 6, bytesOut: 60 },
    ]);
  });

  it('merges per local day', () => {
    const midnight = Date.UTC(2024, 6, 10, 22) / 1000; // 2024-07-11 00:00 local
    const rows = [row(midnight, 'a', 1), row(midnight - 3600, 'a', 2), row(midnight + 5, 'a', 4)];
    expect(foldUsage(rows, 'day')).toEqual([{ ts: midnight, durationS: 10, app: 'a', bytesIn: 3, bytesOut: 0 }, row(midnight + 5, 'a', 4)]);
  });
});

describe('boundUsage', () => {
  const rowArb = fc.record({
    ts: fc.integer({ min: H, max: H + 4 * 86_400 }),
    durationS: fc.constant(5),
    app: fc.constantFrom('a', 'b', 'c'),
    bytesIn: fc.integer({ min: 0, max: 1e6 }),
    bytesOut: fc.integer({ min: 0, max: 1e6 }),
  });
  /** Sums per (local date, app), with the date from Intl: a method independent of the code under test. */
  const perDay = (rows: readonly PendingUsage[]): Map<string, number> => {
    const fmt = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' });
    const m = new Map<string, number>();
    for (const r of rows) {
      const key = `${fmt.format(new Date((r.ts - 1) * 1000))}|${r.app}`;
      m.set(key, (m.get(key) ?? 0) + r.bytesIn * 3 + r.bytesOut);
    }
    return m;
  };

  it('stays under the target when it can, and keeps every local day’s sums per app', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 400 }), fc.integer({ min: 1, max: 200 }), (rows, target) => {
        const out = boundUsage(rows, target);
        const groups = perDay(rows);
        expect(out.length).toBeLessThanOrEqual(Math.max(target, groups.size));
        expect(perDay(out)).toEqual(groups);
      }),
      { numRuns: 200 },
    );
  });

  it('folds only the older half by hour when that suffices, keeping hourly sums', () => {
    const rows: PendingUsage[] = [];
    for (let i = 1; i <= 1440; i += 1) rows.push(row(H + i * 5, 'a', 1)); // two hours of 5-s rows
    const out = boundUsage(rows, 800);
    // The older half (720 rows, exactly the first hour) becomes one row; the newer hour stays fine-grained.
    expect(out).toHaveLength(1 + 720);
    expect(out[0]).toEqual({ ts: H + 3600, durationS: 3600, app: 'a', bytesIn: 720, bytesOut: 0 });
  });
});

describe('PendingBuffer', () => {
  const limits = { maxRows: 100, maxProcesses: 10, maxGaps: 3 };

  it('counts refused rows, drops zero rows, and folds past the cap', () => {
    const buf = new PendingBuffer(limits);
    buf.addUsage([
      { ts: H, durationS: 5, app: 'a', bytesIn: 0, bytesOut: 0 },
      { ts: H, durationS: 5, app: 'a', bytesIn: -3, bytesOut: 0 },
    ]);
    expect(buf.usage).toHaveLength(0);
    expect(buf.counters.rejectedRows).toBe(1);
    const many = Array.from({ length: 101 }, (_, i) => ({ ts: H + (i + 1) * 5, durationS: 5, app: 'a', bytesIn: 1, bytesOut: 0 }));
    buf.addUsage(many);
    expect(buf.counters.folds).toBe(1);
    expect(buf.usage.length).toBeLessThanOrEqual(50);
    expect(buf.usage.reduce((s, r) => s + r.bytesIn, 0)).toBe(101);
  });

  it('merges process sightings and drops the least recently seen past the cap', () => {
    const buf = new PendingBuffer(limits);
    buf.addProcesses([
      { app: 'a', name: 'a', pid: 1, path: null, ts: 200 },
      { app: 'a', name: 'a', pid: 1, path: null, ts: 100 },
      { app: 'a', name: 'a', pid: 1, path: null, ts: 300 },
    ]);
    expect([...buf.processes.values()]).toEqual([{ app: 'a', name: 'a', pid: 1, path: '', firstSeen: 100, lastSeen: 300 }]);
    buf.addProcesses(Array.from({ length: 12 }, (_, i) => ({ app: 'b', name: 'b', pid: 10 + i, path: '/b', ts: 1000 + i })));
    // 13 distinct > 10: keep 9, the most recently seen.
    expect(buf.processes.size).toBe(9);
    expect(buf.counters.droppedProcesses).toBe(4);
    expect(Math.min(...[...buf.processes.values()].map((p) => p.lastSeen))).toBe(1003);
  });

  it('stores gaps in whole seconds that cover the gap, dropping the oldest past the cap', () => {
    const buf = new PendingBuffer(limits);
    buf.addGaps([{ startMs: 1_000_500, endMs: 2_000_100, reason: 'stall' }]);
    expect(buf.gaps).toEqual([{ start: 1000, end: 2001, reason: 'stall' }]);
    buf.addGaps([1, 2, 3].map((i) => ({ startMs: i * 10_000_000, endMs: i * 10_000_000 + 1000, reason: 'sampler-restart' as const })));
    expect(buf.gaps.map((g) => g.start)).toEqual([10_000, 20_000, 30_000]);
    expect(buf.counters.droppedGaps).toBe(1);
  });

  it('dropRange removes rows whose instant lies in the range', () => {
    const buf = new PendingBuffer(limits);
    buf.addUsage([row(H, 'a', 1), row(H + 1, 'a', 2), row(H + 3600, 'a', 4), row(H + 3601, 'a', 8)]);
    buf.dropRange(H, H + 3600);
    expect(buf.usage.map((r) => r.bytesIn)).toEqual([1, 8]);
  });
});

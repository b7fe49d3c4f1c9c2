// Purge while the domain stage still holds intervals: the DomainTracker waits 10 s for the extension's
// reports before it places a browser's bytes, so a purge inside that wait used to leave the interval
// in memory and its domain rows were written after the purge, rows with no usage rows beside them.
// Through the real monitor, tracker and SQLite store.
import { describe, expect, it } from 'vitest';
import { DomainTracker } from '../../../../src-main/engine/domains/index.js';
import { Monitor } from '../../../../src-main/engine/monitor.js';
import { openStore } from '../../../../src-main/engine/store/index.js';
import type { Clock, FlowCounter, Sample } from '../../../../src-main/engine/types.js';
import { chromiumSocket as socket } from '../../../helpers/chromium-socket.js';
import { ScriptedSampler } from '../../../helpers/scripted-sampler.js';
import { tempDataDir } from '../../../helpers/store.js';

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

describe('purge while the domain tracker holds pending intervals', () => {
  it('drops them: no domain row of the purged range is written afterwards, later intervals still are', async () => {
    let now = T0;
    const clock: Clock = { now: () => now, mono: () => now };
    const sample = (flows: FlowCounter[]): Sample => ({ wallMs: now, monoMs: now, mode: 'cumulative', flows, closed: [], iface: null });
    const store = openStore({ dataDir: tempDataDir(), clock });
    const tracker = new DomainTracker({ platform: 'linux' });
    const sampler = new ScriptedSampler();
    const monitor = new Monitor({ store, sampler, platform: 'linux', intervalMs: 1000, clock, flushIntervalMs: 3_600_000, domains: tracker });
    const count = (table: string): number => store.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    monitor.start();
    try {
      sampler.push(sample([]));
      now += 1000;
      sampler.push(sample([socket(3000, 100, { newSincePrevious: true })]));
      tracker.noteBytes('chromium', [{ hostname: 'video.a.test', domain: 'a.test', ip: '198.51.100.1', bytesIn: 3000, bytesOut: 100, estimate: false, startedAt: now - 900, endedAt: now - 100 }], now - 5000, now);
      // The interval is recorded (its usage row buffered) and waits in the tracker for late reports.
      expect(tracker.stats().pendingIntervals).toBe(1);
      const firstTs = Math.round(now / 1000);

      const out = monitor.purge(firstTs - 3600, firstTs + 1);
      expect(out.since).toBeLessThanOrEqual(firstTs - 1);
      expect(tracker.stats().pendingIntervals).toBe(0);

      // Past the settle delay, with traffic after the purged range: only the new interval gets rows.
      now += 15_000;
      sampler.push(sample([socket(5000, 200)]));
      tracker.noteBytes('chromium', [{ hostname: 'video.a.test', domain: 'a.test', ip: '198.51.100.1', bytesIn: 2000, bytesOut: 100, estimate: false, startedAt: now - 900, endedAt: now - 100 }], now - 5000, now);
      await monitor.stop();

      const purged = { since: out.since + 1, until: out.until };
      expect(store.db.prepare('SELECT count(*) FROM domain_raw WHERE ts >= ? AND ts <= ?').pluck().get(purged.since, purged.until)).toBe(0);
      expect(store.db.prepare('SELECT count(*) FROM usage_raw WHERE ts >= ? AND ts <= ?').pluck().get(purged.since, purged.until)).toBe(0);
      // The interval after the purge is recorded in both, and they agree.
      const later = Math.round(now / 1000);
      expect(store.db.prepare('SELECT sum(bytes_in + bytes_out) FROM domain_raw WHERE ts = ?').pluck().get(later)).toBe(2100);
      expect(store.db.prepare("SELECT sum(bytes_in + bytes_out) FROM usage_raw WHERE ts = ? AND app_id = (SELECT id FROM apps WHERE name = 'Chromium')").pluck().get(later)).toBe(2100);
      expect(count('domain_raw')).toBe(1);
    } finally {
      await monitor.stop();
      store.close();
    }
  });
});

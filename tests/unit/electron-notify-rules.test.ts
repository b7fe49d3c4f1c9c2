// Which notifications fire: high usage once per local day (threshold in decimal GB, in + out), a
// sampler failing without a break for 2 minutes once per spell, nothing while notifications are off.
import { describe, expect, it } from 'vitest';
import type { PeriodTotals } from '../../src-shared/contract/types.js';
import { decideNotices, FRESH_MEMORY, SAMPLER_FAILING_GRACE_S, type NotifyFacts, type NotifyMemory } from '../../src-main/electron/notify-rules.js';

const DAY = 1_800_000_000; // a local midnight, for these tests
const GB = 1e9;

function today(bytesIn: number, bytesOut: number, since = DAY): PeriodTotals {
  return { since, until: since + 3600, bytesIn, bytesOut, approximate: false };
}

function facts(over: Partial<NotifyFacts>): NotifyFacts {
  return { nowS: DAY + 3600, enabled: true, thresholdGb: 10, today: null, sampler: null, ...over };
}

function run(memory: NotifyMemory, seen: Partial<NotifyFacts>): { memory: NotifyMemory; kinds: string[]; bodies: string[] } {
  const out = decideNotices(memory, facts(seen));
  return { memory: out.memory, kinds: out.notices.map((n) => n.kind), bodies: out.notices.map((n) => n.body) };
}

describe('high usage', () => {
  it('fires once when today reaches the threshold, counting both directions', () => {
    // 6 GB in + 4 GB out = 10 GB: exactly the 10 GB threshold.
    const first = run(FRESH_MEMORY, { today: today(6 * GB, 4 * GB) });
    expect(first.kinds).toEqual(['high-usage']);
    expect(first.bodies[0]).toBe('netmon counted 10.00 GB today (↓ 6.00 GB, ↑ 4.00 GB), over your 10.00 GB a day.');
    expect(first.memory.usageAlertDay).toBe(DAY);
    // Later the same day, more usage: not again.
    expect(run(first.memory, { today: today(20 * GB, 4 * GB) }).kinds).toEqual([]);
    // The next day over the threshold again: again.
    const next = run(first.memory, { today: today(11 * GB, 0, DAY + 86_400) });
    expect(next.kinds).toEqual(['high-usage']);
    expect(next.memory.usageAlertDay).toBe(DAY + 86_400);
  });

  it('stays quiet under the threshold, without today, or when notifications are off', () => {
    expect(run(FRESH_MEMORY, { today: today(6 * GB, 4 * GB - 1) }).kinds).toEqual([]);
    expect(run(FRESH_MEMORY, { today: null }).kinds).toEqual([]);
    const off = run(FRESH_MEMORY, { enabled: false, today: today(50 * GB, 0) });
    expect(off.kinds).toEqual([]);
    // Switched on later the same day: the day was never announced, so it is now.
    expect(run(off.memory, { enabled: true, today: today(50 * GB, 0) }).kinds).toEqual(['high-usage']);
  });

  it('reads the threshold in decimal gigabytes', () => {
    // 0.5 GB = 500 000 000 bytes.
    expect(run(FRESH_MEMORY, { thresholdGb: 0.5, today: today(499_999_999, 0) }).kinds).toEqual([]);
    expect(run(FRESH_MEMORY, { thresholdGb: 0.5, today: today(500_000_000, 0) }).kinds).toEqual(['high-usage']);
  });
});

describe('failing sampler', () => {
  const failing = { state: 'failing' as const, reason: 'nettop exited (code 3)' };

  it('fires after two minutes of failing without a break, once per spell', () => {
    const t0 = DAY + 100;
    let m = run(FRESH_MEMORY, { nowS: t0, sampler: failing });
    expect(m.kinds).toEqual([]);
    expect(m.memory.failingSince).toBe(t0);
    // Restart attempts in between do not end the spell.
    m = run(m.memory, { nowS: t0 + 60, sampler: { state: 'starting', reason: null } });
    expect(m.memory.failingSince).toBe(t0);
    m = run(m.memory, { nowS: t0 + SAMPLER_FAILING_GRACE_S - 1, sampler: failing });
    expect(m.kinds).toEqual([]);
    m = run(m.memory, { nowS: t0 + SAMPLER_FAILING_GRACE_S, sampler: failing });
    expect(m.kinds).toEqual(['sampler-failing']);
    expect(m.bodies[0]).toBe('nettop exited (code 3). View Logs in the menu has the details.');
    m = run(m.memory, { nowS: t0 + 3600, sampler: failing });
    expect(m.kinds).toEqual([]);
    // Running again ends the spell; a new spell is announced again after its own two minutes.
    m = run(m.memory, { nowS: t0 + 3700, sampler: { state: 'running', reason: null } });
    expect(m.memory).toMatchObject({ failingSince: null, failingAnnounced: false });
    m = run(m.memory, { nowS: t0 + 4000, sampler: failing });
    m = run(m.memory, { nowS: t0 + 4000 + SAMPLER_FAILING_GRACE_S, sampler: failing });
    expect(m.kinds).toEqual(['sampler-failing']);
  });

  it('is not announced while notifications are off, nor after a pause stopped the sampler', () => {
    const t0 = DAY;
    let m = run(FRESH_MEMORY, { nowS: t0, sampler: failing, enabled: false });
    m = run(m.memory, { nowS: t0 + 600, sampler: failing, enabled: false });
    expect(m.kinds).toEqual([]);
    m = run(m.memory, { nowS: t0 + 601, sampler: { state: 'stopped', reason: null } });
    expect(m.memory.failingSince).toBeNull();
    // Unknown health (status unreadable) changes nothing.
    const kept = run({ usageAlertDay: null, failingSince: t0, failingAnnounced: false }, { nowS: t0 + 9999, sampler: null });
    expect(kept.kinds).toEqual([]);
    expect(kept.memory.failingSince).toBe(t0);
  });

  it('words a failure without a reason', () => {
    const m = run({ usageAlertDay: null, failingSince: DAY, failingAnnounced: false }, { nowS: DAY + 500, sampler: { state: 'failing', reason: null } });
    expect(m.bodies).toEqual(['its measuring tool keeps failing. View Logs in the menu has the details.']);
  });
});

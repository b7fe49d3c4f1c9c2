// The words and bar widths the Plan panel and the popover line are made of.
import { describe, expect, it } from 'vitest';
import type { PlanStatusView } from '../../src-shared/plans.js';
import { barScale, forecastText, popoverPlanLine, signedBytes } from '../../src-renderer/lib/plan-text.js';

const GB = 1e9;
const base: PlanStatusView = {
  cycleStart: 0,
  cycleEnd: 86_400 * 30,
  startDate: '2026-12-01',
  lastDate: '2026-12-30',
  active: true,
  inactiveReason: null,
  usedBytes: 30 * GB,
  quotaBytes: 50 * GB,
  rolloverBytes: 0,
  usedShare: 0.6,
  paceBytes: 25 * GB,
  safeTodayBytes: 1 * GB,
  daysLeft: 20,
  forecast: { available: true, method: 'weekday', p20: 40 * GB, p50: 60 * GB, p80: 75 * GB, crossingDay: 1, crossingDate: '2026-12-24' },
  level: 'warning',
  plan: { id: 1, name: 'default', cycle: { kind: 'monthly', day: 1 }, quotaBytes: 50 * GB, direction: 'total', freeHours: null, rollover: false, network: 'all', revision: 1, updatedAt: 0 },
  calibration: null,
  freeBytes: 0,
};

describe('plan text', () => {
  it('the popover line: used of quota, then the forecast with its range and crossing date', () => {
    expect(popoverPlanLine(base)).toBe('plan 30.00 GB of 50.00 GB (60 %) · on pace for 60.00 GB (range 40.00 GB–75.00 GB), over by 2026-12-24');
  });
  it('says why there is no forecast, and when a plan is not active', () => {
    expect(forecastText({ ...base, forecast: { available: false, reason: 'a forecast needs 3 days of history; there are 2 days so far' } })).toBe('no forecast: a forecast needs 3 days of history; there are 2 days so far');
    expect(popoverPlanLine({ ...base, active: false, inactiveReason: 'expired on 2026-12-01' })).toBe('plan not active: expired on 2026-12-01');
  });
  it('the bar is scaled to the larger of the quota and P80, so the range always fits', () => {
    expect(barScale(base)).toEqual({ used: 40, pace: (100 * 25) / 75, p20: (100 * 40) / 75, p80: 100, quota: (100 * 50) / 75 });
    const under = barScale({ ...base, forecast: { available: false, reason: 'x' } });
    expect(under).toEqual({ used: 60, pace: 50, p20: null, p80: null, quota: 100 });
  });
  it('signed bytes', () => {
    expect(signedBytes(30 * GB)).toBe('+30.00 GB');
    expect(signedBytes(-1.2 * GB)).toBe('−1.20 GB');
  });
});

// Bad plans and budgets are refused with the field named, and nothing is built from them.
import { describe, expect, it } from 'vitest';
import { PlanInputError, validateBudget, validatePlan, type PlanInput } from '../../src-main/engine/plans/validate.js';

const now = new Date(2026, 2, 15, 12).getTime() / 1000;

function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof PlanInputError) return err.issues.map((i) => i.field);
    throw err;
  }
  return [];
}

describe('validatePlan', () => {
  const bad: { name: string; input: PlanInput; fields: string[] }[] = [
    { name: 'a quota of 0', input: { kind: 'monthly', day: 1, quotaGb: 0 }, fields: ['quota'] },
    { name: 'a negative quota', input: { kind: 'monthly', day: 1, quotaGb: -5 }, fields: ['quota'] },
    { name: 'day 32', input: { kind: 'monthly', day: 32, quotaGb: 50 }, fields: ['day'] },
    { name: 'day 0', input: { kind: 'monthly', day: 0, quotaGb: 50 }, fields: ['day'] },
    { name: 'a bucket with no start', input: { kind: 'bucket', quotaGb: 20 }, fields: ['start'] },
    { name: 'an anchor in the future', input: { kind: 'every-n-days', anchor: '2026-03-16', every: 28, quotaGb: 20 }, fields: ['anchor'] },
    { name: 'an anchor that is not a date', input: { kind: 'every-n-days', anchor: '2026-02-30', every: 28, quotaGb: 20 }, fields: ['anchor'] },
    { name: 'every 0 days', input: { kind: 'every-n-days', anchor: '2026-03-01', every: 0, quotaGb: 20 }, fields: ['every'] },
    { name: 'an expiry before the start', input: { kind: 'one-time', start: '2026-03-10', expiry: '2026-03-10', quotaGb: 5 }, fields: ['expiry'] },
    { name: 'an unknown kind', input: { kind: 'fortnightly', quotaGb: 5 }, fields: ['kind'] },
    { name: 'bad free hours', input: { kind: 'daily', quotaGb: 5, freeHours: '25-06' }, fields: ['free-hours'] },
    { name: 'a network other than all that no store knows (none asked)', input: { kind: 'daily', quotaGb: 5, network: 'wifi-home' }, fields: ['network'] },
    { name: 'several at once', input: { kind: 'monthly', day: 32, quotaGb: 0, direction: 'sideways' }, fields: ['quota', 'direction', 'day'] },
  ];
  it.each(bad)('refuses $name', ({ input, fields }) => {
    expect(refusal(() => validatePlan(input, now))).toEqual(fields);
  });

  it('the message names the field', () => {
    expect(() => validatePlan({ kind: 'monthly', day: 32, quotaGb: 50 }, now)).toThrow(/^day: /);
    expect(() => validatePlan({ kind: 'bucket', quotaGb: 50 }, now)).toThrow(/^start: a prepaid bucket needs a start date/);
  });

  it('builds the stored shape from good input', () => {
    expect(validatePlan({ kind: 'monthly', day: 31, quotaGb: 50.5, freeHours: '00-06', rollover: true }, now)).toEqual({
      cycle: { kind: 'monthly', day: 31 },
      quotaBytes: 50_500_000_000,
      direction: 'total',
      freeHours: { startHour: 0, endHour: 6 },
      rollover: true,
      network: 'all',
    });
    expect(validatePlan({ kind: 'weekly', weekday: 6, quotaGb: 1, direction: 'upload' }, now).cycle).toEqual({ kind: 'weekly', weekday: 6 });
    expect(validatePlan({ kind: 'every-n-days', anchor: '2026-03-15', every: 28, quotaGb: 1 }, now).cycle).toEqual({ kind: 'every-n-days', anchor: '2026-03-15', n: 28 });
  });
});

describe('validateBudget', () => {
  it.each([
    { name: 'neither app nor domain', input: { quotaGb: 5 }, fields: ['target'] },
    { name: 'both', input: { app: 'Steam', domain: 'youtube.com', quotaGb: 5 }, fields: ['target'] },
    { name: 'a URL for a domain', input: { domain: 'https://youtube.com/watch', quotaGb: 5 }, fields: ['domain'] },
    { name: 'a quota of 0', input: { app: 'Steam', quotaGb: 0 }, fields: ['quota'] },
  ])('refuses $name', ({ input, fields }) => {
    expect(refusal(() => validateBudget(input))).toEqual(fields);
  });
  it('accepts an app or a site', () => {
    expect(validateBudget({ domain: 'YouTube.com', quotaGb: 20 })).toEqual({ target: { kind: 'domain', name: 'youtube.com' }, quotaBytes: 20e9, direction: 'total' });
    expect(validateBudget({ app: 'Steam', quotaGb: 50, direction: 'download' })).toEqual({ target: { kind: 'app', name: 'Steam' }, quotaBytes: 50e9, direction: 'download' });
  });
});

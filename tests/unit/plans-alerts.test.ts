// Alert decisions: each threshold once per cycle, re-armed by a new cycle or an edited plan; the
// forecast alert at most once a day and only again after the forecast fell under 90 %.
import { describe, expect, it } from 'vitest';
import { anomalyNoticeDue, decideAlerts, type AlertFacts, type AlertState } from '../../src-main/engine/plans/alerts.js';

const base: AlertFacts = { subject: 'plan:1', cycleStart: 1000, revision: 1, nowS: 10_000, used: 0, quota: 100, forecastP50: null };

/** Runs the checks in order, each with the state the previous one left, and lists what fired. */
function run(steps: Partial<AlertFacts>[], start: AlertState | null = null): { fired: string[][]; state: AlertState | null } {
  let state = start;
  const fired: string[][] = [];
  for (const step of steps) {
    const out = decideAlerts(state, { ...base, ...step });
    state = out.state;
    fired.push(out.alerts.map((a) => `${a.kind}:${a.percent}`));
  }
  return { fired, state };
}

describe('decideAlerts', () => {
  const cases: { name: string; steps: Partial<AlertFacts>[]; fired: string[][] }[] = [
    { name: 'under 80 %: nothing', steps: [{ used: 79 }], fired: [[]] },
    { name: '80 then 95 then 100, each once', steps: [{ used: 80 }, { used: 85 }, { used: 95 }, { used: 99 }, { used: 100 }, { used: 150 }], fired: [['threshold:80'], [], ['threshold:95'], [], ['threshold:100'], []] },
    { name: 'a jump from 70 % to 101 % is one alert, not three', steps: [{ used: 70 }, { used: 101 }, { used: 102 }], fired: [[], ['threshold:100'], []] },
    { name: 'a new cycle re-arms', steps: [{ used: 85 }, { used: 85, cycleStart: 2000 }], fired: [['threshold:80'], ['threshold:80']] },
    { name: 'an edited plan (new revision) re-arms', steps: [{ used: 85 }, { used: 85 }, { used: 85, revision: 2 }], fired: [['threshold:80'], [], ['threshold:80']] },
    {
      name: 'forecast over 100 %: once, then not again the same day nor while it stays high',
      steps: [{ used: 50, forecastP50: 120 }, { used: 52, forecastP50: 125, nowS: 20_000 }, { used: 55, forecastP50: 130, nowS: 10_000 + 90_000 }],
      fired: [['forecast:100'], [], []],
    },
    {
      name: 'forecast re-armed under 90 %, then at most once a day',
      steps: [
        { used: 50, forecastP50: 120 },
        { used: 50, forecastP50: 80, nowS: 20_000 },
        { used: 50, forecastP50: 120, nowS: 30_000 },
        { used: 50, forecastP50: 120, nowS: 10_000 + 86_400 },
      ],
      fired: [['forecast:100'], [], [], ['forecast:100']],
    },
    { name: 'no forecast alert once over the quota', steps: [{ used: 100, forecastP50: 140 }], fired: [['threshold:100']] },
    { name: 'no forecast, no forecast alert', steps: [{ used: 10, forecastP50: null }], fired: [[]] },
  ];
  it.each(cases)('$name', ({ steps, fired }) => {
    expect(run(steps).fired).toEqual(fired);
  });

  it('the state is plain data: stored as JSON and read back, it repeats nothing (a restart)', () => {
    const first = run([{ used: 85, forecastP50: 130 }]);
    expect(first.fired).toEqual([['threshold:80', 'forecast:100']]);
    const restored = JSON.parse(JSON.stringify(first.state)) as AlertState;
    expect(run([{ used: 86, forecastP50: 131, nowS: 11_000 }], restored).fired).toEqual([[]]);
  });

  it('drivers are counted since the previous alert, or since the cycle began', () => {
    const first = decideAlerts(null, { ...base, used: 85 });
    expect(first.alerts[0]?.driversSince).toBe(base.cycleStart);
    const second = decideAlerts(first.state, { ...base, used: 96, nowS: 12_000 });
    expect(second.alerts[0]?.driversSince).toBe(base.nowS);
  });
});

describe('anomaly notices', () => {
  it('at most one a day', () => {
    expect(anomalyNoticeDue(null, 86_400)).toBe(true);
    expect(anomalyNoticeDue(86_400, 86_400)).toBe(false);
    expect(anomalyNoticeDue(0, 86_400)).toBe(true);
  });
});

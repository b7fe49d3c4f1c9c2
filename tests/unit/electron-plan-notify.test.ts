// The shell's share of plan alerts: each stored alert delivered once (the last id remembered), oldest
// first, only while it is news (FRESH_ALERT_S), nothing announced with notifications off or settings
// unreadable, an anomaly opening the Changes page; and the plan's "over" that turns the tray red.
import { describe, expect, it } from 'vitest';
import type { AlertView, PlansStatus } from '../../src-shared/plans.js';
import { decidePlanNotices, FRESH_ALERT_S } from '../../src-main/electron/plan-notify.js';

const NOW = 1_800_000_000;

function alert(id: number, at: number, kind: AlertView['kind'] = 'threshold'): AlertView {
  return { id, at, subject: kind === 'anomaly' ? 'anomaly' : 'plan:1', kind, percent: kind === 'threshold' ? 80 : 0, cycleStart: NOW - 86_400, title: `alert ${id}`, body: `because ${id}` };
}

/** A status with these alerts (newest first, as plans:status gives them) and the plan's level. */
function status(alerts: AlertView[], level: 'fine' | 'warning' | 'over' | null = 'fine'): PlansStatus {
  const plan = level === null ? null : ({ level } as unknown as NonNullable<PlansStatus['plan']>);
  return { now: NOW, plan, budgets: [], alerts: [...alerts].sort((a, b) => b.id - a.id), level: level ?? 'fine' };
}

describe('decidePlanNotices', () => {
  const cases: Array<[string, number | null, { enabled: boolean | null; status: PlansStatus | null }, { lastId: number | null; titles: string[]; over: boolean }]> = [
    ['nothing stored', null, { enabled: true, status: status([]) }, { lastId: null, titles: [], over: false }],
    ['a new alert, first run', null, { enabled: true, status: status([alert(1, NOW - 60)]) }, { lastId: 1, titles: ['alert 1'], over: false }],
    ['the same alert again', 1, { enabled: true, status: status([alert(1, NOW - 60)], 'warning') }, { lastId: 1, titles: [], over: false }],
    ['two new ones, oldest first', 1, { enabled: true, status: status([alert(1, NOW - 900), alert(2, NOW - 120), alert(3, NOW - 60)], 'over') }, { lastId: 3, titles: ['alert 2', 'alert 3'], over: true }],
    ['stale news is not announced, but is seen', null, { enabled: true, status: status([alert(4, NOW - FRESH_ALERT_S - 1), alert(5, NOW - FRESH_ALERT_S)]) }, { lastId: 5, titles: ['alert 5'], over: false }],
    ['notifications off: seen, never announced later', 2, { enabled: false, status: status([alert(3, NOW - 10)], 'over') }, { lastId: 3, titles: [], over: true }],
    ['settings unreadable: nothing decided', 2, { enabled: null, status: status([alert(3, NOW - 10)], 'over') }, { lastId: 2, titles: [], over: true }],
    ['status unreadable', 2, { enabled: true, status: null }, { lastId: 2, titles: [], over: false }],
    ['no plan (budgets only): never red', null, { enabled: true, status: status([alert(1, NOW - 5)], null) }, { lastId: 1, titles: ['alert 1'], over: false }],
  ];
  it.each(cases)('%s', (_name, lastId, facts, expected) => {
    const decided = decidePlanNotices(lastId, { nowS: NOW, ...facts });
    expect({ lastId: decided.lastId, titles: decided.notices.map((n) => n.title), over: decided.over }).toEqual(expected);
  });

  it('passes the alert words on, and routes an anomaly to the Changes page, the rest to the Plan panel', () => {
    const decided = decidePlanNotices(null, { nowS: NOW, enabled: true, status: status([alert(1, NOW - 5), alert(2, NOW - 5, 'anomaly'), alert(3, NOW - 5, 'forecast')]) });
    expect(decided.notices).toEqual([
      { title: 'alert 1', body: 'because 1', route: '#/overview' },
      { title: 'alert 2', body: 'because 2', route: '#/changes' },
      { title: 'alert 3', body: 'because 3', route: '#/overview' },
    ]);
  });
});

// The nettop CPU budget as a pure reducer (samplers/nettop/budget.ts), driven from a table: each row is
// a run of events (streaming began, a CPU reading) and the actions and wait it must produce.
import { describe, expect, it } from 'vitest';
import { budgetStep, initialBudget, type BudgetAction, type BudgetEvent, type BudgetPolicy } from '../../../../../src-main/engine/samplers/nettop/budget.js';

const policy: BudgetPolicy = { budget: 0.05, expensiveChecks: 2, lowWaterFraction: 0.75, probeAfterMs: 1000, probeMaxMs: 3000 };
const stream: BudgetEvent = { type: 'stream', probe: false };
const probe: BudgetEvent = { type: 'stream', probe: true };
const reading = (share: number): BudgetEvent => ({ type: 'reading', share });

/** Runs the events from the initial state; the actions taken, and the wait before the next try of streaming. */
function run(events: readonly BudgetEvent[]): { actions: BudgetAction[]; probeWaitMs: number } {
  let state = initialBudget(policy);
  const actions: BudgetAction[] = [];
  for (const event of events) {
    const step = budgetStep(state, event, policy);
    state = step.state;
    actions.push(step.action);
  }
  return { actions, probeWaitMs: state.probeWaitMs };
}

describe('nettop CPU budget', () => {
  it.each<[string, BudgetEvent[], BudgetAction[], number]>([
    ['cheap streaming stays', [stream, reading(0.01), reading(0.02), reading(0.05)], ['stay', 'stay', 'stay', 'stay'], 1000],
    ['two readings above budget in a row switch to polling', [stream, reading(0.2), reading(0.06)], ['stay', 'stay', 'poll'], 1000],
    ['a cheap reading between expensive ones resets the streak', [stream, reading(0.2), reading(0.01), reading(0.2)], ['stay', 'stay', 'stay', 'stay'], 1000],
    ['exactly the budget is within it', [stream, reading(0.05), reading(0.05)], ['stay', 'stay', 'stay'], 1000],
    ['probation: readings at or below low water pass it, and the wait is reset', [probe, reading(0.0375), reading(0.01)], ['stay', 'stay', 'passed'], 1000],
    ['probation: one reading above low water (below budget) sends it back, the wait doubles', [probe, reading(0.04)], ['stay', 'poll'], 2000],
    ['probation failed twice: the wait doubles up to its cap', [probe, reading(0.04), probe, reading(0.5), probe, reading(0.5)], ['stay', 'poll', 'stay', 'poll', 'stay', 'poll'], 3000],
    ['after probation passed, the streak rule applies again', [probe, reading(0.01), reading(0.01), reading(0.06), reading(0.06)], ['stay', 'stay', 'passed', 'stay', 'poll'], 1000],
    ['a failed probation then a passed one resets the wait', [probe, reading(0.5), probe, reading(0.01), reading(0.01)], ['stay', 'poll', 'stay', 'stay', 'passed'], 1000],
  ])('%s', (_name, events, actions, probeWaitMs) => {
    expect(run(events)).toEqual({ actions, probeWaitMs });
  });

  it('is pure: the state it was given is not changed', () => {
    const state = { expensiveStreak: 1, probation: 0, probeWaitMs: 1000 };
    const copy = { ...state };
    budgetStep(state, reading(1), policy);
    expect(state).toEqual(copy);
  });
});

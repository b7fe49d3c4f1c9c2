// The CPU budget of streaming nettop, as a pure reducer (strategy `auto`). While streaming, the CPU
// share of nettop's process tree is read every `cpuCheckMs`. After `expensiveChecks` readings in a row
// above the budget the sampler switches to polling, and tries streaming again after `probeWaitMs`, on
// probation: if any of the first `expensiveChecks` readings is above `lowWaterFraction` × budget it goes
// straight back to polling and the wait doubles (up to `probeMaxMs`); if they all pass, the wait is
// reset. The band between low water and budget keeps it from flapping.

/** The limits of the budget. */
export interface BudgetPolicy {
  /** Fraction of one core nettop may use. */
  budget: number;
  /** Readings above budget in a row that switch to polling (and the probation length). */
  expensiveChecks: number;
  /** Probation passes only at or below this fraction of the budget. */
  lowWaterFraction: number;
  /** First wait before trying streaming again. */
  probeAfterMs: number;
  /** Longest wait before trying streaming again. */
  probeMaxMs: number;
}

/** Where the budget stands. */
export interface BudgetState {
  /** Readings above budget in a row (outside probation). */
  expensiveStreak: number;
  /** Readings left to pass on probation; 0: not on probation. */
  probation: number;
  /** The wait before the next try of streaming, once it switches to polling. */
  probeWaitMs: number;
}

/** What happened: streaming began (`probe`: again, after polling), or one CPU reading came in. */
export type BudgetEvent = { type: 'stream'; probe: boolean } | { type: 'reading'; share: number };

/** What the sampler does: nothing, switch to polling (retry after `state.probeWaitMs`), or note that probation passed. */
export type BudgetAction = 'stay' | 'poll' | 'passed';

/** The state before any streaming. */
export function initialBudget(policy: BudgetPolicy): BudgetState {
  return { expensiveStreak: 0, probation: 0, probeWaitMs: policy.probeAfterMs };
}

/** One step of the budget. */
export function budgetStep(state: BudgetState, event: BudgetEvent, policy: BudgetPolicy): { state: BudgetState; action: BudgetAction } {
  if (event.type === 'stream') return { state: { ...state, expensiveStreak: 0, probation: event.probe ? policy.expensiveChecks : 0 }, action: 'stay' };
  const { share } = event;
  if (state.probation > 0) {
    if (share > policy.budget * policy.lowWaterFraction) {
      return { state: { ...state, probeWaitMs: Math.min(policy.probeMaxMs, state.probeWaitMs * 2) }, action: 'poll' };
    }
    const probation = state.probation - 1;
    if (probation === 0) return { state: { ...state, probation, probeWaitMs: policy.probeAfterMs }, action: 'passed' };
    return { state: { ...state, probation }, action: 'stay' };
  }
  const expensiveStreak = share > policy.budget ? state.expensiveStreak + 1 : 0;
  return { state: { ...state, expensiveStreak }, action: expensiveStreak >= policy.expensiveChecks ? 'poll' : 'stay' };
}

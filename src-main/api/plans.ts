// The plans port (ports.ts `PlansAccess`): plans, budgets and "what changed" over the store's connection (engine/plans). Writes are
// small rows in their own tables; a bad field throws PlanInputError, which the handlers answer as
// bad-request with the field named.
import { calibrationOffset } from '../engine/plans/calibration.js';
import { isKnownNetwork } from '../engine/plans/figures.js';
import { changes } from '../engine/plans/changes-query.js';
import { budgetStatus, measuredInCycle, planStatus, plansStatus } from '../engine/plans/status.js';
import { GB } from '../engine/plans/types.js';
import { PlanInputError, validateBudget, validatePlan } from '../engine/plans/validate.js';
import type { PrivacyView } from '../engine/privacy/list.js';
import { budgetTargetOf, planNetworkOf } from '../engine/privacy/targets.js';
import type { Store } from '../engine/store/index.js';
import { listBudgets, planByName, removeBudget, saveBudget, saveCalibration, savePlan } from '../engine/store/plans.js';
import type { PlansAccess } from './ports.js';

/**
 * Plans over the store. The plan queries take a full connection (the CLI's own, or the store's writer),
 * so every call runs through `withWriter`, the engine's one way to its connection; writes are single rows.
 * With the privacy levels, a budget or plan typed on a private name counts the private row instead (its
 * answer names that row; engine/privacy/targets.ts).
 */
export function createPlansAccess(store: Pick<Store, 'withWriter'>, privacy?: PrivacyView): PlansAccess {
  const on = <T>(run: (db: Parameters<Parameters<Store['withWriter']>[0]>[0]) => T): T => store.withWriter(run);
  return {
    status: (nowS) => on((db) => plansStatus(db, nowS)),
    set: (request, nowS) =>
      on((db) => {
        const network = planNetworkOf(privacy, request.network, (key) => isKnownNetwork(db, key));
        const spec = validatePlan({ ...request, network: network.network }, nowS, network.known);
        return planStatus(db, savePlan(db, spec, nowS), nowS);
      }),
    calibrate: (request, nowS) =>
      on((db) => {
        const plan = planByName(db);
        if (plan === null) throw new PlanInputError([{ field: 'plan', message: 'there is no plan to calibrate yet' }]);
        const { cycle, measured } = measuredInCycle(db, plan, nowS);
        saveCalibration(db, { planId: plan.id, cycleStart: cycle.start, offsetBytes: calibrationOffset(request.usedGb * GB, measured), at: nowS });
        return planStatus(db, plan, nowS);
      }),
    budgets: (nowS) =>
      on((db) => {
        const plan = planByName(db);
        return { budgets: listBudgets(db).map((b) => budgetStatus(db, b, plan, nowS)) };
      }),
    addBudget: (request, nowS) => {
      const budget = validateBudget(request);
      const { target } = budgetTargetOf(privacy, budget.target);
      return on((db) => saveBudget(db, { ...budget, target }, nowS));
    },
    removeBudget: (request) => ({ removed: on((db) => removeBudget(db, request.id)) }),
    changes: (request, nowS) => on((db) => changes(db, nowS, request.days ?? 7)),
  };
}

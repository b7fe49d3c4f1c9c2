// plans:*, budgets:* and changes:list, over the plans port (api/plans.ts); without it they answer
// unavailable.
import { ApiError } from '../errors.js';
import type { PlansAccess } from '../ports.js';
import type { AreaChannels, AreaContext, Handlers } from './area.js';

export function plansHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'plans' | 'budgets' | 'changes'>> {
  const plans = (): PlansAccess => {
    if (deps.plans === undefined) throw new ApiError('unavailable', 'plans are not available in this engine');
    return deps.plans;
  };
  return {
    'plans:status': () => Promise.resolve(plans().status(nowS())),
    'plans:set': (req) => Promise.resolve(plans().set(req, nowS())),
    'plans:calibrate': (req) => Promise.resolve(plans().calibrate(req, nowS())),
    'budgets:list': () => Promise.resolve(plans().budgets(nowS())),
    'budgets:add': (req) => Promise.resolve(plans().addBudget(req, nowS())),
    'budgets:remove': (req) => Promise.resolve(plans().removeBudget(req)),
    'changes:list': (req) => Promise.resolve(plans().changes(req, nowS())),
  };
}

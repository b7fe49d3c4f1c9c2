// The plan's side of the shell's poll: delivers the engine's alerts as system notifications (once
// each, decided in plan-notify.ts; the last delivered id kept in the shell's state file) and tells
// the tray whether the plan is over its quota.
import type { Result } from '../../src-shared/contract/types.js';
import type { PlansStatus } from '../../src-shared/plans.js';
import { createLogger } from '../engine/log.js';
import type { Notifier } from './notifier.js';
import { decidePlanNotices } from './plan-notify.js';

const log = createLogger('electron');

export interface PlanAlerts {
  /** Takes one poll's `plans:status` (`enabled`: notifications on, null when the settings were unreadable). */
  take(status: Result<PlansStatus>, enabled: boolean | null): void;
  /** Whether the plan was over its quota at the last poll. */
  over(): boolean;
}

export function createPlanAlerts(options: {
  notifier: Pick<Notifier, 'notify'>;
  /** The id of the last alert delivered, as remembered. */
  lastId: number | null;
  remember: (lastId: number | null) => void;
  nowS: () => number;
}): PlanAlerts {
  let lastId = options.lastId;
  let over = false;
  return {
    take(status, enabled) {
      if (!status.ok) log.warn('plan status unreadable', { error: status.error.message });
      const decided = decidePlanNotices(lastId, { nowS: options.nowS(), enabled, status: status.ok ? status.value : null });
      over = decided.over;
      if (decided.lastId !== lastId) options.remember(decided.lastId);
      lastId = decided.lastId;
      for (const notice of decided.notices) options.notifier.notify(notice, notice.route);
    },
    over: () => over,
  };
}

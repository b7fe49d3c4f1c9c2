// What the shell makes of the plan's status (`plans:status`): which stored alerts to deliver as a
// system notification, and whether the plan is over its quota (the tray turns red). Pure.
//
// The engine's checker decides and stores each alert once per cycle (engine/plans/checker.ts); the
// shell only delivers them: each alert once (the id of the last one delivered is remembered across
// restarts), oldest first, and only while it is news: an alert stored more than FRESH_ALERT_S ago (by
// `serve` while the app was not running, or before this memory existed) stays in the popover and the
// dashboard but is not announced late.
import type { AlertView, PlansStatus } from '../../src-shared/plans.js';

/** An alert older than this is not announced (the checker runs every 5 minutes, the shell polls every minute). */
export const FRESH_ALERT_S = 3600;

/** A notification to show and where a click on it leads. */
export interface PlanNotice {
  title: string;
  body: string;
  route: string;
}

export interface PlanFacts {
  nowS: number;
  /** `enable_notifications`, or null when the settings could not be read (nothing is decided then). */
  enabled: boolean | null;
  /** `plans:status`, or null when it could not be read. */
  status: PlansStatus | null;
}

/** Where a click on an alert leads: an anomaly to the Changes page, the rest to the Plan panel. */
function routeOf(alert: AlertView): string {
  return alert.kind === 'anomaly' ? '#/changes' : '#/overview';
}

/**
 * The notices of one poll, the id to remember, and whether the plan is over.
 * `lastId` is the id of the last alert delivered (null: none yet).
 */
export function decidePlanNotices(lastId: number | null, facts: PlanFacts): { lastId: number | null; notices: PlanNotice[]; over: boolean } {
  const status = facts.status;
  const over = status?.plan?.level === 'over';
  if (status === null || facts.enabled === null) return { lastId, notices: [], over };
  const unseen = status.alerts.filter((a) => lastId === null || a.id > lastId).sort((a, b) => a.id - b.id);
  const newest = unseen.reduce<number | null>((max, a) => (max === null || a.id > max ? a.id : max), lastId);
  // Notifications off: the alerts are seen (in the popover and the dashboard), never announced later.
  const notices = facts.enabled ? unseen.filter((a) => facts.nowS - a.at <= FRESH_ALERT_S).map((a) => ({ title: a.title, body: a.body, route: routeOf(a) })) : [];
  return { lastId: newest, notices, over };
}

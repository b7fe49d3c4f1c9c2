// Which plan and budget alerts fire. Pure: the stored state and today's figures in, the alerts and the
// next state out. Each threshold fires once per cycle; a change of cycle or of the plan (its revision)
// re-arms all of them. "Forecast crosses 100 %" fires at most once a day and only again after the
// forecast dropped below 90 %. The state is stored, so a restart never repeats an alert.

/** Thresholds, percent of the quota. */
export const ALERT_THRESHOLDS = [80, 95, 100] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];

/** The forecast alert re-arms only once the forecast is back under this share of the quota. */
export const FORECAST_REARM_SHARE = 0.9;
/** At most one forecast alert per this many seconds. */
export const FORECAST_MIN_GAP_S = 86_400;

/** What is remembered for one plan or budget (`subject`: `plan:ID` or `budget:ID`). */
export interface AlertState {
  subject: string;
  cycleStart: number;
  revision: number;
  /** Thresholds already announced this cycle. */
  fired: AlertThreshold[];
  forecastArmed: boolean;
  /** Epoch s of the last forecast alert, or null. */
  forecastLastAt: number | null;
  /** Epoch s of the last alert of any kind (the top apps and sites are counted since then). */
  lastAlertAt: number | null;
}

/** The figures of one check. */
export interface AlertFacts {
  subject: string;
  cycleStart: number;
  revision: number;
  nowS: number;
  used: number;
  quota: number;
  /** The P50 forecast at the cycle's end, or null when there is none. */
  forecastP50: number | null;
}

export type AlertKind = 'threshold' | 'forecast';

/** An alert to deliver. */
export interface AlertDecision {
  subject: string;
  kind: AlertKind;
  /** The threshold crossed (threshold alerts), or 100 for the forecast alert. */
  percent: AlertThreshold;
  /** Since when the drivers (top apps and sites) are counted: the previous alert, or the cycle's start. */
  driversSince: number;
}

/** The state a new cycle, a new plan or a changed plan starts with. */
export function freshState(facts: Pick<AlertFacts, 'subject' | 'cycleStart' | 'revision'>): AlertState {
  return { subject: facts.subject, cycleStart: facts.cycleStart, revision: facts.revision, fired: [], forecastArmed: true, forecastLastAt: null, lastAlertAt: null };
}

/** Decides the alerts of one check. */
export function decideAlerts(stored: AlertState | null, facts: AlertFacts): { state: AlertState; alerts: AlertDecision[] } {
  const same = stored !== null && stored.cycleStart === facts.cycleStart && stored.revision === facts.revision && stored.subject === facts.subject;
  const state: AlertState = same ? { ...stored, fired: [...stored.fired] } : freshState(facts);
  const alerts: AlertDecision[] = [];
  if (facts.quota <= 0) return { state, alerts };
  const driversSince = state.lastAlertAt ?? facts.cycleStart;
  const share = facts.used / facts.quota;
  // Only the highest threshold newly crossed is said: a jump from 70 % to 101 % is one alert, not three.
  const crossed = ALERT_THRESHOLDS.filter((t) => share * 100 >= t && !state.fired.includes(t));
  const highest = crossed[crossed.length - 1];
  if (highest !== undefined) {
    for (const t of ALERT_THRESHOLDS) if (t <= highest && !state.fired.includes(t)) state.fired.push(t);
    alerts.push({ subject: facts.subject, kind: 'threshold', percent: highest, driversSince });
  }
  if (facts.forecastP50 !== null) {
    const forecastShare = facts.forecastP50 / facts.quota;
    if (forecastShare < FORECAST_REARM_SHARE) state.forecastArmed = true;
    const dayPassed = state.forecastLastAt === null || facts.nowS - state.forecastLastAt >= FORECAST_MIN_GAP_S;
    // Once over the quota the forecast has nothing left to warn about.
    if (forecastShare >= 1 && share < 1 && state.forecastArmed && dayPassed) {
      state.forecastArmed = false;
      state.forecastLastAt = facts.nowS;
      alerts.push({ subject: facts.subject, kind: 'forecast', percent: 100, driversSince });
    }
  }
  if (alerts.length > 0) state.lastAlertAt = facts.nowS;
  return { state, alerts };
}

/** At most one anomaly notification a day: whether one may go out today (local midnight `todayStart`). */
export function anomalyNoticeDue(lastNoticeDay: number | null, todayStart: number): boolean {
  return lastNoticeDay === null || lastNoticeDay < todayStart;
}

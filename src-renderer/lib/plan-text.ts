// Words for plan figures, shared by the popover line, the overview's Plan panel and the Changes page.
// Pure: figures in, strings out.
import type { ChangeRowView, CycleFigures, PlanStatusView } from '../../src-shared/plans.js';
import { formatBytes } from './format.js';

/** `31.2 GB of 50.0 GB (62 %)`. */
export function usedText(f: Pick<CycleFigures, 'usedBytes' | 'quotaBytes' | 'usedShare'>): string {
  return `${formatBytes(f.usedBytes)} of ${formatBytes(f.quotaBytes)} (${Math.round(f.usedShare * 100)} %)`;
}

/** `on pace for 48.1 GB (44.0–52.3 GB), over by 2026-12-24`, or why there is no forecast. */
export function forecastText(f: CycleFigures): string {
  if (!f.forecast.available) return `no forecast: ${f.forecast.reason}`;
  const { p20, p50, p80, crossingDate } = f.forecast;
  const over = crossingDate === null ? '' : `, over by ${crossingDate}`;
  return `on pace for ${formatBytes(p50)} (range ${formatBytes(p20)}–${formatBytes(p80)})${over}`;
}

/** The popover's one line: the cycle bar's figure and the forecast. */
export function popoverPlanLine(plan: PlanStatusView): string {
  if (!plan.active) return `plan not active: ${plan.inactiveReason ?? ''}`;
  return `plan ${usedText(plan)} · ${forecastText(plan)}`;
}

/** Widths (percent of the bar, 0–100) of used, the pace mark and the forecast range, on a scale that fits the larger of quota and P80. */
export function barScale(f: CycleFigures): { used: number; pace: number | null; p20: number | null; p80: number | null; quota: number } {
  const top = Math.max(f.quotaBytes, f.usedBytes, f.forecast.available ? f.forecast.p80 : 0, 1);
  const at = (bytes: number): number => Math.min(100, (100 * bytes) / top);
  return {
    used: at(f.usedBytes),
    pace: f.paceBytes === null ? null : at(f.paceBytes),
    p20: f.forecast.available ? at(f.forecast.p20) : null,
    p80: f.forecast.available ? at(f.forecast.p80) : null,
    quota: at(f.quotaBytes),
  };
}

/** `+30.00 GB` / `−1.20 GB`. */
export function signedBytes(n: number): string {
  return `${n >= 0 ? '+' : '−'}${formatBytes(Math.abs(n))}`;
}

/** The badges of a change row in words. */
export function badgeLabel(badge: ChangeRowView['badges'][number]): string {
  return badge === 'unusual-hour' ? 'unusual hour' : badge;
}

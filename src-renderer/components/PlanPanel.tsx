// The overview's Plan panel: used against the quota with the pace mark and the forecast range, the
// crossing date, "safe today", the budgets, and the latest alerts. Every figure is the engine's.
import type { CycleFigures } from '../../src-shared/plans.js';
import { formatBytes, formatDateTime } from '../lib/format.js';
import { barScale, forecastText, usedText } from '../lib/plan-text.js';
import { routeHash } from '../lib/route.js';
import { useApi } from '../state/use-api.js';
import { ErrorNote } from './ErrorNote.js';

function CycleBar({ f, testId }: { f: CycleFigures; testId: string }) {
  const s = barScale(f);
  return (
    <div className={`planbar level-${f.level}`} data-testid={testId} role="img" aria-label={`${usedText(f)}; ${forecastText(f)}`}>
      {s.p20 !== null && s.p80 !== null && <span className="range" style={{ left: `${s.p20}%`, width: `${Math.max(0.5, s.p80 - s.p20)}%` }} title="forecast range at the cycle's end (P20–P80)" />}
      <span className="used" style={{ width: `${s.used}%` }} />
      {s.pace !== null && <span className="pace" style={{ left: `${s.pace}%` }} title="where steady use would be now" />}
      <span className="quota" style={{ left: `${s.quota}%` }} title="quota" />
    </div>
  );
}

export function PlanPanel() {
  const plans = useApi('plans:status', {}, { refreshS: 60 });
  const data = plans.data;
  return (
    <section className="panel" aria-labelledby="h-plan" data-testid="plan-panel">
      <div className="panelhead">
        <h2 id="h-plan">Plan</h2>
        <span className="small faint">what the network carried (interface totals, unattributed included)</span>
        <span className="spacer" />
        <a className="small" href={routeHash('changes')}>
          what changed →
        </a>
      </div>
      {plans.error !== null && <ErrorNote error={plans.error} what="plan" />}
      {data !== null && data.plan === null && (
        <p className="empty" data-testid="plan-none">
          no data plan yet: <code>netmon plan set --kind monthly --day 1 --quota 50</code>, budgets in <a href={routeHash('settings')}>Settings</a>
        </p>
      )}
      {data?.plan != null && (
        <div className="plan" data-testid="plan-figures" data-level={data.plan.level}>
          <div className="row">
            <strong data-testid="plan-used">{usedText(data.plan)}</strong>
            <span className="small muted">
              cycle {data.plan.startDate} – {data.plan.lastDate ?? 'no reset'}
              {data.plan.calibration !== null && ` · calibrated ${formatDateTime(data.plan.calibration.at)}`}
            </span>
          </div>
          <CycleBar f={data.plan} testId="plan-bar" />
          <div className="small" data-testid="plan-forecast">
            {forecastText(data.plan)}
            {data.plan.forecast.available && <span className="faint"> · estimate ({data.plan.forecast.method})</span>}
          </div>
          {data.plan.safeTodayBytes !== null && (
            <div className="small" data-testid="plan-safe-today">
              safe today: {formatBytes(data.plan.safeTodayBytes)} ({data.plan.daysLeft} days left)
            </div>
          )}
        </div>
      )}
      {data !== null && data.budgets.length > 0 && (
        <table className="budgets small" data-testid="plan-budgets">
          <tbody>
            {data.budgets.map((b) => (
              <tr key={b.budget.id} data-level={b.level}>
                <td>{b.budget.target.name}</td>
                <td className="num">{usedText(b)}</td>
                <td className="muted">{b.forecast.available ? `→ ${formatBytes(b.forecast.p50)}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data !== null && data.alerts.length > 0 && (
        <ul className="alerts small" data-testid="plan-alerts">
          {data.alerts.slice(0, 3).map((a) => (
            <li key={a.id}>
              <strong>{a.title}</strong> <span className="muted">{formatDateTime(a.at)}</span> — {a.body}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

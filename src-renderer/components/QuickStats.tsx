import type { PeriodTotals, UsageSummary } from '../../src-shared/contract/types.js';
import { formatBytes, formatBytesShort } from '../lib/format.js';
import { projectMonth, totalOf } from '../lib/selectors.js';
import { EstimateMark } from './EstimateMark.js';

function Stat({ label, period, testId }: { label: string; period: PeriodTotals; testId: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="label">
        {label} {period.approximate && <EstimateMark testId={`${testId}-estimate`} />}
      </div>
      <div className="value">{formatBytes(totalOf(period))}</div>
      <div className="split">
        <span className="in">↓ {formatBytesShort(period.bytesIn)}</span> <span className="out">↑ {formatBytesShort(period.bytesOut)}</span>
      </div>
    </div>
  );
}

/** Today, this week and this month (each from local midnight), with the month's projection marked as an estimate. */
export function QuickStats({ summary, nowS }: { summary: UsageSummary; nowS: number }) {
  const soFar = totalOf(summary.month);
  const projected = soFar > 0 ? projectMonth(soFar, summary.month.since, nowS) : null;
  return (
    <div>
      <div className="stats">
        <Stat label="today" period={summary.today} testId="stat-today" />
        <Stat label="this week (from Monday)" period={summary.week} testId="stat-week" />
        <Stat label="this month" period={summary.month} testId="stat-month" />
      </div>
      {projected !== null && (
        <p className="small muted" style={{ margin: '6px 0 0' }}>
          <span className="estimate">estimate</span> ≈ {formatBytesShort(projected)} by the end of the month, if the rest of it goes like the days so far
        </p>
      )}
    </div>
  );
}

import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { formatBytes, formatBytesShort, formatChange, formatDate, formatDay, formatMonth } from '../lib/format.js';
import { dayRange, epochToDateInput } from '../lib/ranges.js';
import { isApproximate, monthRows, sumTotals, totalOf, weeklySums, type MonthRow, type PeriodSum } from '../lib/selectors.js';
import { useServices } from '../state/services.js';
import { useApi } from '../state/use-api.js';
import { replaceParams } from '../state/use-route.js';
import { ErrorNote } from './ErrorNote.js';
import { EstimateMark } from './EstimateMark.js';
import { GapNotes } from './GapNotes.js';
import { Heatmap } from './Heatmap.js';
import { LedgerFlag } from './LedgerFlag.js';
import { NetworkBreakdown } from './NetworkBreakdown.js';
import { NetworkPicker } from './NetworkPicker.js';
import { Segmented } from './Segmented.js';

const PRESETS = ['30d', '90d', '365d'] as const;
type Preset = (typeof PRESETS)[number];
const PRESET_DAYS: Record<Preset, number> = { '30d': 30, '90d': 90, '365d': 365 };

function isPreset(value: string | undefined): value is Preset {
  return (PRESETS as readonly string[]).includes(value ?? '');
}

/** The page's range: whole local days, from a preset (ending today) or from the two dates picked. */
function resolveDays(params: Record<string, string>, nowS: number): { since: number; until: number; from: string; to: string; preset: Preset | null } {
  const today = epochToDateInput(nowS);
  const from = params['from'];
  const to = params['to'];
  if (from !== undefined && to !== undefined) {
    const r = dayRange(from, to);
    if (r.ok) return { since: r.since, until: r.until, from, to, preset: null };
  }
  const preset: Preset = isPreset(params['range']) ? params['range'] : '90d';
  const start = new Date(nowS * 1000);
  start.setDate(start.getDate() - PRESET_DAYS[preset] + 1);
  const fromDate = epochToDateInput(Math.floor(start.getTime() / 1000));
  const r = dayRange(fromDate, today);
  return r.ok ? { since: r.since, until: r.until, from: fromDate, to: today, preset } : { since: nowS - 86_400, until: nowS, from: today, to: today, preset };
}

// Recharts hands its content element a `label` prop of its own (the active x value): the namer of
// a period must be called something else.
function PeriodTip({ active, payload, nameOf }: { active?: boolean; payload?: readonly { payload?: PeriodSum & { partial?: boolean } }[]; nameOf: (p: PeriodSum) => string }) {
  const p = payload?.[0]?.payload;
  if (active !== true || p === undefined) return null;
  return (
    <div className="tip">
      <div className="muted">
        {nameOf(p)} · {p.points} day{p.points === 1 ? '' : 's'} of data{p.partial === true ? ' (partial)' : ''}
      </div>
      <div>
        <span className="in">↓ {formatBytes(p.bytesIn)}</span> <span className="out">↑ {formatBytes(p.bytesOut)}</span>
      </div>
      <div className="muted">total {formatBytes(totalOf(p))}</div>
    </div>
  );
}

function PeriodBars({ data, label, testId }: { data: readonly (PeriodSum & { partial?: boolean })[]; label: (p: PeriodSum) => string; testId: string }) {
  return (
    <div className="chart" data-testid={testId} data-bars={data.length}>
      <BarChart responsive style={{ width: '100%', height: 180 }} data={[...data]} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis dataKey="start" tickFormatter={(v: number) => label({ start: v, bytesIn: 0, bytesOut: 0, points: 0 })} tick={{ fontSize: 11, fill: 'var(--muted)' }} stroke="var(--border)" minTickGap={16} />
        <YAxis tickFormatter={(v: number) => formatBytesShort(v)} tick={{ fontSize: 11, fill: 'var(--muted)' }} stroke="var(--border)" width={56} />
        <Tooltip content={<PeriodTip nameOf={label} />} isAnimationActive={false} cursor={{ fill: 'var(--grid)' }} />
        <Bar dataKey="bytesIn" name="download" stackId="1" fill="var(--c-in)" isAnimationActive={false} />
        <Bar dataKey="bytesOut" name="upload" stackId="1" fill="var(--c-out)" isAnimationActive={false} />
      </BarChart>
    </div>
  );
}

function MonthTable({ rows }: { rows: readonly MonthRow[] }) {
  return (
    <table className="small" data-testid="month-table">
      <thead>
        <tr>
          <th>month</th>
          <th className="num">downloaded</th>
          <th className="num">uploaded</th>
          <th className="num">total</th>
          <th className="num">days</th>
          <th className="num">per day</th>
          <th className="num" title="daily average against the month before">change</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr key={m.start}>
            <td>
              {formatMonth(m.start)}
              {m.partial && <span className="faint"> (partial)</span>}
            </td>
            <td className="num">{formatBytes(m.bytesIn)}</td>
            <td className="num">{formatBytes(m.bytesOut)}</td>
            <td className="num">{formatBytes(m.total)}</td>
            <td className="num">{m.points}</td>
            <td className="num">{formatBytes(m.perDay)}</td>
            <td className="num">{m.change === null ? '—' : formatChange(m.change)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The long view: when in the week the traffic happens, how weeks and months compare, for any range of days. */
export function HistoryPage({ params }: { params: Record<string, string> }) {
  const { now } = useServices();
  const nowS = Math.floor(now() / 1000);
  const days = resolveDays(params, nowS);
  const [from, setFrom] = useState(days.from);
  const [to, setTo] = useState(days.to);
  const [pickError, setPickError] = useState<string | null>(null);
  const range = { since: days.since, until: days.until };
  // One network picked (`network=ID`), or all: the daily bars, the totals and the months follow it.
  const network = params['network'] ?? null;
  const heatmap = useApi('usage:heatmap', range);
  const allDaily = useApi('usage:timeline', network === null ? { ...range, bucket: 86_400 } : null);
  const networkDaily = useApi('networks:timeline', network === null ? null : { ...range, bucket: 86_400, network });
  const daily = network === null ? allDaily : networkDaily;
  const networks = useApi('networks:list', range);
  const ledger = useApi('networks:ledger', range);
  const keep = { network: network ?? undefined };
  const pickNetwork = (next: string | null): void => replaceParams('history', { ...(days.preset === null ? { from: days.from, to: days.to } : { range: days.preset }), network: next ?? undefined });
  const points = daily.data?.points ?? [];
  const weeks = weeklySums(points).map((w) => ({ ...w, partial: w.points < 7 }));
  const months = monthRows(points);
  const totals = sumTotals(points);

  const apply = (): void => {
    const r = dayRange(from, to);
    if (!r.ok) {
      setPickError(r.message);
      return;
    }
    setPickError(null);
    replaceParams('history', { from, to, ...keep });
  };
  const choosePreset = (p: Preset): void => {
    const resolved = resolveDays({ range: p }, nowS);
    setFrom(resolved.from);
    setTo(resolved.to);
    setPickError(null);
    replaceParams('history', { range: p, ...keep });
  };
  const ready = heatmap.data !== null && daily.data !== null && heatmap.dataKey === heatmap.key && daily.dataKey === daily.key;
  return (
    <div className="page" data-testid="page-history" data-ready={ready ? 'true' : 'false'} data-since={days.since} data-until={days.until} data-network={network ?? ''}>
      <div className="pagehead">
        <h1>History</h1>
        <span className="small muted" data-testid="history-range">
          {formatDate(days.since)} – {formatDate(days.until - 1)} ({Math.round((days.until - days.since) / 86_400)} days)
        </span>
        <span className="spacer" />
        <NetworkPicker networks={networks.data?.networks ?? null} value={network} onChange={pickNetwork} />
        <Segmented label="range" options={PRESETS.map((p) => ({ value: p, label: `last ${PRESET_DAYS[p]} d` }))} value={days.preset} onChange={choosePreset} />
        <form
          className="row"
          aria-label="custom date range"
          onSubmit={(e) => {
            e.preventDefault();
            apply();
          }}
        >
          <label className="small">
            from <input type="date" value={from} max={epochToDateInput(nowS)} onChange={(e) => setFrom(e.target.value)} data-testid="history-from" />
          </label>
          <label className="small">
            to <input type="date" value={to} max={epochToDateInput(nowS)} onChange={(e) => setTo(e.target.value)} data-testid="history-to" />
          </label>
          <button type="submit" data-testid="history-apply">
            show
          </button>
        </form>
      </div>
      {pickError !== null && <p className="note error">{pickError}</p>}
      <LedgerFlag ledger={ledger.data} />
      {daily.error !== null && <ErrorNote error={daily.error} what="daily totals" />}
      {heatmap.error !== null && <ErrorNote error={heatmap.error} what="heatmap" />}
      <section className="panel" aria-labelledby="h-range-total">
        <div className="panelhead">
          <h2 id="h-range-total">In this range{network === null ? '' : ` on ${networks.data?.networks.find((n) => n.network === network)?.label ?? network}`}</h2>
          <span data-testid="history-total" className="nowrap">
            <strong>{formatBytes(totalOf(totals))}</strong> <span className="in">↓ {formatBytes(totals.bytesIn)}</span> <span className="out">↑ {formatBytes(totals.bytesOut)}</span>
          </span>
          {isApproximate(daily.data) && <EstimateMark testId="history-estimate" />}
          <span className="small muted">{points.length > 0 ? `${formatBytes(totalOf(totals) / points.length)} per day on average` : ''}</span>
        </div>
        <GapNotes gaps={daily.data?.gaps} />
        {networks.data !== null && <NetworkBreakdown list={networks.data} picked={network} onPick={pickNetwork} testId="history-networks" />}
      </section>
      <section className="panel" aria-labelledby="h-heatmap">
        <div className="panelhead">
          <h2 id="h-heatmap">Hour of the week</h2>
          <span className="small muted">weekday × local hour, summed over the range{network === null ? '' : ' · all networks (the hour-of-week map is not split by network)'}</span>
          {heatmap.data?.approximate === true && <EstimateMark testId="heatmap-estimate" />}
        </div>
        {heatmap.data !== null && <Heatmap cells={heatmap.data.cells} />}
      </section>
      <div className="grid two">
        <section className="panel" aria-labelledby="h-weeks">
          <div className="panelhead">
            <h2 id="h-weeks">Weekly trend</h2>
            <span className="small muted">weeks from Monday; the first and last may be partial</span>
          </div>
          {daily.data !== null && <PeriodBars data={weeks} label={(p) => formatDay(p.start)} testId="weekly-chart" />}
        </section>
        <section className="panel" aria-labelledby="h-months">
          <div className="panelhead">
            <h2 id="h-months">Month by month</h2>
            <span className="small muted">per-day averages keep partial months comparable</span>
          </div>
          {daily.data !== null && (
            <>
              <PeriodBars data={months} label={(p) => formatMonth(p.start)} testId="monthly-chart" />
              <MonthTable rows={months} />
            </>
          )}
        </section>
      </div>
    </div>
  );
}

import { useState } from 'react';
import { Area, AreaChart, CartesianGrid, ReferenceArea, Tooltip, XAxis, YAxis } from 'recharts';
import type { Timeline, TimelinePoint } from '../../src-shared/contract/types.js';

/** What the chart draws: a timeline from the engine, or one assembled by a page (any bucket width). */
export type ChartSeries = Pick<Timeline, 'since' | 'until' | 'points'> & { bucketS: number; approximate?: boolean };
import { bucketLabel, formatBytes, formatBytesShort, formatDateTime, formatTick } from '../lib/format.js';
import { dragSelection } from '../lib/ranges.js';
import { approximateSpans, hasTraffic, isApproximate, peakOf, RETENTION_ESTIMATE_WHY, sumTotals, totalOf } from '../lib/selectors.js';
import { EmptyState } from './EmptyState.js';
import { EstimateMark } from './EstimateMark.js';

interface TipProps {
  active?: boolean;
  payload?: readonly { payload?: TimelinePoint }[];
  bucketS: number;
}

function TimelineTip({ active, payload, bucketS }: TipProps) {
  const p = payload?.[0]?.payload;
  if (active !== true || p === undefined) return null;
  return (
    <div className="tip">
      <div className="muted">
        {formatDateTime(p.ts)} · {bucketLabel(bucketS).replace('per ', '')}
      </div>
      <div>
        <span className="in">↓ {formatBytes(p.bytesIn)}</span> <span className="out">↑ {formatBytes(p.bytesOut)}</span>
      </div>
      <div className="muted">total {formatBytes(totalOf(p))}</div>
      {p.approximate === true && (
        <div className="muted">
          <span className="estimate">estimate</span> {RETENTION_ESTIMATE_WHY}
        </div>
      )}
    </div>
  );
}

/**
 * Bytes over time, download and upload stacked, one point per bucket. Dragging across the chart
 * selects a span to zoom into (the page asks the engine again, at a finer bucket); the buttons
 * beside it do the same from the keyboard.
 */
export function TimelineChart({
  timeline,
  loading,
  onZoom,
  height = 220,
  testId = 'timeline',
  emptyText,
}: {
  timeline: ChartSeries;
  loading: boolean;
  onZoom?: (range: { since: number; until: number }) => void;
  height?: number;
  testId?: string;
  emptyText?: string;
}) {
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dragTo, setDragTo] = useState<number | null>(null);
  const points = timeline.points;
  const span = timeline.until - timeline.since;
  const totals = sumTotals(points);
  const peak = peakOf(points);
  const approximate = isApproximate(timeline);
  const spans = approximateSpans(points, timeline.bucketS);
  // Recharts 3 reports the active index as a string ("12"), older versions as a number.
  const tsAt = (index: unknown): number | null => {
    const i = typeof index === 'number' ? index : typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : null;
    return i === null ? null : (points[i]?.ts ?? null);
  };
  const attrs = {
    'data-testid': testId,
    'data-state': loading ? 'loading' : 'ready',
    'data-since': timeline.since,
    'data-until': timeline.until,
    'data-bucket': timeline.bucketS,
    'data-points': points.length,
    'data-total': totalOf(totals),
    'data-approximate': approximate ? 'true' : 'false',
  };
  if (!hasTraffic(points)) {
    return (
      <div className="chart" {...attrs}>
        <EmptyState title={emptyText ?? 'no traffic recorded in this range'}>
          <div className="small">
            {formatDateTime(timeline.since)} – {formatDateTime(timeline.until)}
          </div>
        </EmptyState>
      </div>
    );
  }
  const finishDrag = (): void => {
    if (dragFrom !== null && dragTo !== null && onZoom !== undefined) {
      const sel = dragSelection(dragFrom, dragTo + timeline.bucketS, timeline.bucketS * 2);
      if (sel !== null) onZoom({ since: Math.max(sel.since, timeline.since), until: Math.min(sel.until, timeline.until) });
    }
    setDragFrom(null);
    setDragTo(null);
  };
  return (
    <div className="chart" {...attrs}>
      <AreaChart
        responsive
        style={{ width: '100%', height, userSelect: 'none' }}
        data={points}
        margin={{ top: 4, right: 8, bottom: 0, left: 0 }}
        onMouseDown={(s) => {
          const ts = tsAt(s.activeTooltipIndex);
          if (ts !== null && onZoom !== undefined) {
            setDragFrom(ts);
            setDragTo(ts);
          }
        }}
        onMouseMove={(s) => {
          if (dragFrom === null) return;
          const ts = tsAt(s.activeTooltipIndex);
          if (ts !== null) setDragTo(ts);
        }}
        onMouseUp={finishDrag}
        onMouseLeave={() => {
          setDragFrom(null);
          setDragTo(null);
        }}
      >
        <CartesianGrid stroke="var(--grid)" vertical={false} />
        <XAxis
          dataKey="ts"
          type="number"
          scale="time"
          domain={[timeline.since, timeline.until]}
          tickFormatter={(v: number) => formatTick(v, span)}
          tick={{ fontSize: 11, fill: 'var(--muted)' }}
          stroke="var(--border)"
          minTickGap={28}
        />
        <YAxis tickFormatter={(v: number) => formatBytesShort(v)} tick={{ fontSize: 11, fill: 'var(--muted)' }} stroke="var(--border)" width={56} />
        {/* Estimated buckets behind a faint band, so the shape there reads as spread, not measured. */}
        {spans.map((s) => (
          <ReferenceArea key={s.since} x1={s.since} x2={Math.min(s.until, timeline.until)} fill="var(--faint)" fillOpacity={0.25} ifOverflow="hidden" />
        ))}
        <Tooltip content={<TimelineTip bucketS={timeline.bucketS} />} isAnimationActive={false} />
        <Area type="stepAfter" dataKey="bytesIn" name="download" stackId="1" stroke="var(--c-in)" fill="var(--c-in)" fillOpacity={0.35} isAnimationActive={false} />
        <Area type="stepAfter" dataKey="bytesOut" name="upload" stackId="1" stroke="var(--c-out)" fill="var(--c-out)" fillOpacity={0.35} isAnimationActive={false} />
        {dragFrom !== null && dragTo !== null && dragFrom !== dragTo && (
          <ReferenceArea x1={Math.min(dragFrom, dragTo)} x2={Math.max(dragFrom, dragTo) + timeline.bucketS} fill="var(--accent)" fillOpacity={0.15} />
        )}
      </AreaChart>
      <div className="chart-caption">
        bytes {bucketLabel(timeline.bucketS)}, <span className="in">download ↓</span> and <span className="out">upload ↑</span> stacked · total{' '}
        <span data-testid={`${testId}-total`}>{formatBytes(totalOf(totals))}</span>
        {peak !== null && (
          <>
            {' '}
            · busiest {formatDateTime(peak.ts)} ({formatBytesShort(totalOf(peak))})
          </>
        )}
        {approximate && (
          <>
            {' · '}
            <EstimateMark testId={`${testId}-estimate`} /> {spans.length > 0 ? 'shaded buckets are spread from coarser totals' : 'partly spread from coarser totals'}
          </>
        )}
        {onZoom !== undefined && ' · drag across the chart to zoom'}
      </div>
    </div>
  );
}

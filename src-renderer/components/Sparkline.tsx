import type { RatePoint } from '../state/live-history.js';
import { formatRate } from '../lib/format.js';

/** Recent download and upload rates as two thin lines over time; no axes, the numbers are beside it. */
export function Sparkline({ points, width, height, windowS }: { points: readonly RatePoint[]; width: number; height: number; windowS: number }) {
  const last = points.at(-1);
  if (last === undefined || points.length < 2) {
    return (
      <svg width={width} height={height} role="img" aria-label="no recent rates yet">
        <line x1={0} x2={width} y1={height - 1} y2={height - 1} stroke="var(--grid)" />
      </svg>
    );
  }
  const end = last.ts;
  const start = end - windowS;
  const max = Math.max(1, ...points.map((p) => Math.max(p.inPerS, p.outPerS)));
  const x = (ts: number): number => ((ts - start) / windowS) * width;
  const y = (v: number): number => height - 1 - (v / max) * (height - 3);
  const line = (pick: (p: RatePoint) => number): string => points.map((p) => `${x(p.ts).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' ');
  return (
    <svg width={width} height={height} role="img" aria-label={`rates over the last ${Math.round(windowS / 60)} minutes, peak ${formatRate(max)}`} data-testid="sparkline">
      <line x1={0} x2={width} y1={height - 1} y2={height - 1} stroke="var(--grid)" />
      <polyline points={line((p) => p.outPerS)} fill="none" stroke="var(--c-out)" strokeWidth={1.25} />
      <polyline points={line((p) => p.inPerS)} fill="none" stroke="var(--c-in)" strokeWidth={1.5} />
    </svg>
  );
}

import { formatRate } from '../lib/format.js';
import { niceCeiling } from '../lib/scale.js';
import { useNetmon } from '../state/services.js';
import { Sparkline } from './Sparkline.js';
import { HISTORY_WINDOW_S } from '../state/live-history.js';

/**
 * The current rate: a half-circle gauge of the total against a scale that follows the recent peak
 * (so a quiet machine still moves the needle), with the exact rates in numbers beside it.
 */
export function LiveGauge() {
  const latest = useNetmon((s) => s.latest);
  const history = useNetmon((s) => s.history);
  const connection = useNetmon((s) => s.connection);
  const total = latest === null ? 0 : latest.bytesInPerS + latest.bytesOutPerS;
  const scale = niceCeiling(Math.max(1000, ...history.map((p) => p.inPerS + p.outPerS), total));
  const fraction = Math.min(1, total / scale);
  const r = 46;
  const cx = 56;
  const cy = 54;
  const angle = Math.PI * (1 - fraction);
  const arc = (a: number): string => `${(cx + r * Math.cos(a)).toFixed(1)} ${(cy - r * Math.sin(a)).toFixed(1)}`;
  return (
    <div className="gauge" data-testid="live-gauge" data-live={latest === null ? 'waiting' : 'live'}>
      <svg width={112} height={62} role="img" aria-label={`current total ${formatRate(total)} of a ${formatRate(scale)} scale`}>
        <path d={`M ${arc(Math.PI)} A ${r} ${r} 0 0 1 ${arc(0)}`} fill="none" stroke="var(--grid)" strokeWidth={9} />
        {fraction > 0 && <path d={`M ${arc(Math.PI)} A ${r} ${r} 0 0 1 ${arc(angle)}`} fill="none" stroke="var(--c-in)" strokeWidth={9} />}
        <text x={cx} y={cy - 4} textAnchor="middle" fontSize={11} fill="var(--muted)">
          of {formatRate(scale)}
        </text>
      </svg>
      <div className="rates">
        <div>
          <span className="in" aria-hidden="true">↓ </span>
          <span className="rate" data-testid="rate-in">{latest === null ? '—' : formatRate(latest.bytesInPerS)}</span> <span className="muted small">download</span>
        </div>
        <div>
          <span className="out" aria-hidden="true">↑ </span>
          <span className="rate" data-testid="rate-out">{latest === null ? '—' : formatRate(latest.bytesOutPerS)}</span> <span className="muted small">upload</span>
        </div>
        <Sparkline points={history} width={200} height={28} windowS={HISTORY_WINDOW_S} />
        <div className="faint small">
          {latest === null
            ? connection === 'open'
              ? 'waiting for the first live sample'
              : 'connecting to the live feed…'
            : `average over the last ${latest.intervalS} s; line: last ${HISTORY_WINDOW_S / 60} min`}
        </div>
      </div>
    </div>
  );
}

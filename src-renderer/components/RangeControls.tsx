import type { RangePreset } from '../../src-shared/contract/types.js';
import { formatDateTime } from '../lib/format.js';
import { Segmented } from './Segmented.js';

const LABELS: Record<RangePreset, string> = {
  '1h': '1 h',
  '6h': '6 h',
  '24h': '24 h',
  '7d': '7 d',
  '30d': '30 d',
  '90d': '90 d',
  '365d': '365 d',
  today: 'today',
  week: 'this week',
  month: 'this month',
};

/** A label for a preset, as the range buttons show it. */
export function presetLabel(preset: RangePreset): string {
  return LABELS[preset];
}

/** Range presets as buttons, plus zoom buttons and the exact range shown once zoomed. */
export function RangeControls<T extends RangePreset>({
  presets,
  value,
  onPreset,
  zoomed,
  onZoomIn,
  onZoomOut,
  onReset,
}: {
  presets: readonly T[];
  value: T;
  onPreset: (preset: T) => void;
  zoomed?: { since: number; until: number } | null;
  onZoomIn?: () => void;
  onZoomOut?: () => void;
  onReset?: () => void;
}) {
  return (
    <div className="row">
      <Segmented label="range" options={presets.map((p) => ({ value: p, label: LABELS[p] }))} value={zoomed == null ? value : null} onChange={onPreset} />
      {onZoomIn !== undefined && (
        <div className="row" role="group" aria-label="zoom">
          <button type="button" onClick={onZoomIn} title="zoom in (half the span)" aria-label="zoom in">
            +
          </button>
          <button type="button" onClick={onZoomOut} title="zoom out (twice the span)" aria-label="zoom out">
            −
          </button>
          {zoomed != null && (
            <>
              <span className="small muted" data-testid="zoomed-range">
                {formatDateTime(zoomed.since)} – {formatDateTime(zoomed.until)}
              </span>
              <button type="button" onClick={onReset}>
                reset zoom
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}

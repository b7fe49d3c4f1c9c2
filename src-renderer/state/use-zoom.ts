// A timeline's zoom: a span inside a preset range. The zoom belongs to the preset it was made in,
// so choosing another preset shows that preset whole without an extra reset step.
import { useState } from 'react';
import { zoomRange, type ViewRange } from '../lib/ranges.js';
import type { RangePreset } from '../../src-shared/contract/types.js';

/** A zoomable view of a preset range. */
export interface Zoom {
  view: ViewRange;
  zoomed: { since: number; until: number } | null;
  /** Zooms to a span (a drag across the chart). */
  zoomTo: (range: { since: number; until: number }) => void;
  /** Halves or doubles the span shown, around its middle; `shown` is the range on screen. */
  zoomBy: (factor: number, shown: { since: number; until: number }) => void;
  reset: () => void;
}

/** Zoom state for a chart showing `preset`; `nowS` bounds how far a zoom may reach. */
export function useZoom(preset: RangePreset, nowS: () => number): Zoom {
  const [zoom, setZoom] = useState<{ preset: RangePreset; since: number; until: number } | null>(null);
  const zoomed = zoom !== null && zoom.preset === preset ? { since: zoom.since, until: zoom.until } : null;
  return {
    view: zoomed === null ? { kind: 'preset', preset } : { kind: 'custom', ...zoomed },
    zoomed,
    zoomTo: (range) => setZoom({ preset, ...range }),
    zoomBy: (factor, shown) => {
      const next = zoomRange(shown, factor, nowS());
      setZoom({ preset, ...next });
    },
    reset: () => setZoom(null),
  };
}

// Robust statistics for forecasts and anomaly scores. Pure.

/** The q-quantile (0–1) of `values` by linear interpolation between order statistics (R type 7); NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (h - lo) * (b - a);
}

/** The median of `values`; NaN when empty. */
export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/** The floor under the MAD, so that a sparse series cannot make every change look extreme: max(MAD, 10 % of the median, 5 MB). */
export const MAD_FLOOR_BYTES = 5e6;
export const MAD_FLOOR_SHARE = 0.1;

/** Threshold of the modified z-score above which a day is unusual (Iglewicz and Hoaglin). */
export const ANOMALY_Z = 3.5;

/** The modified z-score of `x` against `baseline`: 0.6745 · (x − median) / max(MAD, 10 % of median, 5 MB); null without a baseline. */
export function modifiedZ(x: number, baseline: readonly number[]): { z: number; median: number; mad: number; floor: number } | null {
  if (baseline.length === 0) return null;
  const m = median(baseline);
  const raw = mad(baseline);
  const floor = Math.max(raw, MAD_FLOOR_SHARE * m, MAD_FLOOR_BYTES);
  return { z: (0.6745 * (x - m)) / floor, median: m, mad: raw, floor };
}

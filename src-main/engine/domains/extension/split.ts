// Whole bytes shared out by weight so that the parts add up to the whole exactly (largest remainder):
// a domain's share of the browser's total must add up, not drift by rounding.

/** `total` split in proportion to `weights` (non-negative; all zero: equal parts); the parts sum to `total`. */
export function splitWhole(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  const clean = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const sum = clean.reduce((a, b) => a + b, 0);
  const shares = sum > 0 ? clean.map((w) => (total * w) / sum) : clean.map(() => total / clean.length);
  const parts = shares.map((s) => Math.floor(s));
  let left = total - parts.reduce((a, b) => a + b, 0);
  // Largest fractional part first; ties to the earlier weight, so the result does not depend on sort stability.
  const order = shares.map((s, i) => ({ i, frac: s - Math.floor(s) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left -= 1;
  }
  return parts;
}

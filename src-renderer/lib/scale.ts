// Axis and gauge scales: round numbers a reader can take in at a glance.

/** The smallest of 1, 2, 2.5, 5 × 10^k that is at least `value` (1 for anything not positive). */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const exp = Math.floor(Math.log10(value));
  const base = 10 ** exp;
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * base;
    // Float error (3 × 0.1) must not push an exact fit to the next step.
    if (candidate >= value * (1 - 1e-12)) return candidate;
  }
  return 10 * base;
}

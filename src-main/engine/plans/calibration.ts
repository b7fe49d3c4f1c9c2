// "My carrier says I have used X": the difference to what netmon measured is stored as an offset for
// the current cycle. Never a multiplier: later traffic counts byte for byte.

/** The offset that makes this cycle's figure equal the carrier's (may be negative). */
export function calibrationOffset(carrierBytes: number, measuredBytes: number): number {
  return Math.round(carrierBytes - measuredBytes);
}

/** What counts: measured plus the offset, never below zero. */
export function calibratedUsed(measuredBytes: number, offsetBytes: number): number {
  return Math.max(0, measuredBytes + offsetBytes);
}

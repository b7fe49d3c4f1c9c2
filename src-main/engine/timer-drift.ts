// Timer drift: samples that arrive later than the sampling interval says they should. On a Mac, App
// Nap slows the timers of an app with no visible window (one tick per ~8 s has been measured for 1-s
// timers); a busy main thread does the same on any platform. Nothing is lost when it happens, because
// every interval is measured on the monotonic clock (a late tick is a longer interval, see delta.ts),
// but the rate shown gets coarser and the tray can go stale, so the monitor says so in the log: the
// first late sample at once, then at most one summary per `reportEveryMs` while it goes on.

/** What the log is told about late samples since its last line. */
export interface DriftReport {
  /** Late samples since the last report (the first report: 1). */
  late: number;
  /** Samples seen since the last report. */
  samples: number;
  /** The longest gap between two samples in that time (ms, monotonic). */
  worstMs: number;
  /** The interval the sampler was asked for (ms). */
  nominalMs: number;
}

export interface TimerDriftOptions {
  /** A sample is late when it comes more than this many times the nominal interval after the last (default 1.5). */
  lateFactor?: number;
  /** …and more than this many ms late (default 1000: a busy second is no drift). */
  minLateMs?: number;
  /** At most one report per this long, monotonic ms (default 10 minutes). */
  reportEveryMs?: number;
}

export class TimerDrift {
  private readonly thresholdMs: number;
  private readonly reportEveryMs: number;
  private lastReportMono: number | null = null;
  private late = 0;
  private samples = 0;
  private worstMs = 0;
  /** Late samples since start. */
  total = 0;

  constructor(
    private readonly nominalMs: number,
    options: TimerDriftOptions = {},
  ) {
    const factor = options.lateFactor ?? 1.5;
    this.thresholdMs = Math.max(nominalMs * factor, nominalMs + (options.minLateMs ?? 1000));
    this.reportEveryMs = options.reportEveryMs ?? 600_000;
  }

  /**
   * Notes one sample that came `elapsedMs` (monotonic) after the previous one, at monotonic `monoMs`.
   * Returns what to log, or null. A first sample (nothing before it) passes `null`.
   */
  note(elapsedMs: number | null, monoMs: number): DriftReport | null {
    if (elapsedMs === null || !Number.isFinite(elapsedMs)) return null;
    this.samples += 1;
    if (elapsedMs <= this.thresholdMs) return this.due(monoMs) ? this.report(monoMs) : null;
    this.late += 1;
    this.total += 1;
    this.worstMs = Math.max(this.worstMs, elapsedMs);
    return this.lastReportMono === null || this.due(monoMs) ? this.report(monoMs) : null;
  }

  private due(monoMs: number): boolean {
    return this.late > 0 && this.lastReportMono !== null && monoMs - this.lastReportMono >= this.reportEveryMs;
  }

  private report(monoMs: number): DriftReport {
    const out: DriftReport = { late: this.late, samples: this.samples, worstMs: Math.round(this.worstMs), nominalMs: this.nominalMs };
    this.lastReportMono = monoMs;
    this.late = 0;
    this.samples = 0;
    this.worstMs = 0;
    return out;
  }
}

// The monitor: the running pipeline. Each sample goes sampler → stepDelta → attribute → store.append;
// the store is flushed every 30 s (and on stop), retention runs at start and hourly. Everything the
// transports show (status, live rate) is read from here. No Electron: the same monitor runs under
// `netmon serve` and inside the menubar app.
import { attribute, type Platform } from './attribution/index.js';
import { defaultDeltaOptions, initialDeltaState, stepDelta, type DeltaOptions, type DeltaState } from './delta.js';
import type { DomainTracker } from './domains/tracker.js';
import { createLogger } from './log.js';
import type { Store } from './store/index.js';
import { systemClock, type AppUsage, type Clock, type Gap, type InterfaceTotals, type Sample, type Sampler, type SamplerHealth } from './types.js';
import { lastUsageAt } from './queries/index.js';

const log = createLogger('monitor');

/** What one recorded interval looked like, for the live feed and notifications. */
export interface IntervalReport {
  /** Interval end, epoch seconds. */
  ts: number;
  durationS: number;
  /** All bytes of the interval (interface total where known, else the attributed sum). */
  total: InterfaceTotals;
  /** Per application, unattributed included, largest first. */
  apps: AppUsage[];
  /** The interface counters' bytes for the interval, or null where unknown. */
  iface: InterfaceTotals | null;
}

export interface MonitorOptions {
  store: Store;
  sampler: Sampler;
  platform: Platform;
  intervalMs: number;
  clock?: Clock;
  /** How often buffered rows are written (default 30 s). */
  flushIntervalMs?: number;
  /** How often retention runs (default hourly; sooner while a pass reports more to delete). */
  maintenanceIntervalMs?: number;
  /** Called after each recorded interval (not while paused). A throwing listener is logged, never fatal. */
  onInterval?: (report: IntervalReport) => void;
  /** Domain attribution of browser bytes (fed by the extension's reports); its rows go to the store too. */
  domains?: DomainTracker | undefined;
}

/** Counters that tell how the pipeline is doing, for doctor, status and /metrics. */
export interface MonitorStats {
  samples: number;
  intervals: number;
  gaps: number;
  /** Bytes the sampler attributed beyond the interface counters (loopback or racing counters). */
  overAttributed: InterfaceTotals;
  stalls: number;
  counterDrops: number;
}

/** Pause state: while paused samples still keep the baselines fresh, but nothing is recorded. */
export interface MonitorPause {
  paused: boolean;
  /** Epoch seconds when capture resumes by itself; null: until resumed. */
  until: number | null;
}

export class Monitor {
  private readonly store: Store;
  private readonly sampler: Sampler;
  private readonly clock: Clock;
  private readonly options: MonitorOptions;
  private state: DeltaState;
  private readonly deltaOptions: DeltaOptions;
  private flushTimer: NodeJS.Timeout | null = null;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private running = false;
  private pause: MonitorPause = { paused: false, until: null };
  private pausedSinceMs: number | null = null;
  private lastRecordedTs: number | null;
  /** Surplus over the interface totals not yet settled against a later remainder (see `attribute`). */
  private carry: InterfaceTotals = { bytesIn: 0, bytesOut: 0 };
  private readonly stats: MonitorStats = { samples: 0, intervals: 0, gaps: 0, overAttributed: { bytesIn: 0, bytesOut: 0 }, stalls: 0, counterDrops: 0 };

  constructor(options: MonitorOptions) {
    this.options = options;
    this.store = options.store;
    this.sampler = options.sampler;
    this.clock = options.clock ?? systemClock;
    this.lastRecordedTs = lastUsageAt(this.store.db);
    // A restarted monitor never records an interval that starts before what is already stored.
    this.state = initialDeltaState(this.lastRecordedTs === null ? -Infinity : this.lastRecordedTs * 1000);
    this.deltaOptions = defaultDeltaOptions(options.intervalMs);
  }

  /** Starts sampling, the flush loop and maintenance (which runs once now). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.maintain();
    this.sampler.start((sample) => this.onSample(sample));
    this.scheduleFlush();
    log.info('monitor started', { sampler: this.sampler.name, intervalMs: this.options.intervalMs });
  }

  /** Stops the sampler (its whole process group), then writes what is buffered. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.maintenanceTimer !== null) clearTimeout(this.maintenanceTimer);
    await this.sampler.stop();
    this.closePause(this.clock.now());
    if (this.options.domains !== undefined) this.store.appendDomains(this.options.domains.settleAll());
    const result = this.store.flush();
    if (!result.ok) log.error('final flush failed; rows not written', { error: result.error.message, pending: result.pendingRows });
    log.info('monitor stopped');
  }

  pauseState(): MonitorPause {
    this.expirePause(this.clock.now());
    return { ...this.pause };
  }

  /** Pauses recording until `untilS` (epoch seconds) or until `resume()`. */
  pauseCapture(untilS: number | null): MonitorPause {
    if (!this.pause.paused) this.pausedSinceMs = this.clock.now();
    this.pause = { paused: true, until: untilS };
    log.info('capture paused', { until: untilS });
    return this.pauseState();
  }

  resume(): MonitorPause {
    this.closePause(this.clock.now());
    log.info('capture resumed');
    return this.pauseState();
  }

  samplerHealth(): SamplerHealth {
    return this.sampler.health();
  }

  /** Epoch seconds of the last interval recorded (stored or buffered), or null. */
  lastSampleAt(): number | null {
    return this.lastRecordedTs;
  }

  monitorStats(): MonitorStats {
    return { ...this.stats, overAttributed: { ...this.stats.overAttributed } };
  }

  /** Writes what is buffered now (the flush loop does it every 30 s). */
  flush(): void {
    const result = this.store.flush();
    if (!result.ok) log.warn('flush failed; rows kept in memory and retried', { error: result.error.message, pending: result.pendingRows });
  }

  private expirePause(nowMs: number): void {
    if (this.pause.paused && this.pause.until !== null && nowMs >= this.pause.until * 1000) this.closePause(this.pause.until * 1000);
  }

  private closePause(atMs: number): void {
    if (!this.pause.paused) return;
    const since = this.pausedSinceMs ?? atMs;
    if (atMs > since) this.store.append([], [], [{ startMs: since, endMs: atMs, reason: 'paused' }]);
    this.pause = { paused: false, until: null };
    this.pausedSinceMs = null;
  }

  private onSample(sample: Sample): void {
    this.stats.samples += 1;
    const step = stepDelta(this.state, sample, this.deltaOptions);
    this.state = step.state;
    if (step.stats.stalled) this.stats.stalls += 1;
    this.stats.counterDrops += step.stats.counterDrops;
    this.expirePause(sample.wallMs);
    // Intervals recorded before wait for the extension's reports; they settle whatever happens now.
    if (this.options.domains !== undefined) this.store.appendDomains(this.options.domains.settle(sample.wallMs));
    if (this.pause.paused) {
      this.carry = { bytesIn: 0, bytesOut: 0 };
      return;
    }
    const gaps: Gap[] = [];
    if (step.gap !== null) {
      gaps.push(step.gap);
      this.stats.gaps += 1;
      log.info('gap in measurement', { reason: step.gap.reason, seconds: Math.round((step.gap.endMs - step.gap.startMs) / 1000) });
    }
    if (step.interval === null) {
      if (gaps.length > 0) this.store.append([], [], gaps);
      return;
    }
    // A gap breaks the chain: a surplus from before it is not settled against bytes after it.
    const attribution = attribute(step.interval, this.options.platform, step.gap === null ? this.carry : { bytesIn: 0, bytesOut: 0 });
    // A surplus that never settles (a source counting what the interfaces do not) must not hide the
    // remainder for ever: keep at most what this interval moved, the most a read skew can shift.
    const flowsIn = attribution.usage.reduce((sum, row) => sum + row.bytesIn, 0);
    const flowsOut = attribution.usage.reduce((sum, row) => sum + row.bytesOut, 0);
    this.carry = { bytesIn: Math.min(attribution.carry.bytesIn, flowsIn), bytesOut: Math.min(attribution.carry.bytesOut, flowsOut) };
    this.stats.intervals += 1;
    this.stats.overAttributed.bytesIn += attribution.overAttributed.bytesIn;
    this.stats.overAttributed.bytesOut += attribution.overAttributed.bytesOut;
    this.store.append(attribution.usage, attribution.processes, gaps);
    const ts = Math.round(step.interval.endMs / 1000);
    // The same stamp and length as the interval's usage rows (see attribute).
    this.options.domains?.addInterval(step.interval, ts, Math.max(0, ts - Math.round(step.interval.startMs / 1000)));
    this.lastRecordedTs = ts;
    const attributed = attribution.usage.reduce(
      (sum, row) => ({ bytesIn: sum.bytesIn + row.bytesIn, bytesOut: sum.bytesOut + row.bytesOut }),
      { bytesIn: 0, bytesOut: 0 },
    );
    const report: IntervalReport = {
      ts,
      durationS: Math.max(0, (step.interval.endMs - step.interval.startMs) / 1000),
      total: attributed,
      apps: [...attribution.usage].sort((a, b) => b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut)),
      iface: step.interval.iface,
    };
    try {
      this.options.onInterval?.(report);
    } catch (err) {
      log.warn('interval listener failed', { error: err });
    }
  }

  private scheduleFlush(): void {
    this.flushTimer = setTimeout(() => {
      this.flush();
      if (this.running) this.scheduleFlush();
    }, this.options.flushIntervalMs ?? 30_000);
    this.flushTimer.unref();
  }

  private maintain(): void {
    let delayMs = this.options.maintenanceIntervalMs ?? 3_600_000;
    try {
      const result = this.store.runMaintenance(Math.floor(this.clock.now() / 1000));
      // A pass that had more to delete than its bound comes back soon instead of in an hour.
      if (!result.done) delayMs = Math.min(delayMs, 60_000);
    } catch (err) {
      log.error('maintenance failed; will retry', { error: err });
      delayMs = Math.min(delayMs, 300_000);
    }
    if (!this.running) return;
    this.maintenanceTimer = setTimeout(() => this.maintain(), delayMs);
    this.maintenanceTimer.unref();
  }
}

// The monitor: the running pipeline. Each sample goes sampler → stepDelta → attribute → store.append;
// the store is flushed every 30 s (and on stop), retention runs at start and hourly. Everything the
// transports show (status, live rate) is read from here. No Electron: the same monitor runs under
// `netmon serve` and inside the menubar app.
//
// Domains: when a sampler sends packets (`Sample.payloads`, the privileged one), the packets name the
// flows (PacketNaming) and every app's bytes get domain rows, adding up to its usage rows; a browser's
// flows the packets did not name are left to the extension's DomainTracker, and go under UNATTRIBUTED
// when no extension placed them. Without packets the DomainTracker alone handles the browsers.
import { attribute, type Platform } from './attribution/index.js';
import { defaultDeltaOptions, initialDeltaState, stepDelta, type DeltaOptions, type DeltaState } from './delta.js';
import type { DomainTracker } from './domains/extension/tracker.js';
import type { PacketNamingDeps, PacketNamingStats } from './domains/packets/packet-naming.js';
import { DomainStage } from './domains/stage.js';
import { createLogger } from './log.js';
import type { PurgeOutcome, Store } from './store/index.js';
import {
  systemClock,
  type AppUsage,
  type Clock,
  type Gap,
  type InterfaceTotals,
  type Sample,
  type Sampler,
  type SamplerHealth,
} from './types.js';
import { lastUsageAt } from './queries/index.js';
import { baselineWriter, firstResumedSample, type Resume } from './resume/index.js';
import { withoutSleep, type SleepMark } from './sleep.js';
import { TimerDrift } from './timer-drift.js';
import type { PrivacyView } from './privacy/list.js';
import { privateOwnerRedactor } from './privacy/owners.js';
import type { NetworkRecord, TunnelStage } from './network/stage.js';

const log = createLogger('monitor');

/** What one recorded interval looked like, for the live feed and notifications. */
export interface IntervalReport {
  /** Interval end, epoch seconds. */
  ts: number;
  durationS: number;
  /**
   * All bytes stored for the interval: the sum of its rows, unattributed included. With interface
   * counters that is their total, except that flows counting more than it are stored whole and an
   * earlier such surplus is taken off the remainder (see `attribute`); without them, the flows' sum.
   * The interface counters themselves are `iface`.
   */
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
  /** Store registrable domains (true, the default) or full host names for packet-named flows (config `domain_rollup`). */
  domainRollup?: boolean;
  /** Loads the packet sniffer and the Public Suffix List, on the first sample that carries packets (tests inject). */
  loadPacketNaming?: () => Promise<PacketNamingDeps>;
  /** Baselines stored by the previous run (engine/resume, `prepareResume`); with it every flush stores the current ones. */
  resume?: Resume;
  /** Tunnel and proxy de-duplication and the physical network total (engine/network); none: intervals as sampled. */
  tunnels?: TunnelStage | undefined;
  /** Called with each network record as it is stored (per-network rows and what is known of each network). */
  onNetworks?: (record: NetworkRecord) => void;
  /** Privacy levels: the stored baselines name a private app's processes only as the private row. */
  privacy?: PrivacyView | undefined;
  /**
   * A new sampler of the same kind that continues from the kernel's counters (sampler-choice `fresh`):
   * with it the sampler is stopped through a system sleep and a fresh one started at the wake; without
   * it the sampler keeps running (see `suspend`).
   */
  freshSampler?: (() => Sampler) | null;
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
  /** Samples that came well after their interval (timer drift: App Nap, a busy thread); see timer-drift.ts. */
  lateSamples: number;
}

/** Pause state: while paused samples still keep the baselines fresh, but nothing is recorded. */
export interface MonitorPause {
  paused: boolean;
  /** Epoch seconds when capture resumes by itself; null: until resumed. */
  until: number | null;
}

export class Monitor {
  private readonly store: Store;
  private sampler: Sampler;
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
  private readonly stats: MonitorStats = { samples: 0, intervals: 0, gaps: 0, overAttributed: { bytesIn: 0, bytesOut: 0 }, stalls: 0, counterDrops: 0, lateSamples: 0 };
  private readonly drift: TimerDrift;
  private lastSampleMono: number | null = null;
  /** Set by `halt`: the store is closed, later samples are ignored. */
  private halted = false;
  /** Set by `suspend` until `wake`: when the system went to sleep, and the sampler's stop. */
  private asleep: { mark: SleepMark; stopped: Promise<void> } | null = null;
  /** Domains, the stage after attribution: naming by packets and the extension's placement (engine/domains/stage.ts). */
  private readonly domains: DomainStage;
  private afterSample: (() => void) | null = null;

  constructor(options: MonitorOptions) {
    this.options = options;
    this.store = options.store;
    this.sampler = options.sampler;
    this.clock = options.clock ?? systemClock;
    this.lastRecordedTs = lastUsageAt(this.store.db);
    // A restarted monitor never records an interval that starts before what is already stored.
    this.state = options.resume?.plan.state ?? initialDeltaState(this.lastRecordedTs === null ? -Infinity : this.lastRecordedTs * 1000);
    this.deltaOptions = defaultDeltaOptions(options.intervalMs);
    this.domains = new DomainStage({ store: this.store, platform: options.platform, tracker: options.domains, rollup: options.domainRollup, loadPacketNaming: options.loadPacketNaming });
    this.drift = new TimerDrift(options.intervalMs);
  }

  /** Whether packet-named hosts are stored as registrable domains; applies to intervals from now on. */
  setDomainRollup(on: boolean): void {
    this.domains.setRollup(on);
  }

  /** How naming by packets is doing, or null while no sampler sent packets. */
  namingStats(): PacketNamingStats | null {
    return this.domains.namingStats();
  }

  /** Starts sampling, the flush loop and maintenance (which runs once now). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.maintain();
    const resume = this.options.resume;
    if (resume !== undefined) {
      if (resume.plan.gap !== null) this.store.append([], [], [resume.plan.gap]);
      // Baselines are stored from this run's first sample on: until then the stored ones still match the stored rows.
      let sampled = false;
      const redact = this.options.privacy === undefined ? undefined : privateOwnerRedactor(this.options.privacy, this.options.platform);
      this.store.setFlushExtra(baselineWriter(resume, () => (sampled ? this.state : null), redact));
      // The first sample's baselines (and, resumed, the downtime's bytes) are written at once, not in
      // 30 s: a crash before the first timed flush then loses nothing either.
      this.afterSample = () => {
        if (sampled) return;
        sampled = true;
        this.flush();
      };
    }
    if (resume !== undefined && resume.plan.sockets.length > 0) this.sampler.resumeSockets?.(resume.plan.sockets);
    let first = true;
    this.sampler.start((sample) => {
      this.onSample(first && resume !== undefined ? firstResumedSample(sample, resume.plan) : sample);
      first = false;
      this.afterSample?.();
    });
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
    // Samples waiting for the sniffer to load are named before the last rows are written.
    if (!this.halted) await this.domains.drain();
    // A halt (shutdown) meanwhile has written and closed everything.
    if (this.halted) return;
    this.closePause(this.clock.now());
    this.domains.settleAll();
    this.appendNetworks(this.options.tunnels?.drainNetworkRecords(this.options.platform));
    const result = this.store.flush();
    if (!result.ok) log.error('final flush failed; rows not written', { error: result.error.message, pending: result.pendingRows });
    this.store.setFlushExtra(null);
    log.info('monitor stopped');
  }

  /**
   * Stops at once, synchronously, for a system shutdown or logout that will not wait: timers cleared,
   * the sampler told to stop (its children are killed in the background; a crash's leftovers are reaped
   * at the next start), what the browser trackers hold settled, and the buffer written. Samples that
   * still arrive are ignored. Samples waiting for the packet sniffer to load are not named.
   */
  halt(): void {
    if (this.halted) return;
    this.halted = true;
    this.running = false;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.maintenanceTimer !== null) clearTimeout(this.maintenanceTimer);
    this.sampler.stop().catch((err: unknown) => log.warn('stopping the sampler failed', { error: err }));
    this.closePause(this.clock.now());
    this.domains.settleAll();
    this.appendNetworks(this.options.tunnels?.drainNetworkRecords(this.options.platform));
    const result = this.store.flush();
    if (!result.ok) log.error('final flush failed; rows not written', { error: result.error.message, pending: result.pendingRows });
    this.store.setFlushExtra(null);
    log.info('monitor halted');
  }

  /**
   * What a kill -9 leaves, in-process (the soak simulates restarts this way, and a killed run must not
   * stay in memory through its timers): timers cleared, the sampler stopped, nothing written (the buffer
   * and unflushed intervals are lost), the store's connection closed as it is.
   */
  abandon(): void {
    this.halted = true;
    this.running = false;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.maintenanceTimer !== null) clearTimeout(this.maintenanceTimer);
    this.sampler.stop().catch(() => undefined);
    this.store.abandon();
  }

  /**
   * The system is going to sleep (the app hears it from powerMonitor). With `freshSampler` the sampler
   * is stopped, its children with it (a streaming nettop can spin or stall after a wake), and what is
   * buffered is written; a sampler that takes a last sample when stopped has its bytes counted now, and
   * the bytes since the last sample of one that does not are still in the kernel's counters, counted by
   * the first sample after the wake. Without it the sampler keeps running. Either way the moment is
   * noted, so that `wake` leaves the sleep out of the next interval (engine/sleep.ts).
   */
  async suspend(): Promise<void> {
    if (!this.running || this.halted) return;
    if (this.asleep !== null) return this.asleep.stopped;
    const mark: SleepMark = { wallMs: this.clock.now(), monoMs: this.clock.mono() };
    const restart = this.options.freshSampler != null;
    const stopped = restart
      ? this.sampler.stop().then(
          () => {
            if (!this.halted) this.flush();
          },
          (err: unknown) => log.warn('stopping the sampler for the sleep failed', { error: err }),
        )
      : Promise.resolve();
    this.asleep = { mark, stopped };
    log.info(restart ? 'the system is going to sleep: sampler stopped, buffer written' : 'the system is going to sleep');
    await stopped;
  }

  /**
   * Awake again (powerMonitor `resume`): the sleep is left out of the next interval, which the delta
   * engine then records as one gap, and a fresh sampler takes over from the same baselines. A wake with
   * no sleep before it does nothing; a monitor stopped meanwhile starts nothing.
   */
  async wake(): Promise<void> {
    const asleep = this.asleep;
    if (asleep === null) return;
    await asleep.stopped;
    if (this.asleep !== asleep) return;
    this.asleep = null;
    if (!this.running || this.halted) return;
    this.state = withoutSleep(this.state, asleep.mark, this.clock.mono());
    // However long the sampler takes to start again, its first sample is no timer drift.
    this.lastSampleMono = null;
    const fresh = this.options.freshSampler;
    if (fresh != null) {
      this.sampler = fresh();
      this.sampler.start((sample) => {
        this.onSample(sample);
        this.afterSample?.();
      });
    }
    log.info('awake again', { sleptS: Math.round((this.clock.now() - asleep.mark.wallMs) / 1000), samplerRestarted: fresh != null });
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

  /**
   * Deletes [since, until) everywhere: the store's tiers, browser reports and buffer in one transaction
   * (widened where only coarser rows remain), then what the domain stage still holds for the range, so
   * no row of it is written afterwards.
   */
  purge(since: number, until: number): PurgeOutcome {
    const outcome = this.store.purgeRange(since, until);
    this.domains.purge(outcome.since, outcome.until);
    this.options.tunnels?.purge(outcome.since, outcome.until);
    return outcome;
  }

  /** Buffers per-network rows and ledger sums (engine/network/stage.ts `networkRecords`). */
  private appendNetworks(records: readonly NetworkRecord[] | undefined): void {
    for (const r of records ?? []) {
      this.store.appendNetworks(r.rows, r.networks, [r.ledger]);
      this.options.onNetworks?.(r);
    }
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
    if (this.halted) return;
    this.stats.samples += 1;
    this.noteTiming(sample.monoMs);
    const delta = stepDelta(this.state, sample, this.deltaOptions);
    this.state = delta.state;
    // Each byte once: tunnels and proxies settled, the total from physical interfaces (sees every sample).
    const tunnels = this.options.tunnels;
    const step = tunnels === undefined ? delta : { ...delta, interval: tunnels.apply(sample, this.pause.paused ? null : delta.interval) };
    if (step.stats.stalled) this.stats.stalls += 1;
    this.stats.counterDrops += step.stats.counterDrops;
    this.expirePause(sample.wallMs);
    // Intervals recorded before wait for the extension's reports; they settle whatever happens now.
    this.domains.settle(sample.wallMs);
    // Packets seen while paused or in a baseline still teach names (a DNS answer names later flows).
    const packetsOnly = (): void => this.domains.onInterval(sample, null);
    if (this.pause.paused) {
      this.carry = { bytesIn: 0, bytesOut: 0 };
      packetsOnly();
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
      packetsOnly();
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
    // The same bytes per network and interface, with the hour's ledger (engine/network/split.ts).
    this.appendNetworks(tunnels?.networkRecords(step.interval, this.options.platform, step.gap !== null));
    const ts = Math.round(step.interval.endMs / 1000);
    // The same stamp and length as the interval's usage rows (see attribute).
    const durationS = Math.max(0, ts - Math.round(step.interval.startMs / 1000));
    this.domains.onInterval(sample, { interval: step.interval, usage: attribution.usage, ts, durationS });
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

  /** Logs timer drift: samples later than the interval (their bytes are kept: the interval is longer). */
  private noteTiming(monoMs: number): void {
    const elapsed = this.lastSampleMono === null ? null : monoMs - this.lastSampleMono;
    this.lastSampleMono = monoMs;
    const before = this.drift.total;
    const report = this.drift.note(elapsed, monoMs);
    this.stats.lateSamples += this.drift.total - before;
    if (report !== null) {
      log.warn('timer drift: samples arrive late (App Nap, or a busy main thread); each interval keeps its measured length, no bytes are lost', {
        late: report.late,
        of: report.samples,
        worstMs: report.worstMs,
        intervalMs: report.nominalMs,
      });
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

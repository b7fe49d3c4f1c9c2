// Domains as one stage of the pipeline, after attribution: the monitor hands it each sample (and the
// interval recorded from it, if any) and it writes the domain rows to the store. Two mechanisms name
// the bytes: packets (packets/: the privileged sampler's DNS answers and TLS/QUIC server names name
// every app's flows, exactly) and the browser extension (extension/: its reports place a browser's
// bytes that the packets did not name, after a 10 s wait for late reports). Per app and interval the
// domain rows add up to the usage row; what neither names is UNATTRIBUTED.
//
// The stage owns the in-memory state between a sample and its rows: the samples waiting for the
// sniffer to load (in order), and the intervals the tracker holds. `purge` drops that state for a
// range, so no row of a purged range is written afterwards.
import { appForProcess, type Platform } from '../attribution/index.js';
import { usageInstant } from '../store/time.js';
import { createLogger } from '../log.js';
import type { AppUsage, FlowCounter, Interval, PayloadEvent, Sample } from '../types.js';
import { BROWSER_APPS } from './browsers.js';
import type { DomainTracker } from './extension/tracker.js';
import { domainRowsOfFlows } from './packets/flow-domains.js';
import { loadPacketNamingDeps, PacketNaming, type PacketNamingDeps, type PacketNamingStats } from './packets/packet-naming.js';
import type { DomainUsage } from './types.js';

const log = createLogger('domains');

/** An interval the monitor recorded: its usage rows were stored with this stamp and length. */
export interface RecordedInterval {
  interval: Interval;
  usage: AppUsage[];
  ts: number;
  durationS: number;
}

/** Where the stage's rows go (the store). */
export interface DomainRowSink {
  appendDomains(rows: readonly DomainUsage[]): void;
}

export interface DomainStageOptions {
  store: DomainRowSink;
  platform: Platform;
  /** Domain attribution of browser bytes (fed by the extension's reports); without it browsers' unnamed bytes are unattributed at once. */
  tracker?: DomainTracker | undefined;
  /** Store registrable domains (true, the default) or full host names for packet-named flows (config `domain_rollup`). */
  rollup?: boolean;
  /** Loads the packet sniffer and the Public Suffix List, on the first sample that carries packets (tests inject). */
  loadPacketNaming?: () => Promise<PacketNamingDeps>;
}

/** One sample's part for packet naming, kept in order until the sniffer is loaded. */
interface NamingWork {
  payloads: readonly PayloadEvent[];
  /** The sample's flows, live and closed: who received a packet (a DNS answer's app). */
  flows: readonly FlowCounter[];
  closed: string[];
  atMs: number;
  /** The interval recorded from this sample (null: baseline, gap, paused, or purged since). */
  recorded: RecordedInterval | null;
}

/** The flows of a sample that packets can belong to (none when it carries no packets: nothing to keep). */
function packetFlows(sample: Sample): readonly FlowCounter[] {
  return sample.payloads === undefined || sample.payloads.length === 0 ? [] : [...sample.flows, ...sample.closed];
}

/** True when an interval stamped `ts` lies in a purged [since, until) (the store's rule, usageInstant). */
function inRange(ts: number, since: number, until: number): boolean {
  const t = usageInstant(ts);
  return t >= since && t < until;
}

export class DomainStage {
  private readonly options: DomainStageOptions;
  private rollup: boolean;
  private naming: PacketNaming | null = null;
  /** Set once loading the sniffer was tried; resolves when the backlog is drained. */
  private namingLoad: Promise<void> | null = null;
  private namingFailed = false;
  private backlog: NamingWork[] = [];

  constructor(options: DomainStageOptions) {
    this.options = options;
    this.rollup = options.rollup ?? true;
  }

  /** Whether packet-named hosts are stored as registrable domains; applies to intervals from now on. */
  setRollup(on: boolean): void {
    this.rollup = on;
    this.options.tracker?.setRollup(on);
  }

  /** How naming by packets is doing, or null while no sampler sent packets. */
  namingStats(): PacketNamingStats | null {
    return this.naming?.stats() ?? null;
  }

  /**
   * Takes one sample and the interval recorded from it (null while paused, in a baseline or after a
   * gap: its packets still teach names, a DNS answer names later flows).
   */
  onInterval(sample: Sample, recorded: RecordedInterval | null): void {
    const closed = sample.closed.map((f) => f.id);
    if (sample.payloads !== undefined || this.backlog.length > 0) {
      this.enqueue({ payloads: sample.payloads ?? [], flows: packetFlows(sample), closed, atMs: sample.wallMs, recorded });
      return;
    }
    if (recorded !== null) this.toTracker(recorded.interval, recorded.ts, recorded.durationS, null);
    this.naming?.forget(closed);
  }

  /** Writes the rows of the intervals the extension had time to report on (at least 10 s old at `nowMs`). */
  settle(nowMs: number): void {
    const tracker = this.options.tracker;
    if (tracker !== undefined) this.options.store.appendDomains(tracker.settle(nowMs));
  }

  /** On stop: resolves once the samples waiting for the sniffer to load are named (their rows written). */
  async drain(): Promise<void> {
    if (this.namingLoad !== null) await this.namingLoad;
  }

  /** On stop or halt: writes the rows of every interval still held, without waiting for late reports. */
  settleAll(): void {
    const tracker = this.options.tracker;
    if (tracker !== undefined) this.options.store.appendDomains(tracker.settleAll());
  }

  /** Drops what the stage holds for [since, until): those intervals never get domain rows. */
  purge(since: number, until: number): void {
    for (const work of this.backlog) if (work.recorded !== null && inRange(work.recorded.ts, since, until)) work.recorded = null;
    this.options.tracker?.purge((ts) => inRange(ts, since, until));
  }

  private enqueue(work: NamingWork): void {
    this.backlog.push(work);
    if (this.naming !== null || this.namingFailed) {
      this.drainBacklog();
      return;
    }
    if (this.namingLoad !== null) return;
    const load = this.options.loadPacketNaming ?? loadPacketNamingDeps;
    this.namingLoad = load()
      .then((deps) => {
        const platform = this.options.platform;
        this.naming = new PacketNaming(deps, { askerOf: (owner) => appForProcess(owner, platform) });
        log.info('naming flows by their packets (DNS answers, TLS and QUIC server names)');
      })
      .catch((err: unknown) => {
        this.namingFailed = true;
        log.error('could not load the packet sniffer; flows are not named by their packets', { error: err });
      })
      .then(() => this.drainBacklog());
  }

  private drainBacklog(): void {
    const backlog = this.backlog;
    this.backlog = [];
    for (const work of backlog) {
      try {
        this.name(work);
      } catch (err) {
        log.error('naming an interval failed; its domain rows are skipped', { error: err });
      }
    }
  }

  private name(work: NamingWork): void {
    const naming = this.naming;
    const rec = work.recorded;
    if (naming === null) {
      // No sniffer: the browsers' flows go to the extension as they would without packets.
      if (rec !== null) this.toTracker(rec.interval, rec.ts, rec.durationS, null);
      return;
    }
    if (work.payloads.length > 0) {
      const owners = new Map<string, FlowCounter['owner']>();
      for (const f of work.flows) owners.set(f.id, f.owner);
      naming.observe(work.payloads, (id) => owners.get(id));
    }
    if (rec !== null) {
      const named = naming.nameInterval(rec.interval, work.atMs);
      const tracker = this.options.tracker;
      const rollup = this.rollup;
      // Many flows of an interval go to one host: look each up in the suffix list once.
      const stored = new Map<string, string>();
      const split = domainRowsOfFlows(named.flows, rec.usage, {
        platform: this.options.platform,
        domainOf: (host) => {
          let name = stored.get(host);
          if (name === undefined) {
            name = naming.storedName(host, rollup);
            stored.set(host, name);
          }
          return name;
        },
        // Without a tracker no extension can place a browser's unnamed bytes: they are unplaced now.
        defer: (app) => tracker !== undefined && BROWSER_APPS.has(app),
      });
      this.options.store.appendDomains(split.rows);
      this.toTracker({ ...named, flows: split.deferred }, rec.ts, rec.durationS, split.deferredBytes);
    }
    // Closed flows' last bytes were named above; their state goes now.
    naming.forget(work.closed);
  }

  private toTracker(interval: Interval, ts: number, durationS: number, unplaced: ReadonlyMap<string, { bytesIn: number; bytesOut: number }> | null): void {
    this.options.tracker?.addInterval(interval, ts, durationS, unplaced);
  }
}

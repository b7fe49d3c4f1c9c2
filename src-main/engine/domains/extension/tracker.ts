// The stateful side of domain attribution, between the API (which hands it the extension's reports)
// and the monitor (which hands it each interval). Intervals wait `settleDelayMs` before they are
// attributed: the extension sends what it saw every few seconds, and a download's address is known
// only once its response started, so the map is given time to learn the addresses an interval used.
// Only browsers whose extension is reporting are attributed: without one, no domain rows are written
// (rather than rows that would say every byte went to nowhere).
import { appForProcess, type Platform } from '../../attribution/index.js';
import { UNATTRIBUTED, type Interval, type ProcessInfo } from '../../types.js';
import type { ByteSum } from '../types.js';
import { ActiveTabs } from './active-tab.js';
import { attributeDomains, type BrowserFlow } from './place-bytes.js';
import { BROWSER_APPS, appsOfBrowser } from '../browsers.js';
import { IpDomainMap } from './ip-map.js';
import { normalizeIp } from '../ip.js';
import { TransferLog, weightList } from './transfers.js';
import type { DomainUsage, ReportedBytes, ReportedHost } from '../types.js';

/** Options of `DomainTracker`; the defaults suit an extension that reports every 5 s. */
export interface DomainTrackerOptions {
  platform: Platform;
  /** Store registrable domains (true, the default) or full hostnames (config `domain_rollup`). */
  rollup?: boolean;
  /** How long an interval waits for the extension's reports before it is attributed (default 10 s). */
  settleDelayMs?: number;
  /** How long around a report an extension counts as running for its browser (default 60 s). */
  liveMs?: number;
  ipTtlMs?: number;
  maxIps?: number;
  /** Skew allowed between the browser's transfer times and the intervals (default 1 s). */
  slackMs?: number;
  tabHoldMs?: number;
  /** Most intervals waiting at once; past it the oldest are attributed at once (default 120). */
  maxPending?: number;
}

interface PendingInterval {
  startMs: number;
  endMs: number;
  ts: number;
  durationS: number;
  /** The interval as the monitor saw it: its browser flows are picked out only if it is attributed. */
  interval: Interval;
  /** Unnamed browser bytes per app that go under UNATTRIBUTED if no report places them (null: none). */
  unplaced: ReadonlyMap<string, ByteSum> | null;
}

/** Counters for status and tests. */
export interface DomainTrackerStats {
  ips: number;
  pendingIntervals: number;
  activeTabReports: number;
  byteReports: number;
}

function ownerKey(o: ProcessInfo): string {
  return [o.name, o.path, o.cmdline, o.parentName, o.parentPath, o.cgroup].join('\0');
}

/** Learns hosts from the extension and turns browser intervals into domain rows. */
export class DomainTracker {
  private readonly platform: Platform;
  private rollup: boolean;
  private readonly settleDelayMs: number;
  private readonly liveMs: number;
  private readonly maxPending: number;
  private readonly ips: IpDomainMap;
  private readonly tabs: ActiveTabs;
  private readonly fetched: TransferLog;
  /** Times (ms) each browser's extension was heard from, oldest first, at most one per 5 s. */
  private readonly heard = new Map<string, number[]>();
  private pending: PendingInterval[] = [];
  private readonly counts = { activeTabReports: 0, byteReports: 0 };

  constructor(options: DomainTrackerOptions) {
    this.platform = options.platform;
    this.rollup = options.rollup ?? true;
    this.settleDelayMs = options.settleDelayMs ?? 10_000;
    this.liveMs = options.liveMs ?? 60_000;
    this.maxPending = options.maxPending ?? 120;
    this.ips = new IpDomainMap({ ttlMs: options.ipTtlMs, maxIps: options.maxIps, slackMs: options.slackMs });
    this.tabs = new ActiveTabs({ holdMs: options.tabHoldMs });
    this.fetched = new TransferLog(options.slackMs ?? 1000);
  }

  /** Whether hosts are rolled up to registrable domains. Applies to reports from now on. */
  setRollup(on: boolean): void {
    this.rollup = on;
  }

  private nameOf(host: ReportedHost): string {
    return this.rollup ? host.domain : host.hostname;
  }

  private hear(browser: string, atMs: number): void {
    const key = browser.toLowerCase();
    let times = this.heard.get(key);
    if (times === undefined) {
      times = [];
      this.heard.set(key, times);
    }
    const last = times[times.length - 1];
    if (last !== undefined && Math.abs(atMs - last) < 5_000) return;
    let i = times.length;
    while (i > 0 && (times[i - 1] ?? 0) > atMs) i -= 1;
    times.splice(i, 0, atMs);
  }

  private isLive(browser: string, startMs: number, endMs: number): boolean {
    const times = this.heard.get(browser) ?? [];
    return times.some((t) => t >= startMs - this.liveMs && t <= endMs + this.liveMs);
  }

  /** The extension of `browser` says its active tab showed `host` at `atMs`. */
  noteActiveTab(browser: string, host: ReportedHost, atMs: number): void {
    this.counts.activeTabReports += 1;
    this.hear(browser, atMs);
    this.tabs.record(browser.toLowerCase(), this.nameOf(host), atMs);
  }

  /**
   * The extension of `browser` says what it fetched between `fromMs` and `toMs`. An empty report
   * still says the extension is running.
   */
  noteBytes(browser: string, entries: readonly ReportedBytes[], fromMs: number, toMs: number): void {
    this.counts.byteReports += 1;
    this.hear(browser, toMs);
    for (const e of entries) {
      const ip = e.ip === null ? null : normalizeIp(e.ip);
      // The entry's own transfer times where the extension gave them (kept within a minute of the report's window).
      const from = e.startedAt === undefined ? fromMs : Math.min(Math.max(e.startedAt, fromMs - 60_000), toMs);
      const to = e.endedAt === undefined ? toMs : Math.min(Math.max(e.endedAt, from), toMs + 60_000);
      if (ip !== null) this.ips.observe(ip, this.nameOf(e), e.bytesIn + e.bytesOut, from, to);
      this.fetched.record(browser.toLowerCase(), this.nameOf(e), e.bytesIn + e.bytesOut, from, to);
    }
  }

  /**
   * Keeps an interval (the monitor's, stamped `ts`) until it can be attributed. Nothing is computed
   * now: with no extension reporting, an interval costs a reference for `settleDelayMs`; the first
   * report of an extension still finds the intervals just before it.
   */
  addInterval(interval: Interval, ts: number, durationS: number, unplaced: ReadonlyMap<string, ByteSum> | null = null): void {
    this.pending.push({ startMs: interval.startMs, endMs: interval.endMs, ts, durationS, interval, unplaced: unplaced === null || unplaced.size === 0 ? null : unplaced });
  }

  /** Forgets the waiting intervals whose stamp `drop` says were purged: they never get rows. */
  purge(drop: (ts: number) => boolean): void {
    this.pending = this.pending.filter((p) => !drop(p.ts));
  }

  private browserFlows(interval: Interval): BrowserFlow[] {
    const appOf = new Map<string, string>();
    const perKey = new Map<string, BrowserFlow>();
    for (const f of interval.flows) {
      if ((f.bytesIn === 0 && f.bytesOut === 0) || f.owner === null) continue;
      const key = ownerKey(f.owner);
      let app = appOf.get(key);
      if (app === undefined) {
        app = appForProcess(f.owner, this.platform);
        appOf.set(key, app);
      }
      if (!BROWSER_APPS.has(app)) continue;
      const ip = f.remote === undefined ? null : normalizeIp(f.remote.address);
      const flowKey = `${app}\0${ip ?? ''}`;
      const sum = perKey.get(flowKey) ?? { app, ip, bytesIn: 0, bytesOut: 0 };
      sum.bytesIn += f.bytesIn;
      sum.bytesOut += f.bytesOut;
      perKey.set(flowKey, sum);
    }
    return [...perKey.values()];
  }

  /** The rows of the intervals that ended at least `settleDelayMs` before `nowMs`: all of them, their unplaced bytes included. */
  settle(nowMs: number): DomainUsage[] {
    const due: PendingInterval[] = [];
    const wait: PendingInterval[] = [];
    const overflow = this.pending.length - this.maxPending;
    this.pending.forEach((p, i) => (p.endMs <= nowMs - this.settleDelayMs || i < overflow ? due : wait).push(p));
    if (due.length === 0) return [];
    this.pending = wait;
    const rows = due.flatMap((p) => this.attribute(p));
    this.prune(nowMs);
    return rows;
  }

  /** Attributes everything still waiting (on stop). */
  settleAll(): DomainUsage[] {
    const due = this.pending;
    this.pending = [];
    return due.flatMap((p) => this.attribute(p));
  }

  stats(): DomainTrackerStats {
    return { ips: this.ips.size(), pendingIntervals: this.pending.length, ...this.counts };
  }

  /** One settled interval's rows: what the reports placed, and UNATTRIBUTED for the unplaced bytes of an app they placed none of. */
  private attribute(p: PendingInterval): DomainUsage[] {
    const rows = this.place(p);
    if (p.unplaced === null) return rows;
    for (const [app, bytes] of p.unplaced) {
      if (rows.some((r) => r.app === app)) continue;
      rows.push({ ts: p.ts, durationS: p.durationS, app, domain: UNATTRIBUTED, estimate: false, bytesIn: bytes.bytesIn, bytesOut: bytes.bytesOut });
    }
    return rows;
  }

  private place(p: PendingInterval): DomainUsage[] {
    const liveBrowsers = [...this.heard.keys()].filter((b) => this.isLive(b, p.startMs, p.endMs));
    if (liveBrowsers.length === 0) return [];
    const liveApps = new Set(liveBrowsers.flatMap((b) => appsOfBrowser(b)));
    const flows = this.browserFlows(p.interval).filter((f) => liveApps.has(f.app));
    if (flows.length === 0) return [];
    const browsersOf = (app: string): string[] => liveBrowsers.filter((b) => appsOfBrowser(b).includes(app));
    return attributeDomains(p.ts, p.durationS, flows, {
      hostsAt: (ip) => this.ips.lookup(ip, p.startMs, p.endMs),
      fetchedBy: (app) => {
        const total = new Map<string, number>();
        for (const b of browsersOf(app)) for (const [name, w] of this.fetched.weights(b, p.startMs, p.endMs)) total.set(name, (total.get(name) ?? 0) + w);
        return weightList(total);
      },
      tabsOf: (app) => {
        const total = new Map<string, number>();
        for (const b of browsersOf(app)) for (const [name, ms] of this.tabs.shares(b, p.startMs, p.endMs)) total.set(name, (total.get(name) ?? 0) + ms);
        return weightList(total);
      },
    });
  }

  private prune(nowMs: number): void {
    const oldest = this.pending[0]?.startMs ?? nowMs;
    const keepFrom = Math.min(oldest, nowMs - this.settleDelayMs) - this.liveMs;
    this.ips.prune(keepFrom);
    this.tabs.prune(keepFrom);
    this.fetched.prune(keepFrom);
    for (const [b, times] of this.heard) {
      const idx = times.findIndex((t) => t >= keepFrom - this.liveMs);
      if (idx === -1) this.heard.delete(b);
      else if (idx > 0) times.splice(0, idx);
    }
  }
}

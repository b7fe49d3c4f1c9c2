// The running netmon: config, store, sampler, monitor, live feed and the local HTTP API, assembled once
// so that `netmon serve` and the Electron shell start exactly the same thing. No Electron here.
import { createPrivacyAccess } from './engine/privacy/actions.js';
import { foldPrivateApps, privacyCounters } from './engine/privacy/counters.js';
import { PrivacySettings } from './engine/privacy/list.js';
import { createApiHandlers, type ApiHandlers } from './api/handlers.js';
import { createNetworksAccess } from './api/networks.js';
import { createLiveFeed, type LiveFeed } from './api/live.js';
import { createPlansAccess } from './api/plans.js';
import { createStoreQueries } from './api/store-queries.js';
import { ensureDataDir, loadConfig, updateConfig, type Config } from './engine/config.js';
import { DomainTracker } from './engine/domains/extension/tracker.js';
import { attachLogFile, closeLogFile, createLogger, setLogLevel } from './engine/log.js';
import { Monitor, type IntervalReport } from './engine/monitor.js';
import { startPlanChecker } from './engine/plans/checker.js';
import { readPlanMetrics } from './engine/plans/metrics.js';
import { prepareResume } from './engine/resume/index.js';
import { chooseSampler, type SamplerName } from './engine/sampler-choice.js';
import { describeSalvage, openStore, type Store } from './engine/store/index.js';
import { systemClock, type Clock } from './engine/types.js';
import { createUsageCounters } from './engine/usage-counters.js';
import { VERSION } from './engine/version.js';
import { watchPairingToken } from './http/pairing.js';
import { renderMetrics } from './http/metrics.js';
import { startMetricsTextfile } from './http/metrics-textfile.js';
import { startHttpServer, type HttpServer } from './http/server.js';
import { createTunnelStage } from './engine/network/stage.js';
import type { ConfigValues } from '../src-shared/contract/settings.js';
import path from 'node:path';

const log = createLogger('runtime');

export { VERSION };

export interface RuntimeOptions {
  dataDir: string;
  /** Overrides of config.json for this run (command-line flags). */
  intervalS?: number | undefined;
  port?: number | undefined;
  sampler?: SamplerName | undefined;
  nettopPath?: string | undefined;
  /** nettop's `netstat` (interface counters); tests point it at a stand-in. */
  netstatPath?: string | undefined;
  /** The eBPF helper (`netmon-capture`) to use; default this install's. */
  helperPath?: string | undefined;
  /** Folder of the renderer's build, served at `/`; null serves the API only. */
  staticDir?: string | null;
  clock?: Clock;
  /** Log to stderr only (tests); by default lines go to DATA/logs/netmon.log. */
  logToFile?: boolean;
  /** Also write the metrics every interval to this node_exporter textfile (`serve --metrics-textfile`). */
  metricsTextfile?: string | undefined;
}

/** What a started runtime offers its host (the CLI or the Electron shell). */
export interface Runtime {
  readonly dataDir: string;
  readonly config: Config;
  readonly store: Store;
  readonly monitor: Monitor;
  readonly live: LiveFeed;
  readonly handlers: ApiHandlers;
  readonly server: HttpServer;
  /** Why this sampler was chosen, in words for the user. */
  readonly samplerWhy: string;
  /** The pairing token every request must carry (the dashboard link and the extension carry it). */
  readonly token: string;
  /** The token in use now (`netmon token rotate` changes it while running). */
  currentToken(): string;
  /** Messages the user should see at start (bad config keys, a database moved aside). */
  readonly notices: string[];
  /** Stops the server and the sampler, writes what is buffered, closes the database. Idempotent. */
  stop(): Promise<void>;
  /**
   * The same, synchronously, for a shutdown or logout that will not wait (better-sqlite3 writes at
   * once): the buffer is written and the database closed before it returns; the server and the
   * sampler's children go down in the background. A `stop()` after it (or under way) ends with it.
   */
  stopNow(): void;
  /** The system is going to sleep; awake again (the app's powerMonitor): see Monitor.suspend and wake. */
  suspend(): Promise<void>;
  wake(): Promise<void>;
}

function configValues(config: Config): ConfigValues {
  return { ...config };
}

/** Opens everything and starts sampling and serving. Throws the store's and the server's errors as they are. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  // Whatever a library creates in the data folder (SQLite side files, log bookkeeping) is the user's alone.
  process.umask(0o077);
  const dataDir = ensureDataDir(options.dataDir);
  if (options.logToFile !== false) attachLogFile(path.join(dataDir, 'logs'));
  const loaded = loadConfig(dataDir);
  const config = loaded.config;
  setLogLevel(config.log_level);
  const notices: string[] = [];
  for (const issue of loaded.issues) {
    log.warn(`config.json: ${issue.message}`);
    notices.push(`config.json: ${issue.message}`);
  }
  if (loaded.unknownKeys.length > 0) log.info('config.json has keys netmon does not use', { keys: loaded.unknownKeys.join(',') });

  const privacy = new PrivacySettings(dataDir);
  const store = openStore({
    dataDir,
    clock,
    privacy,
    retention: { rawDays: config.data_retention_days_raw, hourlyDays: config.data_retention_days_hourly },
  });
  if (store.recovered !== null) {
    notices.push(
      `the database was damaged (${store.recovered.reason}); it was moved aside to ${store.recovered.movedTo} and kept, and a fresh one started`,
    );
    if (store.recovered.salvage !== null) notices.push(`from the damaged database: ${describeSalvage(store.recovered.salvage)}`);
  }
  const cleanups: Array<() => Promise<void> | void> = [() => void store.close()];
  try {
    const intervalS = options.intervalS ?? config.sampling_interval_seconds;
    const samplerName = options.sampler ?? config.capture_method;
    const choice = await chooseSampler({ name: samplerName, intervalS, dataDir, nettopPath: options.nettopPath, netstatPath: options.netstatPath, nettopPerConnection: config.nettop_per_connection, helperPath: options.helperPath, clock });
    const live = createLiveFeed();
    const counters = createUsageCounters();
    const onInterval = (report: IntervalReport): void => {
      counters.addAppUsage(report.apps);
      if (report.iface !== null) counters.addInterface(report.iface);
      const perS = (bytes: number): number => (report.durationS > 0 ? bytes / report.durationS : 0);
      live.publish({
        event: 'rate',
        data: {
          ts: report.ts,
          intervalS: report.durationS,
          bytesInPerS: perS(report.total.bytesIn),
          bytesOutPerS: perS(report.total.bytesOut),
          topApps: foldPrivateApps(privacy, report.apps).slice(0, 5).map((row) => ({ app: row.app, bytesInPerS: perS(row.bytesIn), bytesOutPerS: perS(row.bytesOut) })),
        },
      });
    };
    const domains = new DomainTracker({ platform: choice.platform, rollup: config.domain_rollup });
    // Last before sampling starts: under the eBPF sampler it reads the open sockets' counters (engine/resume).
    const resume = await prepareResume({ db: store.db, sampler: choice.sampler.name, nowMs: clock.now() });
    if (resume.plan.outcome === 'resumed' && resume.plan.downS > 0) notices.push(`resumed from the last run's counters: the ${resume.plan.downS} s netmon was not running are counted (per app for connections still open)`);
    const tunnels = createTunnelStage();
    const monitor = new Monitor({ store, sampler: choice.sampler, platform: choice.platform, intervalMs: intervalS * 1000, clock, onInterval, domains, domainRollup: config.domain_rollup, resume, tunnels, privacy, onNetworks: (r) => counters.addNetworkUsage(r.rows, r.networks), freshSampler: choice.fresh });
    let currentConfig = config;
    const startedAt = Math.floor(clock.now() / 1000);
    const handlers = createApiHandlers({
      now: () => clock.now(),
      dataDir,
      queries: createStoreQueries(store, (since, until) => monitor.purge(since, until)),
      capture: {
        state: () => monitor.pauseState(),
        pause: (untilS) => monitor.pauseCapture(untilS),
        resume: () => monitor.resume(),
      },
      config: {
        get: () => configValues(currentConfig),
        set: (patch) => {
          currentConfig = updateConfig(dataDir, patch);
          // The log level and domain rollup apply at once; the interval, port, sampler (nettop's mode too) and retention at the next start.
          setLogLevel(currentConfig.log_level);
          domains.setRollup(currentConfig.domain_rollup);
          monitor.setDomainRollup(currentConfig.domain_rollup);
          return configValues(currentConfig);
        },
      },
      status: {
        version: VERSION,
        startedAt,
        samplerHealth: () => monitor.samplerHealth(),
        lastSampleAt: () => monitor.lastSampleAt(),
        dataBytes: () => store.dataFolderSize().totalBytes,
        storageHealth: () => {
          const health = store.health();
          return {
            ok: health.ok,
            error: health.lastError === null ? null : health.lastError.message,
            pendingRows: health.pendingRows,
            recoveredTo: health.recovered?.movedTo ?? null,
            salvaged: health.recovered?.salvage == null ? null : describeSalvage(health.recovered.salvage),
          };
        },
      },
      live,
      browserReports: { record: (report) => store.recordBrowserReport(report) },
      plans: createPlansAccess(store, privacy),
      privacy: createPrivacyAccess(privacy, store),
      networks: createNetworksAccess(store),
      browserDomains: {
        activeTab: (browser, host, atMs) => domains.noteActiveTab(browser, host, atMs),
        bytes: (browser, entries, fromMs, toMs) => domains.noteBytes(browser, entries, fromMs, toMs),
      },
    });
    monitor.start();
    cleanups.push(() => monitor.stop());
    // Plans and budgets: alerts once per cycle (state in the database), cycle summaries, anomaly notices.
    const stopPlanChecker = startPlanChecker({ withDb: (check) => store.withWriter(check), nowMs: () => clock.now() });
    cleanups.push(stopPlanChecker);
    // A rotated token file applies at once; a deleted one must not silently mint a new token mid-run.
    const currentToken = watchPairingToken(dataDir);
    const token = currentToken();
    // What GET /metrics and the textfile show: private names under the private rows, forgotten ones gone.
    const shownCounters = privacyCounters(privacy);
    const metricsSnapshot = () => ({
      ...shownCounters(counters),
      iface: counters.iface(),
      unattributed: counters.unattributed(),
      samplers: [monitor.samplerHealth()],
      paused: monitor.pauseState().paused,
      naming: monitor.namingStats()?.sniffer ?? null,
      plans: store.withWriter((db) => readPlanMetrics(db, Math.floor(clock.now() / 1000))),
    });
    const server = await startHttpServer({
      port: options.port ?? config.web_server_port,
      handlers,
      token: currentToken,
      live,
      staticDir: options.staticDir ?? undefined,
      metrics: metricsSnapshot,
    });
    cleanups.push(() => server.close());
    if (options.metricsTextfile !== undefined) {
      const textfile = startMetricsTextfile({ file: options.metricsTextfile, intervalMs: intervalS * 1000, render: () => renderMetrics({ ...metricsSnapshot(), liveClients: server.liveClients() }) });
      cleanups.push(() => textfile.stop());
    }
    let stopping: Promise<void> | null = null;
    let halted = false;
    const stopNow = (): void => {
      if (halted) return;
      halted = true;
      const closing = server.close();
      // Nothing may use the store once it is closed: the plan checker stops with it.
      stopPlanChecker();
      monitor.halt();
      const final = store.close();
      if (!final.ok) log.error('could not write the last rows before closing', { error: final.error.message });
      stopping ??= closing.then(() => closeLogFile());
    };
    return {
      dataDir,
      config,
      store,
      monitor,
      live,
      handlers,
      server,
      samplerWhy: choice.why,
      token,
      currentToken,
      notices,
      stop: () => {
        stopping ??= (async () => {
          await server.close();
          stopPlanChecker();
          await monitor.stop();
          // store.close is idempotent: after a stopNow it has nothing left to write.
          const final = store.close();
          if (!final.ok) log.error('could not write the last rows before closing', { error: final.error.message });
          await closeLogFile();
        })();
        return stopping;
      },
      stopNow,
      suspend: () => monitor.suspend(),
      wake: () => monitor.wake(),
    };
  } catch (err) {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (cleanupErr) {
        log.warn('cleanup after a failed start failed', { error: cleanupErr });
      }
    }
    await closeLogFile();
    throw err;
  }
}

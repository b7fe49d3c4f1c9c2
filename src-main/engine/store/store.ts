// The store: the one module that writes the database (the facade; the flush transaction is write.ts,
// the tier rollups rollup.ts, purge purge.ts, retention maintenance.ts). Rows are buffered by `append`
// and written by `flush` in ONE transaction: raw rows, and the hourly and daily rollups upserted
// alongside them, so every tier is always current. The flush timer belongs to the caller (default batching: every
// DEFAULT_FLUSH_INTERVAL_MS). A failed write loses nothing: the rows stay in the bounded buffer, the
// error shows in `health()`, and the next flush retries.
import type { PrivacyKind } from '../../../src-shared/privacy.js';
import type { PrivacyView } from '../privacy/list.js';
import { dropPending, redactPending, rewriteName, type NameRows } from './privacy.js';
import type Database from 'better-sqlite3';
import type { DomainUsage } from '../domains/types.js';
import type { LedgerDelta, NetworkInfo, NetworkUsage } from '../network/network-rows.js';
import { createLogger } from '../log.js';
import { systemClock, type AppUsage, type Clock, type Gap, type ProcessSeen } from '../types.js';
import { errorCode, errorMessage, isCorruptionCode, writeFailureHint, type StoreError } from './errors.js';
import { dataFolderSize, type FolderSize } from './folder.js';
import { DEFAULT_MAX_DELETE_ROWS, DEFAULT_RETENTION, runRetention, type MaintenanceResult, type RetentionConfig } from './maintenance.js';
import { readCoverage } from './meta.js';
import { openDatabase, requestIntegrityCheck, type OpenOptions, type Recovery } from './open.js';
import {
  DEFAULT_MAX_PENDING_GAPS,
  DEFAULT_MAX_PENDING_PROCESSES,
  DEFAULT_MAX_PENDING_ROWS,
  PendingBuffer,
  type PendingCounters,
} from './pending.js';
import { insertBrowserReport, type BrowserReportRow } from './browser-reports.js';
import { purgeRange as purgeDb, type PurgeOutcome } from './purge.js';
import { readableView, type ReadableDB } from './readable.js';
import { createBatchWriter, type BatchWriter, type FlushCounts } from './write.js';

const log = createLogger('store');

/** How often the caller should call `flush()` (30 s): few transactions, little lost to a crash. */
export const DEFAULT_FLUSH_INTERVAL_MS = 30_000;

/** How to open the store. */
export interface StoreOptions extends Pick<OpenOptions, 'migrations' | 'busyTimeoutMs' | 'fullCheckMaxBytes'> {
  dataDir: string;
  clock?: Pick<Clock, 'now'>;
  /** Days raw and hourly rows are kept (daily rows: forever). Default 7 and 90. */
  retention?: Partial<RetentionConfig>;
  /** Cap of buffered usage rows before the oldest are folded per hour (default 50 000). */
  maxPendingRows?: number;
  maxPendingProcesses?: number;
  maxPendingGaps?: number;
  /** Bound on rows deleted per tier by one `runMaintenance` call (default 50 000). */
  maxDeleteRows?: number;
  /** Privacy levels (engine/privacy): a private name is written as the private row at each flush. */
  privacy?: PrivacyView;
}

/** Outcome of a flush: written, or failed with the rows kept for the next attempt. */
export type FlushResult = { ok: true; written: FlushCounts } | { ok: false; error: StoreError; pendingRows: number };

/** The store's health, for `netmon doctor`, the status API and /metrics. */
export interface StoreHealth extends PendingCounters {
  /** False while the latest flush failed. */
  ok: boolean;
  path: string;
  /** The latest flush failure, with a hint (`the disk is full: …`); null once a flush succeeds. */
  lastError: StoreError | null;
  consecutiveFailures: number;
  /** Buffered records not yet written: usage rows, process sightings and gaps. */
  pendingRows: number;
  pendingUsageRows: number;
  /** Epoch ms of the last successful flush (null before the first). */
  lastFlushAt: number | null;
  /** Set when a damaged database was moved aside at open. */
  recovered: Recovery | null;
  schemaVersion: number;
  lastMaintenance: (MaintenanceResult & { at: number }) | null;
}

/** The store's API. Query with the functions of `engine/queries` on `store.db`. */
export interface Store {
  /** The connection as the query layer reads it: statements that write are refused (readable.ts). */
  readonly db: ReadableDB;
  readonly path: string;
  readonly dataDir: string;
  readonly recovered: Recovery | null;
  /** Buffers rows (zero rows are dropped, invalid ones counted in health); nothing is written yet. */
  append(usage: readonly AppUsage[], processes?: readonly ProcessSeen[], gaps?: readonly Gap[]): void;
  /** Buffers domain rows (engine/domains), written with the next flush like usage rows. */
  appendDomains(rows: readonly DomainUsage[]): void;
  /** Buffers per-network rows, the networks' facts and ledger sums (engine/network), written with the next flush. */
  appendNetworks(rows: readonly NetworkUsage[], networks?: readonly NetworkInfo[], ledger?: readonly LedgerDelta[]): void;
  /** Stores one active-tab report of the browser extension at once; returns its row id. */
  recordBrowserReport(report: BrowserReportRow): number;
  /**
   * Runs `write` on the writable connection: the one way for an engine module that keeps state in
   * tables of its own (plans' alert and cycle state) to write. Nothing outside the engine calls it.
   */
  withWriter<T>(write: (db: Database.Database) => T): T;
  /** Writes the buffer in one transaction; never throws for a write failure (see the result and health). */
  flush(): FlushResult;
  /**
   * Something every flush writes in its transaction after the rows (the delta engine's baselines, see
   * engine/resume): it commits or rolls back with them. null removes it.
   */
  setFlushExtra(write: ((db: Database.Database) => void) | null): void;
  pendingRows(): number;
  health(): StoreHealth;
  /**
   * Retention at `nowS` (epoch s; default: the clock). Call at start and then hourly; again soon when
   * `done` is false. Throws the SqliteError when the deletes cannot be written (retry on the next run).
   */
  runMaintenance(nowS?: number): MaintenanceResult;
  /**
   * Deletes [since, until) from every tier, the browser reports and the buffer, in one transaction
   * (widened where only coarser rows remain; see PurgeOutcome). Throws RangeError for a bad range and
   * the SqliteError when it cannot be written.
   */
  purgeRange(since: number, until: number): PurgeOutcome;
  /**
   * Folds every stored row of a name into the private row (`to`: the row's name) or deletes them all
   * (`to` null: forget), buffered rows included, in one transaction (store/privacy.ts).
   */
  rewriteName(kind: PrivacyKind, name: string, to: string | null): NameRows;
  /** Bytes of the data folder and of the database files. */
  dataFolderSize(): FolderSize;
  /** Flushes, then closes the connection. A failed final flush is logged and returned. */
  close(): FlushResult;
  /** Closes the connection without a flush: what a kill -9 leaves (the buffer is lost). For simulating one in-process. */
  abandon(): void;
}

class SqliteStore implements Store {
  readonly db: ReadableDB;
  readonly path: string;
  readonly recovered: Recovery | null;
  /** The writable connection: only this class writes through it. */
  private readonly conn: Database.Database;
  private readonly schemaVersion: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly retention: RetentionConfig;
  private readonly maxDeleteRows: number;
  private readonly pending: PendingBuffer;
  private readonly writer: BatchWriter;
  private lastError: StoreError | null = null;
  private consecutiveFailures = 0;
  private lastFlushAt: number | null = null;
  private lastMaintenance: (MaintenanceResult & { at: number }) | null = null;
  private closed = false;
  private flushExtra: ((db: Database.Database) => void) | null = null;
  private readonly privacy: PrivacyView | null;

  constructor(
    readonly dataDir: string,
    options: StoreOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    const opened = openDatabase(dataDir, { clock: this.clock, migrations: options.migrations, busyTimeoutMs: options.busyTimeoutMs, fullCheckMaxBytes: options.fullCheckMaxBytes });
    this.conn = opened.db;
    this.db = readableView(opened.db);
    this.path = opened.path;
    this.recovered = opened.recovered;
    this.schemaVersion = opened.schemaVersion;
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.maxDeleteRows = options.maxDeleteRows ?? DEFAULT_MAX_DELETE_ROWS;
    this.pending = new PendingBuffer({
      maxRows: options.maxPendingRows ?? DEFAULT_MAX_PENDING_ROWS,
      maxProcesses: options.maxPendingProcesses ?? DEFAULT_MAX_PENDING_PROCESSES,
      maxGaps: options.maxPendingGaps ?? DEFAULT_MAX_PENDING_GAPS,
    });
    this.writer = createBatchWriter(this.conn);
    this.privacy = options.privacy ?? null;
  }

  append(usage: readonly AppUsage[], processes: readonly ProcessSeen[] = [], gaps: readonly Gap[] = []): void {
    if (this.closed) throw new Error('the store is closed');
    const rejectedBefore = this.pending.counters.rejectedRows;
    const foldsBefore = this.pending.counters.folds;
    this.pending.addUsage(usage);
    this.pending.addProcesses(processes);
    this.pending.addGaps(gaps);
    if (this.pending.counters.rejectedRows > rejectedBefore) {
      log.warn('usage rows refused (negative, not a number, or no app name)', { rows: this.pending.counters.rejectedRows - rejectedBefore });
    }
    if (this.pending.counters.folds > foldsBefore) {
      log.warn('write buffer over its cap: oldest rows folded into hourly aggregates', { pendingRows: this.pending.usage.length });
    }
  }

  appendDomains(rows: readonly DomainUsage[]): void {
    if (this.closed) throw new Error('the store is closed');
    if (rows.length === 0) return;
    const rejectedBefore = this.pending.counters.rejectedRows;
    const foldsBefore = this.pending.counters.folds;
    this.pending.addDomainUsage(rows);
    if (this.pending.counters.rejectedRows > rejectedBefore) {
      log.warn('domain rows refused (negative, not a number, or no name)', { rows: this.pending.counters.rejectedRows - rejectedBefore });
    }
    if (this.pending.counters.folds > foldsBefore) {
      log.warn('write buffer over its cap: oldest domain rows folded into hourly aggregates', { pendingRows: this.pending.domainUsage.length });
    }
  }

  appendNetworks(rows: readonly NetworkUsage[], networks: readonly NetworkInfo[] = [], ledger: readonly LedgerDelta[] = []): void {
    if (this.closed) throw new Error('the store is closed');
    const rejectedBefore = this.pending.counters.rejectedRows;
    this.pending.addNetworkUsage(rows, networks, ledger);
    if (this.pending.counters.rejectedRows > rejectedBefore) log.warn('network rows refused (negative, not a number, or no network)', { rows: this.pending.counters.rejectedRows - rejectedBefore });
  }

  withWriter<T>(write: (db: Database.Database) => T): T {
    if (this.closed) throw new Error('the store is closed');
    return write(this.conn);
  }

  recordBrowserReport(report: BrowserReportRow): number {
    if (this.closed) throw new Error('the store is closed');
    // A private domain's active-tab report is not kept (0: nothing stored).
    if (this.privacy?.level('domain', report.domain) === 'private' || this.privacy?.level('domain', report.hostname) === 'private') return 0;
    return insertBrowserReport(this.conn, report);
  }

  flush(): FlushResult {
    if (this.closed) throw new Error('the store is closed');
    if (this.pending.size() === 0 && this.flushExtra === null) {
      this.markSuccess(0);
      return { ok: true, written: { usage: 0, processes: 0, gaps: 0 } };
    }
    try {
      const privacy = this.privacy;
      const written = this.writer.write(this.pending, this.flushExtra, privacy === null ? undefined : () => redactPending(this.pending, privacy));
      this.pending.clear();
      this.markSuccess(written.usage + written.processes + written.gaps + (written.domains ?? 0) + (written.networks ?? 0));
      return { ok: true, written };
    } catch (err) {
      const code = errorCode(err);
      const error: StoreError = { code, message: `${writeFailureHint(code)}: ${errorMessage(err)}`, at: this.clock.now() };
      const changed = this.lastError?.code !== code;
      this.lastError = error;
      this.consecutiveFailures += 1;
      // One line when writing starts failing (or fails differently), not one every 30 s.
      if (changed) log.error('could not write to the database; rows kept in memory, will retry', { code, error: error.message, pendingRows: this.pending.size() });
      if (changed && isCorruptionCode(code)) this.requestCheck();
      return { ok: false, error, pendingRows: this.pending.size() };
    }
  }

  setFlushExtra(write: ((db: Database.Database) => void) | null): void {
    this.flushExtra = write;
  }

  private requestCheck(): void {
    try {
      requestIntegrityCheck(this.dataDir);
      log.error('the database reported damage: the next start will check it in full and move it aside if it is damaged');
    } catch (err) {
      log.warn('could not leave the integrity-check request', { error: err });
    }
  }

  private markSuccess(rows: number): void {
    if (this.lastError !== null) log.info('database writes work again', { rows, failedAttempts: this.consecutiveFailures });
    this.lastError = null;
    this.consecutiveFailures = 0;
    this.lastFlushAt = this.clock.now();
  }

  pendingRows(): number {
    return this.pending.size();
  }

  health(): StoreHealth {
    return {
      ok: this.lastError === null,
      path: this.path,
      lastError: this.lastError,
      consecutiveFailures: this.consecutiveFailures,
      pendingRows: this.pending.size(),
      pendingUsageRows: this.pending.usage.length,
      lastFlushAt: this.lastFlushAt,
      recovered: this.recovered,
      schemaVersion: this.schemaVersion,
      lastMaintenance: this.lastMaintenance,
      ...this.pending.counters,
    };
  }

  runMaintenance(nowS: number = Math.floor(this.clock.now() / 1000)): MaintenanceResult {
    const result = runRetention(this.conn, nowS, this.retention, this.maxDeleteRows);
    this.lastMaintenance = { ...result, at: this.clock.now() };
    if (result.rawDeleted + result.hourlyDeleted > 0) log.info('retention', { rawDeleted: result.rawDeleted, hourlyDeleted: result.hourlyDeleted, done: result.done, ms: Math.round(result.ms) });
    return result;
  }

  purgeRange(since: number, until: number): PurgeOutcome {
    if (!Number.isSafeInteger(since) || !Number.isSafeInteger(until) || until <= since) {
      throw new RangeError(`purge needs whole epoch seconds with since < until (got ${since}, ${until})`);
    }
    const outcome = purgeDb(this.conn, since, until, readCoverage(this.conn));
    // Buffered rows of the range must not come back with the next flush.
    this.pending.dropRange(outcome.since, outcome.until);
    log.info('purged a range', { since: outcome.since, until: outcome.until, deletedRows: outcome.deletedRows });
    return outcome;
  }

  rewriteName(kind: PrivacyKind, name: string, to: string | null): NameRows {
    if (this.closed) throw new Error('the store is closed');
    dropPending(this.pending, kind, name);
    try {
      return rewriteName(this.conn, kind, name, to);
    } finally {
      this.writer.resetIds();
    }
  }

  dataFolderSize(): FolderSize {
    return dataFolderSize(this.dataDir);
  }

  close(): FlushResult {
    if (this.closed) return { ok: true, written: { usage: 0, processes: 0, gaps: 0 } };
    const result = this.flush();
    if (!result.ok) log.error('closing with rows that could not be written: they are lost', { pendingRows: result.pendingRows });
    this.closed = true;
    try {
      this.conn.pragma('optimize');
    } catch {
      // Only statistics; a full disk must not keep the database from closing.
    }
    this.conn.close();
    return result;
  }

  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.conn.close();
  }
}

/** Opens the store in `options.dataDir` (see `openDatabase` for recovery and refusal). */
export function openStore(options: StoreOptions): Store {
  return new SqliteStore(options.dataDir, options);
}

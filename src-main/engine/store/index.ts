// The store's public surface: open, write, maintain. Reads go through ../queries on `Store.db`, a
// read-only handle. The benchmarks' workloads (bench.ts) are imported by bench/ directly, not from here.
export { DatabaseTooNewError, DatabaseUnusableError, isCorruptionCode, type StoreError } from './errors.js';
export { dataFolderSize, type FolderSize } from './folder.js';
export { DEFAULT_MAX_DELETE_ROWS, DEFAULT_RETENTION, retentionCutoffs, runRetention, type MaintenanceResult, type RetentionConfig } from './maintenance.js';
export { readCoverage, type Coverage } from './meta.js';
export { hasDomainTables } from './schema.js';
export { MIGRATIONS, SCHEMA_VERSION, migrate, userVersion, type Migration, type MigrationOutcome } from './migrations.js';
export { DB_FILE_NAME, FULL_CHECK_MAX_BYTES, PAGE_CACHE_KIB, ensurePrivateDir, openDatabase, requestIntegrityCheck, verifyDatabase, type OpenOptions, type OpenedDatabase, type Recovery } from './open.js';
export { describeSalvage, keptDamagedFiles, salvageInto, salvageReportPath, type KeptDamaged, type SalvageReport } from './salvage.js';
export { DEFAULT_MAX_PENDING_GAPS, DEFAULT_MAX_PENDING_PROCESSES, DEFAULT_MAX_PENDING_ROWS } from './pending.js';
export { purgeBounds, type PurgeOutcome } from './purge.js';
export { DEFAULT_FLUSH_INTERVAL_MS, openStore, type FlushResult, type Store, type StoreHealth, type StoreOptions } from './store.js';
export type { FlushCounts } from './write.js';
export { browserReportsIn, type BrowserReportRow } from './browser-reports.js';
export { readableView, WriteThroughReaderError, type ReadableDB } from './readable.js';
export { hourStart, localDateLabel, localDayStart, nextLocalDayStart, usageInstant } from './time.js';

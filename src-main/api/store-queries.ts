// The query port (ports.ts `UsageQueries`) over the engine's store and query layer.
import { gapsInRange, grandTotals, heatmap, lastSeenByApp, processesForApp, timeline, totalsByApp, totalsByDomain } from '../engine/queries/index.js';
import type { PurgeOutcome, Store } from '../engine/store/index.js';
import type { UsageQueries } from './ports.js';

/**
 * Answers the API's queries from `store` (reads on its read handle). A purge goes through `purge`: the
 * running monitor's, which also drops what the pipeline holds in memory for the range; the store's own
 * when nothing runs.
 */
export function createStoreQueries(store: Store, purge: (since: number, until: number) => PurgeOutcome = (since, until) => store.purgeRange(since, until)): UsageQueries {
  return {
    totals(range) {
      const t = grandTotals(store.db, range);
      return { bytesIn: t.bytesIn, bytesOut: t.bytesOut, approximate: t.approximate };
    },
    apps(range, limit) {
      const t = totalsByApp(store.db, range, { limit });
      const seen = lastSeenByApp(store.db, range);
      return { rows: t.rows.map((r) => ({ ...r, lastSeen: seen.get(r.app) ?? null })), approximate: t.approximate };
    },
    processes(app, range) {
      return processesForApp(store.db, { app, since: range.since, until: range.until }).map((p) => ({
        name: p.name,
        pid: p.pid,
        path: p.path,
        lastSeen: p.lastSeen,
      }));
    },
    // Bytes per domain (engine/domains: every app's from the privileged capture's packets, browsers'
    // from the extension too), with the part the active tab placed apart.
    domains(range, app, limit) {
      const t = totalsByDomain(store.db, range, { app, limit });
      return { rows: t.rows.map((d) => ({ domain: d.domain, bytesIn: d.bytesIn, bytesOut: d.bytesOut, estimated: d.estimated })), approximate: t.approximate };
    },
    timeline(range, bucketS, app) {
      // The flag only where it is true: a measured point stays {ts, bytesIn, bytesOut}.
      return timeline(store.db, { ...range, bucketS, app }).points.map((p) =>
        p.approximate ? { ts: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut, approximate: true } : { ts: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut },
      );
    },
    gaps(range) {
      return gapsInRange(store.db, range);
    },
    heatmap(range) {
      const h = heatmap(store.db, range);
      return { rows: h.cells, approximate: h.approximate };
    },
    purge(range) {
      const outcome = purge(range.since, range.until);
      return { since: outcome.since, until: outcome.until, deletedRows: outcome.deletedRows };
    },
  };
}

// `netmon demo`: fills a data folder with a realistic synthetic history (see engine/demo.ts). It refuses
// a folder that already holds measured traffic, so a real history is never mixed with invented bytes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureDataDir, loadConfig, resolveDataDir } from '../engine/config.js';
import { DEMO_ANOMALY, DEMO_NETWORKS, generateDemo } from '../engine/demo.js';
import { setLogLevel } from '../engine/log.js';
import { lastUsageAt } from '../engine/queries/index.js';
import { DB_FILE_NAME, openStore, type Store } from '../engine/store/index.js';
import { UserError, type CommandContext } from './main.js';
import { intFlag, stringFlag } from './options.js';

// Well under the store's buffer cap (50 000 rows), past which the oldest rows are folded.
const DOMAIN_SLICE = 20_000;

function flushOrFail(store: Store): void {
  const flushed = store.flush();
  if (!flushed.ok) throw new UserError(`could not write demo data: ${flushed.error.message}`);
}

export function runDemo(ctx: CommandContext): Promise<number> {
  if (ctx.values['days'] === undefined) throw new UserError('--days N is required (e.g. --days 365)', 2);
  const days = intFlag(ctx.values['days'], '--days', 30, 1, 3650);
  const seed = intFlag(ctx.values['seed'], '--seed', 42, 0, 2 ** 31);
  if (process.env['NETMON_LOG_LEVEL'] === undefined) setLogLevel('warn');
  const dataDir = ensureDataDir(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  const { config } = loadConfig(dataDir);
  const hadDb = existsSync(path.join(dataDir, DB_FILE_NAME));
  const store = openStore({ dataDir, retention: { rawDays: config.data_retention_days_raw, hourlyDays: config.data_retention_days_hourly } });
  try {
    if (hadDb && lastUsageAt(store.db) !== null && ctx.values['force'] !== true) {
      throw new UserError(`${dataDir} already holds recorded traffic; demo data would mix with it. Use another --data-dir, or --force to add it anyway`);
    }
    const started = Date.now();
    let rows = 0;
    let domainRows = 0;
    let day = 0;
    const anomaly = ctx.values['anomaly'] === true ? DEMO_ANOMALY : undefined;
    for (const batch of generateDemo({ days, endSeconds: Math.floor(Date.now() / 1000), seed, anomaly })) {
      store.append(batch.usage, batch.processes);
      rows += batch.usage.length;
      day += 1;
      // One day per transaction keeps the usage buffer far below its cap, so no row is folded; a day's
      // domain rows (up to a few tens of thousands) go in slices for the same reason: a folded row would
      // no longer line up with its usage row.
      flushOrFail(store);
      for (let at = 0; at < batch.domains.length; at += DOMAIN_SLICE) {
        store.appendDomains(batch.domains.slice(at, at + DOMAIN_SLICE));
        flushOrFail(store);
      }
      domainRows += batch.domains.length;
      // The same bytes on the network each crossed (two uplinks), with each hour's ledger.
      const networks = DEMO_NETWORKS.map((n) => ({ ...n, lastSeen: batch.networks.reduce((m, r) => (r.network === n.key ? Math.max(m, r.ts) : m), 0) })).filter((n) => n.lastSeen > 0);
      for (let at = 0; at < batch.networks.length; at += DOMAIN_SLICE) {
        store.appendNetworks(batch.networks.slice(at, at + DOMAIN_SLICE), at === 0 ? networks : [], at === 0 ? batch.ledger : []);
        flushOrFail(store);
      }
      if (day % 30 === 0 || day === days) process.stderr.write(`netmon demo: ${day}/${days} days written${process.stderr.isTTY ? '\r' : '\n'}`);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');
    // Retention trims the fine rows older than the raw window, as a live monitor would have.
    for (let pass = 0; pass < 1000 && !store.runMaintenance().done; pass += 1);
    ctx.out(`netmon demo: ${days} days of synthetic history (${rows} rows, ${domainRows} domain rows) in ${dataDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    if (anomaly !== undefined) {
      ctx.out(`netmon demo: planted ${anomaly.app} uploading ${anomaly.bytesOut / 1e9} GB to ${anomaly.domain}, ${anomaly.hours[0]}:00–${anomaly.hours[1]}:00 local, ${anomaly.daysAgo} days ago (see \`netmon changes\`)`);
    }
    ctx.out(`netmon demo: try \`netmon report --since 30d --data-dir ${dataDir}\`, \`netmon report --by domain --since 7d --data-dir ${dataDir}\` or \`netmon serve --data-dir ${dataDir}\``);
    return Promise.resolve(0);
  } finally {
    store.close();
  }
}

// `netmon report`: usage per application for a range, as a table (the seeds' columns) or JSON.
import { formatBytes } from '../../src-shared/units.js';
import { renderExport } from '../api/export.js';
import { resolveDataDir } from '../engine/config.js';
import { totalsByApp } from '../engine/queries/index.js';
import { UNATTRIBUTED } from '../engine/types.js';
import type { CommandContext } from './main.js';
import { openForReading } from './open-readonly.js';
import { choiceFlag, rangeFlags, stringFlag } from './options.js';
import { renderTable } from './table.js';

function describeRange(since: number, until: number): string {
  const fmt = (s: number): string => new Date(s * 1000).toLocaleString('sv-SE', { hour12: false }).slice(0, 16);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${fmt(since)} → ${fmt(until)} (${zone})`;
}

export function runReport(ctx: CommandContext): Promise<number> {
  const by = choiceFlag(ctx.values['by'], '--by', ['app', 'domain'] as const, 'app');
  const range = rangeFlags(ctx.values, Math.floor(Date.now() / 1000), 'today');
  const db = openForReading(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  try {
    if (by === 'domain') {
      // Domains come from the browser extension and per-connection attribution, which are not stored yet.
      if (ctx.values['json'] === true) {
        ctx.out(renderExport({ range, keyName: 'domain', rows: [] }, 'json', 'domain').body);
      } else {
        ctx.out('No domain data yet: domains are recorded once the browser extension reports them.');
      }
      return Promise.resolve(0);
    }
    const result = totalsByApp(db, range);
    if (ctx.values['json'] === true) {
      const file = renderExport({ range, keyName: 'app', rows: result.rows.map((r) => ({ key: r.app, bytesIn: r.bytesIn, bytesOut: r.bytesOut })) }, 'json', 'app');
      ctx.out(file.body);
      return Promise.resolve(0);
    }
    ctx.out(`Network usage ${describeRange(range.since, range.until)}${result.approximate ? ' — edges estimated from hourly or daily totals' : ''}`);
    if (result.rows.length === 0) {
      ctx.out('No traffic recorded in this range.');
      return Promise.resolve(0);
    }
    const rows = result.rows.map((r) => [r.app === UNATTRIBUTED ? '(unattributed)' : r.app, formatBytes(r.bytesIn), formatBytes(r.bytesOut), formatBytes(r.bytesIn + r.bytesOut)]);
    rows.push(['TOTAL', formatBytes(result.totals.bytesIn), formatBytes(result.totals.bytesOut), formatBytes(result.totals.bytesIn + result.totals.bytesOut)]);
    ctx.out(renderTable(['Application', 'Downloaded', 'Uploaded', 'Total'], rows, new Set([1, 2, 3])));
    return Promise.resolve(0);
  } finally {
    db.close();
  }
}

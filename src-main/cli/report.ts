// `netmon report`: usage per application (or per domain: bytes by site, of all apps or of one with
// `--app`) for a range, as a table (the seeds' columns) or JSON.
import { formatBytes } from '../../src-shared/units.js';
import { renderExport } from '../api/export.js';
import { resolveDataDir } from '../engine/config.js';
import { totalsByApp, totalsByDomain } from '../engine/queries/index.js';
import { UNATTRIBUTED } from '../engine/types.js';
import { UserError, type CommandContext } from './main.js';
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
  // Up to the next whole second: intervals are stamped with their end rounded to the nearest second, so the
  // last one written (when serve stopped, say) may be stamped up to half a second after now.
  const range = rangeFlags(ctx.values, Math.ceil(Date.now() / 1000), 'today');
  const app = stringFlag(ctx.values['app']);
  if (app !== undefined && by !== 'domain') throw new UserError('--app goes with --by domain (the domains of one application)', 2);
  if (app?.trim() === '') throw new UserError('--app: expected an application name, as `netmon report` lists them', 2);
  const db = openForReading(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  try {
    if (by === 'domain') {
      const domains = totalsByDomain(db, range, { app: app ?? null });
      if (ctx.values['json'] === true) {
        const rows = domains.rows.map((r) => ({ key: r.domain, bytesIn: r.bytesIn, bytesOut: r.bytesOut }));
        ctx.out(renderExport({ range, keyName: 'domain', rows }, 'json', 'domain').body);
        return Promise.resolve(0);
      }
      const whose = app === undefined ? 'Traffic' : `Traffic of ${app}`;
      ctx.out(`${whose} by domain ${describeRange(range.since, range.until)}${domains.approximate ? ' — edges estimated from hourly or daily totals' : ''}`);
      if (domains.rows.length === 0) {
        ctx.out(
          `No domain data${app === undefined ? '' : ` for ${app}`} in this range: domains are recorded while the privileged (eBPF) capture runs, ` +
            'or, for browsers, while the netmon browser extension is paired and reporting.',
        );
        return Promise.resolve(0);
      }
      const grand = domains.totals.bytesIn + domains.totals.bytesOut;
      // Shares in tenths of a percent of the total shown (all apps', or the one app's); "by tab" is the part the active tab placed (a guess).
      const share = (n: number): string => (grand === 0 ? '–' : `${((100 * n) / grand).toFixed(1)} %`);
      const rows = domains.rows.map((r) => {
        const total = r.bytesIn + r.bytesOut;
        const guessed = r.estimated.bytesIn + r.estimated.bytesOut;
        return [r.domain, formatBytes(r.bytesIn), formatBytes(r.bytesOut), formatBytes(total), share(total), guessed === 0 ? '' : formatBytes(guessed)];
      });
      const guessedAll = domains.estimated.bytesIn + domains.estimated.bytesOut;
      rows.push(['TOTAL', formatBytes(domains.totals.bytesIn), formatBytes(domains.totals.bytesOut), formatBytes(grand), share(grand), guessedAll === 0 ? '' : formatBytes(guessedAll)]);
      ctx.out(renderTable(['Domain', 'Downloaded', 'Uploaded', 'Total', 'Share', 'By tab (estimate)'], rows, new Set([1, 2, 3, 4, 5])));
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

// `netmon report`: usage per application (or per domain: bytes by site, of all apps or of one with
// `--app`; or per network or interface, report-networks.ts) for a range, as a table (the seeds' columns) or JSON.
import { formatBytes } from '../../src-shared/units.js';
import { renderExport } from '../engine/export.js';
import { resolveDataDir } from '../engine/config.js';
import { PrivacySettings } from '../engine/privacy/list.js';
import { domainMatches } from '../../src-shared/privacy.js';
import { totalsByApp, totalsByDomain, type Bytes } from '../engine/queries/index.js';
import { isOverheadName } from '../engine/network/migrate.js';
import { UNATTRIBUTED } from '../engine/types.js';
import { UserError, type CommandContext } from './main.js';
import { openForReading } from './open-readonly.js';
import { reportByNetwork } from './report-networks.js';
import { choiceFlag, rangeFlags, stringFlag } from './options.js';
import { renderTable } from './table.js';

function describeRange(since: number, until: number): string {
  const fmt = (s: number): string => new Date(s * 1000).toLocaleString('sv-SE', { hour12: false }).slice(0, 16);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${fmt(since)} → ${fmt(until)} (${zone})`;
}

/** Footnote under a table whose figures marked `~` are partly spread from coarser totals. */
export const RETENTION_FOOTNOTE = '~ estimate: part of these bytes is spread evenly from hourly or daily totals (the finer rows are past retention)';
/** Footnote under a domain table whose figures marked `~` include bytes the active tab placed. */
export const TAB_FOOTNOTE = "~ estimate: includes bytes placed by the browser's active tab (a guess, not the server address); the last column says how much";

// A figure with its estimate mark: `~` in front when `estimated`, so that a column of them stays aligned.
function figure(bytes: number, estimated: boolean): string {
  return `${estimated ? '~' : ''}${formatBytes(bytes)}`;
}

export function runReport(ctx: CommandContext): Promise<number> {
  const by = choiceFlag(ctx.values['by'], '--by', ['app', 'domain', 'network', 'interface'] as const, 'app');
  // Up to the next whole second: intervals are stamped with their end rounded to the nearest second, so the
  // last one written (when serve stopped, say) may be stamped up to half a second after now.
  const range = rangeFlags(ctx.values, Math.ceil(Date.now() / 1000), 'today');
  const app = stringFlag(ctx.values['app']);
  if (app !== undefined && by !== 'domain') throw new UserError('--app goes with --by domain (the domains of one application)', 2);
  if (app?.trim() === '') throw new UserError('--app: expected an application name, as `netmon report` lists them', 2);
  const dataDir = resolveDataDir(stringFlag(ctx.values['data-dir']));
  const db = openForReading(dataDir);
  // Hidden names (netmon privacy set NAME hide) leave the rows; the totals still count them.
  const privacy = new PrivacySettings(dataDir);
  try {
    if (by === 'network' || by === 'interface') {
      return Promise.resolve(reportByNetwork(db, range, by, ctx.values['json'] === true, describeRange(range.since, range.until), (line) => ctx.out(line), new Set(privacy.names('network', 'hide'))));
    }
    if (by === 'domain') {
      const domains = totalsByDomain(db, range, { app: app ?? null });
      const hidden = privacy.names('domain', 'hide');
      domains.rows = domains.rows.filter((r) => !hidden.some((h) => domainMatches(h, r.domain)));
      if (ctx.values['json'] === true) {
        const rows = domains.rows.map((r) => ({ key: r.domain, bytesIn: r.bytesIn, bytesOut: r.bytesOut, estimated: r.estimated, approximate: domains.approximate }));
        ctx.out(renderExport({ range, keyName: 'domain', approximate: domains.approximate, rows }, 'json', 'domain').body);
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
      const spread = domains.approximate;
      const line = (label: string, bytes: Bytes, guessed: Bytes): string[] => {
        const total = bytes.bytesIn + bytes.bytesOut;
        const guessedTotal = guessed.bytesIn + guessed.bytesOut;
        return [
          label,
          figure(bytes.bytesIn, spread || guessed.bytesIn > 0),
          figure(bytes.bytesOut, spread || guessed.bytesOut > 0),
          figure(total, spread || guessedTotal > 0),
          share(total),
          guessedTotal === 0 ? '' : formatBytes(guessedTotal),
        ];
      };
      const rows = domains.rows.map((r) => line(r.domain, r, r.estimated));
      rows.push(line('TOTAL', domains.totals, domains.estimated));
      ctx.out(renderTable(['Domain', 'Downloaded', 'Uploaded', 'Total', 'Share', 'By tab (estimate)'], rows, new Set([1, 2, 3, 4, 5])));
      if (domains.estimated.bytesIn + domains.estimated.bytesOut > 0) ctx.out(TAB_FOOTNOTE);
      if (spread) ctx.out(RETENTION_FOOTNOTE);
      return Promise.resolve(0);
    }
    const result = totalsByApp(db, range);
    const hiddenApps = new Set(privacy.names('app', 'hide'));
    result.rows = result.rows.filter((r) => !hiddenApps.has(r.app));
    if (ctx.values['json'] === true) {
      const rows = result.rows.map((r) => ({ key: r.app, bytesIn: r.bytesIn, bytesOut: r.bytesOut, approximate: result.approximate, ...(isOverheadName(r.app) ? { kind: 'overhead' as const } : {}) }));
      const file = renderExport({ range, keyName: 'app', approximate: result.approximate, rows }, 'json', 'app');
      ctx.out(file.body);
      return Promise.resolve(0);
    }
    ctx.out(`Network usage ${describeRange(range.since, range.until)}${result.approximate ? ' — edges estimated from hourly or daily totals' : ''}`);
    if (result.rows.length === 0) {
      ctx.out('No traffic recorded in this range.');
      return Promise.resolve(0);
    }
    const spread = result.approximate;
    const line = (label: string, bytes: Bytes): string[] => [label, figure(bytes.bytesIn, spread), figure(bytes.bytesOut, spread), figure(bytes.bytesIn + bytes.bytesOut, spread)];
    // Tunnels' own bytes (engine/network/migrate.ts) are overhead, listed apart from the applications.
    const apps = result.rows.filter((r) => !isOverheadName(r.app));
    const overhead = result.rows.filter((r) => isOverheadName(r.app));
    const rows = apps.map((r) => line(r.app === UNATTRIBUTED ? '(unattributed)' : r.app, r));
    if (overhead.length > 0) rows.push(['Overhead (tunnels’ own bytes, not an application):', '', '', ''], ...overhead.map((r) => line(`  ${r.app}`, r)));
    rows.push(line('TOTAL', result.totals));
    ctx.out(renderTable(['Application', 'Downloaded', 'Uploaded', 'Total'], rows, new Set([1, 2, 3])));
    if (spread) ctx.out(RETENTION_FOOTNOTE);
    return Promise.resolve(0);
  } finally {
    db.close();
  }
}

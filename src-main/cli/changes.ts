// `netmon changes [--since 7d] [--json]`: per app and per site, this window against the one before and
// the median of the four before, largest absolute change first, with badges and unusual days.
import { formatBytes } from '../../src-shared/units.js';
import { resolveDataDir } from '../engine/config.js';
import { changes } from '../engine/plans/changes-query.js';
import { UserError, type CommandContext } from './main.js';
import { openForReading } from './open-readonly.js';
import { stringFlag } from './options.js';
import { renderTable } from './table.js';

/** `--since Nd` or `Nw` as a window of whole days (1–28). */
export function windowDays(text: string | undefined): number {
  if (text === undefined) return 7;
  const match = /^(\d+)([dw])$/.exec(text);
  const days = match === null ? Number.NaN : Number(match[1]) * (match[2] === 'w' ? 7 : 1);
  if (!Number.isInteger(days) || days < 1 || days > 28) throw new UserError(`--since ${JSON.stringify(text)}: expected a window of 1 to 28 days such as 7d or 2w`, 2);
  return days;
}

const signed = (n: number): string => `${n >= 0 ? '+' : '−'}${formatBytes(Math.abs(n))}`;

export function runChanges(ctx: CommandContext): Promise<number> {
  const days = windowDays(stringFlag(ctx.values['since']));
  const db = openForReading(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  try {
    const view = changes(db, Math.floor(Date.now() / 1000), days);
    if (ctx.values['json'] === true) {
      ctx.out(JSON.stringify(view, null, 2));
      return Promise.resolve(0);
    }
    ctx.out(`What changed: the last ${days} days against the ${days} before and the median of the four before`);
    if (view.rows.length === 0) {
      ctx.out('No traffic recorded in these windows.');
      return Promise.resolve(0);
    }
    const rows = view.rows.slice(0, 20).map((r) => [
      `${r.kind === 'app' ? '' : 'site '}${r.name}`,
      formatBytes(r.thisWindow),
      formatBytes(r.lastWindow),
      formatBytes(r.median4),
      signed(r.delta),
      [...r.badges, ...(r.anomaly === null ? [] : [`unusual ${r.anomaly.date} (z ${r.anomaly.z.toFixed(1)})`])].join(', '),
    ]);
    ctx.out(renderTable(['App or site', 'This', 'Last', 'Median', 'Change', 'Notes'], rows, new Set([1, 2, 3, 4])));
    const causes = view.rows.filter((r) => r.anomaly !== null).slice(0, 5);
    for (const r of causes) ctx.out(`  ${r.anomaly?.cause ?? ''} on ${r.anomaly?.date ?? ''}`);
    if (view.reason !== null) ctx.out(view.reason);
    return Promise.resolve(0);
  } finally {
    db.close();
  }
}

// `netmon export`: the same data as the report, machine-readable (CSV or JSON), for any range.
import { printable } from '../engine/attribution/bounds.js';
import { renderExport, type ExportTable } from '../engine/export.js';
import { resolveDataDir } from '../engine/config.js';
import { timeline, totalsByApp, totalsByDay, totalsByDomain } from '../engine/queries/index.js';
import { UserError, type CommandContext } from './main.js';
import { openForReading } from './open-readonly.js';
import { choiceFlag, rangeFlags, stringFlag } from './options.js';
import { writePrivateFile } from './safe-write.js';

export function runExport(ctx: CommandContext): Promise<number> {
  if (ctx.values['format'] === undefined) throw new UserError('--format csv|json is required', 2);
  const format = choiceFlag(ctx.values['format'], '--format', ['csv', 'json'] as const, 'csv');
  const by = choiceFlag(ctx.values['by'], '--by', ['app', 'hour', 'day', 'domain'] as const, 'app');
  // Up to the next whole second: intervals are stamped with their end rounded to the nearest second, so the
  // last one written (when serve stopped, say) may be stamped up to half a second after now.
  const range = rangeFlags(ctx.values, Math.ceil(Date.now() / 1000), '30d');
  const db = openForReading(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  let table: ExportTable;
  try {
    switch (by) {
      case 'app': {
        // Per range, not per app: the query layer tells whether any of the range was spread from coarser totals.
        const result = totalsByApp(db, range);
        table = { range, keyName: 'app', approximate: result.approximate, rows: result.rows.map((r) => ({ key: r.app, bytesIn: r.bytesIn, bytesOut: r.bytesOut, approximate: result.approximate })) };
        break;
      }
      case 'hour': {
        const result = timeline(db, { ...range, bucketS: 3600 });
        table = { range, keyName: 'ts', approximate: result.approximate, rows: result.points.map((p) => ({ key: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut, approximate: p.approximate })) };
        break;
      }
      case 'day': {
        const result = totalsByDay(db, range);
        table = { range, keyName: 'ts', approximate: result.approximate, rows: result.days.map((d) => ({ key: d.dayStart, bytesIn: d.bytesIn, bytesOut: d.bytesOut, approximate: d.approximate })) };
        break;
      }
      case 'domain': {
        const result = totalsByDomain(db, range);
        const rows = result.rows.map((d) => ({ key: d.domain, bytesIn: d.bytesIn, bytesOut: d.bytesOut, estimated: d.estimated, approximate: result.approximate }));
        table = { range, keyName: 'domain', approximate: result.approximate, rows };
        break;
      }
    }
  } finally {
    db.close();
  }
  const file = renderExport(table, format, by);
  const output = stringFlag(ctx.values['output']);
  if (output === undefined) {
    // On a terminal, control characters in names are shown escaped rather than acted on; a pipe gets the bytes.
    const body = file.body.replace(/\r?\n$/, '');
    ctx.out(process.stdout.isTTY ? body.split(/\r?\n/).map(printable).join('\n') : body);
  } else {
    writePrivateFile(output, file.body, ctx.values['force'] === true);
    process.stderr.write(`netmon export: wrote ${table.rows.length} rows to ${output}\n`);
  }
  return Promise.resolve(0);
}

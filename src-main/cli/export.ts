// `netmon export`: the same data as the report, machine-readable (CSV or JSON), for any range.
import { writeFileSync } from 'node:fs';
import { renderExport, type ExportTable } from '../api/export.js';
import { resolveDataDir } from '../engine/config.js';
import { timeline, totalsByApp, totalsByDay } from '../engine/queries/index.js';
import { UserError, type CommandContext } from './main.js';
import { openForReading } from './open-readonly.js';
import { choiceFlag, rangeFlags, stringFlag } from './options.js';

export function runExport(ctx: CommandContext): Promise<number> {
  if (ctx.values['format'] === undefined) throw new UserError('--format csv|json is required', 2);
  const format = choiceFlag(ctx.values['format'], '--format', ['csv', 'json'] as const, 'csv');
  const by = choiceFlag(ctx.values['by'], '--by', ['app', 'hour', 'day'] as const, 'app');
  // Up to the next whole second: intervals are stamped with their end rounded to the nearest second, so the
  // last one written (when serve stopped, say) may be stamped up to half a second after now.
  const range = rangeFlags(ctx.values, Math.ceil(Date.now() / 1000), '30d');
  const db = openForReading(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  let table: ExportTable;
  try {
    switch (by) {
      case 'app':
        table = { range, keyName: 'app', rows: totalsByApp(db, range).rows.map((r) => ({ key: r.app, bytesIn: r.bytesIn, bytesOut: r.bytesOut })) };
        break;
      case 'hour':
        table = { range, keyName: 'ts', rows: timeline(db, { ...range, bucketS: 3600 }).points.map((p) => ({ key: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut })) };
        break;
      case 'day':
        table = { range, keyName: 'ts', rows: totalsByDay(db, range).days.map((d) => ({ key: d.dayStart, bytesIn: d.bytesIn, bytesOut: d.bytesOut })) };
        break;
    }
  } finally {
    db.close();
  }
  const file = renderExport(table, format, by);
  const output = stringFlag(ctx.values['output']);
  if (output === undefined) {
    ctx.out(file.body.replace(/\r?\n$/, ''));
  } else {
    writeFileSync(output, file.body, { mode: 0o600 });
    process.stderr.write(`netmon export: wrote ${table.rows.length} rows to ${output}\n`);
  }
  return Promise.resolve(0);
}

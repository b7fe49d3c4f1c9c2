// Export of a range as CSV or JSON. The JSON follows `netmon report --json`:
// {"since","until","rows":[{"app"|"domain"|"ts", "bytesIn","bytesOut"}],"totals":{"bytesIn","bytesOut"}}.
import type { ByteTotals, ExportFile, ResolvedRange } from '../../src-shared/api.js';

/** One exported row: a label column (app, domain or bucket start) and its bytes. */
export interface ExportRow extends ByteTotals {
  key: string | number;
}

/** What an export holds before it is rendered. */
export interface ExportTable {
  range: ResolvedRange;
  /** Name of the label column: `app`, `domain` or `ts`. */
  keyName: 'app' | 'domain' | 'ts';
  rows: ExportRow[];
}

// A cell that starts like a formula is run by spreadsheet programs when the file is opened (an app
// or domain name is text that other programs chose); a leading quote keeps it text.
function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function isoDate(epochS: number): string {
  return new Date(epochS * 1000).toISOString().slice(0, 10);
}

function totalsOf(rows: ExportRow[]): ByteTotals {
  return rows.reduce((t, r) => ({ bytesIn: t.bytesIn + r.bytesIn, bytesOut: t.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
}

/** Renders an export table as a file for the user to save. */
export function renderExport(table: ExportTable, format: 'csv' | 'json', by: string): ExportFile {
  const base = `netmon-${by}-${isoDate(table.range.since)}-${isoDate(table.range.until)}`;
  if (format === 'json') {
    const rows = table.rows.map((r) => ({ [table.keyName]: r.key, bytesIn: r.bytesIn, bytesOut: r.bytesOut }));
    const body = JSON.stringify({ since: table.range.since, until: table.range.until, rows, totals: totalsOf(table.rows) });
    return { filename: `${base}.json`, contentType: 'application/json; charset=utf-8', body };
  }
  const lines = [[table.keyName, 'bytesIn', 'bytesOut'].join(',')];
  for (const r of table.rows) lines.push([csvCell(r.key), r.bytesIn, r.bytesOut].join(','));
  return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: `${lines.join('\r\n')}\r\n` };
}

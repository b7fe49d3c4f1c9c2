// Export of a range as CSV or JSON. The JSON follows `netmon report --json`:
// {"since","until","approximate","rows":[{"app"|"domain"|"ts","bytesIn","bytesOut",("estimated",)"approximate"}],"totals":{…}}.
// Two kinds of estimate are told apart, so that a consumer never takes a guess for a measurement:
// `approximate` (the row's bytes are partly spread evenly from hourly or daily totals, because
// retention already deleted the finer rows) and, on domain rows, `estimated` (the part of the bytes
// the browser's active tab placed rather than the server address).
import type { ByteTotals, ExportFile, ResolvedRange } from '../../src-shared/contract/types.js';

/** One exported row: a label column (app, domain or bucket start) and its bytes. */
export interface ExportRow extends ByteTotals {
  key: string | number;
  /** True when part of the row's bytes is spread from coarser (hourly or daily) totals. */
  approximate: boolean;
  /** Domain rows only: the part of the bytes placed by the active tab (a guess). */
  estimated?: ByteTotals;
  /** App rows: `overhead` for a tunnel provider's own bytes (engine/network), never an application. */
  kind?: 'overhead';
}

/** What an export holds before it is rendered. */
export interface ExportTable {
  range: ResolvedRange;
  /** Name of the label column: `app`, `domain` or `ts`. */
  keyName: 'app' | 'domain' | 'ts';
  /** True when any figure of the range is spread from coarser totals. */
  approximate: boolean;
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

function sumOf(rows: readonly ByteTotals[]): ByteTotals {
  return rows.reduce((t, r) => ({ bytesIn: t.bytesIn + r.bytesIn, bytesOut: t.bytesOut + r.bytesOut }), { bytesIn: 0, bytesOut: 0 });
}

const NONE: ByteTotals = { bytesIn: 0, bytesOut: 0 };

/** Renders an export table as a file for the user to save. */
export function renderExport(table: ExportTable, format: 'csv' | 'json', by: string): ExportFile {
  const base = `netmon-${by}-${isoDate(table.range.since)}-${isoDate(table.range.until)}`;
  // Domain tables always carry the estimated part (zero where the server address placed everything).
  const domains = table.keyName === 'domain';
  if (format === 'json') {
    const rows = table.rows.map((r) =>
      domains
        ? { domain: r.key, bytesIn: r.bytesIn, bytesOut: r.bytesOut, estimated: r.estimated ?? NONE, approximate: r.approximate }
        : { [table.keyName]: r.key, bytesIn: r.bytesIn, bytesOut: r.bytesOut, approximate: r.approximate, ...(r.kind === undefined ? {} : { kind: r.kind }) },
    );
    const totals = domains ? { ...sumOf(table.rows), estimated: sumOf(table.rows.map((r) => r.estimated ?? NONE)) } : sumOf(table.rows);
    const body = JSON.stringify({ since: table.range.since, until: table.range.until, approximate: table.approximate, rows, totals });
    return { filename: `${base}.json`, contentType: 'application/json; charset=utf-8', body };
  }
  const header = domains ? ['domain', 'bytesIn', 'bytesOut', 'estimatedBytesIn', 'estimatedBytesOut', 'approximate'] : [table.keyName, 'bytesIn', 'bytesOut', 'approximate'];
  const lines = [header.join(',')];
  for (const r of table.rows) {
    const estimated = domains ? [r.estimated?.bytesIn ?? 0, r.estimated?.bytesOut ?? 0] : [];
    lines.push([csvCell(r.key), r.bytesIn, r.bytesOut, ...estimated, String(r.approximate)].join(','));
  }
  return { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: `${lines.join('\r\n')}\r\n` };
}

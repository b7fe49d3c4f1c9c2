// Plain-text tables for the terminal, columns padded to their widest cell. Cells come from the database
// (app names of other users' processes, in eBPF mode): control characters are shown escaped, never sent
// to the terminal to act on.
import { printable } from '../engine/attribution/bounds.js';

/** Renders rows under a header; columns listed in `rightAlign` (by index) are right-aligned. */
export function renderTable(header: string[], rawRows: string[][], rightAlign: ReadonlySet<number> = new Set()): string {
  const rows = rawRows.map((r) => r.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (rightAlign.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

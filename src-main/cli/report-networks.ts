// `netmon report --by network|interface`: bytes per network (the uplink's id, its name, kind and metered
// mark with the reason) or per physical interface, from the per-network tiers, as a table or JSON.
import { formatBytes } from '../../src-shared/units.js';
import { totalsByInterface, totalsByNetwork } from '../engine/queries/networks.js';
import type { QueryRange } from '../engine/queries/index.js';
import type { ReadableDB } from '../engine/store/readable.js';
import { renderTable } from './table.js';

const RETENTION_NOTE = '~ estimate: part of these bytes is spread evenly from hourly or daily totals (the finer rows are past retention)';

/** `hidden`: network ids left out of the rows (netmon privacy set ID hide --network); the totals still count them. */
export function reportByNetwork(db: ReadableDB, range: QueryRange, by: 'network' | 'interface', json: boolean, heading: string, out: (line: string) => void, hidden: ReadonlySet<string> = new Set()): number {
  const fig = (n: number, spread: boolean): string => `${spread ? '~' : ''}${formatBytes(n)}`;
  if (by === 'network') {
    const result = totalsByNetwork(db, range);
    result.rows = result.rows.filter((r) => !hidden.has(r.network));
    if (json) {
      out(JSON.stringify({ since: range.since, until: range.until, approximate: result.approximate, rows: result.rows, totals: result.totals }));
      return 0;
    }
    out(`Traffic by network ${heading}`);
    if (result.rows.length === 0) {
      out('No per-network data in this range.');
      return 0;
    }
    const spread = result.approximate;
    const metered = (m: boolean | null): string => (m === null ? '?' : m ? 'metered' : 'not metered');
    const rows = result.rows.map((r) => [r.label, r.kind || '—', fig(r.bytesIn, spread), fig(r.bytesOut, spread), fig(r.bytesIn + r.bytesOut, spread), `${metered(r.metered)}${r.meteredReason === '' ? '' : ` (${r.meteredReason})`}`]);
    rows.push(['TOTAL', '', fig(result.totals.bytesIn, spread), fig(result.totals.bytesOut, spread), fig(result.totals.bytesIn + result.totals.bytesOut, spread), '']);
    out(renderTable(['Network', 'Kind', 'Downloaded', 'Uploaded', 'Total', 'Metered'], rows, new Set([2, 3, 4])));
    if (spread) out(RETENTION_NOTE);
    return 0;
  }
  const result = totalsByInterface(db, range);
  result.rows = result.rows.filter((r) => !hidden.has(r.network));
  if (json) {
    out(JSON.stringify({ since: range.since, until: range.until, approximate: result.approximate, rows: result.rows, totals: result.totals }));
    return 0;
  }
  out(`Traffic by interface ${heading}`);
  if (result.rows.length === 0) {
    out('No per-interface data in this range.');
    return 0;
  }
  const spread = result.approximate;
  const rows = result.rows.map((r) => [r.interface === '' ? '(unknown)' : r.interface, r.label, fig(r.bytesIn, spread), fig(r.bytesOut, spread), fig(r.bytesIn + r.bytesOut, spread)]);
  rows.push(['TOTAL', '', fig(result.totals.bytesIn, spread), fig(result.totals.bytesOut, spread), fig(result.totals.bytesIn + result.totals.bytesOut, spread)]);
  out(renderTable(['Interface', 'Network', 'Downloaded', 'Uploaded', 'Total'], rows, new Set([2, 3, 4])));
  if (spread) out(RETENTION_NOTE);
  return 0;
}

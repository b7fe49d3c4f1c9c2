import type { HeatmapCell } from '../../src-shared/contract/types.js';
import { formatBytes, formatBytesShort } from '../lib/format.js';
import { heatmapGrid } from '../lib/selectors.js';

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Usage by weekday and local hour: a table (readable by a screen reader), shaded by bytes. */
export function Heatmap({ cells }: { cells: readonly HeatmapCell[] }) {
  const { rows, max } = heatmapGrid(cells);
  return (
    <div data-testid="heatmap" data-max={max}>
      <table className="heatmap">
        <caption className="sr-only">bytes by weekday and hour of day</caption>
        <thead>
          <tr>
            <th />
            {Array.from({ length: 24 }, (_, h) => (
              <th key={h} scope="col" className="faint">
                {h % 3 === 0 ? String(h).padStart(2, '0') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.weekday}>
              <th scope="row">{DAYS[row.weekday]}</th>
              {row.cells.map((c) => {
                const label = `${DAYS[row.weekday]} ${String(c.hour).padStart(2, '0')}:00–${String(c.hour + 1).padStart(2, '0')}:00: ${formatBytes(c.total)} (↓ ${formatBytes(c.bytesIn)}, ↑ ${formatBytes(c.bytesOut)})`;
                const pct = Math.round(Math.sqrt(c.intensity) * 100);
                return (
                  <td
                    key={c.hour}
                    title={label}
                    aria-label={label}
                    style={{ background: c.total === 0 ? 'var(--heat-0)' : `color-mix(in srgb, var(--c-in) ${Math.max(8, pct)}%, var(--heat-0))` }}
                  />
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="chart-caption">
        darker = more bytes (square-root scale, so quiet hours still show); busiest hour {formatBytesShort(max)}; hover a cell for its numbers
      </div>
    </div>
  );
}

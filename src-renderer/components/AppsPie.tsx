import { Pie, PieChart, Tooltip } from 'recharts';
import { formatBytes, formatShare } from '../lib/format.js';
import type { PieSlice } from '../lib/selectors.js';

const PALETTE = ['--p0', '--p1', '--p2', '--p3', '--p4', '--p5', '--p6', '--p7', '--p8', '--p9'];

/** The colour of a slice: the palette for apps, fixed neutrals for Other, Unattributed and a tunnel's overhead. */
export function sliceColor(slice: PieSlice, index: number): string {
  if (slice.kind === 'unattributed') return 'var(--c-unattr)';
  if (slice.kind === 'other') return 'var(--c-other)';
  if (slice.kind === 'overhead') return 'var(--c-overhead)';
  return `var(${PALETTE[index % PALETTE.length] ?? '--p0'})`;
}

/** The top applications as a pie, with a legend table that carries the exact numbers. */
export function AppsPie({ slices, onPick }: { slices: readonly PieSlice[]; onPick?: (app: string) => void }) {
  const data = slices.map((s, i) => ({ ...s, fill: sliceColor(s, i) }));
  const grand = slices.reduce((t, s) => t + s.total, 0);
  return (
    <div className="row" style={{ alignItems: 'flex-start', flexWrap: 'nowrap' }} data-testid="apps-pie" data-slices={slices.length}>
      <PieChart width={170} height={170}>
        <Pie data={data} dataKey="total" nameKey="name" innerRadius={38} outerRadius={80} stroke="var(--panel)" strokeWidth={1} isAnimationActive={false} />
        <Tooltip
          isAnimationActive={false}
          formatter={(value, name) => [`${formatBytes(Number(value))} (${formatShare(Number(value), grand)})`, String(name)]}
          contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 12 }}
          itemStyle={{ color: 'var(--fg)' }}
        />
      </PieChart>
      <table className="small">
        <thead>
          <tr>
            <th>application</th>
            <th className="num">bytes</th>
            <th className="num">share</th>
          </tr>
        </thead>
        <tbody>
          {data.map((s) => (
            <tr key={s.name} className={s.kind === 'unattributed' ? 'unattributed' : undefined} data-kind={s.kind}>
              <td>
                <span className="swatch" style={{ background: s.fill }} aria-hidden="true" />
                {s.kind === 'app' && onPick !== undefined ? (
                  <button type="button" className="link" onClick={() => onPick(s.name)}>
                    {s.name}
                  </button>
                ) : (
                  s.name
                )}
                {s.kind === 'unattributed' && <span className="faint"> — interface bytes no app could be tied to</span>}
                {s.kind === 'overhead' && <span className="faint"> — overhead: the tunnel’s own bytes, not an application</span>}
              </td>
              <td className="num">{formatBytes(s.total)}</td>
              <td className="num">{formatShare(s.total, grand)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

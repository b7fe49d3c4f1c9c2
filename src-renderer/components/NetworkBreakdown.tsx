import type { NetworksList } from '../../src-shared/networks.js';
import { formatBytes, formatShare } from '../lib/format.js';
import { kindText, meteredText } from '../lib/network-text.js';
import { totalOf } from '../lib/selectors.js';
import { EstimateMark } from './EstimateMark.js';

/** The range's total split by network: each network's bytes and share, the picked one marked; a click picks. */
export function NetworkBreakdown({ list, picked, onPick, testId = 'network-breakdown' }: { list: NetworksList; picked: string | null; onPick: (network: string | null) => void; testId?: string }) {
  const shown = list.networks.filter((n) => totalOf(n) > 0);
  const grand = totalOf(list.totals);
  if (shown.length === 0) return <p className="empty" data-testid={`${testId}-empty`}>no per-network bytes in this range (netmon records networks from its schema 7 on)</p>;
  return (
    <table className="small" data-testid={testId} data-total={grand} data-since={list.since} data-until={list.until}>
      <thead>
        <tr>
          <th>network</th>
          <th>kind</th>
          <th>metered</th>
          <th className="num">downloaded</th>
          <th className="num">uploaded</th>
          <th className="num">total</th>
          <th className="num">share</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((n) => (
          <tr key={n.network} data-network={n.network} data-bytes-in={n.bytesIn} data-bytes-out={n.bytesOut} aria-selected={n.network === picked}>
            <td>
              <button type="button" className="link" onClick={() => onPick(n.network === picked ? null : n.network)} title={n.network}>
                {n.label}
              </button>
            </td>
            <td>{kindText(n.kind) || '—'}</td>
            <td title={n.meteredReason}>{meteredText(n)}</td>
            <td className="num">{formatBytes(n.bytesIn)}</td>
            <td className="num">{formatBytes(n.bytesOut)}</td>
            <td className="num">{formatBytes(totalOf(n))}</td>
            <td className="num">{formatShare(totalOf(n), grand)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <td colSpan={3}>
            all networks {list.approximate && <EstimateMark testId={`${testId}-estimate`} />}
          </td>
          <td className="num">{formatBytes(list.totals.bytesIn)}</td>
          <td className="num">{formatBytes(list.totals.bytesOut)}</td>
          <td className="num">{formatBytes(grand)}</td>
          <td className="num" />
        </tr>
      </tfoot>
    </table>
  );
}

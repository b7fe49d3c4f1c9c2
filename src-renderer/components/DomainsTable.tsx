import type { DomainTotal } from '../../src-shared/contract/types.js';
import { formatBytes, formatShare } from '../lib/format.js';
import { routeHash } from '../lib/route.js';
import { totalOf } from '../lib/selectors.js';
import { EmptyState } from './EmptyState.js';
import { EstimateMark } from './EstimateMark.js';

/** The honest empty state of every domain view: where domain data comes from, and how to get it. */
export function NoDomainData() {
  return (
    <EmptyState title="no domain data yet — install the browser extension" testId="domains-empty">
      <div className="small">
        netmon learns which sites traffic went to from its browser extension (domains only, never addresses or pages). Pair it with the token in{' '}
        <a href={routeHash('settings')}>Settings</a>. On Linux, the privileged eBPF capture names the domains of every application from DNS answers and TLS/QUIC
        server names: <code>netmon doctor</code> says how to grant it.
      </div>
    </EmptyState>
  );
}

/** The top domains of a range, compact (the overview's table). */
export function DomainsTable({ domains }: { domains: readonly DomainTotal[] }) {
  if (domains.length === 0) return <NoDomainData />;
  const grand = domains.reduce((t, d) => t + totalOf(d), 0);
  return (
    <table className="small" data-testid="top-domains">
      <thead>
        <tr>
          <th>domain</th>
          <th className="num">↓</th>
          <th className="num">↑</th>
          <th className="num">total</th>
          <th className="num">share</th>
        </tr>
      </thead>
      <tbody>
        {domains.map((d) => (
          <tr key={d.domain}>
            <td>
              <a href={routeHash('domains', { domain: d.domain })}>{d.domain}</a>
            </td>
            <td className="num">{formatBytes(d.bytesIn)}</td>
            <td className="num">{formatBytes(d.bytesOut)}</td>
            <td className="num">
              {formatBytes(totalOf(d))}
              {d.estimated !== undefined && totalOf(d.estimated) > 0 && (
                <>
                  {' '}
                  <EstimateMark why={`${formatBytes(totalOf(d.estimated))} of it placed by the browser's active tab (a guess), not by the server address`} />
                </>
              )}
            </td>
            <td className="num">{formatShare(totalOf(d), grand)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

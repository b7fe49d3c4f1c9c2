import type { AppRow } from '../lib/selectors.js';
import { processSummary, UNATTRIBUTED } from '../lib/selectors.js';
import { formatBytes, formatDateTime, formatShare } from '../lib/format.js';
import { useApi } from '../state/use-api.js';
import { EmptyState } from './EmptyState.js';
import { ErrorNote } from './ErrorNote.js';
import { InOutBar } from './InOutBar.js';
import { TimelineChart } from './TimelineChart.js';
import type { RangePreset } from '../../src-shared/contract/types.js';

/** One application in detail: its timeline, received against sent, and the processes seen behind it. */
export function AppDetail({ row, range, onClose }: { row: AppRow; range: { range: RangePreset } | { since: number; until: number }; onClose: () => void }) {
  const timeline = useApi('apps:timeline', { ...range, app: row.app, bucket: 'auto' });
  const processes = useApi('apps:processes', { ...range, app: row.app });
  const summary = processes.data === null ? null : processSummary(processes.data.processes);
  return (
    <section className="panel" aria-labelledby="h-app-detail" data-testid="app-detail" data-app={row.app}>
      <div className="panelhead">
        <h2 id="h-app-detail">{row.app}</h2>
        <span className="spacer" />
        <button type="button" onClick={onClose} aria-label="close the detail">
          close
        </button>
      </div>
      {row.app === UNATTRIBUTED && (
        <p className="note info small">
          Bytes the network interface counted that no process accounted for: packet headers (applications are counted by the data they send and receive, the interface by whole packets, a few per cent more), connections too short for the unprivileged sampler, UDP without the eBPF capture, system traffic, counters that reset. Shown, never hidden, so the totals add up.
        </p>
      )}
      <h2 style={{ marginTop: 4 }}>Received and sent</h2>
      <dl className="facts" data-testid="app-breakdown">
        <dt className="in">received ↓</dt>
        <dd>
          {formatBytes(row.bytesIn)} ({formatShare(row.bytesIn, row.total)})
        </dd>
        <dt className="out">sent ↑</dt>
        <dd>
          {formatBytes(row.bytesOut)} ({formatShare(row.bytesOut, row.total)})
        </dd>
        <dt>total</dt>
        <dd>
          {formatBytes(row.total)} — {formatShare(row.share, 1)} of all traffic in the range
        </dd>
      </dl>
      <div style={{ margin: '4px 0 8px' }}>
        <InOutBar totals={row} />
      </div>
      <h2>Timeline</h2>
      {timeline.error !== null && <ErrorNote error={timeline.error} />}
      {timeline.data !== null && <TimelineChart timeline={timeline.data} loading={timeline.dataKey !== timeline.key} height={160} testId="app-timeline" />}
      <h2 style={{ marginTop: 8 }}>Processes</h2>
      {processes.error !== null && <ErrorNote error={processes.error} />}
      {summary !== null && processes.data !== null && processes.data.processes.length === 0 && (
        <EmptyState title={row.app === UNATTRIBUTED ? 'no processes: these bytes have no owner' : 'no process recorded in this range'} testId="processes-empty" />
      )}
      {summary !== null && processes.data !== null && processes.data.processes.length > 0 && (
        <>
          <p className="small muted" style={{ margin: '2px 0' }} data-testid="process-summary">
            {summary.names.length} name{summary.names.length === 1 ? '' : 's'} ({summary.names.join(', ')}) · {summary.pids} pid{summary.pids === 1 ? '' : 's'} ·{' '}
            {summary.paths.length} path{summary.paths.length === 1 ? '' : 's'}
          </p>
          <table className="small" data-testid="processes">
            <thead>
              <tr>
                <th>process</th>
                <th className="num">pid</th>
                <th>path</th>
                <th>last seen</th>
              </tr>
            </thead>
            <tbody>
              {processes.data.processes.map((p) => (
                <tr key={`${p.pid} ${p.name} ${p.lastSeen}`}>
                  <td>{p.name}</td>
                  <td className="num">{p.pid}</td>
                  <td className="path">{p.path ?? <span className="faint">unknown</span>}</td>
                  <td className="nowrap">{formatDateTime(p.lastSeen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { formatAgo, formatRate, timeZoneLabel } from '../lib/format.js';
import { ledgerStatusText } from '../lib/network-text.js';
import { useApi } from '../state/use-api.js';
import { pageTitle, routeHash, type Page } from '../lib/route.js';
import { useNetmon, useServices } from '../state/services.js';
import { useLiveFeed } from '../state/use-live-feed.js';
import { navigate, useRoute } from '../state/use-route.js';
import { PairPage } from './PairPage.js';
import { Popover } from './Popover.js';

// Pages load on first visit: the popover (the menubar's window) never pays for the charts.
const OverviewPage = lazy(async () => ({ default: (await import('./OverviewPage.js')).OverviewPage }));
const AppsPage = lazy(async () => ({ default: (await import('./AppsPage.js')).AppsPage }));
const DomainsPage = lazy(async () => ({ default: (await import('./DomainsPage.js')).DomainsPage }));
const HistoryPage = lazy(async () => ({ default: (await import('./HistoryPage.js')).HistoryPage }));
const ChangesPage = lazy(async () => ({ default: (await import('./ChangesPage.js')).ChangesPage }));
const SettingsPage = lazy(async () => ({ default: (await import('./SettingsPage.js')).SettingsPage }));

const NAV: readonly Page[] = ['overview', 'apps', 'domains', 'history', 'changes', 'settings'];

function StatusLine() {
  const { now } = useServices();
  const status = useNetmon((s) => s.status);
  const connection = useNetmon((s) => s.connection);
  const nowS = Math.floor(now() / 1000);
  return (
    <footer className="statusline" data-testid="statusline">
      <span>
        <span className={`dot ${connection}`} aria-hidden="true" />
        live feed {connection}
      </span>
      {status !== null && (
        <span data-testid="statusline-sampler">
          sampler {status.sampler.sampler}: {status.sampler.state}
          {status.sampler.reason !== null && ` (${status.sampler.reason})`}
        </span>
      )}
      {status?.pause.paused === true && <span className="out">capture paused</span>}
      {status !== null && !status.storage.ok && <span className="out">storage: {status.storage.error ?? 'cannot save'}</span>}
      <LedgerStatus />
      {status !== null && <span>last stored sample: {status.lastSampleAt === null ? 'none yet' : formatAgo(nowS - status.lastSampleAt)}</span>}
      <span>times in {timeZoneLabel(nowS)}</span>
      <span>bytes in decimal units (1 MB = 1,000,000 B)</span>
      <span className="faint">keys: 1–6 pages</span>
    </footer>
  );
}

/** The ledger's flagged hours of the last day, when there are any (connections over 1.2 × the interfaces). */
function LedgerStatus() {
  const ledger = useApi('networks:ledger', { range: '24h' }, { refreshS: 300 });
  const flagged = ledger.data?.flagged.length ?? 0;
  if (flagged === 0) return null;
  return (
    <span className="out" data-testid="statusline-ledger" title="a content filter may hide the interface's traffic: per-app figures for those hours may exceed the total">
      {ledgerStatusText(flagged)}
    </span>
  );
}

function Shell({ page, children }: { page: Page; children: ReactNode }) {
  const latest = useNetmon((s) => s.latest);
  useEffect(() => {
    document.title = `${pageTitle(page)} · netmon`;
  }, [page]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
      const target = e.target as HTMLElement | null;
      if (target !== null && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName))) return;
      const index = ['1', '2', '3', '4', '5', '6'].indexOf(e.key);
      const next = NAV[index];
      if (next !== undefined) navigate(next);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="shell">
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        skip to content
      </a>
      <header className="topbar">
        <span className="brand">netmon</span>
        <nav className="nav" aria-label="pages">
          {NAV.map((p, i) => (
            <a key={p} href={routeHash(p)} aria-current={p === page ? 'page' : undefined} aria-keyshortcuts={String(i + 1)} data-page={p}>
              {pageTitle(p)}
            </a>
          ))}
        </nav>
        <div className="live" aria-label="current rate" data-testid="topbar-rate">
          <span className="in">↓ {latest === null ? '—' : formatRate(latest.bytesInPerS)}</span>
          <span className="out">↑ {latest === null ? '—' : formatRate(latest.bytesOutPerS)}</span>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted">loading…</p>}>{children}</Suspense>
      </main>
      <StatusLine />
    </div>
  );
}

/** The whole renderer: the popover at `#/popover`, otherwise the dashboard with its six pages. */
export function App() {
  useLiveFeed();
  const route = useRoute();
  const { client } = useServices();
  // Every read needs the token: an unpaired browser gets the way to pair, not a page of errors.
  if (client.pairable && !client.canWrite()) return <PairPage />;
  if (route.page === 'popover') return <Popover />;
  return (
    <Shell page={route.page}>
      {route.page === 'overview' && <OverviewPage params={route.params} />}
      {route.page === 'apps' && <AppsPage params={route.params} />}
      {route.page === 'domains' && <DomainsPage params={route.params} />}
      {route.page === 'history' && <HistoryPage params={route.params} />}
      {route.page === 'changes' && <ChangesPage params={route.params} />}
      {route.page === 'settings' && <SettingsPage />}
    </Shell>
  );
}

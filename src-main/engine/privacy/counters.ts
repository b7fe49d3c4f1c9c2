// What /metrics, the Prometheus textfile and the live feed show of private and forgotten names. The
// textfile is a file (and Prometheus keeps what it scrapes), so a private app is shown as "Private" and
// a private network as the private network ("private", "Private network"), added up with the others of
// its kind; a forgotten app's or network's counter is removed once per forget (it starts again from zero
// if the name moves bytes after the forget). Hidden names are shown: hide is a filter of netmon's views.
import { PRIVATE_APP, PRIVATE_NETWORK, PRIVATE_NETWORK_LABEL } from '../../../src-shared/privacy.js';
import type { AppCounter, NetworkCounter, UsageCounters } from '../usage-counters.js';
import type { PrivacyView } from './list.js';

/** Rows added up under the name each has once `shown` (order of first appearance, other fields from the first row). */
function addUp<T extends { bytesIn: number; bytesOut: number }>(rows: Iterable<T>, shown: (row: T) => T, name: (row: T) => string): T[] {
  const out = new Map<string, T>();
  for (const row of rows) {
    const r = shown(row);
    const seen = out.get(name(r));
    if (seen === undefined) out.set(name(r), { ...r });
    else {
      seen.bytesIn += r.bytesIn;
      seen.bytesOut += r.bytesOut;
    }
  }
  return [...out.values()];
}

/** Private apps of a list of rows under the private row, added up with it (order kept, first place wins). */
export function foldPrivateApps<T extends { app: string; bytesIn: number; bytesOut: number }>(privacy: PrivacyView, rows: readonly T[]): T[] {
  return addUp(rows, (row) => (row.app === PRIVATE_APP || privacy.level('app', row.app) !== 'private' ? row : { ...row, app: PRIVATE_APP }), (row) => row.app);
}

/** The counters as they may be shown, with forgotten names' counters dropped first. */
export function privacyCounters(privacy: PrivacyView): (counters: UsageCounters) => { apps: AppCounter[]; networks: NetworkCounter[] } {
  // A forget is applied to the counters once: the marker's instant, per name, once done.
  const applied = new Map<string, number>();
  const forget = (counters: UsageCounters, kind: 'app' | 'network', name: string): void => {
    const at = privacy.forgottenAt?.(kind, name) ?? null;
    const key = `${kind}\u0000${name}`;
    if (at === null || applied.get(key) === at) return;
    applied.set(key, at);
    counters.drop(kind, name);
  };
  return (counters) => {
    for (const a of counters.apps()) forget(counters, 'app', a.app);
    for (const n of counters.networks()) forget(counters, 'network', n.network);
    const apps = foldPrivateApps(privacy, counters.apps()).sort((a, b) => a.app.localeCompare(b.app));
    const networks = addUp(
      counters.networks(),
      (n) => (n.network === PRIVATE_NETWORK || privacy.level('network', n.network) === 'private' ? { ...n, network: PRIVATE_NETWORK, label: PRIVATE_NETWORK_LABEL } : n),
      (n) => n.network,
    );
    return { apps, networks: networks.sort((a, b) => a.network.localeCompare(b.network)) };
  };
}

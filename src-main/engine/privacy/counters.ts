// What /metrics, the Prometheus textfile and the live feed show of private and forgotten names. The
// textfile is a file (and Prometheus keeps what it scrapes), so a private app is shown as "Private" and
// a private network as the private network ("private", "Private network"), added up with the others of
// its kind; a forgotten app's or network's counter is removed once per forget (it starts again from zero
// if the name moves bytes after the forget). Hidden names are shown: hide is a filter of netmon's views.
import { PRIVATE_APP, PRIVATE_NETWORK, PRIVATE_NETWORK_LABEL } from '../../../src-shared/privacy.js';
import type { AppCounter, NetworkCounter, UsageCounters } from '../usage-counters.js';
import type { PrivacyView } from './list.js';

/** Private apps of a list of rows under the private row, added up (order kept, first place wins). */
export function foldPrivateApps<T extends { app: string; bytesIn: number; bytesOut: number }>(privacy: PrivacyView, rows: readonly T[]): T[] {
  const out: T[] = [];
  let folded: T | null = null;
  for (const row of rows) {
    if (row.app === PRIVATE_APP || privacy.level('app', row.app) !== 'private') {
      out.push(row);
      continue;
    }
    if (folded === null) {
      folded = { ...row, app: PRIVATE_APP };
      out.push(folded);
    } else {
      folded.bytesIn += row.bytesIn;
      folded.bytesOut += row.bytesOut;
    }
  }
  // A stored "Private" row and the folded one are the same row.
  const merged = new Map<string, T>();
  for (const row of out) {
    const seen = merged.get(row.app);
    if (seen === undefined) merged.set(row.app, { ...row });
    else {
      seen.bytesIn += row.bytesIn;
      seen.bytesOut += row.bytesOut;
    }
  }
  return [...merged.values()];
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
    const networks = new Map<string, NetworkCounter>();
    for (const n of counters.networks()) {
      const hidden = n.network === PRIVATE_NETWORK || privacy.level('network', n.network) === 'private';
      const row = hidden ? { ...n, network: PRIVATE_NETWORK, label: PRIVATE_NETWORK_LABEL } : { ...n };
      const seen = networks.get(row.network);
      if (seen === undefined) networks.set(row.network, row);
      else {
        seen.bytesIn += row.bytesIn;
        seen.bytesOut += row.bytesOut;
      }
    }
    return { apps, networks: [...networks.values()].sort((a, b) => a.network.localeCompare(b.network)) };
  };
}

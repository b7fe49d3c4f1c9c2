// The networks port (`NetworksAccess`): the per-network views over the store's read handle
// (engine/queries/network-views.ts) and the user's marks through the store's writer
// (engine/network/user-marks.ts). A refused mark throws NetworkInputError (bad-request, its field named).
import type { NetworkView } from '../../src-shared/networks.js';
import { renameNetwork, markMetered } from '../engine/network/user-marks.js';
import { knownNetworks, ledgerInRange, networkApps, networkIdOf, networkTimeline, readNetwork } from '../engine/queries/network-views.js';
import type { Store } from '../engine/store/index.js';

/** What the networks handlers ask of the engine. */
export interface NetworksAccess {
  known(network: string): boolean;
  list(range: { since: number; until: number }): ReturnType<typeof knownNetworks>;
  timeline(range: { since: number; until: number }, bucketS: number, network: string): ReturnType<typeof networkTimeline>;
  apps(range: { since: number; until: number }, network: string, limit: number): ReturnType<typeof networkApps>;
  ledger(range: { since: number; until: number }): ReturnType<typeof ledgerInRange>;
  rename(network: string, label: string | null): NetworkView;
  metered(network: string, metered: boolean | null): NetworkView;
}

/** The networks port over `store`. */
export function createNetworksAccess(store: Pick<Store, 'db' | 'withWriter'>): NetworksAccess {
  const write = store.withWriter.bind(store);
  const after = (network: string): NetworkView => {
    const view = readNetwork(store.db, network);
    if (view === null) throw new Error(`network ${network} vanished`);
    return view;
  };
  return {
    known: (network) => networkIdOf(store.db, network) !== null,
    list: (range) => knownNetworks(store.db, range),
    timeline: (range, bucketS, network) => networkTimeline(store.db, { ...range, bucketS, network }),
    apps: (range, network, limit) => networkApps(store.db, range, network, limit),
    ledger: (range) => ledgerInRange(store.db, range),
    rename(network, label) {
      renameNetwork(write, network, label);
      return after(network);
    },
    metered(network, metered) {
      markMetered(write, network, metered);
      return after(network);
    },
  };
}

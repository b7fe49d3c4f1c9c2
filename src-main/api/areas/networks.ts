// networks:*: every known network with its bytes over a range, one network's timeline and applications,
// the ledger's flagged hours, and the user's name and metered mark, over the networks port
// (api/networks.ts); without it they answer unavailable.
import type { NetworkTimeline } from '../../../src-shared/networks.js';
import { fillBuckets } from '../../engine/queries/grid.js';
import type { NetworksAccess } from '../networks.js';
import { ApiError } from '../errors.js';
import { autoBucket, bucketCount, MAX_TIMELINE_POINTS, resolveRange } from '../ranges.js';
import type { AreaChannels, AreaContext, Handlers } from './area.js';

export function networksHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'networks'>> {
  const networks = (): NetworksAccess => {
    if (deps.networks === undefined) throw new ApiError('unavailable', 'per-network views are not available in this engine');
    return deps.networks;
  };
  /** The port, after checking that `network` is one netmon stored. */
  const known = (network: string): NetworksAccess => {
    const access = networks();
    if (!access.known(network)) throw new ApiError('not-found', `network: no network ${JSON.stringify(network)} is known`);
    return access;
  };
  return {
    'networks:list': (req) => {
      const range = resolveRange(req, nowS());
      // Hidden networks (privacy level hide) leave the list; the totals still count them.
      const found = networks().list(range);
      const hidden = deps.privacy?.hidden('network');
      return Promise.resolve({ ...range, ...found, networks: hidden === undefined ? found.networks : found.networks.filter((n) => !hidden.has(n.network)) });
    },
    'networks:timeline': async (req): Promise<NetworkTimeline> => {
      const access = known(req.network);
      const range = resolveRange(req, nowS());
      const bucketS = req.bucket === undefined || req.bucket === 'auto' ? autoBucket(range) : (req.bucket as NetworkTimeline['bucketS']);
      if (bucketCount(range, bucketS) > MAX_TIMELINE_POINTS) {
        throw new ApiError('bad-request', `bucket ${bucketS}s over this range gives more than ${MAX_TIMELINE_POINTS} points: choose a wider bucket or auto`);
      }
      const series = access.timeline(range, bucketS, req.network);
      const { points, approximate } = fillBuckets(range, bucketS, series.points.map((p) => (p.approximate ? { ts: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut, approximate: true } : { ts: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut })));
      const gaps = deps.queries.gaps === undefined ? undefined : await deps.queries.gaps(range);
      return { ...range, bucketS, app: null, network: req.network, approximate, points, ...(gaps === undefined ? {} : { gaps }) };
    },
    'networks:apps': (req) => {
      const access = known(req.network);
      const range = resolveRange(req, nowS());
      const found = access.apps(range, req.network, req.limit ?? 100);
      const hidden = deps.privacy?.hidden('app');
      return Promise.resolve({ ...range, network: req.network, ...found, apps: hidden === undefined ? found.apps : found.apps.filter((a) => !hidden.has(a.app)) });
    },
    'networks:ledger': (req) => {
      const range = resolveRange(req, nowS());
      return Promise.resolve({ ...range, ...networks().ledger(range) });
    },
    'networks:rename': (req) => Promise.resolve({ network: networks().rename(req.network, req.label) }),
    'networks:metered': (req) => Promise.resolve({ network: networks().metered(req.network, req.metered) }),
  };
}

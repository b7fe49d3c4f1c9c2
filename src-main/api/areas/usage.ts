// usage:*: the live rate, today/week/month totals, the timeline (also apps:timeline and the hourly or
// daily export) and the hour-of-week heatmap, on grids made whole by engine/queries/grid.ts.
import type { ApiParsedRequest } from '../../../src-shared/contract/schemas.js';
import type { Timeline } from '../../../src-shared/contract/types.js';
import { fillBuckets, heatmapGrid } from '../../engine/queries/grid.js';
import { ApiError } from '../errors.js';
import { approximateRows, type ApiDeps } from '../ports.js';
import { autoBucket, bucketCount, localMidnight, localMonthStart, localWeekStart, MAX_TIMELINE_POINTS, resolveRange } from '../ranges.js';
import type { AreaChannels, AreaContext, Handlers } from './area.js';

/** A timeline request as the usage and apps channels and the export carry it. */
export type TimelineRequest = {
  range?: ApiParsedRequest<'usage:timeline'>['range'];
  since?: number;
  until?: number;
  bucket?: number | 'auto' | undefined;
};

/** The timeline of all traffic or of `app`: every bucket of the range, with the range's recorded gaps. */
export async function readTimeline(deps: ApiDeps, nowS: number, req: TimelineRequest, app: string | null): Promise<Timeline> {
  const range = resolveRange(req, nowS);
  const bucketS = req.bucket === undefined || req.bucket === 'auto' ? autoBucket(range) : (req.bucket as Timeline['bucketS']);
  if (bucketCount(range, bucketS) > MAX_TIMELINE_POINTS) {
    throw new ApiError('bad-request', `bucket ${bucketS}s over this range gives more than ${MAX_TIMELINE_POINTS} points: choose a wider bucket or auto`);
  }
  const { points, approximate } = fillBuckets(range, bucketS, await deps.queries.timeline(range, bucketS, app));
  if (deps.queries.gaps === undefined) return { ...range, bucketS, app, approximate, points };
  return { ...range, bucketS, app, approximate, points, gaps: await deps.queries.gaps(range) };
}

export function usageHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'usage'>> {
  return {
    'usage:live': () => Promise.resolve(deps.live.latestRate()),
    'usage:summary': async () => {
      const now = nowS();
      const period = async (since: number) => {
        const t = await deps.queries.totals({ since, until: now });
        return { since, until: now, bytesIn: t.bytesIn, bytesOut: t.bytesOut, approximate: t.approximate ?? false };
      };
      return { today: await period(localMidnight(now)), week: await period(localWeekStart(now)), month: await period(localMonthStart(now)) };
    },
    'usage:timeline': (req) => readTimeline(deps, nowS(), req, null),
    'usage:heatmap': async (req) => {
      const range = resolveRange(req, nowS());
      const answer = approximateRows(await deps.queries.heatmap(range));
      return { ...range, approximate: answer.approximate, cells: heatmapGrid(answer.rows) };
    },
  };
}

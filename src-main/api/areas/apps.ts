// apps:*: applications by bytes (each with when it was last seen; hidden names left out), the processes behind one, and one
// application's timeline.
import { approximateRows } from '../ports.js';
import { resolveRange } from '../ranges.js';
import type { AreaChannels, AreaContext, Handlers } from './area.js';
import { readTimeline } from './usage.js';

export function appsHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'apps'>> {
  return {
    'apps:list': async (req) => {
      const range = resolveRange(req, nowS());
      const answer = approximateRows(await deps.queries.apps(range, req.limit ?? 100));
      const hidden = deps.privacy?.hidden('app');
      return { ...range, approximate: answer.approximate, apps: hidden === undefined ? answer.rows : answer.rows.filter((r) => !hidden.has(r.app)) };
    },
    'apps:processes': async (req) => {
      const range = resolveRange(req, nowS());
      return { ...range, app: req.app, processes: await deps.queries.processes(req.app, range) };
    },
    'apps:timeline': (req) => readTimeline(deps, nowS(), req, req.app),
  };
}

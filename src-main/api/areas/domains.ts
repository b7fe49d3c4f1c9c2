// domains:list: registrable domains by bytes, for all traffic or one application (hidden names left out).
import { domainMatches } from '../../../src-shared/privacy.js';
import { approximateRows } from '../ports.js';
import { resolveRange } from '../ranges.js';
import type { AreaChannels, AreaContext, Handlers } from './area.js';

export function domainsHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'domains'>> {
  return {
    'domains:list': async (req) => {
      const range = resolveRange(req, nowS());
      const app = req.app ?? null;
      const answer = approximateRows(await deps.queries.domains(range, app, req.limit ?? 100));
      const hidden = deps.privacy?.hidden('domain');
      return { ...range, app, approximate: answer.approximate, domains: hidden === undefined ? answer.rows : answer.rows.filter((r) => ![...hidden].some((h) => domainMatches(h, r.domain))) };
    },
  };
}

// data:purge and data:export: removing a range (the engine's purge: every tier, browser reports and
// what the pipeline holds in memory) and rendering a range as CSV or JSON (engine/export.ts).
import type { ApiParsedRequest } from '../../../src-shared/contract/schemas.js';
import { assertNever, type ResolvedRange } from '../../../src-shared/contract/types.js';
import { renderExport, type ExportTable } from '../../engine/export.js';
import { approximateRows, type ApiDeps } from '../ports.js';
import { resolveRange } from '../ranges.js';
import type { AreaChannels, AreaContext, Handlers } from './area.js';
import { readTimeline } from './usage.js';

async function exportRows(deps: ApiDeps, nowS: number, req: ApiParsedRequest<'data:export'>, range: ResolvedRange): Promise<Omit<ExportTable, 'range'>> {
  const by = req.by ?? 'app';
  switch (by) {
    case 'app': {
      // The query layer tells per range, not per app, whether bytes were spread from coarser totals.
      const answer = approximateRows(await deps.queries.apps(range, 1000));
      const rows = answer.rows.map((r) => ({ key: r.app, bytesIn: r.bytesIn, bytesOut: r.bytesOut, approximate: answer.approximate }));
      return { keyName: 'app', approximate: answer.approximate, rows };
    }
    case 'domain': {
      const answer = approximateRows(await deps.queries.domains(range, null, 1000));
      const rows = answer.rows.map((r) => ({
        key: r.domain,
        bytesIn: r.bytesIn,
        bytesOut: r.bytesOut,
        estimated: r.estimated ?? { bytesIn: 0, bytesOut: 0 },
        approximate: answer.approximate,
      }));
      return { keyName: 'domain', approximate: answer.approximate, rows };
    }
    case 'hour':
    case 'day': {
      const t = await readTimeline(deps, nowS, { since: range.since, until: range.until, bucket: by === 'hour' ? 3600 : 86_400 }, null);
      return { keyName: 'ts', approximate: t.approximate, rows: t.points.map((p) => ({ key: p.ts, bytesIn: p.bytesIn, bytesOut: p.bytesOut, approximate: p.approximate === true })) };
    }
    default:
      return assertNever(by, 'export grouping');
  }
}

export function dataHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'data'>> {
  return {
    // Privacy: the engine removes everything recorded in the range in one transaction (usage and domain
    // tiers, browser reports) and drops what it still holds in memory for it.
    'data:purge': async (req) => deps.queries.purge({ since: req.since, until: req.until }),
    'data:export': async (req) => {
      const now = nowS();
      const range = resolveRange(req, now);
      return renderExport({ range, ...(await exportRows(deps, now, req, range)) }, req.format, req.by ?? 'app');
    },
  };
}

// Bytes per domain over a range, from the domain tiers (schema v3), answered like the usage queries:
// whole local days from domain_daily, whole hours from domain_hourly, sub-hour edges from domain_raw,
// and a piece whose finer tier retention already cut prorated from the coarser row (approximate).
// Per domain the part the active tab placed (an estimate) is kept apart from the part the server
// address placed, so that the views can say how much of a domain's bytes is a guess.
import type { ReadableDB } from '../store/readable.js';
import { readCoverage } from '../store/meta.js';
import { hasDomainTables } from '../store/schema.js';
import { cachedStatement } from '../store/statements.js';
import { planRange, provenanceOf } from './plan.js';
import { appIdOf, checkRange, type Bytes, type Provenance, type QueryRange } from './queries.js';
import { segmentsParam, tierPartsSql } from './tier-sql.js';

/** One domain's bytes over a range, and the part of them the active tab placed. */
export interface DomainBytes extends Bytes {
  domain: string;
  estimated: Bytes;
}

/** Bytes per domain over a range, largest first. */
export interface DomainTotalsResult extends QueryRange, Provenance {
  app: string | null;
  rows: DomainBytes[];
  /** Sum over every domain, also those a limit leaves out: the bytes with domain rows (the app's, or all) in the range. */
  totals: Bytes;
  estimated: Bytes;
}

/** The statement (exported for the EXPLAIN QUERY PLAN test); `appFilter` restricts to `$app`. */
export function domainTotalsSql(appFilter: boolean): string {
  return `${tierPartsSql('domain', ['domain_id', 'estimate'], appFilter)}
SELECT domains.name AS domain, g.estimate AS estimate, g.bytesIn AS bytesIn, g.bytesOut AS bytesOut
  FROM (SELECT domain_id, estimate, CAST(round(sum(bi)) AS INTEGER) AS bytesIn, CAST(round(sum(bo)) AS INTEGER) AS bytesOut
          FROM parts GROUP BY domain_id, estimate) AS g
  CROSS JOIN domains ON domains.id = g.domain_id`;
}

interface Row {
  domain: string;
  estimate: number;
  bytesIn: number;
  bytesOut: number;
}

const byTotal = (a: DomainBytes, b: DomainBytes): number =>
  b.bytesIn + b.bytesOut - (a.bytesIn + a.bytesOut) || (a.domain < b.domain ? -1 : a.domain > b.domain ? 1 : 0);

/** Bytes per domain over [since, until), for all applications or one, largest first. */
export function totalsByDomain(db: ReadableDB, range: QueryRange, options: { app?: string | null; limit?: number } = {}): DomainTotalsResult {
  checkRange(range);
  const app = options.app ?? null;
  const segments = planRange(range.since, range.until, readCoverage(db));
  const empty: DomainTotalsResult = {
    ...range,
    app,
    rows: [],
    totals: { bytesIn: 0, bytesOut: 0 },
    estimated: { bytesIn: 0, bytesOut: 0 },
    ...provenanceOf(segments),
  };
  if (segments.length === 0 || !hasDomainTables(db)) return empty;
  const appId = app === null ? null : appIdOf(db, app);
  if (app !== null && appId === null) return empty;
  const params: Record<string, unknown> = { segments: segmentsParam(segments) };
  if (appId !== null) params['app'] = appId;
  const found = cachedStatement(db, domainTotalsSql(appId !== null)).all(params) as Row[];
  const byDomain = new Map<string, DomainBytes>();
  for (const r of found) {
    const d = byDomain.get(r.domain) ?? { domain: r.domain, bytesIn: 0, bytesOut: 0, estimated: { bytesIn: 0, bytesOut: 0 } };
    d.bytesIn += r.bytesIn;
    d.bytesOut += r.bytesOut;
    if (r.estimate === 1) {
      d.estimated.bytesIn += r.bytesIn;
      d.estimated.bytesOut += r.bytesOut;
    }
    byDomain.set(r.domain, d);
  }
  const rows = [...byDomain.values()].filter((d) => d.bytesIn + d.bytesOut > 0).sort(byTotal);
  const sum = (pick: (d: DomainBytes) => Bytes): Bytes =>
    rows.reduce((t, d) => ({ bytesIn: t.bytesIn + pick(d).bytesIn, bytesOut: t.bytesOut + pick(d).bytesOut }), { bytesIn: 0, bytesOut: 0 });
  return {
    ...empty,
    rows: options.limit === undefined ? rows : rows.slice(0, options.limit),
    totals: sum((d) => d),
    estimated: sum((d) => d.estimated),
  };
}

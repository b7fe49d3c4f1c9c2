// A domain's timeline and the apps that used it. The API has no per-domain channel yet, so both are
// assembled from `domains:list` calls: one per bucket of the range for the timeline, one per busy
// app for the apps. Bounded (at most about 60 calls, a few at a time) and only for the domain the
// user opened.
import { useEffect, useState } from 'react';
import type { ByteTotals, DomainTotal, TimelinePoint } from '../../src-shared/contract/types.js';
import { appsForDomain, sumTotals } from '../lib/selectors.js';
import { useServices } from './services.js';

/** The bucket width used for a range of `spanS` seconds (hours up to two days, days up to a month, weeks beyond). */
export function domainBucketFor(spanS: number): number {
  if (spanS <= 2 * 86_400) return 3600;
  if (spanS <= 31 * 86_400) return 86_400;
  return 7 * 86_400;
}

/** What the detail shows, filled in as answers arrive. */
export interface DomainDetail {
  points: TimelinePoint[] | null;
  bucketS: number;
  apps: (ByteTotals & { app: string; total: number })[] | null;
  error: string | null;
}

const AT_ONCE = 4;

async function runAll<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i];
      if (job !== undefined) out[i] = await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, jobs.length) }, worker));
  return out;
}

/** The timeline and apps of the hosts `hosts` (one registrable domain's) over [since, until). */
export function useDomainDetail(hosts: readonly string[] | null, since: number, until: number): DomainDetail {
  const { client } = useServices();
  const bucketS = domainBucketFor(until - since);
  const [detail, setDetail] = useState<DomainDetail>({ points: null, bucketS, apps: null, error: null });
  const hostsKey = hosts === null ? '' : hosts.join('\u0000');
  useEffect(() => {
    if (hostsKey === '') return undefined;
    let cancelled = false;
    const names = new Set(hostsKey.split('\u0000'));
    const pick = (domains: readonly DomainTotal[]): ByteTotals => sumTotals(domains.filter((d) => names.has(d.domain)));
    setDetail({ points: null, bucketS, apps: null, error: null });

    const starts: number[] = [];
    for (let t = since; t < until; t += bucketS) starts.push(t);
    void runAll(
      starts.map((start) => async () => {
        const result = await client.call('domains:list', { since: start, until: Math.min(until, start + bucketS), limit: 1000 });
        return result.ok ? { ts: start, ...pick(result.value.domains) } : null;
      }),
    ).then((points) => {
      if (cancelled) return;
      const ok = points.filter((p): p is TimelinePoint => p !== null);
      setDetail((d) => ({ ...d, points: ok, error: ok.length < points.length ? 'part of the timeline could not be read' : d.error }));
    });

    void client.call('apps:list', { since, until, limit: 15 }).then(async (apps) => {
      if (cancelled) return;
      if (!apps.ok) {
        setDetail((d) => ({ ...d, apps: [], error: `the applications could not be read: ${apps.error.message}` }));
        return;
      }
      const perApp = await runAll(
        apps.value.apps.map((a) => async () => {
          const result = await client.call('domains:list', { since, until, app: a.app, limit: 1000 });
          return { app: a.app, domains: result.ok ? result.value.domains : [] };
        }),
      );
      if (cancelled) return;
      const rows = new Map<string, ByteTotals & { app: string; total: number }>();
      for (const host of names) {
        for (const r of appsForDomain(perApp, host)) {
          const prev = rows.get(r.app);
          rows.set(r.app, prev === undefined ? r : { app: r.app, bytesIn: prev.bytesIn + r.bytesIn, bytesOut: prev.bytesOut + r.bytesOut, total: prev.total + r.total });
        }
      }
      setDetail((d) => ({ ...d, apps: [...rows.values()].sort((a, b) => b.total - a.total) }));
    });
    return () => {
      cancelled = true;
    };
  }, [client, hostsKey, since, until, bucketS]);
  return detail;
}

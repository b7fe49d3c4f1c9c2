// "Last seen" for every application in a table. The apps list does not carry it, so it is read from
// each app's processes, a few requests at a time, filling the column in as answers arrive.
import { useEffect, useState } from 'react';
import type { RangePreset } from '../../src-shared/api.js';
import { lastSeenOf } from '../lib/selectors.js';
import { useServices } from './services.js';

const AT_ONCE = 3;

/** Last-seen times (epoch seconds) by app name over the range: null once known to have none, absent while asking. */
export function useLastSeen(apps: readonly string[] | null, range: { range: RangePreset } | { since: number; until: number }): ReadonlyMap<string, number | null> {
  const { client } = useServices();
  const [seen, setSeen] = useState<ReadonlyMap<string, number | null>>(new Map());
  const appsKey = apps === null ? '' : apps.join('\u0000');
  const rangeKey = JSON.stringify(range);
  const waiting = apps === null;
  // The effect reads the keys, not apps and range, which are fresh on every render.
  useEffect(() => {
    if (waiting) return undefined;
    let cancelled = false;
    const queue = appsKey === '' ? [] : appsKey.split('\u0000');
    const request = JSON.parse(rangeKey) as { range: RangePreset } | { since: number; until: number };
    const found = new Map<string, number | null>();
    setSeen(new Map());
    const worker = async (): Promise<void> => {
      for (let app = queue.shift(); app !== undefined && !cancelled; app = queue.shift()) {
        const result = await client.call('apps:processes', { ...request, app });
        if (cancelled) return;
        found.set(app, result.ok ? lastSeenOf(result.value.processes) : null);
        setSeen(new Map(found));
      }
    };
    for (let i = 0; i < AT_ONCE; i++) void worker();
    return () => {
      cancelled = true;
    };
  }, [client, waiting, appsKey, rangeKey]);
  return seen;
}

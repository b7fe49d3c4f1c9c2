// `npm run bench -- cache`: what the store's bounded page cache (PAGE_CACHE_KIB, 2 MB) costs the queries
// against better-sqlite3's default of 16 MB, over a year of demo data, as ratios within one run. One
// long-lived read connection, as serve's: each round sets the cache size (a new size empties the cache),
// warms it with one pass, then times the report query over random ranges, the 7-day "what changed"
// query and `status --json`. Rounds alternate the two sizes so the machine's load falls on both alike.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { openForReading } from '../dist/src-main/cli/open-readonly.js';
import { changes } from '../dist/src-main/engine/plans/changes-query.js';
import { plansStatus } from '../dist/src-main/engine/plans/status.js';
import { totalsByApp } from '../dist/src-main/engine/queries/index.js';
import { PAGE_CACHE_KIB } from '../dist/src-main/engine/store/index.js';
import { NETMON, percentile, tempDir, type Figure } from './engine.ts';

const DEFAULT_KIB = 16_000;

export function benchPageCache(rounds = 6): Figure[] {
  const dir = tempDir('netmon-bench-cache-');
  try {
    const data = path.join(dir, 'data');
    const demo = spawnSync(process.execPath, [NETMON, 'demo', '--days', '365', '--anomaly', '--data-dir', data], { encoding: 'utf8' });
    if (demo.status !== 0) throw new Error(`demo failed: ${demo.stderr}`);
    const db = openForReading(data);
    const now = Math.floor(Date.now() / 1000);
    const spans = [3600, 86_400, 7 * 86_400, 30 * 86_400, 90 * 86_400, 365 * 86_400];
    const queries: Record<string, (i: number) => unknown> = {
      'report query': (i) => totalsByApp(db, { since: now - (i % 30) * 86_400 - (spans[i % spans.length] ?? 86_400), until: now - (i % 30) * 86_400 }),
      'changes 7 d': () => JSON.stringify(changes(db, now, 7)),
      'status --json': () => JSON.stringify(plansStatus(db, now)),
    };
    const times = new Map<string, number[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const kib of round % 2 === 0 ? [PAGE_CACHE_KIB, DEFAULT_KIB] : [DEFAULT_KIB, PAGE_CACHE_KIB]) {
        db.pragma(`cache_size = -${kib}`);
        for (const [name, run] of Object.entries(queries)) {
          for (let i = 0; i < 30; i += 1) run(i); // warm this size's cache
          const list = times.get(`${name}@${kib}`) ?? [];
          for (let i = 0; i < 30; i += 1) {
            const t = performance.now();
            run(i);
            list.push(performance.now() - t);
          }
          times.set(`${name}@${kib}`, list);
        }
      }
    }
    db.close();
    return Object.keys(queries).map((name): Figure => {
      const p50 = (kib: number): number => percentile([...(times.get(`${name}@${kib}`) ?? [])].sort((a, b) => a - b), 50);
      const bounded = p50(PAGE_CACHE_KIB);
      const big = p50(DEFAULT_KIB);
      return { name: `${name} p50, ${PAGE_CACHE_KIB / 1024} MB / 16 MB cache`, value: +(bounded / big).toFixed(2), unit: '×', note: `${bounded.toFixed(2)} vs ${big.toFixed(2)} ms, ${rounds / 2 * 30} runs each, a year of demo data` };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npm run bench -- plans`: `netmon status --json` (plansStatus) and the "what changed" query over a
// year of demo data with a planted anomaly, a plan with free hours and two budgets.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { openForReading } from '../dist/src-main/cli/open-readonly.js';
import { plansStatus } from '../dist/src-main/engine/plans/status.js';
import { changes } from '../dist/src-main/engine/plans/changes-query.js';
import { NETMON, percentile, tempDir, type Figure } from './engine.ts';

function run(args: string[]): void {
  const r = spawnSync(process.execPath, [NETMON, ...args], { encoding: 'utf8' });
  if (r.status !== 0 && !(args[0] === 'status')) throw new Error(`netmon ${args.join(' ')} failed: ${r.stderr}`);
}

function timed(n: number, f: () => unknown): number[] {
  f(); // warm the statement cache
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}

export function benchPlans(): Figure[] {
  const dir = tempDir('netmon-bench-plans-');
  try {
    const data = path.join(dir, 'data');
    run(['demo', '--days', '365', '--anomaly', '--data-dir', data]);
    run(['plan', 'set', '--kind', 'monthly', '--day', '1', '--quota', '500', '--free-hours', '00-06', '--data-dir', data]);
    run(['budget', 'add', '--domain', 'youtube.com', '--quota', '20', '--data-dir', data]);
    run(['budget', 'add', '--app', 'Steam', '--quota', '50', '--data-dir', data]);
    const db = openForReading(data); // as `netmon status` and `netmon changes` open it
    const now = Math.floor(Date.now() / 1000);
    const status = timed(100, () => JSON.stringify(plansStatus(db, now)));
    const week = timed(100, () => JSON.stringify(changes(db, now, 7)));
    const month = timed(30, () => JSON.stringify(changes(db, now, 30)));
    db.close();
    const fig = (name: string, t: number[], note: string): Figure[] => [
      { name: `${name} p50 over a year`, value: +percentile(t, 50).toFixed(2), unit: 'ms', note },
      { name: `${name} p95 over a year`, value: +percentile(t, 95).toFixed(2), unit: 'ms', goal: '≤ 50 ms' },
    ];
    return [
      ...fig('status --json', status, 'monthly plan with free hours, 2 budgets, 100 runs'),
      ...fig('changes 7 d', week, 'apps and sites, planted anomaly, 100 runs'),
      ...fig('changes 30 d', month, '30 runs'),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

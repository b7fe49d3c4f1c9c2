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

/** Wall-clock and CPU milliseconds per run, each sorted. CPU time (this process's user + system) is
 * what the query costs; wall time adds whatever else the machine was doing (here: shared cores). */
function timed(n: number, f: () => unknown): { wall: number[]; cpu: number[] } {
  f(); // warm the statement cache
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
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
    const fig = (name: string, t: { wall: number[]; cpu: number[] }, note: string): Figure[] => [
      { name: `${name} p50 over a year`, value: +percentile(t.wall, 50).toFixed(2), unit: 'ms', note },
      { name: `${name} p95 over a year`, value: +percentile(t.wall, 95).toFixed(2), unit: 'ms', goal: '≤ 50 ms' },
      { name: `${name} CPU p50`, value: +percentile(t.cpu, 50).toFixed(2), unit: 'ms', note: 'CPU time of the process per run' },
      { name: `${name} CPU p95`, value: +percentile(t.cpu, 95).toFixed(2), unit: 'ms' },
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

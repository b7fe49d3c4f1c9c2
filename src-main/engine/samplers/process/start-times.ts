// Process start times, from `ps -o pid=,lstart=`: what tells a process from a later one that reused its
// pid (nettop labels a process `name.pid` and says nothing of when it started). `lstart` is the same
// column in macOS ps and procps; with LC_ALL=C it reads `Sat Dec  5 10:45:56 2026` (local time, whole
// seconds), taken here as epoch seconds. Only equality matters: the same process always gives the same value.
import { execFile } from 'node:child_process';

/** Start times (epoch seconds) of the pids that are running; a pid not running is absent. */
export type StartTimeReader = (pids: readonly number[]) => Promise<ReadonlyMap<number, number>>;

/** Parses `ps -o pid=,lstart=` output (LC_ALL=C). Unreadable lines are skipped. */
export function parseStartTimes(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})\s*$/.exec(line);
    if (m === null) continue;
    const month = MONTHS.indexOf(m[2] ?? '');
    if (month < 0) continue;
    const at = new Date(Number(m[7]), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime();
    if (Number.isFinite(at)) out.set(Number(m[1]), at / 1000);
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A StartTimeReader that runs `ps` (default `ps` on PATH). A pid that is gone is simply not listed. */
export function psStartTimes(psPath = 'ps'): StartTimeReader {
  return (pids) =>
    new Promise((resolve) => {
      if (pids.length === 0) {
        resolve(new Map());
        return;
      }
      const env = { ...process.env, LC_ALL: 'C' };
      // ps exits 1 when a listed pid is gone, and still prints the others.
      execFile(psPath, ['-o', 'pid=,lstart=', '-p', pids.join(',')], { env, timeout: 5000, maxBuffer: 4 * 1024 * 1024 }, (_error, stdout) => resolve(parseStartTimes(String(stdout))));
    });
}

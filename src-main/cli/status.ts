// `netmon status [--json]`: the plan's cycle, used, forecast (P20/P50/P80), crossing date, budgets and
// alerts, with an exit code scripts and cron can act on, as with vnStat's: 0 fine, 1 warning (≥ 80 %, or
// forecast to go over), 2 over (≥ 100 %). Reads only.
import { resolveDataDir } from '../engine/config.js';
import { plansStatus } from '../engine/plans/status.js';
import { formatBytes } from '../../src-shared/units.js';
import { UserError, type CommandContext } from './main.js';
import { openForReading } from './open-readonly.js';
import { stringFlag } from './options.js';
import { figureLines, planLines } from './plan.js';

const EXIT = { fine: 0, warning: 1, over: 2 } as const;

export function runStatus(ctx: CommandContext): Promise<number> {
  if (ctx.positionals.length > 0) throw new UserError(`unexpected ${JSON.stringify(ctx.positionals.join(' '))}`, 2);
  const db = openForReading(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  try {
    const status = plansStatus(db, Math.floor(Date.now() / 1000));
    if (ctx.values['json'] === true) {
      ctx.out(JSON.stringify(status, null, 2));
      return Promise.resolve(EXIT[status.level]);
    }
    const lines: string[] = [];
    if (status.plan === null) lines.push('No plan: `netmon plan set --kind monthly --day 1 --quota 50` sets one.');
    else lines.push(...planLines(status.plan));
    for (const b of status.budgets) {
      lines.push(`Budget ${b.budget.id}: ${b.budget.target.name} ≤ ${formatBytes(b.budget.quotaBytes)}`);
      lines.push(...figureLines(b));
    }
    for (const a of status.alerts.slice(0, 5)) lines.push(`Alert ${new Date(a.at * 1000).toLocaleString('sv-SE').slice(0, 16)}: ${a.title}. ${a.body}`);
    lines.push(`Status: ${status.level}`);
    ctx.out(lines.join('\n'));
    return Promise.resolve(EXIT[status.level]);
  } finally {
    db.close();
  }
}

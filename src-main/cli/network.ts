// `netmon network list|rename|metered`: the networks netmon saw (each uplink: its name, id, kind,
// whether it is metered and why, when last seen, bytes this month), and the user's word on one of them:
// a name, and metered or not (the user's mark beats the OS flag and netmon's guesses; `auto` and
// `--reset` give the guess back). The same marks as Settings › Networks; a running serve shows them
// at once (they live in the database, not in its memory).
import { formatBytes } from '../../src-shared/units.js';
import { resolveDataDir } from '../engine/config.js';
import { PrivacySettings } from '../engine/privacy/list.js';
import { markMetered, NetworkInputError, renameNetwork, type NetworkWriter } from '../engine/network/user-marks.js';
import { knownNetworks } from '../engine/queries/network-views.js';
import { UserError, type CommandContext } from './main.js';
import { openForReading, openForWriting } from './open-readonly.js';
import { stringFlag } from './options.js';
import { renderTable } from './table.js';

const USAGE = 'usage: netmon network list [--json] | rename ID NAME | rename ID --reset | metered ID yes|no|auto  [--data-dir DIR]';

function monthStart(nowS: number): number {
  const d = new Date(nowS * 1000);
  d.setDate(1);
  d.setHours(0, 0, 0, 0);
  return Math.floor(d.getTime() / 1000);
}

function withWriter(ctx: CommandContext, run: (write: NetworkWriter) => void): void {
  const db = openForWriting(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  try {
    run((w) => w(db));
  } catch (err) {
    if (err instanceof NetworkInputError) throw new UserError(`${err.message} (nothing was changed)`, 2);
    throw err;
  } finally {
    db.close();
  }
}

function list(ctx: CommandContext): number {
  const db = openForReading(resolveDataDir(stringFlag(ctx.values['data-dir'])));
  try {
    const nowS = Math.floor(Date.now() / 1000);
    const range = { since: monthStart(nowS), until: nowS };
    const found = knownNetworks(db, range);
    // Hidden networks (netmon privacy set ID hide --network) leave the list.
    const hidden = new Set(new PrivacySettings(resolveDataDir(stringFlag(ctx.values['data-dir']))).names('network', 'hide'));
    found.networks = found.networks.filter((n) => !hidden.has(n.network));
    if (ctx.values['json'] === true) {
      ctx.out(JSON.stringify({ since: range.since, until: range.until, approximate: found.approximate, networks: found.networks }, null, 2));
      return 0;
    }
    if (found.networks.length === 0) {
      ctx.out('netmon: no network recorded yet');
      return 0;
    }
    const metered = (m: boolean | null): string => (m === null ? '?' : m ? 'metered' : 'not metered');
    const rows = found.networks.map((n) => [
      n.label,
      n.network,
      n.kind || '—',
      `${metered(n.metered)}${n.meteredReason === '' ? '' : ` (${n.meteredReason})`}`,
      n.lastSeen === null ? '—' : new Date(n.lastSeen * 1000).toLocaleString(),
      `${found.approximate ? '~' : ''}${formatBytes(n.bytesIn + n.bytesOut)}`,
    ]);
    ctx.out(renderTable(['Network', 'Id', 'Kind', 'Metered', 'Last seen', 'This month'], rows, new Set([5])));
    return 0;
  } finally {
    db.close();
  }
}

export function runNetwork(ctx: CommandContext): Promise<number> {
  const [action, id, value, ...extra] = ctx.positionals;
  if (action === 'list' && id === undefined) return Promise.resolve(list(ctx));
  if (id === undefined || extra.length > 0) throw new UserError(USAGE, 2);
  if (action === 'rename') {
    const reset = ctx.values['reset'] === true;
    if (reset === (value !== undefined)) throw new UserError('rename takes a NAME, or --reset for netmon\'s own label', 2);
    withWriter(ctx, (write) => renameNetwork(write, id, reset ? null : (value ?? null)));
    ctx.out(reset ? `netmon: network ${id}: netmon's own label again` : `netmon: network ${id} is now called '${(value ?? '').trim()}'`);
    return Promise.resolve(0);
  }
  if (action === 'metered') {
    const marks: Record<string, boolean | null> = { yes: true, no: false, auto: null };
    if (value === undefined || !Object.hasOwn(marks, value)) throw new UserError(`metered: yes, no or auto (not '${value ?? ''}')`, 2);
    const mark = marks[value] ?? null;
    withWriter(ctx, (write) => markMetered(write, id, mark));
    ctx.out(`netmon: network ${id}: ${mark === null ? "netmon's guess again" : mark ? 'metered (your mark)' : 'not metered (your mark)'}`);
    return Promise.resolve(0);
  }
  throw new UserError(USAGE, 2);
}

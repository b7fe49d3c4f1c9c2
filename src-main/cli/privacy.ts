// `netmon privacy list|set NAME hide|private|normal` and `netmon forget NAME --yes`: the privacy list
// (DATA/privacy.json, engine/privacy) and forgetting a name's history. A running serve reads the list
// again in its next flush's transaction, and a forget's marker makes it drop what it still holds of the
// name. NAME is an app, a domain with --domain (a name like example.com is taken as a domain unless --app
// says otherwise), or a network's id with --network (as `netmon report --by network --json` gives it).
import { resolveDataDir } from '../engine/config.js';
import { createPrivacyAccess, type PrivacyAccess } from '../engine/privacy/actions.js';
import { PrivacyError, PrivacySettings } from '../engine/privacy/list.js';
import { rewriteName } from '../engine/store/privacy.js';
import { PRIVACY_LEVELS, PRIVATE_NETWORK_LABEL, type PrivacyKind, type PrivacyLevel } from '../../src-shared/privacy.js';
import { UserError, type CommandContext } from './main.js';
import { openForWriting } from './open-readonly.js';
import { stringFlag } from './options.js';
import { renderTable } from './table.js';

function kindOf(ctx: CommandContext, name: string): PrivacyKind {
  const flags = (['app', 'domain', 'network'] as const).filter((k) => ctx.values[k] === true);
  if (flags.length > 1) throw new UserError(`name one of --app, --domain or --network (not ${flags.map((f) => `--${f}`).join(' and ')})`, 2);
  if (ctx.values['network'] === true) return 'network';
  if (ctx.values['domain'] === true) return 'domain';
  if (ctx.values['app'] === true) return 'app';
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name) ? 'domain' : 'app';
}

function withAccess<T>(ctx: CommandContext, run: (access: PrivacyAccess) => T): T {
  const dataDir = resolveDataDir(stringFlag(ctx.values['data-dir']));
  const db = openForWriting(dataDir);
  try {
    // The rewrite waits for a running serve's flush (busy timeout) and never interleaves with it.
    return run(createPrivacyAccess(new PrivacySettings(dataDir), { rewriteName: (kind, name, to) => rewriteName(db, kind, name, to) }));
  } catch (err) {
    if (err instanceof PrivacyError) throw new UserError(`${err.message} (nothing was changed)`, 2);
    throw err;
  } finally {
    db.close();
  }
}

const USAGE = 'usage: netmon privacy list [--json] | set NAME hide|private|normal [--app|--domain|--network]  [--data-dir DIR]';

export function runPrivacy(ctx: CommandContext): Promise<number> {
  const [action, name, level, ...extra] = ctx.positionals;
  if (action === 'list' && name === undefined) {
    const dataDir = resolveDataDir(stringFlag(ctx.values['data-dir']));
    const entries = new PrivacySettings(dataDir).entries();
    if (ctx.values['json'] === true) ctx.out(JSON.stringify({ entries }, null, 2));
    else if (entries.length === 0) ctx.out('netmon: no app, domain or network has a privacy level (all normal)');
    else ctx.out(renderTable(['Kind', 'Name', 'Level'], entries.map((e) => [e.kind, e.name, e.level]), new Set()));
    return Promise.resolve(0);
  }
  if (action !== 'set' || name === undefined || level === undefined || extra.length > 0) throw new UserError(USAGE, 2);
  if (!PRIVACY_LEVELS.includes(level as PrivacyLevel)) throw new UserError(`level: one of hide, private, normal (not '${level}')`, 2);
  const kind = kindOf(ctx, name);
  const outcome = withAccess(ctx, (access) => access.set(kind, name, level as PrivacyLevel | 'normal'));
  const privateWords = kind === 'network' ? `counted under "${PRIVATE_NETWORK_LABEL}"; its id and label are no longer stored` : `counted under "Private"; its name is no longer stored`;
  const words = { hide: 'hidden from the views (still recorded and counted)', private: privateWords, normal: 'shown and stored as usual' };
  ctx.out(`netmon: ${kind} ${name}: ${words[level as keyof typeof words]}`);
  if (outcome.folded > 0) ctx.out(`netmon: ${outcome.folded} stored rows of it moved under the private row`);
  for (const line of outcome.moved ?? []) ctx.out(`netmon: ${line}`);
  return Promise.resolve(0);
}

export function runForget(ctx: CommandContext): Promise<number> {
  const [name, ...extra] = ctx.positionals;
  if (name === undefined || extra.length > 0) throw new UserError('usage: netmon forget NAME --yes [--app|--domain|--network] [--data-dir DIR]', 2);
  const kind = kindOf(ctx, name);
  if (ctx.values['yes'] !== true) {
    throw new UserError(`this deletes every stored row of the ${kind} '${name}' in every tier, for good: run again with --yes to confirm`, 2);
  }
  const outcome = withAccess(ctx, (access) => access.forget(kind, name));
  const rows = Object.entries(outcome.deleted);
  ctx.out(rows.length === 0 ? `netmon: nothing stored for the ${kind} '${outcome.name}'` : `netmon: forgot the ${kind} '${outcome.name}': ${rows.map(([t, n]) => `${n} ${t}`).join(', ')}`);
  return Promise.resolve(0);
}

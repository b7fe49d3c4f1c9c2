// `netmon token rotate`: a new pairing token in the data folder. A running netmon takes it within a
// second; the extension and every paired dashboard must pair again (the old token is refused).
import { resolveDataDir } from '../engine/config.js';
import { rotatePairingToken } from '../http/pairing.js';
import { UserError, type CommandContext } from './main.js';
import { stringFlag } from './options.js';
import { existsSync } from 'node:fs';

export function runToken(ctx: CommandContext): Promise<number> {
  const [action, ...extra] = ctx.positionals;
  if (action !== 'rotate' || extra.length > 0) throw new UserError('usage: netmon token rotate [--data-dir DIR]', 2);
  const dataDir = resolveDataDir(stringFlag(ctx.values['data-dir']));
  if (!existsSync(dataDir)) throw new UserError(`no data folder at ${dataDir}`);
  rotatePairingToken(dataDir);
  // The token itself is not printed (terminal scrollback, logs): serve prints a fresh pairing link.
  ctx.out('netmon: pairing token rotated; the old token is refused from now on.');
  ctx.out('netmon: pair again: the extension (paste the token from the dashboard\'s settings) and each browser (open the link netmon serve prints, or netmon serve --open).');
  return Promise.resolve(0);
}

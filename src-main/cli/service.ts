// `netmon service install|uninstall`: runs `netmon serve` as the user's own service, started at login,
// restarted after a crash, stopped with SIGTERM (so the buffer is written). Linux: a systemd user unit,
// enabled with `systemctl --user`; macOS: a LaunchAgent, loaded with `launchctl bootstrap`. The file is
// written first; registering it is a step the command runs and, should that fail (no user session
// bus, say), prints for the user to run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveDataDir } from '../engine/config.js';
import { UserError, type CommandContext } from './main.js';
import { stringFlag } from './options.js';
import { LAUNCHD_LABEL, SYSTEMD_UNIT_NAME, launchdPlist, systemdUnit, type ServiceSpec } from './service-units.js';

interface Target {
  file: string;
  text: string;
  register: string[][];
  unregister: string[][];
}

function target(platform: NodeJS.Platform, home: string, spec: ServiceSpec): Target {
  if (platform === 'linux') {
    return {
      file: path.join(process.env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), 'systemd', 'user', SYSTEMD_UNIT_NAME),
      text: systemdUnit(spec),
      register: [
        ['systemctl', '--user', 'daemon-reload'],
        ['systemctl', '--user', 'enable', '--now', SYSTEMD_UNIT_NAME],
      ],
      unregister: [['systemctl', '--user', 'disable', '--now', SYSTEMD_UNIT_NAME]],
    };
  }
  if (platform === 'darwin') {
    const file = path.join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
    const uid = String(process.getuid?.() ?? '');
    return {
      file,
      text: launchdPlist(spec),
      register: [['launchctl', 'bootstrap', `gui/${uid}`, file]],
      unregister: [['launchctl', 'bootout', `gui/${uid}/${LAUNCHD_LABEL}`]],
    };
  }
  throw new UserError(`no service manager netmon knows on ${platform}: run \`netmon serve\` from your own startup`);
}

function run(commands: string[][], out: (text: string) => void, skip: boolean): boolean {
  for (const argv of commands) {
    const shown = argv.join(' ');
    if (skip) {
      out(`netmon: now run: ${shown}`);
      continue;
    }
    const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 });
    if (result.status !== 0) {
      const why = result.error?.message ?? (result.stderr.trim() || `exit ${result.status}`);
      out(`netmon: \`${shown}\` failed (${why}); run it yourself once it can work`);
      return false;
    }
    out(`netmon: ran ${shown}`);
  }
  return true;
}

export function runService(ctx: CommandContext): Promise<number> {
  const action = ctx.positionals[0];
  if (action !== 'install' && action !== 'uninstall') throw new UserError('say `netmon service install` or `netmon service uninstall`', 2);
  const home = os.homedir();
  const dataFlag = stringFlag(ctx.values['data-dir']);
  const dataDir = resolveDataDir(dataFlag);
  const spec: ServiceSpec = {
    node: process.execPath,
    script: realpathSync(process.argv[1] ?? ''),
    args: dataFlag === undefined ? [] : ['--data-dir', path.resolve(dataFlag)],
    logDir: path.join(dataDir, 'logs'),
  };
  const t = target(process.platform, home, spec);
  // --no-start: write or remove the file only (tests, or a machine without a session manager).
  const skip = ctx.values['no-start'] === true;
  if (action === 'install') {
    mkdirSync(path.dirname(t.file), { recursive: true });
    writeFileSync(t.file, t.text, { mode: 0o644 });
    ctx.out(`netmon: wrote ${t.file}`);
    return Promise.resolve(run(t.register, ctx.out, skip) ? 0 : 1);
  }
  if (existsSync(t.file)) run(t.unregister, ctx.out, skip);
  rmSync(t.file, { force: true });
  ctx.out(`netmon: removed ${t.file}`);
  return Promise.resolve(0);
}

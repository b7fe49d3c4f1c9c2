// `netmon serve`: the monitor, headless, with the dashboard and API on 127.0.0.1. Prints the URL it
// serves, opens nothing unless asked, and stops cleanly (buffer written) on SIGTERM or SIGINT.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PORT, PAIRING_FRAGMENT_KEY } from '../../src-shared/contract/http.js';
import { PAIRING_CODE_FRAGMENT_KEY, PAIRING_CODE_TTL_S } from '../../src-shared/handshake.js';
import { resolveDataDir } from '../engine/config.js';
import { DatabaseTooNewError, DatabaseUnusableError } from '../engine/store/index.js';
import { SAMPLER_NAMES } from '../engine/sampler-choice.js';
import { PortInUseError, portInUseMessage } from '../http/server.js';
import { startRuntime } from '../runtime.js';
import { UserError, type CommandContext } from './main.js';
import { choiceFlag, intFlag, stringFlag } from './options.js';
import { watchParent } from './parent-watch.js';

/** The renderer's production build, next to the compiled engine. */
export function rendererBuildDir(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const dir = path.resolve(here, '..', '..', 'renderer');
  return existsSync(path.join(dir, 'index.html')) ? dir : null;
}

function openInBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`netmon: could not open a browser (${command}); visit ${url}\n`));
  child.unref();
}

export async function runServe(ctx: CommandContext): Promise<number> {
  const dataDir = resolveDataDir(stringFlag(ctx.values['data-dir']));
  const port = ctx.values['port'] === undefined ? undefined : intFlag(ctx.values['port'], '--port', DEFAULT_PORT, 0, 65535);
  const intervalS = ctx.values['interval'] === undefined ? undefined : intFlag(ctx.values['interval'], '--interval', 5, 1, 3600);
  const sampler = ctx.values['sampler'] === undefined ? undefined : choiceFlag(ctx.values['sampler'], '--sampler', SAMPLER_NAMES, 'auto');
  const staticDir = rendererBuildDir();

  // Signals are taken before anything starts: a SIGTERM that arrives while the runtime starts, or the
  // moment after the URL is printed, must still stop it cleanly rather than kill the process.
  let stopSignal: ((why: string) => void) | null = null;
  const requested = new Promise<string>((resolve) => (stopSignal = resolve));
  const onSignal = (signal: NodeJS.Signals): void => stopSignal?.(signal);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Orphaned (npm or npx stopped without passing the signal on, a terminal closed): stop the same way.
  const unwatch = watchParent((why) => stopSignal?.(why));
  try {
    let runtime;
    try {
      runtime = await startRuntime({ dataDir, port, intervalS, sampler, nettopPath: stringFlag(ctx.values['nettop-path']), netstatPath: stringFlag(ctx.values['netstat-path']), helperPath: stringFlag(ctx.values['helper-path']), staticDir, metricsTextfile: stringFlag(ctx.values['metrics-textfile']) });
    } catch (err) {
      // The port that was taken: --port, or web_server_port from config.json.
      if (err instanceof PortInUseError) throw new UserError(portInUseMessage(err.port, `choose another with --port ${err.port + 1}`));
      if (err instanceof DatabaseTooNewError || err instanceof DatabaseUnusableError) throw new UserError(err.message);
      throw err;
    }
    for (const notice of runtime.notices) process.stderr.write(`netmon: ${notice}\n`);
    ctx.out(`netmon: serving ${runtime.server.url}/`);
    // The fragment never reaches the server; the page keeps the token so that it may change settings.
    const dashboard = `${runtime.server.url}/#${PAIRING_FRAGMENT_KEY}=${runtime.token}`;
    ctx.out(`netmon: dashboard ${dashboard}`);
    ctx.out(`netmon: sampler ${runtime.monitor.samplerHealth().sampler} (${runtime.samplerWhy}); data in ${runtime.dataDir}`);
    if (staticDir === null) ctx.out('netmon: the dashboard is not built (npm run build); serving the API only');
    if (ctx.values['open'] === true && ctx.values['no-open'] !== true) {
      // Never the token on the browser's command line (/proc/PID/cmdline is world-readable, and a
      // browser started by it keeps that argv for its whole life): a one-time code, good for 2 minutes,
      // that the page exchanges for the token after checking the server knows it.
      const code = runtime.server.issuePairingCode();
      openInBrowser(`${runtime.server.url}/#${PAIRING_CODE_FRAGMENT_KEY}=${code}`);
      ctx.out(`netmon: opened the dashboard with a one-time pairing code (good for ${PAIRING_CODE_TTL_S / 60} minutes)`);
    }

    const signal = await requested;
    process.stderr.write(`netmon: ${signal}: writing buffered rows and stopping\n`);
    try {
      await runtime.stop();
    } catch (err) {
      process.stderr.write(`netmon: stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
  } finally {
    unwatch();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  return 0;
}

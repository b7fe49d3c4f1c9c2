// The `netmon` command line: parses the verb and hands over to its command. Usage errors exit 2 with
// the command's help; runtime errors exit 1 with one clear line, never a stack trace.
import type { ParseArgsConfig } from 'node:util';
import { createLogger } from '../engine/log.js';

// Not `import … from 'node:util'`: an ESM import reads every export of util to build its namespace,
// and the lazy ones load streams, diff and colour helpers (≈ 2.5 MB resident) the CLI never uses.
const { parseArgs } = process.getBuiltinModule('node:util');

const log = createLogger('cli');

/** What a command receives: its parsed flags and positionals, and where to write for the user. */
export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  out: (text: string) => void;
}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Takes a subcommand and arguments (`netmon plan set …`). */
  positionals?: boolean;
  run: (ctx: CommandContext) => Promise<number>;
}

/** An error meant for the user: printed as one line, exit code 1 (or the code given). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

const dataDir = { type: 'string' } as const;

const COMMANDS: Record<string, Command> = {
  serve: {
    summary: 'run the monitor headless and serve the dashboard and API on 127.0.0.1',
    usage: 'netmon serve [--port 7500] [--data-dir DIR] [--interval S] [--sampler auto|nettop|linux|ebpf] [--nettop-path PATH] [--netstat-path PATH] [--helper-path PATH] [--metrics-textfile FILE.prom] [--no-open]',
    options: {
      port: { type: 'string' },
      'data-dir': dataDir,
      interval: { type: 'string' },
      sampler: { type: 'string' },
      'nettop-path': { type: 'string' },
      'netstat-path': { type: 'string' },
      'helper-path': { type: 'string' },
      'metrics-textfile': { type: 'string' },
      open: { type: 'boolean' },
      'no-open': { type: 'boolean' },
    },
    run: async (ctx) => (await import('./serve.js')).runServe(ctx),
  },
  report: {
    summary: 'print usage per application (or per domain, network or interface) for a range',
    usage: 'netmon report [--by app|domain|network|interface] [--app NAME (with --by domain)] [--since today|24h|7d|30d|ISO] [--until ISO] [--json] [--data-dir DIR]',
    options: { by: { type: 'string' }, app: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': dataDir },
    run: async (ctx) => (await import('./report.js')).runReport(ctx),
  },
  export: {
    summary: 'write usage rows as CSV or JSON for any range',
    usage: 'netmon export --format csv|json [--by app|domain|hour|day] [--since …] [--until …] [--output FILE [--force]] [--data-dir DIR]',
    options: {
      format: { type: 'string' },
      by: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      output: { type: 'string' },
      force: { type: 'boolean' },
      'data-dir': dataDir,
    },
    run: async (ctx) => (await import('./export.js')).runExport(ctx),
  },
  doctor: {
    summary: 'say which sampler works here, what it can see, and the database health',
    usage: 'netmon doctor [--data-dir DIR] [--nettop-path PATH] [--helper-path PATH] [--json]',
    options: { 'data-dir': dataDir, 'nettop-path': { type: 'string' }, 'helper-path': { type: 'string' }, json: { type: 'boolean' } },
    run: async (ctx) => (await import('./doctor.js')).runDoctor(ctx),
  },
  service: {
    summary: 'install or remove netmon serve as your login service (systemd user unit, launchd agent)',
    usage: 'netmon service install|uninstall [--data-dir DIR] [--no-start]',
    options: { 'data-dir': dataDir, 'no-start': { type: 'boolean' } },
    positionals: true,
    run: async (ctx) => (await import('./service.js')).runService(ctx),
  },
  token: {
    summary: 'rotate the pairing token (the extension and paired dashboards must pair again)',
    usage: 'netmon token rotate [--data-dir DIR]',
    positionals: true,
    options: { 'data-dir': dataDir },
    run: async (ctx) => (await import('./token.js')).runToken(ctx),
  },
  privacy: {
    summary: 'hide an app, domain or network from the views, or keep it private (counted under "Private", name never stored)',
    usage: 'netmon privacy list [--json] | set NAME hide|private|normal [--app|--domain|--network]  [--data-dir DIR]',
    positionals: true,
    options: { app: { type: 'boolean' }, domain: { type: 'boolean' }, network: { type: 'boolean' }, json: { type: 'boolean' }, 'data-dir': dataDir },
    run: async (ctx) => (await import('./privacy.js')).runPrivacy(ctx),
  },
  forget: {
    summary: 'delete all history of an app, domain or network (asks for --yes)',
    usage: 'netmon forget NAME --yes [--app|--domain|--network] [--data-dir DIR]',
    positionals: true,
    options: { yes: { type: 'boolean' }, app: { type: 'boolean' }, domain: { type: 'boolean' }, network: { type: 'boolean' }, 'data-dir': dataDir },
    run: async (ctx) => (await import('./privacy.js')).runForget(ctx),
  },
  network: {
    summary: 'list the networks netmon saw; name one, mark it metered or not (your mark beats the guess)',
    usage: 'netmon network list [--json] | rename ID NAME | rename ID --reset | metered ID yes|no|auto  [--data-dir DIR]',
    positionals: true,
    options: { json: { type: 'boolean' }, reset: { type: 'boolean' }, 'data-dir': dataDir },
    run: async (ctx) => (await import('./network.js')).runNetwork(ctx),
  },
  demo: {
    summary: 'fill a data folder with realistic synthetic history, for trying the dashboard',
    usage: 'netmon demo --days N [--data-dir DIR] [--seed N] [--force] [--anomaly]',
    options: { days: { type: 'string' }, 'data-dir': dataDir, seed: { type: 'string' }, force: { type: 'boolean' }, anomaly: { type: 'boolean' } },
    run: async (ctx) => (await import('./demo.js')).runDemo(ctx),
  },
  plan: {
    summary: 'set or show the data plan (billing cycle, quota), calibrate it, top up a bucket',
    usage:
      'netmon plan set --kind monthly|every-n-days|weekly|daily|one-time|bucket --quota GB [--day D] [--anchor DATE --every N] [--weekday mon] [--start DATE] [--expiry DATE] [--direction total|download|upload] [--free-hours 00-06] [--rollover] [--network all|ID] | show [--json] | calibrate --used GB | top-up [--quota GB] | remove  [--data-dir DIR]',
    positionals: true,
    options: {
      kind: { type: 'string' },
      quota: { type: 'string' },
      day: { type: 'string' },
      anchor: { type: 'string' },
      every: { type: 'string' },
      weekday: { type: 'string' },
      start: { type: 'string' },
      expiry: { type: 'string' },
      direction: { type: 'string' },
      'free-hours': { type: 'string' },
      rollover: { type: 'boolean' },
      network: { type: 'string' },
      used: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': dataDir,
    },
    run: async (ctx) => (await import('./plan.js')).runPlan(ctx),
  },
  budget: {
    summary: 'per-cycle budgets for one app or one site',
    usage: 'netmon budget add (--app NAME | --domain SITE) --quota GB [--direction total|download|upload] | list [--json] | remove ID  [--data-dir DIR]',
    positionals: true,
    options: { app: { type: 'string' }, domain: { type: 'string' }, quota: { type: 'string' }, direction: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': dataDir },
    run: async (ctx) => (await import('./plan.js')).runBudget(ctx),
  },
  status: {
    summary: 'the plan and budgets now: used, forecast, alerts; exit 0 fine, 1 warning, 2 over',
    usage: 'netmon status [--json] [--data-dir DIR]',
    options: { json: { type: 'boolean' }, 'data-dir': dataDir },
    run: async (ctx) => (await import('./status.js')).runStatus(ctx),
  },
  changes: {
    summary: 'what changed: apps and sites this week against last week and the 4-week median',
    usage: 'netmon changes [--since 7d] [--json] [--data-dir DIR]',
    options: { since: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': dataDir },
    run: async (ctx) => (await import('./changes.js')).runChanges(ctx),
  },
};

function help(): string {
  const lines = ['netmon: where did my bandwidth go?', '', 'commands:'];
  for (const [name, command] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${command.summary}`);
  lines.push('', 'netmon COMMAND --help shows a command\'s flags.');
  return lines.join('\n');
}

/** Runs `netmon ARGS…` and resolves to the process exit code. */
export async function main(argv: string[], out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    out(help());
    return verb === undefined ? 2 : 0;
  }
  const command = COMMANDS[verb];
  if (command === undefined) {
    process.stderr.write(`netmon: unknown command ${JSON.stringify(verb)}\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`usage: ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.positionals === true, strict: true }) as typeof parsed;
  } catch (err) {
    process.stderr.write(`netmon ${verb}: ${err instanceof Error ? err.message : String(err)}\nusage: ${command.usage}\n`);
    return 2;
  }
  try {
    return await command.run({ ...parsed, out });
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`netmon ${verb}: ${err.message}\n`);
      return err.exitCode;
    }
    log.error(`${verb} failed`, { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.stderr.write(`netmon ${verb}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

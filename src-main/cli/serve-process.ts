// How the `netmon serve` process is set up, in one place: `bin/netmon.js` applies it (re-executing
// itself once, same pid, for what only takes effect at process start), the systemd user unit written by
// `netmon service install` carries its environment, and the soak (`npm run bench -- soak`) runs its
// child with the same flags and environment, so that it measures the process users run.
//
// Plain data and one pure function, no imports: bin/netmon.js loads this before anything else of ours.

/**
 * The environment serve runs with on Linux. glibc's malloc gives each thread that allocates its own
 * arena (up to 8 per core) and keeps what was freed there for reuse; V8's helper threads (GC, compiler)
 * each take one. In the 30-day soak run as serve runs (`npm run bench -- soak`, 2 shared cores), the
 * default made five thread arenas holding 4.8 MB and left 74.4 MB resident on day 30; with two arenas
 * for the whole process the helper threads share one (1.2-2.2 MB) and day 30 ended at 71.8-72.6 MB
 * (four runs, drift from day 1 1.0-1.4 %). One arena measured the same as two.
 * Read by glibc at process start only; other C libraries (musl) and other systems ignore it.
 */
export const SERVE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/**
 * V8 flags fixed when V8 sets up its heap, so given on serve's command line: under thousands of short
 * connections V8 grew its young generation to two 16 MB halves and kept them (see bin/netmon.js).
 */
export const SERVE_START_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/**
 * V8 flags serve sets before any of our code loads (`v8.setFlagsFromString`): no TurboFan, unused
 * bytecode dropped (see bin/netmon.js).
 */
export const SERVE_V8_FLAGS = '--no-opt --bytecode-old-age=1';

/** The environment variables serve wants on this platform (glibc's only matter on Linux). */
export function serveEnv(platform: NodeJS.Platform): Readonly<Record<string, string>> {
  return platform === 'linux' ? SERVE_ENV : {};
}

/**
 * What serve still lacks of its start-time settings in this process: the start flags not given (on the
 * command line or in NODE_OPTIONS) and the environment variables not set (a value the user set is
 * kept). Null when nothing is missing, so the re-execution happens at most once.
 */
export function serveRestart(
  platform: NodeJS.Platform,
  execArgv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { flags: string[]; env: Record<string, string> } | null {
  const given = (flag: string): boolean => {
    const name = flag.split('=')[0]!;
    return execArgv.some((arg) => arg.startsWith(name)) || (env['NODE_OPTIONS'] ?? '').includes(name);
  };
  const flags = SERVE_START_FLAGS.filter((flag) => !given(flag));
  const missing = Object.entries(serveEnv(platform)).filter(([key]) => env[key] === undefined);
  if (flags.length === 0 && missing.length === 0) return null;
  return { flags, env: Object.fromEntries(missing) };
}

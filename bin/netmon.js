#!/usr/bin/env node
// Entry point of the `netmon` command. `npm run build` compiles the engine with tsc (dist/src-main)
// and bundles the CLI from that output (dist/bundle/cli, vite.engine.config.ts); the bundle is what
// runs, for its smaller resident memory under `netmon serve`.
import { nodeProblem } from './node-guard.js';

// First of all: an older Node would crash loading the native SQLite binding, without a word.
const tooOld = nodeProblem(process.versions, process.execPath);
if (tooOld !== null) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(1);
}

const { statSync } = process.getBuiltinModule('node:fs');

// What serve needs at process start is in src-main/cli/serve-process.ts (also read by the systemd unit
// and the soak bench): V8's young generation ceiling (--max-semi-space-size=1: under ~2 800 short
// connections/s V8 grew its semi-spaces from 1 to 16 MB during the burst and kept them, ≈ 33 MB
// resident; with the ceiling serve's RSS after the burst went from 105 to 77 MB, CPU per connection did
// not rise, measured with `npm run bench -- capture`), and on Linux glibc's MALLOC_ARENA_MAX (free
// memory kept in V8's helper threads' malloc arenas made the soak's RSS drift). Neither can be set
// from here once the process runs, so serve re-executes itself once (same pid, nothing started yet)
// with what is missing. Skipped where process.execve is missing (Node < 22.15, Windows).
if (process.argv[2] === 'serve' && typeof process.execve === 'function' && process.platform !== 'win32') {
  const { serveRestart } = await import('../dist/src-main/cli/serve-process.js');
  const restart = serveRestart(process.platform, process.execArgv, process.env);
  if (restart !== null) {
    try {
      process.execve(process.execPath, [process.execPath, ...restart.flags, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...restart.env });
    } catch (error) {
      // Only memory is at stake: serve runs on with the defaults rather than not at all.
      process.stderr.write(`netmon: could not restart with ${[...restart.flags, ...Object.entries(restart.env).map(([k, v]) => `${k}=${v}`)].join(' ')} (${error instanceof Error ? error.message : String(error)}); going on without it\n`);
    }
  }
}

if (process.argv[2] === 'serve') {
  // `serve` idles for months, so it trades a little speed for memory (measured with `npm run bench --
  // idle`, idle CPU did not rise): no TurboFan, whose compiler pages and zones cost ≈ 6 MB resident
  // for a poll every few seconds (Ignition, Sparkplug and Maglev remain); and bytecode not run since
  // the last full GC is dropped (recompiled if ever needed), so start-up and request code does not
  // stay resident while idle (≈ 0.8 MB). Set before the engine loads (SERVE_V8_FLAGS). The short
  // commands (report, export, demo) keep V8's defaults: they are busy, not idle.
  const { SERVE_V8_FLAGS } = await import('../dist/src-main/cli/serve-process.js');
  process.getBuiltinModule('node:v8').setFlagsFromString(SERVE_V8_FLAGS);
}

const dist = new URL('../dist/', import.meta.url);
const mtime = (relative) => statSync(new URL(relative, dist), { throwIfNoEntry: false })?.mtimeMs ?? -1;
// After a bare `tsc -b` (without the bundle step) the bundle is older than the compiled files: run
// those then, rather than yesterday's code.
const bundled = mtime('bundle/cli/main.js') >= Math.max(mtime('src-main/tsconfig.tsbuildinfo'), mtime('src-shared/tsconfig.tsbuildinfo'));
const { main } = await import(bundled ? '../dist/bundle/cli/main.js' : '../dist/src-main/cli/main.js');

process.exitCode = await main(process.argv.slice(2));

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

// The young generation's ceiling is fixed when V8 sets up its heap, so it cannot be set from here like
// the flags below: serve re-executes itself (same pid, nothing started yet) with it. Measured with `npm
// run bench -- capture` (eBPF sampler, ~2 800 short connections/s): V8 grew its semi-spaces from 1 to
// 16 MB during the burst and kept them (≈ 33 MB resident) long after it; with a 1 MB ceiling serve's RSS
// after the burst went from 105 to 77 MB, CPU per connection did not rise (more, cheaper scavenges: what
// survives one is little). Skipped where process.execve is missing (Node < 22.15, Windows) or the flag
// was already given.
const SEMI_SPACE = '--max-semi-space-size=1';
if (
  process.argv[2] === 'serve' &&
  typeof process.execve === 'function' &&
  process.platform !== 'win32' &&
  !process.execArgv.some((arg) => arg.startsWith('--max-semi-space-size')) &&
  !(process.env.NODE_OPTIONS ?? '').includes('--max-semi-space-size')
) {
  try {
    process.execve(process.execPath, [process.execPath, SEMI_SPACE, ...process.execArgv, ...process.argv.slice(1)], process.env);
  } catch (error) {
    // Only memory is at stake: serve runs on with V8's default young generation rather than not at all.
    process.stderr.write(`netmon: could not restart with ${SEMI_SPACE} (${error instanceof Error ? error.message : String(error)}); going on without it\n`);
  }
}

if (process.argv[2] === 'serve') {
  // `serve` idles for months, so it trades a little speed for memory (measured with `npm run bench --
  // idle`, idle CPU did not rise): no TurboFan, whose compiler pages and zones cost ≈ 6 MB resident
  // for a poll every few seconds (Ignition, Sparkplug and Maglev remain); and bytecode not run since
  // the last full GC is dropped (recompiled if ever needed), so start-up and request code does not
  // stay resident while idle (≈ 0.8 MB). Set before any of our code loads. The short commands
  // (report, export, demo) keep V8's defaults: they are busy, not idle.
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-opt --bytecode-old-age=1');
}

const dist = new URL('../dist/', import.meta.url);
const mtime = (relative) => statSync(new URL(relative, dist), { throwIfNoEntry: false })?.mtimeMs ?? -1;
// After a bare `tsc -b` (without the bundle step) the bundle is older than the compiled files: run
// those then, rather than yesterday's code.
const bundled = mtime('bundle/cli/main.js') >= Math.max(mtime('src-main/tsconfig.tsbuildinfo'), mtime('src-shared/tsconfig.tsbuildinfo'));
const { main } = await import(bundled ? '../dist/bundle/cli/main.js' : '../dist/src-main/cli/main.js');

process.exitCode = await main(process.argv.slice(2));

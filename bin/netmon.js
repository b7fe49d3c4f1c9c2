#!/usr/bin/env node
// Entry point of the `netmon` command. `npm run build` compiles the engine with tsc (dist/src-main)
// and bundles the CLI from that output (dist/bundle/cli, vite.engine.config.ts); the bundle is what
// runs, for its smaller resident memory under `netmon serve`.
const { statSync } = process.getBuiltinModule('node:fs');

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

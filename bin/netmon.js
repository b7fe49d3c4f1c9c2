#!/usr/bin/env node
// Entry point of the `netmon` command: runs the compiled CLI (`npm run build` makes dist/).

if (process.argv[2] === 'serve') {
  // `serve` idles for months: its hot code (a poll every few seconds) is not worth TurboFan, whose
  // compiler pages and compile zones cost ≈ 6 MB resident; Ignition, Sparkplug and Maglev remain, and
  // idle CPU did not rise (measured with `npm run bench -- idle`). Set before any of our code loads.
  // The short commands (report, export, demo) keep the default tiers: they are busy, not idle.
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-opt');
}

const { main } = await import('../dist/src-main/cli/main.js');

process.exitCode = await main(process.argv.slice(2));

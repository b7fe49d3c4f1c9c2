// Where this install's netmon-capture helper is, and what to say when it is not there or stopped.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeStartError, type ChildSubject } from '../kit/describe-child.js';
import type { ChildExit } from '../process/index.js';

/** The helper of this install: `dist/helper/netmon-capture` next to the compiled engine. */
export function defaultHelperPath(): string {
  return helperPathFrom(path.dirname(fileURLToPath(import.meta.url)));
}

/**
 * The helper for an engine module in `moduleDir`: this file is dist/src-main/engine/samplers/ebpf/ (tsc)
 * or inside dist/bundle (vite), so walk up to the `dist` folder either way; from the sources (vitest),
 * the repository's dist. In the packaged app the engine runs from resources/app.asar and the helper is
 * unpacked beside it (electron-builder.yml asarUnpack): an executable cannot run from inside the archive.
 */
export function helperPathFrom(moduleDir: string): string {
  let dir = moduleDir;
  for (let i = 0; i < 8; i++) {
    if (path.basename(dir) === 'dist') return path.join(dir, 'helper', 'netmon-capture').replace(/([/\\])app\.asar([/\\])/, '$1app.asar.unpacked$2');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(moduleDir, '../../../../dist/helper/netmon-capture');
}

/** How to build the helper (and the Debian packages it needs). */
export const BUILD_FIX = 'build it: npm run build:helper (Debian packages: clang bpftool libbpf-dev libelf-dev zlib1g-dev)';

/** The program a helper command line starts (the launcher's, when there is one), as named in failures. */
export function helperSubject(command: string, helperPath: string): ChildSubject {
  return command === helperPath ? { command, notFound: `netmon-capture is missing at ${helperPath}: build it with npm run build:helper` } : { command };
}

/** Why the helper stopped, in words a user can act on: its own last word on stderr when it said one. */
export function describeHelperExit(exit: ChildExit, command: string, helperPath: string, said: string | null): string {
  if (exit.error !== null) return describeStartError(exit.error, helperSubject(command, helperPath));
  if (said !== null) return said;
  return `netmon-capture died (${exit.code !== null ? `exit status ${exit.code}` : `signal ${exit.signal ?? 'unknown'}`})`;
}

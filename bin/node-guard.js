// The Node version netmon needs, checked before anything else loads: on an older Node the native
// SQLite binding (built for 22) crashes with a segmentation fault and no message, and the CLI's
// process.getBuiltinModule does not exist. Plain JavaScript that any Node since 12 parses.
export const NODE_MINIMUM = [22, 12, 0];

/** The one-line problem with `versions` (process.versions), or null when this Node will do. */
export function nodeProblem(versions, execPath) {
  const found = String(versions?.node ?? '0.0.0');
  const parts = found.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < NODE_MINIMUM.length; i += 1) {
    if ((parts[i] ?? 0) > NODE_MINIMUM[i]) return null;
    if ((parts[i] ?? 0) < NODE_MINIMUM[i]) {
      return `netmon needs Node.js ${NODE_MINIMUM.join('.')} or newer, but this is Node.js ${found} (${execPath}); run it through the project's scripts (npm ci && npm run serve bring their own Node 22, see the README) or install Node 22`;
    }
  }
  return null;
}

// The process toolkit of the samplers: spawn in a group, run once with limits, read the process table,
// kill a whole tree, back off, remember pids for stray reaping, keep one child running.
export { Backoff, type BackoffOptions } from './backoff.js';
export { PidRegistry } from './pid-registry.js';
export { isZombie, parseCpuTime, parsePsTable, processTree, PS_ARGS, psProcessTable, treeCpuSeconds, type ProcessRow, type ProcessTableReader } from './ps-table.js';
export { parseStartTimes, psStartTimes, type StartTimeReader } from './start-times.js';
export { RestartingChild, type RestartingChildOptions } from './restarting-child.js';
export { runChecked, runOnce, type RunCheckedOptions, type RunOnceOptions, type RunOnceResult } from './run-once.js';
export { spawnInGroup, type ChildExit, type GroupChild, type SpawnSpec } from './spawn.js';
export { pidExists, terminateTree, type TerminateOptions } from './terminate-tree.js';
export { findExecutable } from './find-executable.js';

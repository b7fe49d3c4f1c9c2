// What the engine stores of a process outside the usage rows (the resume baselines): a private app's
// process is written under the private row's name, never its own; its pid and start time stay, which is
// all a restart needs to know it is the same process.
import { PRIVATE_APP } from '../../../src-shared/privacy.js';
import { appForProcess, type Platform } from '../attribution/index.js';
import type { OwnerRedactor } from '../resume/index.js';
import type { ProcessInfo } from '../types.js';
import type { PrivacyView } from './list.js';

/** Replaces the owner of a private app by one that names only the private row. */
export function privateOwnerRedactor(privacy: PrivacyView, platform: Platform): OwnerRedactor {
  return (owner) => {
    if (privacy.level('app', appForProcess(owner, platform)) !== 'private') return owner;
    const kept: ProcessInfo = { pid: owner.pid, name: PRIVATE_APP };
    if (owner.startTime !== undefined) kept.startTime = owner.startTime;
    return kept;
  };
}

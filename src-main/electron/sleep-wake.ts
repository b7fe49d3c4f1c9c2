// A system sleep: the engine stops its sampler when the system says it is going to sleep and starts a
// fresh one at the wake (a streaming nettop can spin or stall after a wake), recording the sleep as
// one gap and keeping every byte measured before it (Runtime.suspend / wake, engine/sleep.ts).
// `netmon serve` has no powerMonitor; there the delta engine's clock check records a sleep on Linux.
import { powerMonitor } from 'electron';
import { createLogger } from '../engine/log.js';

const log = createLogger('electron');

export interface SleepingEngine {
  suspend(): Promise<void>;
  wake(): Promise<void>;
}

/** Follows powerMonitor's suspend and resume; returns what stops following them. */
export function followSleep(engine: SleepingEngine): () => void {
  const onSuspend = (): void => {
    engine.suspend().catch((err: unknown) => log.error('preparing the engine for the sleep failed', { error: err }));
  };
  const onResume = (): void => {
    engine.wake().catch((err: unknown) => log.error('waking the engine failed', { error: err }));
  };
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  return () => {
    powerMonitor.off('suspend', onSuspend);
    powerMonitor.off('resume', onResume);
  };
}

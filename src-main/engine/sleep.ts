// A system sleep seen from the engine (the desktop app hears of it from Electron's powerMonitor; serve
// never does, and the delta engine's clock check covers it there on Linux).
//
// Why the monitor needs telling: intervals are measured on the monotonic clock, and the delta engine
// takes "the wall clock moved more than the monotonic one" as a sleep (delta.ts). That holds where the
// monotonic clock stops while the machine sleeps (Linux's CLOCK_MONOTONIC), but Node's clock on macOS
// is libuv's mach_continuous_time, which keeps counting through a sleep: there, the first sample after
// a wake would be one interval as long as the sleep, its bytes spread over it, and no gap. So the
// monitor notes when the sleep began and, at the wake, takes the monotonic time since then out of the
// delta state: the next sample then has the monotonic length of what was really measured (before the
// suspend and after the wake), the wall clock says the rest, and the delta engine records that rest
// as one 'sleep-or-clock-jump' gap. On Linux the monotonic time taken out is the second or so between
// the two notifications, while the sampler is stopped, so the sleep is still one gap, never two.
import type { DeltaState } from './delta.js';

/** Both clocks when the system said it was going to sleep. */
export interface SleepMark {
  wallMs: number;
  monoMs: number;
}

/**
 * The delta state as if the monotonic clock had stood still from the suspend (`from`) to the wake
 * (`wakeMonoMs`), or from the last sample if one came after the suspend (a sampler's last sample when
 * stopped): the next interval's monotonic length leaves the sleep out, so the delta engine places the
 * sleep as a gap and the interval's bytes at their true length. The cursor and the counters are
 * untouched: every byte since the last sample is still counted, once.
 */
export function withoutSleep(state: DeltaState, from: SleepMark, wakeMonoMs: number): DeltaState {
  if (!state.started) return state;
  const sleptMonoMs = wakeMonoMs - Math.max(from.monoMs, state.lastMonoMs);
  if (!(sleptMonoMs > 0)) return state;
  return { ...state, lastMonoMs: state.lastMonoMs + sleptMonoMs };
}

// What an empty view says instead of a blank chart: why there is nothing yet and when there will be.
import type { LiveRate, StatusInfo } from '../../src-shared/contract/types.js';
import { formatClock } from './format.js';

/** The facts the message is made of. */
export interface CollectingInput {
  status: StatusInfo | null;
  latest: LiveRate | null;
  /** The sampling interval in seconds, when the settings are known. */
  intervalS: number | null;
  timeZone?: string | undefined;
}

/**
 * Why there is no data to show yet, or null when the engine has stored samples (an empty view is
 * then simply a quiet range). Paused and failing samplers say so before anything else.
 */
export function collectingMessage(input: CollectingInput): string | null {
  const { status, latest, intervalS } = input;
  if (status === null) return 'connecting to netmon…';
  if (status.pause.paused) {
    return status.pause.until === null ? 'capture is paused until resumed' : `capture is paused until ${formatClock(status.pause.until, input.timeZone)}`;
  }
  if (status.lastSampleAt !== null) return null;
  const sampler = status.sampler;
  if (sampler.state === 'failing' || sampler.state === 'stopped') {
    return `the ${sampler.sampler} sampler is ${sampler.state}${sampler.reason === null ? '' : `: ${sampler.reason}`} — nothing is being collected`;
  }
  if (latest !== null) return 'collecting — live numbers are coming in; the first stored numbers follow shortly';
  if (intervalS === null) return 'collecting — first numbers after the first sampling interval';
  const wait = Math.ceil(intervalS - status.uptimeS);
  return wait >= 1 ? `collecting — first numbers in ${wait} s` : 'collecting — first numbers any moment now';
}

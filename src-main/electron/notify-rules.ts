// Which notifications fire, and when. Pure: the shell polls the engine, passes what it saw and the
// memory of what was already said, and shows what comes back.
import { assertNever, type PeriodTotals, type SamplerHealthView } from '../../src-shared/contract/types.js';
import { formatBytes } from '../../src-shared/units.js';

/** What was already said, so that nothing is said twice (the usage day is kept across restarts). */
export interface NotifyMemory {
  /** Local midnight (epoch s) of the day whose high usage was announced, or null. */
  usageAlertDay: number | null;
  /** Epoch s since which the sampler has been failing without a break, or null. */
  failingSince: number | null;
  /** Whether the current failing spell was announced. */
  failingAnnounced: boolean;
}

/** The starting memory. */
export const FRESH_MEMORY: Readonly<NotifyMemory> = Object.freeze({ usageAlertDay: null, failingSince: null, failingAnnounced: false });

/** What the shell saw on one poll. */
export interface NotifyFacts {
  /** Epoch seconds now. */
  nowS: number;
  /** `enable_notifications` from the config. */
  enabled: boolean;
  /** `high_usage_threshold_gb` from the config (decimal GB, as the dashboard prints them). */
  thresholdGb: number;
  /** Today's totals (`usage:summary`), or null when they could not be read. */
  today: PeriodTotals | null;
  /** The sampler's health (`status:get`), or null when it could not be read. */
  sampler: Pick<SamplerHealthView, 'state' | 'reason'> | null;
}

export type NoticeKind = 'high-usage' | 'sampler-failing';

/** A notification to show. */
export interface Notice {
  kind: NoticeKind;
  title: string;
  body: string;
}

/** A sampler must fail this long without a break before the user is told (restarts with backoff get their chance first). */
export const SAMPLER_FAILING_GRACE_S = 120;

const BYTES_PER_GB = 1e9;

/** Decides the notifications of one poll and the memory after it. */
export function decideNotices(memory: NotifyMemory, facts: NotifyFacts): { memory: NotifyMemory; notices: Notice[] } {
  const notices: Notice[] = [];
  const next: NotifyMemory = { ...memory };

  if (facts.today !== null) {
    const used = facts.today.bytesIn + facts.today.bytesOut;
    const threshold = facts.thresholdGb * BYTES_PER_GB;
    // A day announced stays announced even if notifications are switched off and on again; a day not yet
    // announced while they were off is announced when they come back on.
    if (facts.enabled && threshold > 0 && used >= threshold && memory.usageAlertDay !== facts.today.since) {
      next.usageAlertDay = facts.today.since;
      notices.push({
        kind: 'high-usage',
        title: 'High network usage today',
        body: `netmon counted ${formatBytes(used)} today (↓ ${formatBytes(facts.today.bytesIn)}, ↑ ${formatBytes(facts.today.bytesOut)}), over your ${formatBytes(threshold)} a day.`,
      });
    }
  }

  if (facts.sampler !== null) {
    const state = facts.sampler.state;
    switch (state) {
      case 'failing': {
        next.failingSince = memory.failingSince ?? facts.nowS;
        if (!memory.failingAnnounced && facts.enabled && facts.nowS - next.failingSince >= SAMPLER_FAILING_GRACE_S) {
          next.failingAnnounced = true;
          const why = facts.sampler.reason ?? 'its measuring tool keeps failing';
          notices.push({ kind: 'sampler-failing', title: 'netmon is not measuring', body: `${why}. View Logs in the menu has the details.` });
        }
        break;
      }
      case 'starting':
      case 'degraded':
        // Restart attempts in the middle of a failing spell do not end it.
        break;
      case 'running':
      case 'stopped':
        // Working again, or stopped on purpose (pause, quit): the spell is over.
        next.failingSince = null;
        next.failingAnnounced = false;
        break;
      default:
        assertNever(state, 'sampler state');
    }
  }
  return { memory: next, notices };
}

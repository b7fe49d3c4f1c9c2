// Settings › Sampler: the sampler's health in words (lib/sampler-facts.ts turns its details into
// labelled facts), what was last sampled and stored, capture paused or running, and the engine.
import type { StatusInfo } from '../../src-shared/contract/types.js';
import { formatAgo, formatDateTime, formatDuration } from '../lib/format.js';
import { samplerFacts, samplerTitle } from '../lib/sampler-facts.js';

/** The sampler's facts from a status answer; `nowS` (epoch seconds) words how long ago. */
export function SamplerStatus({ status, nowS }: { status: StatusInfo; nowS: number }) {
  return (
    <dl className="facts" data-testid="sampler-status">
      <dt>sampler</dt>
      <dd>{samplerTitle(status.sampler.sampler)}</dd>
      <dt>state</dt>
      <dd data-state={status.sampler.state}>
        {status.sampler.state}
        {status.sampler.reason !== null && ` — ${status.sampler.reason}`}
      </dd>
      <dt>last sample</dt>
      <dd>{status.sampler.lastSampleAt === null ? 'none yet' : `${formatDateTime(status.sampler.lastSampleAt / 1000)} (${formatAgo(nowS - status.sampler.lastSampleAt / 1000)})`}</dd>
      <dt>last stored</dt>
      <dd>{status.lastSampleAt === null ? 'nothing stored yet' : `${formatDateTime(status.lastSampleAt)} (${formatAgo(nowS - status.lastSampleAt)})`}</dd>
      <dt>restarts</dt>
      <dd>{status.sampler.restarts}</dd>
      <dt>malformed lines</dt>
      <dd>{status.sampler.malformedLines}</dd>
      {samplerFacts(status.sampler.details).map((f) => (
        <div key={f.key} style={{ display: 'contents' }} data-fact={f.key}>
          <dt>{f.label}</dt>
          <dd>{f.value}</dd>
        </div>
      ))}
      <dt>capture</dt>
      <dd>{status.pause.paused ? `paused${status.pause.until === null ? ' until resumed' : ` until ${formatDateTime(status.pause.until)}`}` : 'running'}</dd>
      <dt>engine</dt>
      <dd>
        netmon {status.version}, up {formatDuration(status.uptimeS)}
      </dd>
    </dl>
  );
}

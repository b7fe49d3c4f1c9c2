// A sampler the test drives: it emits exactly the samples it is pushed, so the real Monitor, store and
// domain attribution can be run on hand-made traffic.
import type { Sample, Sampler, SamplerHealth } from '../../src-main/engine/types.js';

export interface ScriptedSamplerOptions {
  name?: string;
  /** Emitted by `stop()`, as the Linux and eBPF samplers take one last sample when stopped. */
  finalSample?: () => Sample;
}

/** Emits the samples pushed to it once started; throws on a push before `start`, which would be lost. */
export class ScriptedSampler implements Sampler {
  readonly name: string;
  stopped = false;
  private emit: ((s: Sample) => void) | null = null;
  private readonly finalSample: (() => Sample) | undefined;

  constructor(options: ScriptedSamplerOptions = {}) {
    this.name = options.name ?? 'scripted';
    this.finalSample = options.finalSample;
  }

  start(onSample: (s: Sample) => void): void {
    this.emit = onSample;
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.finalSample !== undefined) this.emit?.(this.finalSample());
    return Promise.resolve();
  }

  health(): SamplerHealth {
    return { sampler: this.name, state: 'running', reason: null, restarts: 0, malformedLines: 0, lastSampleAt: null, details: {} };
  }

  push(sample: Sample): void {
    if (this.emit === null) throw new Error('not started');
    this.emit(sample);
  }
}

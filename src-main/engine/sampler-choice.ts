// Which sampler runs here: `auto` picks the platform's own; a name forces one (tests replay nettop).
import path from 'node:path';
import type { Platform } from './attribution/index.js';
import { LinuxSampler } from './samplers/linux/sampler.js';
import { NettopSampler } from './samplers/nettop/sampler.js';
import type { Clock, Sampler } from './types.js';

export const SAMPLER_NAMES = ['auto', 'nettop', 'linux'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerChoice {
  sampler: Sampler;
  /** The platform whose naming rules attribute this sampler's processes. */
  platform: Platform;
  /** Why this one, in a sentence for the user. */
  why: string;
}

export interface SamplerChoiceOptions {
  name: SamplerName;
  intervalS: number;
  dataDir: string;
  nettopPath?: string | undefined;
  clock?: Clock;
  /** The OS; defaults to process.platform. */
  os?: NodeJS.Platform;
}

/** Builds the sampler `name` asks for, or says plainly why none can run here. */
export function chooseSampler(options: SamplerChoiceOptions): SamplerChoice {
  const os = options.os ?? process.platform;
  const name = options.name === 'auto' ? (os === 'darwin' ? 'nettop' : os === 'linux' ? 'linux' : null) : options.name;
  const clockOption = options.clock === undefined ? {} : { clock: options.clock };
  switch (name) {
    case 'nettop':
      return {
        sampler: new NettopSampler({
          executable: options.nettopPath ?? '/usr/bin/nettop',
          intervalS: options.intervalS,
          stateDir: path.join(options.dataDir, 'run'),
          ...clockOption,
        }),
        platform: 'darwin',
        why: options.name === 'auto' ? 'macOS: nettop reports bytes per process' : 'asked for with --sampler nettop',
      };
    case 'linux':
      return {
        sampler: new LinuxSampler({ intervalMs: options.intervalS * 1000, ...clockOption }),
        platform: 'linux',
        why:
          options.name === 'auto'
            ? 'Linux: kernel TCP socket counters (ss) and close events, without privileges; UDP is counted only in the interface totals'
            : 'asked for with --sampler linux',
      };
    case null:
      throw new Error(`no sampler for ${os}: netmon measures on macOS (nettop) and Linux (ss)`);
  }
}

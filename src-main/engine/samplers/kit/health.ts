// A sampler's health, decided the same way in every sampler: stopped, else the first problem that holds
// (in the order the sampler lists them, worst first), else starting until the first sample, else running.
import type { SamplerHealth, SamplerState } from '../../types.js';

/** A problem a sampler may have: its state and the reason said to the user. */
export type Problem = readonly ['failing' | 'degraded', string];

/** What a sampler knows of itself. */
export interface HealthFacts {
  sampler: string;
  running: boolean;
  /** A sample has been emitted (or a baseline taken). */
  sampled: boolean;
  /** Problems in order of precedence; null where there is none. */
  problems: readonly (Problem | null)[];
  restarts: number;
  malformedLines: number;
  lastSampleAt: number | null;
  details: SamplerHealth['details'];
}

/** The health from the facts. */
export function samplerHealth(facts: HealthFacts): SamplerHealth {
  const problem = facts.running ? (facts.problems.find((p) => p !== null) ?? null) : null;
  const state: SamplerState = !facts.running ? 'stopped' : problem !== null ? problem[0] : facts.sampled ? 'running' : 'starting';
  return {
    sampler: facts.sampler,
    state,
    reason: problem?.[1] ?? null,
    restarts: facts.restarts,
    malformedLines: facts.malformedLines,
    lastSampleAt: facts.lastSampleAt,
    details: facts.details,
  };
}

// Whether nettop works here: one poll run through the sampler itself (the same flags, parser and
// usage-text detection as `netmon serve`), for `netmon doctor`.
import { existsSync } from 'node:fs';
import type { ProbeResult } from '../kind.js';
import { NETTOP_PATH } from './command.js';
import type { NettopSamplerOptions } from './options.js';
import { NettopSampler } from './sampler.js';

/** What `checkNettop` found: a frame (how many flows and processes, how long it took), or why not. */
export type NettopCheck =
  | { ok: true; flows: number; processes: number; ms: number; malformedLines: number; interfaceCounters: boolean }
  | { ok: false; reason: string };

/**
 * Runs one poll of nettop (as `netmon doctor` would) and reports whether it printed a usable frame.
 * Gives up after `timeoutMs` (default 15 s); never throws.
 */
export function checkNettop(options: NettopSamplerOptions & { timeoutMs?: number } = {}): Promise<NettopCheck> {
  const sampler = new NettopSampler({ ...options, strategy: 'polling', stateDir: null });
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    let watch: NodeJS.Timeout | null = null;
    const finish = (result: NettopCheck): void => {
      if (done) return;
      done = true;
      if (watch !== null) clearTimeout(watch);
      void sampler.stop().then(() => resolve(result));
    };
    const deadline = started + (options.timeoutMs ?? 15_000);
    const look = (): void => {
      const health = sampler.health();
      if (health.state === 'failing') finish({ ok: false, reason: health.reason ?? 'nettop is failing' });
      else if (performance.now() > deadline) finish({ ok: false, reason: health.reason ?? 'nettop printed no frame in time' });
      else watch = setTimeout(look, 50);
    };
    sampler.start((sample) => {
      const health = sampler.health();
      const processes = new Set(sample.flows.map((f) => f.owner?.pid)).size;
      finish({ ok: true, flows: sample.flows.length, processes, ms: Math.round(performance.now() - started), malformedLines: health.malformedLines, interfaceCounters: sample.iface !== null });
    });
    look();
  });
}

/** The nettop sampler's probe for the registry and `netmon doctor`. */
export async function probeNettop(executable: string = NETTOP_PATH): Promise<ProbeResult> {
  if (!existsSync(executable)) {
    const reason = `${executable} not found (nettop ships with macOS; set --nettop-path to use another)`;
    return { usable: false, reason, fix: 'set --nettop-path', checks: [{ name: 'nettop', ok: false, detail: reason }] };
  }
  const result = await checkNettop({ executable });
  if (!result.ok) return { usable: false, reason: result.reason, fix: null, checks: [{ name: 'nettop', ok: false, detail: result.reason }] };
  return {
    usable: true,
    reason: null,
    fix: null,
    checks: [
      { name: 'nettop', ok: true, detail: `one frame with ${result.processes} processes (${result.flows} flows) in ${result.ms} ms, ${result.malformedLines} unreadable lines` },
      { name: 'interface counters', ok: result.interfaceCounters, detail: result.interfaceCounters ? 'netstat -ibn: totals for the unattributed remainder' : 'netstat -ibn gave no totals: unattributed bytes cannot be shown' },
      { name: 'nettop rights', ok: true, detail: 'nettop needs no privileges: every process is listed' },
    ],
  };
}

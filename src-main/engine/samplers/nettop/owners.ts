// Start times on nettop's owners. nettop names a process `name.pid` and nothing more, so a later process
// that reused the pid under the same name would look like the same one. Across a restart that matters:
// a resumed run subtracts the stored counters of `curl.9001` from the new `curl.9001`'s, which is right
// only for the same process (engine/resume, delta.ts's `sameOwner`). So each owner gets its start time
// (`ps -o lstart`), read once per pid: a pid listed in the previous frame keeps the time it had, a pid
// new to this frame is looked up (one `ps` for all of them). A pid `ps` no longer finds (the process
// already exited) stays without one, and `sameOwner` then goes by pid and name, as before.
import type { FlowCounter } from '../../types.js';
import type { StartTimeReader } from '../process/index.js';

export class OwnerStartTimes {
  readonly #read: StartTimeReader;
  /** Pids of the previous frame → start time (null: looked up, not found). */
  #known = new Map<number, number | null>();

  constructor(read: StartTimeReader) {
    this.#read = read;
  }

  /** The flows with their owners' start times added (where known). */
  async stamp(flows: readonly FlowCounter[]): Promise<FlowCounter[]> {
    const pids = new Set<number>();
    for (const f of flows) if (f.owner !== null) pids.add(f.owner.pid);
    const missing = [...pids].filter((pid) => !this.#known.has(pid));
    const found = missing.length === 0 ? new Map<number, number>() : await this.#read(missing).catch(() => new Map<number, number>());
    const next = new Map<number, number | null>();
    for (const pid of pids) next.set(pid, this.#known.has(pid) ? (this.#known.get(pid) ?? null) : (found.get(pid) ?? null));
    this.#known = next;
    return flows.map((f) => {
      const startTime = f.owner === null ? null : (next.get(f.owner.pid) ?? null);
      return startTime === null || f.owner === null ? f : { ...f, owner: { ...f.owner, startTime } };
    });
  }
}

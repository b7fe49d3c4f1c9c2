// The flows a cumulative sampler (linux, ebpf) has listed, between its samples. What it is for:
// - `newSincePrevious`: a flow not in the book when a later round lists it (or reports it closed) was
//   born since the previous round, so all its bytes are new (the delta engine would take a first sight
//   in a cumulative sample as a baseline).
// - Holding: a flow missing from a round is repeated with its last counters while it is held (linux:
//   until its close event, for at most the vanish TTL; ebpf: only flows carried over from a helper that
//   ended, for the carry TTL). The delta engine settles a close against the last counters it saw, and a
//   flow dropped and listed again would be counted whole, twice.
// - Owners stick to the flow: a close event that names nobody is joined to the owner the book holds.
import type { FlowCounter, ProcessInfo, RemoteEndpoint } from '../../types.js';

/** The bytes of a flow so far. */
export interface FlowBytes {
  bytesIn: number;
  bytesOut: number;
}

interface Entry extends FlowBytes {
  owner: ProcessInfo | null;
  remote: RemoteEndpoint;
  /** Listed in the current round. */
  listed: boolean;
  /** Monotonic time from which it is held while not listed; null: dropped as soon as a round misses it. */
  heldSince: number | null;
}

/** The repeats of a round: flows held while unlisted (or all of them, after a failed round). */
export interface HeldFlows {
  flows: FlowCounter[];
  /** How many of them the round did not list (awaiting a close). */
  vanished: number;
}

/** Known flows by id, with their last counters and owners. */
export class FlowBook {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();
  #rounds = 0;

  /** `ttlMs`: how long an unlisted flow is held. */
  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** Whether a round has been completed: from then on, a flow new to the book is new since the previous one. */
  get counting(): boolean {
    return this.#rounds > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  /** The owner the book holds for `id`: undefined when unknown, null when known without one. */
  owner(id: string): ProcessInfo | null | undefined {
    return this.#entries.get(id)?.owner;
  }

  /** Starts a round: nothing is listed yet. */
  beginRound(): void {
    for (const entry of this.#entries.values()) entry.listed = false;
  }

  /** Ends a round that listed flows: later flows new to the book are new since it. */
  endRound(): void {
    this.#rounds += 1;
  }

  /**
   * Records a flow the round lists, with its counters so far; `holdFrom` (a monotonic time) holds it
   * when a later round misses it, null drops it then. Returns its counter.
   */
  list(id: string, owner: ProcessInfo | null, remote: RemoteEndpoint, bytes: FlowBytes, holdFrom: number | null): FlowCounter {
    const isNew = !this.#entries.has(id);
    this.#entries.set(id, { owner, remote, bytesIn: bytes.bytesIn, bytesOut: bytes.bytesOut, listed: true, heldSince: holdFrom });
    return this.#counter(id, owner, remote, bytes, isNew);
  }

  /**
   * A flow reported closed, with its final counters: leaves the book. `owner` undefined takes the owner
   * the book held (null if none). `joined` says whether the book knew it.
   */
  close(id: string, remote: RemoteEndpoint, bytes: FlowBytes, owner?: ProcessInfo | null): { flow: FlowCounter; joined: boolean } {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    return { flow: this.#counter(id, owner === undefined ? (entry?.owner ?? null) : owner, remote, bytes, entry === undefined), joined: entry !== undefined };
  }

  /** Forgets a flow without a counter (it stays out of this machine's traffic). */
  forget(id: string): void {
    this.#entries.delete(id);
  }

  /**
   * Adds a flow its source has not listed yet, held from `now` with `bytes` (e.g. a socket a resumed run
   * carries over, which a new eBPF helper lists only once it moves). A flow the book knows is left as it is.
   */
  hold(id: string, owner: ProcessInfo | null, remote: RemoteEndpoint, bytes: FlowBytes, now: number): void {
    if (this.#entries.has(id)) return;
    this.#entries.set(id, { owner, remote, bytesIn: bytes.bytesIn, bytesOut: bytes.bytesOut, listed: false, heldSince: now });
  }

  /** Holds every flow from `now` (e.g. its source restarted and has not listed them yet). */
  holdAll(now: number): void {
    for (const entry of this.#entries.values()) {
      entry.listed = false;
      entry.heldSince = now;
    }
  }

  /** Every flow's last counters (e.g. to carry them over to a restarted source). */
  counters(): Map<string, FlowBytes> {
    return new Map([...this.#entries].map(([id, e]) => [id, { bytesIn: e.bytesIn, bytesOut: e.bytesOut }]));
  }

  /**
   * The repeats of this round: each unlisted flow still held, with its last counters; the others are
   * forgotten (the returned ids). With `all` (a failed round: no news is not a reset) every flow is
   * repeated and none forgotten.
   */
  held(now: number, all = false): HeldFlows & { forgotten: string[] } {
    const flows: FlowCounter[] = [];
    const forgotten: string[] = [];
    let vanished = 0;
    for (const [id, entry] of this.#entries) {
      if (entry.listed && !all) continue;
      if (!all && (entry.heldSince === null || now - entry.heldSince >= this.#ttlMs)) {
        this.#entries.delete(id);
        forgotten.push(id);
        continue;
      }
      if (!entry.listed) vanished += 1;
      flows.push({ id, owner: entry.owner, remote: entry.remote, bytesIn: entry.bytesIn, bytesOut: entry.bytesOut });
    }
    return { flows, vanished, forgotten };
  }

  #counter(id: string, owner: ProcessInfo | null, remote: RemoteEndpoint, bytes: FlowBytes, isNew: boolean): FlowCounter {
    const flow: FlowCounter = { id, owner, remote, bytesIn: bytes.bytesIn, bytesOut: bytes.bytesOut };
    if (isNew && this.counting) flow.newSincePrevious = true;
    return flow;
  }
}

/** The owner of a socket no process could be found for: its uid (and cgroup), pid 0. */
export function uidOwner(socket: { uid: number; cgroup?: string | null | undefined }): ProcessInfo {
  const owner: ProcessInfo = { pid: 0, name: `(uid ${socket.uid})`, uid: socket.uid };
  if (socket.cgroup !== null && socket.cgroup !== undefined) owner.cgroup = socket.cgroup;
  return owner;
}

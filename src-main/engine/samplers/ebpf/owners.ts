// Owners of the helper's flows. The kernel names the tgid that created, connected or addressed a socket;
// /proc completes it while the process lives. A socket the hooks never saw used (older than the helper,
// or accepted by a server) is looked up once by cookie in `ss -p` (the same cookies), run through the
// same launcher so it sees the same namespace; failing that it is shown under its uid. The kernel's
// `comm` is the calling thread's name; /proc gives the process's. A key that comes back shortly after
// its close (late bytes of an orphan) keeps its owner.
import type { Logger } from '../../log.js';
import type { ProcessInfo } from '../../types.js';
import { uidOwner } from '../kit/flow-book.js';
import { runChecked } from '../process/index.js';
import { isLoopbackAddress, type ProcReader } from '../linux/proc.js';
import { parseSsOutput } from '../linux/ss-parse.js';
import { captureFlowId, type CaptureFlow } from './protocol.js';

/** How long a closed key's owner is remembered. */
const RECENT_MS = 60_000;

/** Options of HelperOwners. */
export interface HelperOwnersOptions {
  proc: ProcReader;
  /** `ss`, for sockets the hooks never saw used; null: never looked up. */
  ssPath: string | null;
  launcher: readonly string[];
  logger: Logger;
}

/** The owner of one flow, given the book's owner for its key. */
export type OwnerOf = (flow: CaptureFlow, id: string, held: ProcessInfo | null | undefined) => ProcessInfo;

/** Finds the owners of each snapshot's flows. */
export class HelperOwners {
  readonly #options: HelperOwnersOptions;
  /** Cookies already looked up in `ss` (found or not): each is asked once. */
  readonly #lookedUp = new Set<string>();
  readonly #recent = new Map<string, { owner: ProcessInfo | null; at: number }>();
  #ssProblem: string | null = null;

  constructor(options: HelperOwnersOptions) {
    this.#options = options;
  }

  /** How the `ss` lookup is doing, for the health details. */
  get lookup(): string {
    return this.#options.ssPath === null ? 'off' : (this.#ssProblem ?? 'ss');
  }

  /** Reads what the owners of `flows` need (lookups, /proc) and returns the owner of each. */
  async resolve(flows: readonly CaptureFlow[], localAddresses: ReadonlySet<string>, held: (id: string) => ProcessInfo | null | undefined): Promise<OwnerOf> {
    const found = await this.#lookUp(flows, localAddresses, held);
    const details = await this.#details([...flows.map((f) => f.pid), ...found.values()]);
    return (flow, id, heldOwner) => {
      const previous = heldOwner ?? this.#recent.get(id)?.owner ?? null;
      if (flow.pid > 0) {
        const info = details.get(flow.pid) ?? null;
        if (info !== null) return info;
        // Gone already (a short-lived process): what we knew before, if it was this pid, or the kernel's word.
        if (previous !== null && previous.pid === flow.pid) return previous;
        return { pid: flow.pid, name: flow.comm ?? `(pid ${flow.pid})`, uid: flow.uid };
      }
      const viaSs = found.get(flow.cookie);
      const info = viaSs === undefined ? null : (details.get(viaSs) ?? null);
      return info ?? previous ?? uidOwner({ uid: flow.uid });
    };
  }

  /** A key closed: its owner is remembered a while, its cookie may be looked up again. */
  closed(id: string, cookie: string, owner: ProcessInfo | null, now: number): void {
    this.#recent.set(id, { owner, at: now });
    this.#lookedUp.delete(cookie);
  }

  /** Forgets owners of keys closed long ago. */
  sweep(now: number): void {
    for (const [id, recent] of this.#recent) if (now - recent.at > RECENT_MS) this.#recent.delete(id);
  }

  /**
   * Owners (pid by cookie) of sockets reported without one that were never looked up, from `ss -p` run
   * through the launcher. A failure costs only the owner: it is logged once and the uid is shown.
   */
  async #lookUp(flows: readonly CaptureFlow[], localAddresses: ReadonlySet<string>, held: (id: string) => ProcessInfo | null | undefined): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const { ssPath, launcher, logger } = this.#options;
    if (ssPath === null) return found;
    const wanted = new Set<'tcp' | 'udp'>();
    const cookies = new Set<string>();
    for (const f of flows) {
      if (f.pid !== 0 || this.#lookedUp.has(f.cookie) || isLoopbackAddress(f.address) || localAddresses.has(f.address)) continue;
      const known = held(captureFlowId(f));
      if (known !== undefined && known !== null && known.pid > 0) continue;
      wanted.add(f.protocol);
      cookies.add(f.cookie);
    }
    if (cookies.size === 0) return found;
    // Closed cookies leave the set; one whose close never came must not make it grow without end.
    if (this.#lookedUp.size > 100_000) this.#lookedUp.clear();
    for (const cookie of cookies) this.#lookedUp.add(cookie);
    for (const protocol of wanted) {
      const argv = [...launcher, ssPath, protocol === 'tcp' ? '-tanpeHO' : '-uanpeHO'];
      const [command, ...args] = argv as [string, ...string[]];
      try {
        const text = await runChecked(command, args, { timeoutMs: 5000, maxStdout: 64 * 1024 * 1024, what: argv.join(' '), logger });
        for (const socket of parseSsOutput(text).sockets) {
          if (!cookies.has(socket.cookie) || socket.users.length === 0) continue;
          found.set(socket.cookie, socket.users.reduce((a, b) => (b.pid < a.pid ? b : a)).pid);
        }
        this.#ssProblem = null;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (this.#ssProblem !== message) logger.warn('could not look up socket owners with ss', { error: message });
        this.#ssProblem = message;
      }
    }
    return found;
  }

  /** Each pid's details from /proc, once per snapshot; null for a process already gone. */
  async #details(reported: readonly number[]): Promise<Map<number, ProcessInfo | null>> {
    const pids = new Set(reported.filter((pid) => pid > 0));
    const out = new Map<number, ProcessInfo | null>();
    await Promise.all([...pids].map(async (pid) => out.set(pid, await this.#options.proc.process(pid))));
    this.#options.proc.sweep();
    return out;
  }
}

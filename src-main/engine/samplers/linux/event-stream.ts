// The close-event stream: a long-lived `ss -E` that prints each TCP socket as it is destroyed, with its
// final counters, so that a connection shorter than an interval is still counted. Kept running by a
// RestartingChild; its events wait in `take()` for the next sample.
import type { Logger } from '../../log.js';
import type { Clock } from '../../types.js';
import { describeExit, describeStartError } from '../kit/describe-child.js';
import type { StderrDigest, StderrTranscript } from '../kit/stderr-digest.js';
import { RestartingChild, type BackoffOptions, type ChildExit, type GroupChild, type PidRegistry } from '../process/index.js';
import { eventStreamSpec, ssSubject } from './ss-command.js';
import { parseSsLine, type SsSocket } from './ss-parse.js';

export type EventStreamState = 'starting' | 'up' | 'down' | 'stopped';

/** Options of the close-event stream. */
export interface CloseEventOptions {
  ssPath: string;
  stdbufPath: string | null;
  setprivPath: string | null;
  backoff: BackoffOptions;
  registry: PidRegistry | null;
  stderr: StderrDigest;
  clock: Clock;
  logger: Logger;
}

/** `ss -E`, restarted with backoff; closed sockets gathered until taken. */
export class CloseEvents {
  readonly #options: CloseEventOptions;
  readonly #child: RestartingChild;
  readonly #transcripts = new WeakMap<GroupChild, StderrTranscript>();
  #pending: SsSocket[] = [];
  #state: EventStreamState = 'starting';
  #problem: string | null = null;
  #malformed = 0;

  constructor(options: CloseEventOptions) {
    this.#options = options;
    this.#child = new RestartingChild({
      name: 'ss close-event stream',
      spec: () => eventStreamSpec(options.ssPath, options.stdbufPath, options.setprivPath),
      onSpawn: (child) => this.#attach(child),
      onExit: (exit, child, delay) => this.#ended(exit, child, delay),
      backoff: options.backoff,
      resetAfterMs: 30_000,
      registry: options.registry,
      clock: options.clock,
      logger: options.logger,
    });
  }

  get state(): EventStreamState {
    return this.#state;
  }

  /** Why the stream is down, when it is. */
  get problem(): string | null {
    return this.#problem;
  }

  get restarts(): number {
    return this.#child.restarts;
  }

  /** Unreadable event lines so far. */
  get malformed(): number {
    return this.#malformed;
  }

  start(): void {
    this.#pending = [];
    this.#state = 'starting';
    this.#child.start();
  }

  async stop(): Promise<void> {
    await this.#child.stop();
    this.#state = 'stopped';
  }

  /** The sockets closed since the last call. */
  take(): SsSocket[] {
    const taken = this.#pending;
    this.#pending = [];
    return taken;
  }

  #attach(child: GroupChild): void {
    this.#state = 'up';
    this.#problem = null;
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) this.#line(line);
    });
    child.stdout.on('end', () => {
      if (rest !== '') this.#line(rest);
      rest = '';
    });
    // Kept for the exit handler: the reason the stream ended is usually on its stderr.
    this.#transcripts.set(child, this.#options.stderr.read(child.stderr));
  }

  #line(line: string): void {
    if (line.trim() === '') return;
    const socket = parseSsLine(line);
    if (socket === null) {
      this.#malformed += 1;
      this.#options.logger.warn('skipped an unreadable close event', { line: line.slice(0, 200) });
      return;
    }
    if (socket.hasTcpInfo) this.#pending.push(socket);
  }

  #ended(exit: ChildExit, child: GroupChild, delayMs: number): void {
    const said = this.#transcripts.get(child)?.first ?? '';
    this.#transcripts.delete(child);
    let problem: string;
    if (exit.error !== null) problem = describeStartError(exit.error, child.spec.command === this.#options.ssPath ? ssSubject(child.spec.command) : { command: child.spec.command });
    else if (exit.code === 127) problem = `${this.#options.ssPath} not found`;
    else problem = describeExit('ss -E', exit, said);
    this.#state = 'down';
    this.#problem = problem;
    this.#options.logger.warn('close-event stream ended; restarting', { problem, inMs: delayMs });
  }
}

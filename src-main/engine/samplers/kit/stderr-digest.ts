// What a child says on stderr: each distinct line logged once per sampler (tools repeat themselves, e.g.
// ss's "Failed to find cgroup2 mount" on every run), and the last lines of each child kept to explain
// why it ended.
import type { Readable } from 'node:stream';
import type { Logger } from '../../log.js';

/** Distinct lines remembered (and logged) per sampler; past it, lines are no longer logged. */
const MAX_DISTINCT = 50;
/** Lines of one child kept for its failure reason. */
const KEEP_LINES = 20;

/** The stderr of one sampler's children: logs each distinct line once, under `said`. */
export class StderrDigest {
  readonly #log: Logger;
  readonly #said: string;
  readonly #seen = new Set<string>();

  /** `said` is the log message, e.g. "ss said". */
  constructor(log: Logger, said: string) {
    this.#log = log;
    this.#said = said;
  }

  /** A transcript for one child's stderr (or one run's), fed by `push` or `read`. */
  transcript(onLine?: (line: string) => void): StderrTranscript {
    return new StderrTranscript((line) => {
      onLine?.(line);
      if (this.#seen.has(line) || this.#seen.size >= MAX_DISTINCT) return;
      this.#seen.add(line);
      this.#log.warn(this.#said, { message: line });
    });
  }

  /** Reads `stream` to its end into a new transcript. */
  read(stream: Readable, onLine?: (line: string) => void): StderrTranscript {
    const transcript = this.transcript(onLine);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => transcript.push(chunk));
    stream.on('end', () => transcript.end());
    return transcript;
  }
}

/** One child's stderr, as lines: its first and its last few. */
export class StderrTranscript {
  readonly #onLine: (line: string) => void;
  readonly #lines: string[] = [];
  #first: string | null = null;
  #carry = '';

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  /** A chunk of output; a line cut at its end waits for the next chunk. */
  push(text: string): void {
    const lines = (this.#carry + text).split('\n');
    this.#carry = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  /** End of output: a last line without a newline counts. */
  end(): void {
    const rest = this.#carry;
    this.#carry = '';
    if (rest !== '') this.#line(rest);
  }

  /** The first line it said, or null. */
  get first(): string | null {
    return this.#first;
  }

  /** The last line it said (usually a tool's own one-line error), or null. */
  get last(): string | null {
    return this.#lines.at(-1) ?? null;
  }

  /** Its last `count` lines. */
  recent(count: number): string[] {
    return this.#lines.slice(-count);
  }

  #line(raw: string): void {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '') return;
    this.#first ??= line;
    this.#lines.push(line);
    if (this.#lines.length > KEEP_LINES) this.#lines.shift();
    this.#onLine(line);
  }
}

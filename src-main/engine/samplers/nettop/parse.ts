// A streaming parser for macOS `nettop` CSV output (`-L`, `-x`, `-J …`): lines in, typed frames out.
//
// The grammar, from published captures (shared/fixtures/nettop) and the projects that parse them:
// - A frame begins with a header line naming the columns (`time,,interface,state,bytes_in,bytes_out,`,
//   or the same without `time`). Columns are looked up by name, never by position: `-J` reorders them.
// - The label column is the one with an empty name: right after `time`, or the first column without it.
// - Every line ends with a comma; nothing is quoted.
// - A process row's label is `name.pid`, the name cut to 15 characters by nettop; it may hold spaces and
//   dots (`Google Chrome H.74297`, `com.apple.WebKi.1790`), so it is split at the LAST dot.
// - Without `-P`, each process row is followed by its connection rows (`tcp4 10.0.0.5:52344<->1.2.3.4:443`;
//   IPv6 puts the port after a dot: `2406:da60::1.443`; wildcards `*:*`, `*.*`). A process row's bytes
//   already include its connections': totals come from process rows only.
// - An empty byte field means "nothing known", taken as 0.
//
// Commas in names: nothing is quoted, so a process named `a,b` would print one field too many. The label
// is the only free-text column (interface, state and the counters never hold a comma), so when a row
// has more fields than its header the surplus is folded back into the label. A connection label cannot
// hold a comma, so a connection row with surplus fields is malformed.
//
// Anything else (usage text, which a bad flag prints before exiting 0; the fixed-width `-l` format; rows
// before any header; rows that do not fit their header; a frame cut off mid-line) is skipped and counted
// by kind, never thrown. A connection row after an unreadable process row is skipped too (an orphan):
// giving it to the process before would misattribute it. A frame is complete when the next header
// arrives, or at the end of the input.
import { COMMA, CONNECTION_LABEL, couldBeProcess, isBlank, isHeader, orNull, readBytes, readConnection, readHeader, readPid, type Header } from './fields.js';
import { MALFORMED_KINDS, type MalformedKind, type NettopFrame, type NettopProcess } from './frame.js';

export { formatEndpoint, MALFORMED_KINDS, type MalformedKind, type NettopConnection, type NettopEndpoint, type NettopFrame, type NettopProcess } from './frame.js';

/** Callbacks of a streaming parser. */
export interface NettopParserHandlers {
  /** A frame is complete. Called synchronously from `push`/`end`. */
  onFrame: (frame: NettopFrame) => void;
  /** A usable header began frame number `index` (lets a caller stamp the frame's time as it starts). */
  onFrameStart?: (index: number) => void;
  /** A line was skipped. */
  onMalformed?: (kind: MalformedKind, line: string) => void;
}

interface PendingFrame {
  header: Header;
  time: string | null;
  processes: NettopProcess[];
  /** The process that connection rows attach to; null after a process row that could not be read. */
  current: NettopProcess | null;
  /** Header + rows taken into this frame: what is counted as `partial` if it is cut off. */
  lines: number;
}

const USAGE_LINE = /^\s*usage:|illegal option|invalid option|unrecognized option|unknown option/i;

/** A streaming, line-oriented nettop parser. Feed it text as it arrives; frames come out whole. */
export class NettopParser {
  readonly #handlers: NettopParserHandlers;
  #carry = '';
  #header: Header | null = null;
  #pending: PendingFrame | null = null;
  /** What the skipped lines before the next header are: usage text, or `-l` rows. */
  #mode: 'csv' | 'usage' | 'fixed-width' = 'csv';
  #frames = 0;
  #linesSeen = 0;
  readonly #byKind = new Map<MalformedKind, number>();

  constructor(handlers: NettopParserHandlers) {
    this.#handlers = handlers;
  }

  /** Lines skipped so far, all kinds. */
  get malformedLines(): number {
    let total = 0;
    for (const count of this.#byKind.values()) total += count;
    return total;
  }

  /** Lines skipped so far, by kind. */
  malformedByKind(): Record<MalformedKind, number> {
    const out = {} as Record<MalformedKind, number>;
    for (const kind of MALFORMED_KINDS) out[kind] = this.#byKind.get(kind) ?? 0;
    return out;
  }

  /** Non-empty lines read so far. */
  get lines(): number {
    return this.#linesSeen;
  }

  /** Frames emitted so far. */
  get frameCount(): number {
    return this.#frames;
  }

  /** Whether a frame has begun and not yet been emitted (the stream is mid-frame or between frames). */
  get hasPendingFrame(): boolean {
    return this.#pending !== null;
  }

  /** Feeds a chunk of output; any split is fine (mid-line, mid-`\r\n`). */
  push(chunk: string): void {
    const text = this.#carry.length === 0 ? chunk : this.#carry + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.#line(text, start, nl);
      start = nl + 1;
    }
    this.#carry = start === 0 ? text : text.slice(start);
  }

  /**
   * The input has ended: the pending frame is complete, unless the input stopped in the middle of a line
   * that cannot be read, or right after a header, in which case the frame was cut off and its lines are
   * counted as `partial`. The parser can then be fed a new input.
   */
  end(): void {
    const last = this.#carry;
    this.#carry = '';
    let cutOff = false;
    if (last.trim().length > 0) {
      cutOff = !this.#line(last, 0, last.length, true);
    }
    if (this.#pending !== null) {
      // A lone header at the end is a frame cut off before its rows: nettop always lists some process.
      if (cutOff || this.#pending.processes.length === 0) this.#dropPending();
      else this.#emitPending();
    }
    this.#resetState();
  }

  /**
   * Throws away the frame in progress and any unfinished line (the source stalled or was killed):
   * they are counted as `partial`. The next input must begin with a header again.
   */
  discard(): number {
    let dropped = 0;
    if (this.#carry.trim().length > 0) {
      this.#count('partial', this.#carry);
      dropped += 1;
    }
    this.#carry = '';
    if (this.#pending !== null) dropped += this.#dropPending();
    this.#resetState();
    return dropped;
  }

  #resetState(): void {
    this.#header = null;
    this.#pending = null;
    this.#mode = 'csv';
  }

  #count(kind: MalformedKind, line: string): void {
    this.#byKind.set(kind, (this.#byKind.get(kind) ?? 0) + 1);
    this.#handlers.onMalformed?.(kind, line);
  }

  #dropPending(): number {
    const pending = this.#pending;
    if (pending === null) return 0;
    this.#pending = null;
    this.#byKind.set('partial', (this.#byKind.get('partial') ?? 0) + pending.lines);
    this.#handlers.onMalformed?.('partial', `(${pending.lines} lines of an unfinished frame)`);
    return pending.lines;
  }

  #emitPending(): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    const frame: NettopFrame = {
      index: this.#frames,
      columns: pending.header.columns,
      time: pending.time,
      processes: pending.processes,
    };
    this.#frames += 1;
    this.#handlers.onFrame(frame);
  }

  /**
   * Handles text[start, end) as one line. `final` marks the unterminated last line at end of input:
   * when it cannot be read it is counted as `partial` (the caller then drops its frame).
   * Returns whether the line was usable (or blank).
   */
  #line(text: string, start: number, end: number, final = false): boolean {
    if (end > start && text.charCodeAt(end - 1) === 13) end -= 1;
    if (isBlank(text, start, end)) return true;
    const line = text.slice(start, end);
    this.#linesSeen += 1;

    if (line.charCodeAt(line.length - 1) !== COMMA) {
      this.#nonCsv(line, final);
      return false;
    }
    if (isHeader(line)) {
      this.#onHeader(line);
      return true;
    }
    const header = this.#header;
    if (header === null || this.#pending === null) {
      this.#count(final ? 'partial' : this.#mode === 'csv' ? 'no-header' : this.#mode, line);
      return false;
    }
    const ok = this.#row(line, header, this.#pending, final);
    return ok;
  }

  #nonCsv(line: string, final: boolean): void {
    if (final && this.#pending !== null) {
      this.#count('partial', line);
      return;
    }
    if (USAGE_LINE.test(line)) {
      this.#mode = 'usage';
      this.#count('usage', line);
      return;
    }
    if (/^\s*time\s/.test(line) && line.includes('bytes_in')) {
      this.#mode = 'fixed-width';
      this.#count('fixed-width', line);
      return;
    }
    if (this.#mode !== 'csv') {
      this.#count(this.#mode, line);
      return;
    }
    this.#count(this.#pending !== null ? 'bad-row' : 'garbage', line);
  }

  #onHeader(line: string): void {
    if (this.#pending !== null) this.#emitPending();
    this.#mode = 'csv';
    const header = readHeader(line);
    if (header === null) {
      this.#header = null;
      this.#count('bad-header', line);
      return;
    }
    this.#header = header;
    this.#pending = { header, time: null, processes: [], current: null, lines: 1 };
    this.#handlers.onFrameStart?.(this.#frames);
  }

  #row(line: string, header: Header, pending: PendingFrame, final: boolean): boolean {
    const bad = (kind: MalformedKind = 'bad-row'): false => {
      this.#count(final ? 'partial' : kind, line);
      return false;
    };
    const fields = line.split(',');
    fields.pop(); // the empty field after the trailing comma
    const extra = fields.length - header.width;
    if (extra < 0) {
      if (couldBeProcess(fields[header.label])) pending.current = null;
      return bad();
    }
    const at = (column: number): string => {
      if (column < 0) return '';
      return fields[column > header.label ? column + extra : column] ?? '';
    };
    const label = extra === 0 ? (fields[header.label] ?? '') : fields.slice(header.label, header.label + extra + 1).join(',');
    const bytesIn = readBytes(at(header.bytesIn));
    const bytesOut = readBytes(at(header.bytesOut));

    if (CONNECTION_LABEL.test(label)) {
      if (extra > 0 || bytesIn === null || bytesOut === null) return bad();
      const connection = readConnection(label);
      if (connection === null) return bad();
      const owner = pending.current;
      if (owner === null) return bad('orphan-connection');
      owner.connections.push({
        ...connection,
        interface: orNull(at(header.iface)),
        state: orNull(at(header.state)),
        bytesIn,
        bytesOut,
      });
      pending.lines += 1;
      return true;
    }

    const dot = label.lastIndexOf('.');
    const pid = dot > 0 ? readPid(label.slice(dot + 1)) : null;
    if (pid === null || bytesIn === null || bytesOut === null) {
      // Connection rows after an unreadable process row are its own: they must not go to the one before.
      if (couldBeProcess(label)) pending.current = null;
      return bad();
    }
    const process: NettopProcess = { label, name: label.slice(0, dot), pid, bytesIn, bytesOut, connections: [] };
    pending.processes.push(process);
    pending.current = process;
    if (pending.time === null && header.time >= 0) pending.time = orNull(at(header.time));
    pending.lines += 1;
    return true;
  }
}

/** Everything a whole input held: its frames and the lines skipped. */
export interface NettopParseResult {
  frames: NettopFrame[];
  malformedLines: number;
  malformedByKind: Record<MalformedKind, number>;
  lines: number;
}

/** Parses a whole text at once (a one-shot `-L 1` run, a capture file). */
export function parseNettop(text: string): NettopParseResult {
  const frames: NettopFrame[] = [];
  const parser = new NettopParser({ onFrame: (frame) => frames.push(frame) });
  parser.push(text);
  parser.end();
  return { frames, malformedLines: parser.malformedLines, malformedByKind: parser.malformedByKind(), lines: parser.lines };
}

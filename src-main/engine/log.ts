// One scoped logger for the whole engine, instead of `console`. Lines go to stderr until
// `attachLogFile` points them at `logs/netmon.log` (rotated at 10 MB, 5 files kept, gzipped).
import { createStream, type RotatingFileStream } from 'rotating-file-stream';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger for one part of the engine (`store`, `sampler:nettop`, …). */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

interface Sink {
  write(line: string): void;
}

const stderrSink: Sink = { write: (line) => process.stderr.write(line) };

let level: LogLevel = (process.env['NETMON_LOG_LEVEL'] as LogLevel | undefined) ?? 'info';
let sink: Sink = stderrSink;
let fileStream: RotatingFileStream | null = null;
/** Lines at `warn` and above also go to stderr when a file is attached (a terminal user sees trouble). */
let echoToStderr = true;

export function setLogLevel(next: LogLevel): void {
  level = next;
}

const HISTORY_FILE = 'netmon.log.txt';

/** Sends log lines to `DIR/netmon.log`, rotated at 10 MB × 5 and gzipped, files 600. */
export function attachLogFile(dir: string, options: { echoWarnings?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const stream = createStream('netmon.log', {
    path: dir,
    size: '10M',
    maxFiles: 5,
    compress: 'gzip',
    mode: 0o600,
    history: HISTORY_FILE,
  });
  const protect = (file: string): void => {
    try {
      chmodSync(path.resolve(dir, file), 0o600);
    } catch {
      // The file may already be gone (maxFiles); nothing to protect then.
    }
  };
  stream.on('rotated', (rotated: string) => protect(rotated));
  // The library keeps the list of rotated files in `netmon.log.txt`, created with the umask's mode.
  stream.on('history', () => protect(HISTORY_FILE));
  stream.on('error', (err: Error) => {
    stderrSink.write(`${new Date().toISOString()} error log: log file failed, logging to stderr: ${err.message}\n`);
    sink = stderrSink;
  });
  fileStream = stream;
  echoToStderr = options.echoWarnings ?? true;
  sink = { write: (line) => stream.write(line) };
}

/** Flushes and closes the log file; later lines go to stderr. */
export async function closeLogFile(): Promise<void> {
  const stream = fileStream;
  if (stream === null) return;
  fileStream = null;
  sink = stderrSink;
  await new Promise<void>((resolve) => stream.end(() => resolve()));
}

function render(fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const text = value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${text}`);
  }
  return parts.length === 0 ? '' : ` ${parts.join(' ')}`;
}

/** A logger whose lines are tagged with `scope`. */
export function createLogger(scope: string): Logger {
  const emit = (lvl: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[lvl] < RANK[level]) return;
    const line = `${new Date().toISOString()} ${lvl} ${scope}: ${message}${render(fields)}\n`;
    sink.write(line);
    if (sink !== stderrSink && echoToStderr && RANK[lvl] >= RANK.warn) stderrSink.write(line);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

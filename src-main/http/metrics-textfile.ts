// The metrics for Prometheus without a new port: the same exposition as GET /metrics, written every
// interval to a file that node_exporter's textfile collector reads (`--collector.textfile.directory`).
// Written whole and renamed into place (the collector never reads half a file), mode 640: readable by
// the group the folder gives it (node_exporter's), not by every account. A symlink in its place is
// refused: the file is replaced, never written through.
import { chmodSync, closeSync, constants, lstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../engine/log.js';

const log = createLogger('metrics');

export interface MetricsTextfileOptions {
  /** The .prom file; its folder must exist. */
  file: string;
  /** The exposition to write (renderMetrics of the current snapshot). */
  render: () => string;
  /** How often, ms. */
  intervalMs: number;
}

export interface MetricsTextfile {
  /** Writes the file now; false (and logged) when it could not. */
  writeNow(): boolean;
  /** Stops the timer after one last write. */
  stop(): void;
}

/** Writes `text` to `file` atomically, 640. */
export function writeTextfile(file: string, text: string): void {
  if (!file.endsWith('.prom')) throw new Error(`${file}: node_exporter reads only files ending in .prom`);
  try {
    if (lstatSync(file).isSymbolicLink()) throw new Error(`${file} is a symbolic link; refusing to write through it`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // A name the collector ignores (it reads *.prom only) until the rename.
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o640);
  try {
    const data = Buffer.from(text, 'utf8');
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o640);
  renameSync(tmp, file);
}

/** Starts writing the file every interval (and once at once). */
export function startMetricsTextfile(options: MetricsTextfileOptions): MetricsTextfile {
  let failing = false;
  const writeNow = (): boolean => {
    try {
      writeTextfile(options.file, options.render());
      if (failing) log.info('metrics file written again', { file: options.file });
      failing = false;
      return true;
    } catch (err) {
      // Said once until it works again, not every interval.
      if (!failing) log.warn('cannot write the metrics file', { file: options.file, error: err instanceof Error ? err.message : String(err) });
      failing = true;
      return false;
    }
  };
  writeNow();
  const timer = setInterval(writeNow, options.intervalMs);
  timer.unref();
  return {
    writeNow,
    stop() {
      clearInterval(timer);
      writeNow();
    },
  };
}

// Parse-rate measurement for the benchmark (bench/run.js): synthetic nettop output, streamed through the
// parser in pipe-sized chunks as the sampler would receive it.
import { performance } from 'node:perf_hooks';
import { NettopParser } from './parse.js';

const HEADER = 'time,,interface,state,bytes_in,bytes_out,';
const NAMES = ['Google Chrome H', 'com.apple.WebKi', 'Microsoft Edge ', 'mDNSResponder', 'Safari', 'Telegram', 'curl', 'Code Helper (Pl'];

/**
 * About `count` lines of per-connection nettop output: frames of 200 processes, each followed by three
 * connection rows (IPv4, IPv6 and a wildcard socket). Addresses are documentation ranges.
 */
export function syntheticNettopLines(count: number): string[] {
  const lines: string[] = [];
  let frame = 0;
  while (lines.length < count) {
    lines.push(HEADER);
    const time = `10:${String(frame % 60).padStart(2, '0')}:00.000000`;
    for (let p = 0; p < 200 && lines.length < count; p++) {
      const pid = 1000 + p;
      const name = NAMES[p % NAMES.length] ?? 'proc';
      const base = (frame + 1) * (p + 1) * 1000;
      lines.push(`${time},${name}.${pid},,,${base * 3},${base},`);
      lines.push(`${time},tcp4 198.51.100.${p % 250}:${50000 + p}<->203.0.113.${p % 250}:443,en0,Established,${base},${base / 2},`);
      lines.push(`${time},tcp6 2001:db8::${p.toString(16)}.${50000 + p}<->2001:db8:1::1.443,en0,Established,${base},${base / 4},`);
      lines.push(`${time},udp4 *:${5000 + p}<->*:*,en0,,${base},${base / 4},`);
    }
    frame += 1;
  }
  return lines.slice(0, count);
}

/** Figures of one parse run. */
export interface ParseBench {
  lines: number;
  frames: number;
  malformedLines: number;
  ms: number;
  linesPerSecond: number;
}

/** Parses `lines` (joined with `\n`, fed in 64 KiB chunks) and times it. */
export function benchParse(lines: readonly string[]): ParseBench {
  const text = `${lines.join('\n')}\n`;
  const chunk = 64 * 1024;
  let frames = 0;
  const parser = new NettopParser({ onFrame: () => (frames += 1) });
  const started = performance.now();
  for (let at = 0; at < text.length; at += chunk) parser.push(text.slice(at, at + chunk));
  parser.end();
  const ms = performance.now() - started;
  return { lines: parser.lines, frames, malformedLines: parser.malformedLines, ms, linesPerSecond: Math.round(parser.lines / (ms / 1000)) };
}

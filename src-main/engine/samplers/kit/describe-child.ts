// One table of what a child's failure is called, for health reasons and `netmon doctor`: could not start
// (not found, not executable), did not answer in time, printed too much, exited badly, printed its usage
// text. Every sampler words these the same way; only what a missing program is (and how to get it)
// belongs to the sampler (`ChildSubject.notFound`).
import type { ChildExit } from '../process/spawn.js';

/** Who a child is, for the words of its failures. */
export interface ChildSubject {
  /** The program as run: a path or a name on PATH. */
  command: string;
  /** What to say when it is not found (where it comes from, how to get it). Default: "COMMAND not found". */
  notFound?: string;
}

/** Why a child could not be started at all. */
export function describeStartError(error: NodeJS.ErrnoException, subject: ChildSubject): string {
  if (error.code === 'ENOENT') return subject.notFound ?? `${subject.command} not found`;
  if (error.code === 'EACCES') return `${subject.command} is not executable`;
  return `${subject.command} could not start: ${error.message}`;
}

/** How a child that ran ended: its exit status, else its signal. */
export function exitStatus(exit: Pick<ChildExit, 'code' | 'signal'>): string {
  return String(exit.code ?? exit.signal ?? 'an error');
}

/** "WHAT exited with STATUS", and the first thing it said on stderr when it said anything. */
export function describeExit(what: string, exit: Pick<ChildExit, 'code' | 'signal'>, stderr = ''): string {
  const said = firstLine(stderr);
  return `${what} exited with ${exitStatus(exit)}${said === null ? '' : `: ${said}`}`;
}

/** A child killed because it did not end in time. */
export function describeTimeout(command: string, timeoutMs: number): string {
  return timeoutMs >= 1000 && timeoutMs % 1000 === 0 ? `${command} did not answer within ${timeoutMs / 1000} s` : `${command} did not answer within ${timeoutMs} ms`;
}

/** A child whose output went past what we read. */
export function describeTooBig(command: string, maxBytes: number): string {
  return `${command} printed more than ${maxBytes} bytes`;
}

/** The first non-blank line of `text`, trimmed; null if none. */
export function firstLine(text: string): string | null {
  const line = text.split('\n').find((l) => l.trim() !== '');
  return line === undefined ? null : line.trim();
}

/** The last non-blank line of `text`, trimmed (a tool's own one-line error); null if none. */
export function lastLine(text: string): string | null {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  return line ?? null;
}

/** Lines that are a tool's usage text (it rejected a flag) rather than data. */
export const USAGE_PATTERN = /usage:|illegal option|invalid option|unrecognized option|unknown option/i;

/** Which of the tool's flags a usage text complains about, in words. */
export function usageReason(usageLines: readonly string[], argv: readonly string[]): string {
  const text = usageLines.join('\n');
  const flag =
    /illegal option -- (\S)/.exec(text)?.[1] ??
    /invalid option -- '?([^'\s])'?/.exec(text)?.[1] ??
    /(?:unrecognized|unknown) option[:\s]+'?(-{0,2}[^'\s]+)'?/.exec(text)?.[1] ??
    null;
  const ran = argv.map((a) => (a.includes('/') ? (a.split('/').at(-1) ?? a) : a)).join(' ');
  const tool = ran.split(' ')[0] ?? 'the tool';
  const named = flag === null ? null : flag.startsWith('-') ? flag : `-${flag}`;
  return named !== null
    ? `${tool} printed its usage text instead of data: this macOS does not accept flag ${named} (ran: ${ran})`
    : `${tool} printed its usage text instead of data: this macOS does not accept one of the flags of: ${ran}`;
}

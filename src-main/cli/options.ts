// Flag values shared by several commands, checked with messages that name the flag.
import { UserError, type CommandContext } from './main.js';
import { parseRange, type TimeRange } from './range.js';

type CommandValues = CommandContext['values'];

/** A whole number flag within bounds, or the default when absent. */
export function intFlag(value: string | boolean | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UserError(`${flag} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`, 2);
  }
  return Number(text);
}

/** A string flag, or undefined. */
export function stringFlag(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(value: string | boolean | undefined, flag: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  const text = String(value);
  if (!(choices as readonly string[]).includes(text)) throw new UserError(`${flag} ${JSON.stringify(text)}: expected one of ${choices.join(', ')}`, 2);
  return text as T;
}

/** `--since`/`--until` as a range; a bad value is a usage error (exit 2) naming the flag. */
export function rangeFlags(values: CommandValues, nowSeconds: number, defaultSince: string): TimeRange {
  try {
    return parseRange(stringFlag(values['since']), stringFlag(values['until']), nowSeconds, defaultSince);
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message : String(err), 2);
  }
}

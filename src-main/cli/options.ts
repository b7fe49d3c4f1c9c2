// Flag values shared by several commands, checked with messages that name the flag.
import { UserError } from './main.js';

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

// Bounds on what attribution reads from processes. In eBPF mode the processes are every user's, so
// their names, paths and command lines are someone else's input: each field is cut to a fixed size
// before any rule or regular expression sees it (so no regex runs on 128 KiB), and the app name that
// comes out is cut and stripped of control and format characters (terminal escapes, bidi overrides)
// before it is stored, served or printed.

/** Longest process name kept (Linux comm is 15 bytes; macOS bundle names are short). */
export const MAX_NAME_CHARS = 256;
/** Longest path kept (PATH_MAX). */
export const MAX_PATH_CHARS = 4096;
/** Longest single command-line argument kept (a script path is bounded by PATH_MAX). */
export const MAX_ARG_CHARS = 4096;
/** Longest command line kept, before it is split into arguments. */
export const MAX_CMDLINE_CHARS = 32 * 1024;
/** Longest application name stored. */
export const MAX_APP_NAME_CHARS = 128;

/** Control characters (C0, DEL, C1) and invisible format characters (bidi overrides, zero-width). */
const UNPRINTABLE = /[\p{Cc}\p{Cf}]/gu;

/** `text` cut to at most `max` UTF-16 units, without splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/** A command line (NUL- or space-separated) as attribution reads it: capped, each argument capped, space-joined. */
export function boundedCmdline(cmdline: string): string {
  const args = cut(cmdline, MAX_CMDLINE_CHARS).split(/[\0\s]+/);
  const kept: string[] = [];
  for (const a of args) if (a !== '') kept.push(cut(a, MAX_ARG_CHARS));
  return kept.join(' ');
}

/** An application name fit to store and print: no control or format characters, at most 128 characters; null if nothing is left. */
export function cleanAppName(name: string): string | null {
  const clean = cut(name.replace(UNPRINTABLE, ''), MAX_APP_NAME_CHARS).trim();
  return clean === '' ? null : clean;
}

/** Text for a terminal: control and format characters shown as `\u{…}` escapes instead of acting. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}

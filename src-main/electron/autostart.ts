// Start at login on Linux: an XDG autostart entry (~/.config/autostart/netmon.desktop) written and
// removed by the shell. What goes into the file is decided here by pure functions; the three small
// file operations at the end are all the I/O. macOS uses the login item API instead (see shell.ts).
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The entry's file name in the autostart folder. */
export const AUTOSTART_FILE_NAME = 'netmon.desktop';

/** The autostart folder: `$XDG_CONFIG_HOME/autostart`, or `~/.config/autostart` (a relative XDG_CONFIG_HOME is ignored, as the spec says). */
export function autostartDir(env: NodeJS.ProcessEnv, home: string): string {
  const configHome = env['XDG_CONFIG_HOME'];
  const base = configHome !== undefined && path.isAbsolute(configHome) ? configHome : path.join(home, '.config');
  return path.join(base, 'autostart');
}

/** How this copy of the app was started, to start it the same way at login. */
export interface LaunchFacts {
  /** `process.execPath`: the Electron binary (the app's own executable once packaged). */
  execPath: string;
  isPackaged: boolean;
  /** `app.getAppPath()`: the folder (or asar) holding package.json. */
  appPath: string;
  /** `$APPIMAGE`: set by the AppImage runtime to the image's own path. */
  appImage: string | undefined;
}

/** The command line that starts this app at login. */
export function launchCommand(facts: LaunchFacts): string[] {
  // Inside an AppImage, execPath lies in a temporary mount that is gone after the app quits.
  if (facts.appImage !== undefined && facts.appImage !== '') return [facts.appImage];
  // Unpackaged (`electron .` from a checkout), the binary is Electron itself and needs the app folder.
  return facts.isPackaged ? [facts.execPath] : [facts.execPath, facts.appPath];
}

// Characters that force an argument to be quoted (Desktop Entry Specification, "The Exec key").
const RESERVED = /[ \t\n"'\\><~|&;$*?#()`]/;

/** One argument of an Exec line: `%` doubled (field codes), quoted when it holds a reserved character. */
export function quoteExecArg(arg: string): string {
  if (/[\n\r\0]/.test(arg)) throw new Error(`cannot start ${JSON.stringify(arg)} at login: a desktop entry cannot hold a line break`);
  if (arg === '') return '""';
  const doubled = arg.replaceAll('%', '%%');
  if (!RESERVED.test(doubled)) return doubled;
  return `"${doubled.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * The Exec value as it is written in the file. Quoting comes first; then the file format's own string
 * escape doubles every backslash, so that a reader that undoes both gets the argument back.
 */
export function desktopExecValue(argv: readonly string[]): string {
  const program = argv[0];
  if (program === undefined) throw new Error('an autostart entry needs a program');
  if (program.includes('=')) throw new Error(`cannot start ${JSON.stringify(program)} at login: a desktop entry's program path cannot contain "="`);
  return argv
    .map(quoteExecArg)
    .join(' ')
    .replaceAll('\\', '\\\\');
}

/** The whole autostart entry (Version 1.0: nothing here needs later keys, and older validators know no later version). */
export function desktopEntry(argv: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=netmon',
    'Comment=Where did my bandwidth go? Network usage per application',
    `Exec=${desktopExecValue(argv)}`,
    'Icon=netmon',
    'Terminal=false',
    'Categories=Network;Monitor;',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Whether an existing entry starts the app: the desktop may keep the file and switch it off with
 * `Hidden=true` or `X-GNOME-Autostart-enabled=false` (GNOME's own startup-applications tool does).
 */
export function entryStartsApp(text: string): boolean {
  let inMain = false;
  let starts = true;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      inMain = line === '[Desktop Entry]';
      continue;
    }
    if (!inMain || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'Hidden' && value === 'true') starts = false;
    if (key === 'X-GNOME-Autostart-enabled' && value === 'false') starts = false;
  }
  return starts;
}

/** True when `file` exists and starts the app at login. */
export function readXdgAutostart(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  return entryStartsApp(text);
}

/** Writes the entry (replacing the file whole, so that a reader never sees half of it). */
export function writeXdgAutostart(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, file);
}

/** Removes the entry; nothing to do when there is none. */
export function removeXdgAutostart(file: string): void {
  rmSync(file, { force: true });
}

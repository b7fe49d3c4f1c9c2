// Process → application name. The tables in app-rules.ts do the naming; this file decides the order
// in which the evidence is consulted on each platform.
//
// Linux policy, first answer wins:
//  1. the rule table (browsers and their child processes by executable, parent, command line);
//  2. a sandbox cgroup (`app-flatpak-<id>-N.scope`, `snap.<name>.<app>…scope`): everything inside a
//     Flatpak or Snap sandbox is that app's doing;
//  3. interpreters keep the program they run (see `programOfInterpreter`): `node /usr/bin/npm` → `npm`,
//     `python3 -m pip` → `pip`, `java -jar /opt/x/gradle.jar` → `gradle.jar`;
//  4. the executable's basename (folded through APP_ALIASES: `firefox-esr` → `Firefox`);
//  5. only when the executable is unknown, a desktop app scope (`app-gnome-firefox-1234.scope`). It
//     is not trusted over the executable because children inherit their launcher's scope: a `curl`
//     typed into a terminal that GNOME launched lives in the terminal's scope;
//  6. the process name (`comm`), folded through APP_ALIASES.
// macOS: the rule table (bundle path, then nettop's 15-character names), the interpreter policy when
// a command line is known, then a 15-character cut of "X Helper…" → X, then the name itself, then
// the executable's basename.
// No owner at all → UNATTRIBUTED.
import type { ProcessInfo } from '../types.js';
import { UNATTRIBUTED } from '../types.js';
import { assertNever } from '../../../src-shared/contract/types.js';
import { APP_ALIASES, DARWIN_HELPER_CUT, DARWIN_RULES, LINUX_RULES, NETTOP_NAME_WIDTH } from './app-rules.js';
import { boundedCmdline, cleanAppName, cut, MAX_NAME_CHARS, MAX_PATH_CHARS } from './bounds.js';
import type { AppRule, RuleField } from './app-rules.js';

/** The platforms attribution knows. */
export type Platform = 'darwin' | 'linux';

/**
 * The application a process belongs to, for storing its bytes under; UNATTRIBUTED for a null owner.
 * Every field is cut to a fixed size first (bounds.ts), and the name that comes out has no control
 * characters and at most 128 characters: the process may be another user's.
 */
export function appForProcess(p: ProcessInfo | null, platform: Platform): string {
  if (p === null) return UNATTRIBUTED;
  switch (platform) {
    case 'darwin':
      return cleanAppName(darwinApp(p)) ?? UNATTRIBUTED;
    case 'linux':
      return cleanAppName(linuxApp(p)) ?? UNATTRIBUTED;
    default:
      return assertNever(platform, 'platform');
  }
}

type Fields = Partial<Record<RuleField, string>>;

function fieldsOf(p: ProcessInfo): Fields {
  const fields: Fields = {};
  const name = cut(p.name, MAX_NAME_CHARS).trim();
  if (name !== '') fields.name = name;
  if (nonEmpty(p.path)) {
    fields.path = cut(p.path, MAX_PATH_CHARS);
    const base = basename(fields.path);
    if (base !== '') fields.base = base;
  }
  if (nonEmpty(p.cmdline)) fields.cmdline = boundedCmdline(p.cmdline);
  if (nonEmpty(p.parentName)) fields.parentName = cut(p.parentName, MAX_NAME_CHARS).trim();
  if (nonEmpty(p.parentPath)) fields.parentPath = cut(p.parentPath, MAX_PATH_CHARS);
  if (nonEmpty(p.cgroup)) fields.cgroup = cut(p.cgroup, MAX_PATH_CHARS);
  return fields;
}

function nonEmpty(s: string | undefined): s is string {
  return s !== undefined && s.trim() !== '';
}

/** The first rule whose conditions all match, with `$n` filled from its first condition. */
export function matchRules(rules: readonly AppRule[], fields: Fields): string | null {
  for (const rule of rules) {
    let groups: RegExpExecArray | null = null;
    let ok = true;
    for (const [field, re] of Object.entries(rule.when) as [RuleField, RegExp][]) {
      const value = fields[field];
      const m = value === undefined ? null : re.exec(value);
      if (m === null) {
        ok = false;
        break;
      }
      groups ??= m;
    }
    if (!ok) continue;
    const app = rule.app.replace(/\$(\d)/g, (_, n: string) => groups?.[Number(n)] ?? '').trim();
    if (app !== '') return app;
  }
  return null;
}

function darwinApp(p: ProcessInfo): string {
  const fields = fieldsOf(p);
  const ruled = matchRules(DARWIN_RULES, fields);
  if (ruled !== null) return ruled;
  // nettop gives no command line, but a sampler that adds one gets the same interpreter policy.
  const executable = fields.base ?? fields.name;
  if (executable !== undefined && fields.cmdline !== undefined) {
    const program = programOfInterpreter(executable, fields.cmdline);
    if (program !== null) return program;
  }
  if (p.name.length === NETTOP_NAME_WIDTH) {
    const cut = DARWIN_HELPER_CUT.exec(p.name);
    if (cut?.[1] !== undefined) return cut[1];
  }
  return fields.name ?? fields.base ?? UNATTRIBUTED;
}

function linuxApp(p: ProcessInfo): string {
  const fields = fieldsOf(p);
  const ruled = matchRules(LINUX_RULES, fields);
  if (ruled !== null) return ruled;
  const scope = fields.cgroup === undefined ? null : parseCgroupScope(fields.cgroup);
  if (scope !== null && scope.kind === 'sandbox') return scope.app;
  const interpreter = fields.base ?? fields.name;
  if (interpreter !== undefined && fields.cmdline !== undefined) {
    const program = programOfInterpreter(interpreter, fields.cmdline);
    if (program !== null) return program;
  }
  if (fields.base !== undefined) return alias(fields.base);
  if (scope !== null) return scope.app;
  if (fields.name !== undefined) return alias(fields.name);
  return UNATTRIBUTED;
}

function alias(name: string): string {
  return APP_ALIASES.get(name.toLowerCase()) ?? name;
}

function basename(path: string): string {
  // `/proc/PID/exe` of a replaced binary reads `/usr/bin/x (deleted)`.
  let end = path.endsWith(' (deleted)') ? path.length - ' (deleted)'.length : path.length;
  // Trailing slashes by hand: /\/+$/ is quadratic on a run of slashes followed by anything else.
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end -= 1;
  const clean = path.slice(0, end);
  return clean.slice(clean.lastIndexOf('/') + 1);
}

function splitArgs(cmdline: string): string[] {
  return cmdline.split(/\s+/).filter((a) => a !== '');
}

/** What a cgroup path says about the app: a sandbox (Flatpak, Snap) or a desktop launcher's scope. */
export interface CgroupScope {
  kind: 'sandbox' | 'desktop';
  app: string;
}

/** Reads the app out of a systemd unit at the end of a cgroup path; null when it names none. */
export function parseCgroupScope(cgroup: string): CgroupScope | null {
  const leaf = cgroup.slice(cgroup.lastIndexOf('/') + 1);
  // A systemd unit name is at most 255 characters; longer is not a unit (and not fed to the regexes below).
  if (leaf.length > 255) return null;
  const snap = /^snap\.([^.]+)\.[^/]*\.scope$/.exec(leaf);
  if (snap?.[1] !== undefined) return { kind: 'sandbox', app: alias(unescapeUnit(snap[1])) };
  // systemd's convention for desktop apps: app[-<launcher>]-<ApplicationID>-<RANDOM>.scope, or
  // app[-<launcher>]-<ApplicationID>[@<RANDOM>].service; a `-` inside the id is escaped as \x2d.
  const unit = /^app-(.+?)(?:-[^-]+\.scope|(?:@[^.]*)?\.service)$/.exec(leaf);
  if (unit?.[1] === undefined) return null;
  const parts = unit[1].split('-');
  const launcher = parts.length > 1 ? parts[0] : undefined;
  const id = unescapeUnit(parts.length > 1 ? parts.slice(1).join('-') : unit[1]).replace(/\.desktop$/, '');
  if (id === '') return null;
  return { kind: launcher === 'flatpak' ? 'sandbox' : 'desktop', app: appFromAppId(id) };
}

function unescapeUnit(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `org.mozilla.firefox` → `Firefox` (known), `org.gnome.Epiphany` → `Epiphany`, `firefox` → `Firefox`. */
function appFromAppId(id: string): string {
  const known = APP_ALIASES.get(id.toLowerCase());
  if (known !== undefined) return known;
  const parts = id.split('.');
  // A reverse-DNS id: the last part is the app's own name.
  if (parts.length >= 3) return parts[parts.length - 1] ?? id;
  return id;
}

const PYTHON = /^(?:python[0-9.]*|pypy[0-9.]*)$/;
const NODE = /^(?:node|nodejs)$/;
const SCRIPTED = /^(?:ruby[0-9.]*|perl[0-9.]*|php[0-9.]*)$/;
/** Script names that say nothing on their own: `myapp/index.js` is kept with its folder. */
const GENERIC_SCRIPT = /^(?:index|main|__main__|cli|app|server|run|start)\.[a-z]+$/;
/** Options that take the next argument as their value, per interpreter (others are flags or `--opt=value`). */
const VALUE_OPTIONS: Record<'python' | 'node' | 'java', ReadonlySet<string>> = {
  python: new Set(['-W', '-X', '-Q']),
  node: new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--env-file', '--title', '--inspect-port']),
  java: new Set(['-cp', '-classpath', '--class-path', '-p', '--module-path', '--add-modules', '--add-opens', '--add-exports', '--add-reads', '--upgrade-module-path', '--limit-modules']),
};

/**
 * The program an interpreter runs, named as a user would: the script's basename (`node /usr/bin/npm`
 * → `npm`), a package's name when the script lives in `node_modules/<pkg>/`, a module run with
 * `python -m`, a jar, an Electron app's folder; a generic script name keeps its folder
 * (`proj/index.js`). Null when the executable is not an interpreter or runs no program (`-c`, `-e`,
 * a REPL): the interpreter's own name is then the answer.
 */
export function programOfInterpreter(executable: string, cmdline: string): string | null {
  // Capped here too: this is also called with command lines that did not come through fieldsOf.
  const args = splitArgs(boundedCmdline(cmdline)).slice(1);
  if (PYTHON.test(executable)) return pythonProgram(args);
  if (NODE.test(executable)) return nodeProgram(args);
  if (SCRIPTED.test(executable)) {
    // `-e`/`-E`/`-r` (PHP) run code given inline: no program to name.
    if (args.some((a) => a === '-e' || a === '-E' || a === '-r')) return null;
    return scriptName(firstOperand(args, new Set(['-I', '-c', '-d'])));
  }
  if (executable === 'java') return javaProgram(args);
  if (/^electron[0-9]*$/.test(executable)) return electronApp(firstOperand(args, new Set()));
  return null;
}

/** The first argument that is neither an option nor an option's value. */
function firstOperand(args: readonly string[], valueOptions: ReadonlySet<string>): string | null {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a === undefined) break;
    if (a === '--') return args[i + 1] ?? null;
    if (!a.startsWith('-') || a === '-') return a;
    if (valueOptions.has(a)) i += 1;
  }
  return null;
}

function pythonProgram(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a === undefined) break;
    if (a === '-c') return null;
    if (a === '-m') return args[i + 1] ?? null;
    if (a.startsWith('-m') && a.length > 2) return a.slice(2);
    if (!a.startsWith('-') || a === '-') return scriptName(a);
    if (VALUE_OPTIONS.python.has(a)) i += 1;
  }
  return null;
}

function nodeProgram(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a === undefined) break;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') return null;
    if (!a.startsWith('-') || a === '-') return nodePackage(a) ?? scriptName(a);
    if (VALUE_OPTIONS.node.has(a)) i += 1;
  }
  return null;
}

/**
 * `…/node_modules/@scope/pkg/bin/x.js` → `@scope/pkg`: the last node_modules on the path whose package
 * folder has something inside it. By slicing, no regex on the argument (it may be another user's).
 */
function nodePackage(arg: string): string | null {
  const marker = '/node_modules/';
  for (let at = arg.lastIndexOf(marker); at !== -1; at = at === 0 ? -1 : arg.lastIndexOf(marker, at - 1)) {
    const rest = arg.slice(at + marker.length).split('/', 3);
    const [first, second] = rest;
    if (first === undefined || first === '') continue;
    if (first.startsWith('@')) {
      if (second !== undefined && second !== '' && rest.length > 2) return `${first}/${second}`;
    } else if (rest.length > 1) {
      return first;
    }
  }
  return null;
}

function javaProgram(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (a === undefined) break;
    if (a === '-jar') return scriptName(args[i + 1] ?? null);
    if (a === '-m' || a === '--module') return (args[i + 1] ?? '').split('/')[0] || null;
    if (!a.startsWith('-')) return a;
    if (VALUE_OPTIONS.java.has(a)) i += 1;
  }
  return null;
}

/** `/usr/lib/obsidian/app.asar` → `obsidian`: Electron runs an app folder or archive. */
function electronApp(arg: string | null): string | null {
  if (arg === null) return null;
  const parts = arg.replace(/\/+$/, '').split('/');
  const last = parts[parts.length - 1] ?? '';
  // `…/obsidian/app.asar`, or `…/signal-desktop/resources/app.asar`: the folder above names the app.
  let at = /^(?:app|app\.asar)$/.test(last) ? parts.length - 2 : parts.length - 1;
  if (parts[at] === 'resources') at -= 1;
  const named = parts[at];
  return named === undefined || named === '' ? null : alias(named);
}

function scriptName(arg: string | null): string | null {
  if (arg === null || arg === '-') return null;
  const parts = arg.split('/').filter((s) => s !== '');
  const base = parts[parts.length - 1];
  if (base === undefined) return null;
  const folder = parts[parts.length - 2];
  return GENERIC_SCRIPT.test(base) && folder !== undefined ? `${folder}/${base}` : base;
}

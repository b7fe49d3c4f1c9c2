// Which application a process belongs to, as data: ordered rules, first match wins. To teach netmon
// a new app, add a row (and a test row in tests/unit/attribution-app.test.ts); no code changes.
//
// Each rule lists conditions on the fields of a ProcessInfo; a rule matches when every condition it
// lists matches (a condition on a field the OS did not report does not match). `app` may refer to
// the first condition's capture groups as `$1`, `$2`.

/** A field of ProcessInfo a rule can test. `base` is the executable's basename (from `path`). */
export type RuleField = 'name' | 'path' | 'base' | 'cmdline' | 'parentName' | 'parentPath' | 'cgroup';

/** One line of an attribution table. */
export interface AppRule {
  /** Conditions, all of which must match; the first one's capture groups feed `$1` in `app`. */
  when: Partial<Record<RuleField, RegExp>>;
  /** The application's display name, or a template using the first condition's groups. */
  app: string;
}

/**
 * Canonical display names for executables, snap names and desktop ids, keyed in lower case.
 * Both tables below fold into these, so one app has one name on both platforms.
 */
export const APP_ALIASES: ReadonlyMap<string, string> = new Map([
  ['firefox', 'Firefox'],
  ['firefox-esr', 'Firefox'],
  ['firefox-bin', 'Firefox'],
  ['org.mozilla.firefox', 'Firefox'],
  ['zen', 'Zen'],
  ['zen-bin', 'Zen'],
  ['zen-browser', 'Zen'],
  ['app.zen_browser.zen', 'Zen'],
  ['io.github.zen_browser.zen', 'Zen'],
  ['chromium', 'Chromium'],
  ['chromium-browser', 'Chromium'],
  ['org.chromium.chromium', 'Chromium'],
  ['chrome', 'Google Chrome'],
  ['google-chrome', 'Google Chrome'],
  ['google-chrome-stable', 'Google Chrome'],
  ['com.google.chrome', 'Google Chrome'],
  ['msedge', 'Microsoft Edge'],
  ['microsoft-edge', 'Microsoft Edge'],
  ['microsoft-edge-stable', 'Microsoft Edge'],
  ['com.microsoft.edge', 'Microsoft Edge'],
  ['brave', 'Brave Browser'],
  ['brave-browser', 'Brave Browser'],
  ['com.brave.browser', 'Brave Browser'],
  ['code', 'Visual Studio Code'],
  ['com.visualstudio.code', 'Visual Studio Code'],
  ['slack', 'Slack'],
  ['com.slack.slack', 'Slack'],
  ['discord', 'Discord'],
  ['com.discordapp.discord', 'Discord'],
  ['spotify', 'Spotify'],
  ['com.spotify.client', 'Spotify'],
  ['telegram-desktop', 'Telegram'],
  ['org.telegram.desktop', 'Telegram'],
  ['thunderbird', 'Thunderbird'],
  ['org.mozilla.thunderbird', 'Thunderbird'],
]);

/**
 * Process names Firefox (and Firefox-based browsers such as Zen) gives its child processes, as the OS
 * reports them: full, or cut to 15 characters (`Isolated Web Co`, `plugin-containe`).
 */
const GECKO_CHILD =
  /^(?:Web Content|WebExtensions|Isolated Web Co(?:ntent)?|Isolated Servic(?:e Worker)?|Privileged Cont(?:ent)?|Privileged Moz(?:illa)?|File Content|Socket Process|RDD Process|Utility Process|GMPlugin|Forked Web Cont|plugin-containe(?:r)?|forkserver)$/;

/** A parent or path that says "Zen", so Zen's Firefox-named children are not counted as Firefox. */
const ZEN_BINARY = /^zen(?:-bin|-browser)?$/i;
const FIREFOX_BINARY = /^firefox(?:-esr|-bin)?$/i;

/**
 * macOS, where nettop reports only `name.pid` with the name cut to 15 characters; a path or parent is
 * used when a sampler adds one.
 */
export const DARWIN_RULES: readonly AppRule[] = [
  // Helpers live inside their app's bundle: the path settles Zen vs Firefox and everything else.
  { when: { path: /\/Zen(?: Browser)?\.app\//i }, app: 'Zen' },
  { when: { path: /\/Firefox(?: Nightly| Developer Edition)?\.app\// }, app: 'Firefox' },
  { when: { path: /\/Visual Studio Code\.app\// }, app: 'Visual Studio Code' },
  // The outermost bundle names the app: the leftmost `/X.app/` is the first `.app/` on the path (X holds
  // no slash). Unanchored rather than `^.*?`, which is quadratic on a long path without `.app/`.
  { when: { path: /\/([^/]+)\.app\// }, app: '$1' },

  // Firefox-family child processes: their parent tells Zen from Firefox; Firefox when nobody says.
  { when: { name: GECKO_CHILD, parentName: ZEN_BINARY }, app: 'Zen' },
  { when: { name: GECKO_CHILD, parentPath: /\/Zen(?: Browser)?\.app\//i }, app: 'Zen' },
  { when: { name: GECKO_CHILD }, app: 'Firefox' },
  { when: { name: ZEN_BINARY }, app: 'Zen' },
  { when: { name: /^firefox/i }, app: 'Firefox' },

  // Safari's pages load in WebKit's own processes (`com.apple.WebKit.Networking`, cut to 15).
  { when: { name: /^com\.apple\.WebKi/ }, app: 'Safari' },
  { when: { name: /^com\.apple\.Safar/ }, app: 'Safari' },
  { when: { name: /^Safari/ }, app: 'Safari' },

  { when: { name: /^Google Chrome C(?:anary)?(?:$| Helper)/ }, app: 'Google Chrome Canary' },
  { when: { name: /^Google Chrome\b/ }, app: 'Google Chrome' },
  // `Microsoft Edge Helper` cut to 15 is `Microsoft Edge ` (nettop's `Microsoft Edge .772`).
  { when: { name: /^Microsoft Edge\b/ }, app: 'Microsoft Edge' },
  { when: { name: /^Brave Browser\b/ }, app: 'Brave Browser' },
  { when: { name: /^(?:Microsoft Teams|MSTeams)\b/ }, app: 'Microsoft Teams' },
  { when: { name: /^Code Helper\b/ }, app: 'Visual Studio Code' },
  { when: { name: /^(Slack|Discord|Spotify|Dropbox)\b/ }, app: '$1' },
  // Tailscale's network extension (`io.tailscale.ipn.macsys.network-extension`, cut to 15).
  { when: { name: /^io\.tailscale\./ }, app: 'Tailscale' },

  // Electron and Chromium-style helpers of any other app: `Notion Helper (Renderer)` → `Notion`.
  { when: { name: /^(.+?) Helper(?: \(.*)?$/ }, app: '$1' },
];

/**
 * A nettop name that is a 15-character cut of "X Helper…" (`1Password Helpe`, `Brave Browser H`):
 * applied after the table, only to names exactly 15 characters long.
 */
export const DARWIN_HELPER_CUT = /^(.+?) (?:H|He|Hel|Help|Helpe)$/;

/** The width nettop cuts process names to. */
export const NETTOP_NAME_WIDTH = 15;

/**
 * Linux, where a sampler knows the executable (`/proc/PID/exe`), command line, parent and cgroup.
 * Sandboxed apps (Flatpak, Snap) are named by their cgroup before this table; interpreters and the
 * executable's basename after it (see app-for-process.ts).
 */
export const LINUX_RULES: readonly AppRule[] = [
  // Zen first: it is Firefox-based and its children carry Firefox's names.
  { when: { path: /\/zen(?:-browser)?\/[^/]+$/i }, app: 'Zen' },
  { when: { base: ZEN_BINARY }, app: 'Zen' },
  { when: { base: FIREFOX_BINARY }, app: 'Firefox' },
  { when: { path: /\/firefox(?:-esr)?\/[^/]+$/ }, app: 'Firefox' },
  { when: { name: GECKO_CHILD, parentName: ZEN_BINARY }, app: 'Zen' },
  { when: { name: GECKO_CHILD, parentPath: /\/zen(?:-browser)?\/[^/]+$|\/zen(?:-bin)?$/i }, app: 'Zen' },
  { when: { name: GECKO_CHILD, parentName: FIREFOX_BINARY }, app: 'Firefox' },
  { when: { name: GECKO_CHILD, parentPath: /\/firefox(?:-esr|-bin)?$/ }, app: 'Firefox' },
  { when: { name: ZEN_BINARY }, app: 'Zen' },
  { when: { name: FIREFOX_BINARY }, app: 'Firefox' },
  // Without an executable path: Firefox's children run the browser's binary with `-contentproc`.
  { when: { cmdline: /^\S*\/zen(?:-bin)?(?:\s|$)/ }, app: 'Zen' },
  { when: { cmdline: /^\S*\/firefox(?:-esr|-bin)?(?:\s|$)/ }, app: 'Firefox' },

  // Chromium-family renderers, GPU and utility processes run the browser's own executable with
  // `--type=…`, and its helpers (crashpad handler) live beside it: the directory names them all.
  { when: { path: /\/lib\/chromium(?:-browser)?\/[^/]+$/ }, app: 'Chromium' },
  { when: { path: /\/google\/chrome(?:-beta|-unstable)?\/[^/]+$/ }, app: 'Google Chrome' },
  { when: { path: /\/microsoft\/msedge(?:-beta|-dev)?\/[^/]+$/ }, app: 'Microsoft Edge' },
  { when: { path: /\/brave(?:\.com)?\/brave(?:-browser)?(?:-beta|-nightly)?\/[^/]+$/ }, app: 'Brave Browser' },
  { when: { path: /\/(?:share|lib|opt)\/(?:code|visual-studio-code)\/code$/ }, app: 'Visual Studio Code' },
  // Without an executable path (another user's process), the command line still names the browser.
  { when: { cmdline: /^\S*\/chromium(?:-browser)?(?:\s|$)/ }, app: 'Chromium' },
  { when: { cmdline: /^\S*\/google\/chrome[^/\s]*\/chrome(?:\s|$)/ }, app: 'Google Chrome' },
];

// Which applications a browser extension speaks for. The extension names its browser (`zen`,
// `firefox`, `chromium`, `chrome`, …); the engine names processes by the attribution rules. Only the
// named applications' bytes are attributed to domains, and only while their extension is reporting.

// Browser name (lower case, as the extension sends it) → application names of attribution's rules.
const APPS_OF_BROWSER: Readonly<Record<string, readonly string[]>> = {
  zen: ['Zen'],
  firefox: ['Firefox'],
  chromium: ['Chromium'],
  chrome: ['Google Chrome', 'Google Chrome Canary'],
  edge: ['Microsoft Edge'],
  brave: ['Brave Browser'],
  // Named by the generic rules: the .app bundle on macOS, the executable on Linux.
  vivaldi: ['Vivaldi', 'vivaldi', 'vivaldi-bin'],
  opera: ['Opera', 'opera'],
  arc: ['Arc'],
};

/** Every application some extension could speak for. */
export const BROWSER_APPS: ReadonlySet<string> = new Set(Object.values(APPS_OF_BROWSER).flat());

/** The applications a browser's extension speaks for (none for a browser netmon does not know). */
export function appsOfBrowser(browser: string): readonly string[] {
  const key = browser.trim().toLowerCase();
  return Object.hasOwn(APPS_OF_BROWSER, key) ? (APPS_OF_BROWSER[key] ?? []) : [];
}

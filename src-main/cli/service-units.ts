// The service definitions that run `netmon serve` for a headless user: a systemd user unit (Linux) and a
// launchd LaunchAgent (macOS). Pure text from the paths given; `service.ts` writes and registers them.
// Both stop serve with SIGTERM and give it time to write its buffer (it also stores its baselines, so
// even a forced kill loses nothing but the per-interval detail), restart it after a crash, and start it
// at login. The unit also sets serve's environment (SERVE_ENV: glibc's malloc arenas, which are read at
// process start only; see serve-process.ts).
import { SERVE_ENV } from './serve-process.js';

/** What the unit runs. */
export interface ServiceSpec {
  /** Absolute path of the Node 22 executable. */
  node: string;
  /** Absolute path of bin/netmon.js. */
  script: string;
  /** Extra arguments after `serve` (e.g. --data-dir). */
  args: readonly string[];
  /** Where launchd writes serve's stdout and stderr (the data folder's logs). */
  logDir: string;
}

export const SYSTEMD_UNIT_NAME = 'netmon.service';
export const LAUNCHD_LABEL = 'dev.netmon.serve';

/** systemd quoting of one ExecStart word: double quotes, with backslash, quote, dollar and percent escaped. */
function systemdWord(word: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(word)) return word;
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** A systemd user unit (`~/.config/systemd/user/netmon.service`). */
export function systemdUnit(spec: ServiceSpec): string {
  const exec = [spec.node, spec.script, 'serve', '--no-open', ...spec.args].map(systemdWord).join(' ');
  const env = Object.entries(SERVE_ENV).map(([key, value]) => `Environment=${key}=${value}\n`).join('');
  return `# netmon serve as a systemd user service. Written by \`netmon service install\`; removed by \`netmon service uninstall\`.
[Unit]
Description=netmon: where did my bandwidth go? (headless monitor and dashboard on 127.0.0.1)
After=network.target

[Service]
Type=simple
# Two malloc arenas instead of glibc's one per thread: V8's helper threads share one, and serve holds
# 2-5 MB less after 30 days (npm run bench -- soak). glibc reads it at process start only.
${env}ExecStart=${exec}
# SIGTERM to serve alone: it stops its sampler's children itself and writes its buffer first.
KillMode=mixed
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5

[Install]
WantedBy=default.target
`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A launchd LaunchAgent (`~/Library/LaunchAgents/dev.netmon.serve.plist`). */
export function launchdPlist(spec: ServiceSpec): string {
  const args = [spec.node, spec.script, 'serve', '--no-open', ...spec.args].map((a) => `    <string>${xml(a)}</string>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- netmon serve as a LaunchAgent. Written by \`netmon service install\`; removed by \`netmon service uninstall\`. -->
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ProcessType</key>
  <string>Background</string>
  <key>ExitTimeOut</key>
  <integer>30</integer>
  <key>StandardOutPath</key>
  <string>${xml(`${spec.logDir}/launchd.out.log`)}</string>
  <key>StandardErrorPath</key>
  <string>${xml(`${spec.logDir}/launchd.err.log`)}</string>
</dict>
</plist>
`;
}

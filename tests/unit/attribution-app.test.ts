// Process → application, table-driven. macOS names are nettop's, cut to 15 characters, most of them
// taken from the published captures in ../shared/fixtures/nettop beside the checkout (label `name.pid`, split at the
// last dot); Linux rows use real executable paths, command lines and cgroup paths.
import { describe, expect, it } from 'vitest';
import { appForProcess, parseCgroupScope, programOfInterpreter } from '../../src-main/engine/attribution/index.js';
import type { ProcessInfo } from '../../src-main/engine/types.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';
import { capturesDir } from '../helpers/nettop.js';

type Row = [label: string, process: Omit<ProcessInfo, 'pid'> & { pid?: number }, app: string];

const p = (row: Row[1]): ProcessInfo => ({ pid: 4242, ...row });

const darwin: Row[] = [
  // From the fixtures.
  ['fixture Google Chrome H.74297', { name: 'Google Chrome H' }, 'Google Chrome'],
  ['fixture Microsoft Edge .772 (cut keeps its space)', { name: 'Microsoft Edge ' }, 'Microsoft Edge'],
  ['fixture com.apple.WebKi.1790 (WebKit networking)', { name: 'com.apple.WebKi' }, 'Safari'],
  ['fixture OpenCode Helper.71829', { name: 'OpenCode Helper' }, 'OpenCode'],
  ['fixture io.tailscale.ip.1982', { name: 'io.tailscale.ip' }, 'Tailscale'],
  ['fixture Tailscale.1974', { name: 'Tailscale' }, 'Tailscale'],
  ['fixture Telegram.97533', { name: 'Telegram' }, 'Telegram'],
  ['fixture TestFlightServi.86527 (a cut that is no helper stays as is)', { name: 'TestFlightServi' }, 'TestFlightServi'],
  ['fixture Codex (Service).65506', { name: 'Codex (Service)' }, 'Codex (Service)'],
  ['fixture nesessionmanage.597', { name: 'nesessionmanage' }, 'nesessionmanage'],
  ['fixture kernel_task.0', { name: 'kernel_task' }, 'kernel_task'],
  ['fixture mDNSResponder.690', { name: 'mDNSResponder' }, 'mDNSResponder'],
  // Chrome and its helpers, full and cut.
  ['Google Chrome', { name: 'Google Chrome' }, 'Google Chrome'],
  ['Google Chrome Helper (Renderer)', { name: 'Google Chrome Helper (Renderer)' }, 'Google Chrome'],
  ['Google Chrome Helper (GPU)', { name: 'Google Chrome Helper (GPU)' }, 'Google Chrome'],
  ['Google Chrome C (Canary, cut)', { name: 'Google Chrome C' }, 'Google Chrome Canary'],
  ['Google Chrome Canary Helper', { name: 'Google Chrome Canary Helper' }, 'Google Chrome Canary'],
  ['Microsoft Edge', { name: 'Microsoft Edge' }, 'Microsoft Edge'],
  ['Microsoft Edge . (cut with the dot)', { name: 'Microsoft Edge .' }, 'Microsoft Edge'],
  ['Microsoft Edge H', { name: 'Microsoft Edge H' }, 'Microsoft Edge'],
  ['Microsoft Edge Helper (Renderer)', { name: 'Microsoft Edge Helper (Renderer)' }, 'Microsoft Edge'],
  ['Safari', { name: 'Safari' }, 'Safari'],
  ['com.apple.WebKit.Networking (full)', { name: 'com.apple.WebKit.Networking' }, 'Safari'],
  ['com.apple.Safar (Safari.SafeBrowsing, cut)', { name: 'com.apple.Safar' }, 'Safari'],
  ['Brave Browser H', { name: 'Brave Browser H' }, 'Brave Browser'],
  ['Brave Browser', { name: 'Brave Browser' }, 'Brave Browser'],
  // Firefox and Zen (Firefox-based: same child names, told apart by parent or bundle path).
  ['firefox', { name: 'firefox' }, 'Firefox'],
  ['Web Content', { name: 'Web Content' }, 'Firefox'],
  ['Isolated Web Co', { name: 'Isolated Web Co' }, 'Firefox'],
  ['plugin-containe', { name: 'plugin-containe' }, 'Firefox'],
  ['zen', { name: 'zen' }, 'Zen'],
  ['Web Content under zen', { name: 'Web Content', parentName: 'zen' }, 'Zen'],
  ['Web Content under firefox', { name: 'Web Content', parentName: 'firefox' }, 'Firefox'],
  ['plugin-containe whose parent lives in Zen.app', { name: 'plugin-containe', parentPath: '/Applications/Zen.app/Contents/MacOS/zen' }, 'Zen'],
  ['Isolated Web Co inside Zen.app', { name: 'Isolated Web Co', path: '/Applications/Zen.app/Contents/MacOS/plugin-container.app/Contents/MacOS/plugin-container' }, 'Zen'],
  ['Isolated Web Co inside Firefox.app', { name: 'Isolated Web Co', path: '/Applications/Firefox.app/Contents/MacOS/plugin-container.app/Contents/MacOS/plugin-container' }, 'Firefox'],
  // Electron apps and their helpers.
  ['Slack Helper (R', { name: 'Slack Helper (R' }, 'Slack'],
  ['Slack', { name: 'Slack' }, 'Slack'],
  ['Discord Helper (cut with a trailing space)', { name: 'Discord Helper ' }, 'Discord'],
  ['Spotify Helper', { name: 'Spotify Helper' }, 'Spotify'],
  ['Code Helper (Re', { name: 'Code Helper (Re' }, 'Visual Studio Code'],
  ['Code Helper (Plugin)', { name: 'Code Helper (Plugin)' }, 'Visual Studio Code'],
  ['Electron inside Visual Studio Code.app', { name: 'Electron', path: '/Applications/Visual Studio Code.app/Contents/MacOS/Electron' }, 'Visual Studio Code'],
  ['MSTeams', { name: 'MSTeams' }, 'Microsoft Teams'],
  ['Microsoft Teams (cut of Microsoft Teams WebView Helper)', { name: 'Microsoft Teams' }, 'Microsoft Teams'],
  ['Notion Helper ( (cut)', { name: 'Notion Helper (' }, 'Notion'],
  ['1Password Helpe (15-character cut of a helper)', { name: '1Password Helpe' }, '1Password'],
  ['Figma Helper (Renderer)', { name: 'Figma Helper (Renderer)' }, 'Figma'],
  // Paths, when a sampler adds them: the outermost bundle names the app.
  ['a Chrome helper by its nested bundle path', { name: 'Google Chrome H', path: '/Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer)' }, 'Google Chrome'],
  ['Mail by its bundle', { name: 'Mail', path: '/System/Applications/Mail.app/Contents/MacOS/Mail' }, 'Mail'],
  ['no name, a plain binary path', { name: '', path: '/opt/homebrew/bin/syncthing' }, 'syncthing'],
  ['node running npm (command line known)', { name: 'node', cmdline: 'node /opt/homebrew/bin/npm install' }, 'npm'],
  ['python3.12 without a command line', { name: 'python3.12' }, 'python3.12'],
  ['no name, nothing else', { name: '  ' }, UNATTRIBUTED],
];

const linux: Row[] = [
  // Firefox (Debian's firefox-esr) and its child processes.
  ['firefox-esr main process', { name: 'firefox-esr', path: '/usr/lib/firefox-esr/firefox-esr', cmdline: '/usr/lib/firefox-esr/firefox-esr' }, 'Firefox'],
  ['Web Content by executable', { name: 'Web Content', path: '/usr/lib/firefox-esr/firefox-esr', cmdline: '/usr/lib/firefox-esr/firefox-esr -contentproc -childID 3 -isForBrowser -prefsLen 31 -appDir /usr/lib/firefox-esr/browser 1234 true tab' }, 'Firefox'],
  ['Isolated Web Co by parent name', { name: 'Isolated Web Co', parentName: 'firefox-esr' }, 'Firefox'],
  ['Socket Process by parent path', { name: 'Socket Process', parentPath: '/usr/lib/firefox/firefox' }, 'Firefox'],
  ['RDD Process by command line only', { name: 'RDD Process', cmdline: '/usr/lib/firefox/firefox -contentproc -parentBuildID 20250101 1234 true rdd' }, 'Firefox'],
  ['GeckoMain in a GNOME app scope (no executable path)', { name: 'GeckoMain', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4321.scope' }, 'Firefox'],
  ['Firefox snap helper', { name: 'Socket Process', path: '/snap/firefox/4848/usr/lib/firefox/firefox', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/snap.firefox.firefox-3f6cd0a5-1c2b-4b8e-9a7e-0b1f1b2c3d4e.scope' }, 'Firefox'],
  ['Firefox flatpak', { name: 'Web Content', path: '/app/lib/firefox/firefox-bin', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.mozilla.firefox-98765.scope' }, 'Firefox'],
  // Zen (Firefox-based): its children carry Firefox's names.
  ['Zen main (tarball in /opt/zen)', { name: 'zen-bin', path: '/opt/zen/zen-bin' }, 'Zen'],
  ['Web Content of Zen by executable', { name: 'Web Content', path: '/opt/zen/zen-bin', cmdline: '/opt/zen/zen-bin -contentproc -childID 2 -isForBrowser 4321 true tab' }, 'Zen'],
  ['Isolated Web Co of Zen by parent', { name: 'Isolated Web Co', parentName: 'zen-bin' }, 'Zen'],
  ['Zen flatpak helper', { name: 'forkserver', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-app.zen_browser.zen-55555.scope' }, 'Zen'],
  // Chromium family: renderers run the browser's own executable with --type.
  ['Chromium renderer', { name: 'chromium', path: '/usr/lib/chromium/chromium', cmdline: '/usr/lib/chromium/chromium --type=renderer --crashpad-handler-pid=2201 --enable-crash-reporter=,Debian --change-stack-guard-on-fork=enable' }, 'Chromium'],
  ['Chromium network service, command line only', { name: 'chromium', cmdline: '/usr/lib/chromium/chromium --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US' }, 'Chromium'],
  ['Chromium crashpad handler', { name: 'chrome_crashpad', path: '/usr/lib/chromium/chrome_crashpad_handler' }, 'Chromium'],
  ['Google Chrome', { name: 'chrome', path: '/opt/google/chrome/chrome', cmdline: '/opt/google/chrome/chrome --type=renderer' }, 'Google Chrome'],
  ['Google Chrome by command line only', { name: 'chrome', cmdline: '/opt/google/chrome/chrome --type=gpu-process' }, 'Google Chrome'],
  ['Google Chrome by escaped GNOME scope only', { name: 'chrome', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-google\\x2dchrome-9876.scope' }, 'Google Chrome'],
  ['Microsoft Edge', { name: 'msedge', path: '/opt/microsoft/msedge/msedge' }, 'Microsoft Edge'],
  ['Brave', { name: 'brave', path: '/opt/brave.com/brave/brave' }, 'Brave Browser'],
  ['Visual Studio Code', { name: 'code', path: '/usr/share/code/code', cmdline: '/usr/share/code/code --type=utility' }, 'Visual Studio Code'],
  ['Slack by basename alias', { name: 'slack', path: '/usr/lib/slack/slack' }, 'Slack'],
  // Sandboxes name their app; desktop scopes only when the executable is unknown.
  ['flatpak Epiphany (reverse-DNS id → last part)', { name: 'epiphany', path: '/app/bin/epiphany', cgroup: '0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.gnome.Epiphany-123456.scope' }, 'Epiphany'],
  ['flatpak Steam web helper', { name: 'steamwebhelper', path: '/home/ana/.var/app/com.valvesoftware.Steam/.local/share/Steam/ubuntu12_64/steamwebhelper', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-com.valvesoftware.Steam-4444.scope' }, 'Steam'],
  ['snap Telegram (alias of the snap name)', { name: 'TelegramDesktop', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/snap.telegram-desktop.telegram-desktop-0a1b2c3d.scope' }, 'Telegram'],
  ['curl in a terminal launched by GNOME keeps its own name', { name: 'curl', path: '/usr/bin/curl', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-Alacritty-1234.scope' }, 'curl'],
  ['KDE scope without a launcher, executable unknown', { name: 'konsole', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.kde.konsole-5ce1c33c8ef84bb2b1b3df85d2c5ed4d.scope' }, 'konsole'],
  ['Thunderbird by its desktop id', { name: 'thunderbird-bin', cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.mozilla.Thunderbird-4567.scope' }, 'Thunderbird'],
  // Interpreters keep the program they run.
  ['node running npm', { name: 'node', path: '/usr/bin/node', cmdline: 'node /usr/bin/npm install' }, 'npm'],
  ['node running npm, NUL-separated', { name: 'node', path: '/usr/bin/node', cmdline: 'node\0/usr/bin/npm\0ci\0' }, 'npm'],
  ['node running a package from node_modules', { name: 'node', path: '/usr/bin/node', cmdline: 'node /home/ana/.npm/_npx/4f2a/node_modules/vite/bin/vite.js --port 5173' }, 'vite'],
  ['node running a scoped package', { name: 'node', path: '/usr/bin/node', cmdline: 'node /usr/lib/node_modules/@angular/cli/bin/ng.js serve' }, '@angular/cli'],
  ['node server.js keeps its folder', { name: 'node', path: '/usr/bin/node', cmdline: 'node --require ./tracing.js /srv/api/server.js' }, 'api/server.js'],
  ['node REPL', { name: 'node', path: '/usr/bin/node', cmdline: 'node' }, 'node'],
  ['node -e', { name: 'node', path: '/usr/bin/node', cmdline: 'node -e fetch(1)' }, 'node'],
  ['python running yt-dlp', { name: 'yt-dlp', path: '/usr/bin/python3.11', cmdline: '/usr/bin/python3 /usr/bin/yt-dlp -f best' }, 'yt-dlp'],
  ['python -m pip', { name: 'python3', path: '/usr/bin/python3.11', cmdline: 'python3 -m pip install requests' }, 'pip'],
  ['python -u main.py keeps its folder', { name: 'python3', path: '/usr/bin/python3.11', cmdline: 'python3 -u /home/ana/proj/scraper/main.py' }, 'scraper/main.py'],
  ['python -c', { name: 'python3', path: '/usr/bin/python3.11', cmdline: 'python3 -c import urllib' }, 'python3.11'],
  ['python by comm when the executable is unknown', { name: 'python3', cmdline: 'python3 /usr/local/bin/sync-photos' }, 'sync-photos'],
  ['java -jar', { name: 'java', path: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', cmdline: 'java -Xmx2G -jar /opt/minecraft/server.jar nogui' }, 'minecraft/server.jar'],
  ['java main class', { name: 'java', path: '/usr/lib/jvm/java-17-openjdk-amd64/bin/java', cmdline: 'java -cp /usr/share/gradle/lib/gradle-launcher.jar org.gradle.launcher.GradleMain build' }, 'org.gradle.launcher.GradleMain'],
  ['ruby running bundle', { name: 'ruby', path: '/usr/bin/ruby3.1', cmdline: 'ruby /usr/bin/bundle install' }, 'bundle'],
  ['perl -e', { name: 'perl', path: '/usr/bin/perl', cmdline: 'perl -e print' }, 'perl'],
  ['electron running an app archive', { name: 'electron28', path: '/usr/lib/electron28/electron', cmdline: '/usr/lib/electron28/electron /usr/lib/obsidian/app.asar' }, 'obsidian'],
  ['electron running resources/app.asar', { name: 'electron', path: '/usr/lib/electron/electron', cmdline: 'electron /usr/lib/signal-desktop/resources/app.asar' }, 'signal-desktop'],
  // Everything else: the executable's basename, else comm.
  ['curl', { name: 'curl', path: '/usr/bin/curl' }, 'curl'],
  ['a replaced binary (deleted)', { name: 'wget', path: '/usr/bin/wget (deleted)' }, 'wget'],
  ['comm only', { name: 'ssh' }, 'ssh'],
  ['nothing known', { name: '' }, UNATTRIBUTED],
];

describe('appForProcess', () => {
  it.each(darwin)('darwin: %s', (_label, row, app) => {
    expect(appForProcess(p(row), 'darwin')).toBe(app);
  });
  it.each(linux)('linux: %s', (_label, row, app) => {
    expect(appForProcess(p(row), 'linux')).toBe(app);
  });
  it('a null owner is unattributed on both platforms', () => {
    expect(appForProcess(null, 'darwin')).toBe(UNATTRIBUTED);
    expect(appForProcess(null, 'linux')).toBe(UNATTRIBUTED);
  });
  it('every nettop label in the fixtures maps to a non-empty app name', async () => {
    const { readFile, readdir } = await import('node:fs/promises');
    const dir = capturesDir;
    const files = (await readdir(dir)).filter((f) => f.endsWith('.txt') && f.includes('csv'));
    const names = new Set<string>();
    for (const file of files) {
      for (const line of (await readFile(`${dir}/${file}`, 'utf8')).split('\n')) {
        const label = line.split(',')[1];
        if (label === undefined || label === '' || /^(?:tcp|udp|quic)[46] /.test(label) || line.startsWith('#') || line.startsWith('time,')) continue;
        const dot = label.lastIndexOf('.');
        names.add(label.slice(0, dot));
      }
    }
    expect(names.size).toBeGreaterThan(20);
    for (const name of names) {
      const app = appForProcess({ pid: 1, name }, 'darwin');
      expect(app.length).toBeGreaterThan(0);
      expect(app).not.toBe(UNATTRIBUTED);
    }
  });
});

describe('parseCgroupScope', () => {
  it.each([
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox-4321.scope', { kind: 'desktop', app: 'Firefox' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-firefox\\x2desr-4321.scope', { kind: 'desktop', app: 'Firefox' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1234.scope', { kind: 'desktop', app: 'Firefox' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.mozilla.firefox-12345.scope', { kind: 'sandbox', app: 'Firefox' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/snap.firefox.firefox-3f6cd0a5-1c2b-4b8e-9a7e-0b1f1b2c3d4e.scope', { kind: 'sandbox', app: 'Firefox' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/snap.spotify.spotify.9c1d2e3f.scope', { kind: 'sandbox', app: 'Spotify' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Nautilus@0a1b2c.service', { kind: 'desktop', app: 'Nautilus' }],
    ['/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1f2e3d4c.scope', null],
    ['/system.slice/ssh.service', null],
    ['/user.slice/user-1000.slice/session-3.scope', null],
  ])('%s', (cgroup, expected) => {
    expect(parseCgroupScope(cgroup)).toEqual(expected);
  });
});

describe('programOfInterpreter', () => {
  it('is null for an executable that is no interpreter', () => {
    expect(programOfInterpreter('curl', 'curl -O /tmp/x')).toBeNull();
  });
  it('reads the script after `--`', () => {
    expect(programOfInterpreter('node', 'node --inspect -- /usr/bin/tsc -b')).toBe('tsc');
  });
  it('reads python -mmodule written together', () => {
    expect(programOfInterpreter('python3', 'python3 -mhttp.server 8000')).toBe('http.server');
  });
});

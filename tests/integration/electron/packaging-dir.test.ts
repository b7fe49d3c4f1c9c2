// The packaging check: electron-builder packs the app for real, `--dir` for Linux (x64) and macOS
// (arm64), from electron-builder.yml as it is, with a stand-in Electron (tests/helpers/electron-stand-in.ts)
// as `electronDist`; then what the packages hold is read back: the archive's files (the main bundle, the
// preload, the renderer and every asset its index names, nothing else: no sources, tests, maps or
// better-sqlite3 build/), the one prebuild of the target unpacked beside the archive, the eBPF helper
// unpacked in the Linux package only, the fuses flipped in the binary, and the Mac Info.plist's keys
// (no Dock icon, no App Nap, the archive's integrity hash). Needs `npm run build` first.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_EXTERNALS } from '../../../vite.main.config.js';
import { icnsOf, linuxElectronStandIn, macElectronStandIn } from '../../helpers/electron-stand-in.js';

const REPO = path.resolve(import.meta.dirname, '..', '..', '..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(file: string, options: { isPack: boolean }): string[]; extractFile(file: string, name: string): Buffer };
const fuses = require('@electron/fuses') as { getCurrentFuseWire(file: string): Promise<Record<string, unknown>> };
const run = promisify(execFile);

const ELECTRON_VERSION = (JSON.parse(readFileSync(path.join(REPO, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
const built = existsSync(path.join(REPO, 'dist', 'src-main', 'electron', 'main.bundle.js')) && existsSync(path.join(REPO, 'dist', 'renderer', 'index.html'));
// CI builds the helper (build-helper.sh fails there without its tools); elsewhere it may be missing.
const helperBuilt = existsSync(path.join(REPO, 'dist', 'helper', 'netmon-capture'));

/** The fuse wire's states (@electron/fuses FuseState): '0' off, '1' on. */
const OFF = 48;
const ON = 49;
/** FuseV1Options, in wire order. */
const FUSE_INDEX = {
  runAsNode: 0,
  enableCookieEncryption: 1,
  enableNodeOptionsEnvironmentVariable: 2,
  enableNodeCliInspectArguments: 3,
  enableEmbeddedAsarIntegrityValidation: 4,
  onlyLoadAppFromAsar: 5,
  grantFileProtocolExtraPrivileges: 7,
} as const;
const WANTED_FUSES = {
  runAsNode: OFF,
  enableCookieEncryption: ON,
  enableNodeOptionsEnvironmentVariable: OFF,
  enableNodeCliInspectArguments: OFF,
  enableEmbeddedAsarIntegrityValidation: ON,
  onlyLoadAppFromAsar: ON,
  grantFileProtocolExtraPrivileges: OFF,
} as const;

interface Packed {
  /** Resources folder (beside app.asar). */
  resources: string;
  /** The binary that carries the fuses (the .app on macOS). */
  fuseBinary: string;
  /** Every file in app.asar, with a leading slash. */
  files: string[];
  /** Every file in app.asar.unpacked, relative, with a leading slash. */
  unpacked: string[];
}

function walk(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, base));
    else out.push(`/${path.relative(base, full)}`);
  }
  return out;
}

function readPacked(resources: string, fuseBinary: string): Packed {
  const archive = path.join(resources, 'app.asar');
  const all = asar.listPackage(archive, { isPack: false }).map((f) => f.split(path.sep).join('/'));
  // listPackage names folders too: keep the entries that are files (extractable, or unpacked).
  const unpacked = walk(path.join(resources, 'app.asar.unpacked'));
  const files = all.filter((f) => {
    if (unpacked.includes(f)) return true;
    try {
      asar.extractFile(archive, f.slice(1));
      return true;
    } catch {
      return false;
    }
  });
  return { resources, fuseBinary, files, unpacked };
}

async function builder(args: string[]): Promise<void> {
  const cli = path.join(REPO, 'node_modules', 'electron-builder', 'cli.js');
  await run(process.execPath, [cli, ...args], { cwd: REPO, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, maxBuffer: 16 * 1024 * 1024 });
}

let root: string;
let linux: Packed;
let mac: Packed;
let macInfo = '';

beforeAll(async () => {
  if (!built) return;
  root = mkdtempSync(path.join(os.tmpdir(), 'netmon-packaging-'));
  const linuxDist = linuxElectronStandIn(path.join(root, 'electron-linux'), ELECTRON_VERSION);
  await builder(['--linux', '--dir', '--x64', `-c.electronDist=${linuxDist}`, `-c.directories.output=${path.join(root, 'out-linux')}`]);
  const linuxApp = path.join(root, 'out-linux', 'linux-unpacked');
  linux = readPacked(path.join(linuxApp, 'resources'), path.join(linuxApp, 'netmon-app'));

  const macDist = macElectronStandIn(path.join(root, 'electron-mac'), ELECTRON_VERSION);
  const icon = icnsOf(path.join(REPO, 'build', 'icon.png'), path.join(root, 'icon.icns'));
  await builder([
    '--mac',
    '--dir',
    '--arm64',
    `-c.electronDist=${macDist}`,
    `-c.directories.output=${path.join(root, 'out-mac')}`,
    '-c.mac.notarize=false',
    `-c.mac.icon=${icon}`,
  ]);
  const contents = path.join(root, 'out-mac', 'mac-arm64', 'netmon.app', 'Contents');
  // @electron/fuses finds the framework binary (Contents/Frameworks/Electron Framework.framework) from the .app.
  mac = readPacked(path.join(contents, 'Resources'), path.dirname(contents));
  macInfo = readFileSync(path.join(contents, 'Info.plist'), 'utf8');
}, 240_000);

afterAll(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

/** The files the renderer's index.html loads (scripts, styles, module preloads), as archive paths. */
function rendererAssets(): string[] {
  const html = readFileSync(path.join(REPO, 'dist', 'renderer', 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\.?\/?([^"]+)"/g)].map((m) => m[1] ?? '');
  return refs.filter((r) => !r.startsWith('http') && !r.startsWith('data:')).map((r) => `/dist/renderer/${r}`);
}

/** What may be in the archive at all. */
const ALLOWED = [
  /^\/package\.json$/,
  /^\/dist\/src-main\/electron\/(main\.bundle\.js|preload\.cjs)$/,
  /^\/dist\/renderer\//,
  /^\/dist\/helper\/netmon-capture$/,
  /^\/node_modules\/(better-sqlite3|menubar|electron-positioner)\//,
];

describe.skipIf(!built)(`the packages electron-builder makes${built ? '' : ' (skipped: run npm run build first)'}`, () => {
  for (const [name, target] of [
    ['Linux', () => linux],
    ['macOS', () => mac],
  ] as const) {
    it(`${name}: the archive holds the main bundle, the preload, package.json pointing at the bundle, and the renderer with every asset its index loads`, () => {
      const { files, resources } = target();
      for (const f of ['/package.json', '/dist/src-main/electron/main.bundle.js', '/dist/src-main/electron/preload.cjs', '/dist/renderer/index.html', ...rendererAssets()]) {
        expect(files, f).toContain(f);
      }
      const pkg = JSON.parse(asar.extractFile(path.join(resources, 'app.asar'), 'package.json').toString('utf8')) as { main: string; type: string };
      expect(`/${pkg.main}`).toBe('/dist/src-main/electron/main.bundle.js');
      expect(pkg.type).toBe('module');
      for (const image of ['tray-idleTemplate.png', 'tray-idleTemplate@2x.png', 'tray-idle.png']) expect(existsSync(path.join(resources, 'tray', image)), image).toBe(true);
    });

    it(`${name}: the main bundle imports only Node, electron, better-sqlite3 and menubar, and each of those packages is in the archive`, () => {
      const bundle = asar.extractFile(path.join(target().resources, 'app.asar'), 'dist/src-main/electron/main.bundle.js').toString('utf8');
      const imported = new Set([...bundle.matchAll(/^import\s[^;]*?from\s+"([^"]+)";/gm), ...bundle.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? ''));
      const packages = [...imported].filter((id) => !id.startsWith('node:') && !isBuiltin(id));
      expect(packages.sort()).toEqual([...MAIN_EXTERNALS].sort());
      for (const p of ['better-sqlite3', 'menubar']) expect(target().files.some((f) => f.startsWith(`/node_modules/${p}/`)), p).toBe(true);
    });

    it(`${name}: nothing else: no sources, tests, source maps, type declarations or a locally built better-sqlite3`, () => {
      const stray = target().files.filter((f) => !ALLOWED.some((re) => re.test(f)));
      expect(stray).toEqual([]);
      for (const f of target().files) {
        expect(f).not.toMatch(/\.(map|ts|tsbuildinfo)$|\/tests?\/|better-sqlite3\/(build|deps|src)\//);
      }
    });

    it(`${name}: the fuses are flipped: no RunAsNode, NODE_OPTIONS or --inspect; the app only from its archive, with its integrity checked`, async () => {
      const wire = await fuses.getCurrentFuseWire(target().fuseBinary);
      for (const [fuse, want] of Object.entries(WANTED_FUSES)) expect(wire[String(FUSE_INDEX[fuse as keyof typeof FUSE_INDEX])], fuse).toBe(want);
    });
  }

  it('Linux: its own better-sqlite3 prebuild, unpacked, and no other; the eBPF helper unpacked (an executable cannot run from the archive)', () => {
    const prebuilds = [...linux.files, ...linux.unpacked].filter((f) => f.includes('/prebuilds/'));
    expect(new Set(prebuilds)).toEqual(new Set(['/node_modules/better-sqlite3/prebuilds/linux-x64.node']));
    expect(linux.unpacked).toContain('/node_modules/better-sqlite3/prebuilds/linux-x64.node');
    if (helperBuilt) {
      expect(linux.unpacked).toContain('/dist/helper/netmon-capture');
      expect(statSync(path.join(linux.resources, 'app.asar.unpacked', 'dist', 'helper', 'netmon-capture')).mode & 0o111).not.toBe(0);
    }
  });

  it('macOS: its own prebuild for the arch, unpacked, and no Linux helper anywhere', () => {
    const prebuilds = [...mac.files, ...mac.unpacked].filter((f) => f.includes('/prebuilds/'));
    expect(new Set(prebuilds)).toEqual(new Set(['/node_modules/better-sqlite3/prebuilds/darwin-arm64.node']));
    expect(mac.unpacked).toContain('/node_modules/better-sqlite3/prebuilds/darwin-arm64.node');
    // The eBPF helper (dist/helper/netmon-capture); vite's renderer chunk `preload-helper-*.js` is not it.
    expect([...mac.files, ...mac.unpacked].filter((f) => f.includes('/helper/') || f.includes('netmon-capture'))).toEqual([]);
  });

  it('macOS: Info.plist says no Dock icon and no App Nap, and carries the archive integrity hash the fuse checks', () => {
    expect(macInfo).toMatch(/<key>LSUIElement<\/key>\s*<true\/>/);
    expect(macInfo).toMatch(/<key>LSAppNapIsDisabled<\/key>\s*<true\/>/);
    expect(macInfo).toMatch(/<key>ElectronAsarIntegrity<\/key>\s*<dict>\s*<key>Resources\/app\.asar<\/key>/);
  });

  it('the two platform file lists are the same but for their marked lines', () => {
    const yml = readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8');
    const listOf = (platform: 'mac' | 'linux'): string[] => {
      const block = new RegExp(`^${platform}:\\n[\\s\\S]*?^  files:\\n((?:    .*\\n)+)`, 'm').exec(yml)?.[1] ?? '';
      const lines = block.split('\n').map((l) => l.trim());
      const marked = lines.findIndex((l) => /^# (mac|Linux) only/.test(l));
      return lines.slice(0, marked).filter((l) => l.startsWith('- '));
    };
    expect(listOf('mac').length).toBeGreaterThan(5);
    expect(listOf('mac')).toEqual(listOf('linux'));
  });
});

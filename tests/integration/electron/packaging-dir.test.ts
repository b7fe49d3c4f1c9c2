// The packaging check: electron-builder packs the app for real, the .deb for Linux (x64; fpm stood in for
// by dpkg-deb) and `--dir` for macOS (arm64), from electron-builder.yml as it is, with a stand-in Electron
// (tests/helpers/electron-stand-in.ts) as `electronDist`; then what the packages hold is read back (and
// what the .deb declares: Depends with glibc and libstdc++ floors that cover what objdump says its
// binaries need, the rendered postinst): the archive's files (the main bundle, the
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
import { fpmStandIn, icnsOf, linuxElectronStandIn, macElectronStandIn } from '../../helpers/electron-stand-in.js';

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

async function builder(args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const cli = path.join(REPO, 'node_modules', 'electron-builder', 'cli.js');
  await run(process.execPath, [cli, ...args], { cwd: REPO, env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', ...env }, maxBuffer: 16 * 1024 * 1024 });
}

let root: string;
let linux: Packed;
let mac: Packed;
let macInfo = '';
/** The .deb electron-builder made. */
let deb = '';

beforeAll(async () => {
  if (!built) return;
  root = mkdtempSync(path.join(os.tmpdir(), 'netmon-packaging-'));
  const linuxDist = linuxElectronStandIn(path.join(root, 'electron-linux'), ELECTRON_VERSION);
  // The .deb itself (which leaves linux-unpacked beside it, as --dir would), fpm stood in for by dpkg-deb.
  await builder(['--linux', 'deb', '--x64', `-c.electronDist=${linuxDist}`, `-c.directories.output=${path.join(root, 'out-linux')}`], {
    CUSTOM_FPM_PATH: fpmStandIn(path.join(root, 'fpm')),
  });
  deb = readdirSync(path.join(root, 'out-linux'))
    .filter((f) => f.endsWith('.deb'))
    .map((f) => path.join(root, 'out-linux', f))[0] ?? '';
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

/** electron-builder's default deb Depends (used only when `deb.depends` is not set). */
function electronBuilderDebDepends(): string[] {
  const { default: FpmTarget } = require('app-builder-lib/out/targets/FpmTarget.js') as { default: { prototype: { getDefaultDepends(target: string): string[] } } };
  return FpmTarget.prototype.getDefaultDepends.call(null, 'deb');
}

/** The version in `NAME (>= VERSION)` among `depends`, or '0' when it has none. */
function floorOf(depends: string[], name: string): string {
  for (const d of depends) {
    const m = /^(\S+) \(>= ([^)]+)\)$/.exec(d);
    if (m?.[1] === name) return m[2] ?? '0';
  }
  return '0';
}

/** Compares dotted numeric versions. */
function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** The GCC release whose libstdc++ first has each GLIBCXX version (Debian's libstdc++6 carries GCC's version). */
const GLIBCXX_GCC: Record<string, string> = { '3.4.28': '10', '3.4.29': '11', '3.4.30': '12', '3.4.31': '13', '3.4.32': '13.2', '3.4.33': '14' };

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

  it("Linux: the .deb declares electron-builder's own depends (ours replace them), iproute2, and the glibc and libstdc++ floors its binaries need", async () => {
    const field = async (name: string): Promise<string> => (await run('dpkg-deb', ['-f', deb, name])).stdout.trim();
    expect(await field('Package')).toBe('netmon');
    const depends = (await field('Depends')).split(', ');
    expect(depends).toEqual(expect.arrayContaining([...electronBuilderDebDepends(), 'iproute2']));
    // Every ELF file the package runs from outside the archive: the prebuild, and the helper where built.
    const unpacked = path.join(linux.resources, 'app.asar.unpacked');
    const elves = linux.unpacked.filter((f) => f.endsWith('.node') || f.endsWith('/netmon-capture')).map((f) => path.join(unpacked, f));
    expect(elves.length).toBeGreaterThanOrEqual(helperBuilt ? 2 : 1);
    const needed = { GLIBC: '0', GLIBCXX: '0' };
    for (const elf of elves) {
      const symbols = (await run('objdump', ['-T', elf], { maxBuffer: 16 * 1024 * 1024 })).stdout;
      for (const [, lib, version] of symbols.matchAll(/\((GLIBC|GLIBCXX)_([\d.]+)\)/g)) {
        const key = lib as keyof typeof needed;
        if (compareVersions(version ?? '0', needed[key]) > 0) needed[key] = version ?? '0';
      }
    }
    // Measured on better-sqlite3 13.2's linux-x64 prebuild: GLIBC_2.34 and GLIBCXX_3.4.29.
    expect(compareVersions(needed.GLIBC, '2.34')).toBeGreaterThanOrEqual(0);
    expect(compareVersions(floorOf(depends, 'libc6'), needed.GLIBC), `libc6 floor for GLIBC_${needed.GLIBC}`).toBeGreaterThanOrEqual(0);
    const gcc = GLIBCXX_GCC[needed.GLIBCXX];
    expect(gcc, `the GCC of GLIBCXX_${needed.GLIBCXX} (add it to GLIBCXX_GCC)`).toBeDefined();
    expect(compareVersions(floorOf(depends, 'libstdc++6'), gcc ?? '999'), `libstdc++6 floor for GLIBCXX_${needed.GLIBCXX}`).toBeGreaterThanOrEqual(0);
    expect((await field('Recommends')).split(', ')).toEqual(expect.arrayContaining(['libcap2-bin', 'libbpf1']));
  });

  it("Linux: the .deb's postinst is electron-builder's, rendered, and grants the helper where the package puts it", async () => {
    const control = path.join(root, 'deb-control');
    await run('dpkg-deb', ['-e', deb, control]);
    const postinst = readFileSync(path.join(control, 'postinst'), 'utf8');
    expect(postinst).not.toContain('${');
    expect(postinst).toContain("'/usr/bin/netmon-app'");
    const helper = /^HELPER='([^']+)'$/m.exec(postinst)?.[1];
    expect(helper).toBe('/opt/netmon/resources/app.asar.unpacked/dist/helper/netmon-capture');
    const listing = (await run('dpkg-deb', ['-c', deb], { maxBuffer: 16 * 1024 * 1024 })).stdout;
    expect(listing).toMatch(/ \.\/opt\/netmon\/netmon-app$/m);
    if (helperBuilt) expect(listing).toContain(` .${helper ?? ''}`);
    expect(listing).toMatch(/ \.\/usr\/share\/applications\/netmon-app\.desktop$/m);
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

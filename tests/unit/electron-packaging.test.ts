// What packaging relies on, checked without packaging: electron-builder.yml is valid for the installed
// electron-builder and asks for what a release needs (hardened, notarized dmg for both Mac archs,
// the .deb, no native rebuild, the prebuilt addon outside the asar); the entitlements parse;
// the icons and tray images exist at the sizes their names promise, macOS tray images are templates
// (black and alpha) and the levels grow; the built renderer has no inline script the app's CSP refuses.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TRAY_LEVELS } from '../../src-main/electron/tray-look.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  /** As getConfig normalises it: one set of patterns (per platform: mac.files, linux.files). */
  files?: Array<{ filter: string[] }>;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  npmRebuild: boolean;
  mac: { target: Array<{ target: string; arch: string[] }>; hardenedRuntime: boolean; notarize: boolean; entitlements: string; entitlementsInherit: string; extendInfo: Record<string, unknown>; icon: string; files: string[] };
  linux: { target: string[]; icon: string; executableName: string; files: string[] };
  deb: { depends: string[]; afterInstall: string };
  electronFuses: Record<string, boolean>;
}

async function loadConfig(): Promise<BuilderConfig> {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(this: void, dir: string, file: string, extra: null): Promise<unknown>;
    validateConfiguration(this: void, config: unknown, logger: unknown): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  const config = await getConfig(REPO, path.join(REPO, 'electron-builder.yml'), null);
  await validateConfiguration(config, new DebugLogger(false));
  return config as BuilderConfig;
}

describe('electron-builder.yml', () => {
  it('is valid for the installed electron-builder and asks for a signed, hardened, notarized build', async () => {
    const config = await loadConfig();
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['arm64', 'x64'] }]);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBe(true);
    expect(config.mac.extendInfo['LSUIElement']).toBe(true);
    // No App Nap for the engine's timers (Info.plist; not a sleep blocker).
    expect(config.mac.extendInfo['LSAppNapIsDisabled']).toBe(true);
    // The .deb only: an AppImage aborts under Ubuntu 24.04's AppArmor rules and cannot hold capabilities.
    expect(config.linux.target).toEqual(['deb']);
    // /usr/bin/netmon is the command line's.
    expect(config.linux.executableName).toBe('netmon-app');
    // The Linux sampler runs ss (iproute2); the linux prebuild needs glibc 2.34.
    expect(config.deb.depends).toContain('iproute2');
    expect(config.deb.depends).toContain('libc6 (>= 2.34)');
    expect(config.deb.depends).toContain('libstdc++6 (>= 11)');
    expect(existsSync(path.join(REPO, config.deb.afterInstall))).toBe(true);
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true });
    for (const file of [config.mac.entitlements, config.mac.entitlementsInherit, config.mac.icon]) expect(existsSync(path.join(REPO, file)), file).toBe(true);
  });

  it('packs what the app loads and unpacks the native addon', async () => {
    const config = await loadConfig();
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { main: string; homepage: string; author: { name: string; email: string } };
    // The main process, bundled into one file (vite.main.config.ts).
    expect(pkg.main).toBe('dist/src-main/electron/main.bundle.js');
    // The .deb step stops without them.
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author.email).toMatch(/@/);
    expect(config.files ?? []).toEqual([]);
    for (const patterns of [config.mac.files, config.linux.files]) {
      expect(patterns).toContain('dist/src-main/electron/main.bundle.js');
      expect(patterns).toContain('dist/src-main/electron/preload.cjs');
      expect(patterns).toContain('dist/renderer/**');
      expect(patterns).toContain('!**/*.map');
    }
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/prebuilds/*.node', 'dist/helper/**']);
    // The eBPF helper is packed in Linux packages only, and outside the archive (see defaultHelperPath).
    expect(config.linux.files).toContain('dist/helper/netmon-capture');
    expect(config.mac.files).not.toContain('dist/helper/netmon-capture');
    expect(config.extraResources).toEqual([{ from: 'build/tray', to: 'tray', filter: ['*.png'] }]);
    // The main and the preload the windows load exist once built (npm test builds first).
    expect(existsSync(path.join(REPO, pkg.main))).toBe(true);
    expect(existsSync(path.join(REPO, 'dist', 'src-main', 'electron', 'preload.cjs'))).toBe(true);
    // What the packages really hold is checked by packing them: tests/integration/electron/packaging-dir.test.ts.
  });

  it("keeps, by electron-builder's own file matcher, each platform's prebuild only, and never better-sqlite3's build/, deps/ or src/", async () => {
    const config = await loadConfig();
    // The matcher electron-builder copies node_modules with: every file, less the `!` patterns of top-level
    // and platform `files` (fileMatcher.js getNodeModuleFileMatcher), given what it reads of a packager.
    const { getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher.js') as {
      getNodeModuleFileMatcher(
        this: void,
        appDir: string,
        destination: string,
        expand: (s: string) => string,
        platformOptions: { files: string[] },
        packager: { config: { files?: unknown }; debugLogger: { isEnabled: boolean } },
      ): { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean };
    };
    const file = { isDirectory: () => false };
    const sqlite = 'node_modules/better-sqlite3';
    for (const [name, patterns, arch, own, other] of [
      ['mac', config.mac.files, 'arm64', 'darwin-arm64', 'linux-x64'],
      ['linux', config.linux.files, 'x64', 'linux-x64', 'darwin-arm64'],
    ] as const) {
      // ${arch} as electron-builder expands it for the target; the paths need not exist.
      const keeps = getNodeModuleFileMatcher(REPO, '/', (s) => s.replaceAll('${arch}', arch), { files: patterns }, { config: { files: config.files }, debugLogger: { isEnabled: false } }).createFilter();
      const kept = (relative: string): boolean => keeps(path.join(REPO, relative), file);
      expect(kept(`${sqlite}/prebuilds/${own}.node`), `${name}: ${own}`).toBe(true);
      expect(kept(`${sqlite}/prebuilds/${other}.node`), `${name}: ${other}`).toBe(false);
      // A locally compiled addon (npm rebuild, electron-rebuild) would win over the prebuild (lib/binding.js).
      for (const stray of [`${sqlite}/build/Release/better_sqlite3.node`, `${sqlite}/deps/sqlite3/sqlite3.c`, `${sqlite}/src/better_sqlite3.cpp`]) {
        expect(kept(stray), `${name}: ${stray}`).toBe(false);
      }
      expect(kept(`${sqlite}/lib/index.js`), `${name}: lib`).toBe(true);
    }
  });

  it('rebuilds nothing, because better-sqlite3 ships N-API prebuilds for every target', async () => {
    const config = await loadConfig();
    expect(config.npmRebuild).toBe(false);
    const sqlite = path.join(REPO, 'node_modules', 'better-sqlite3');
    const gyp = readFileSync(path.join(sqlite, 'binding.gyp'), 'utf8');
    // N-API (ABI-stable across Node and Electron), not the V8 API that would tie it to one ABI.
    expect(gyp).toMatch(/NAPI_VERSION=\d+/);
    const prebuilds = readdirSync(path.join(sqlite, 'prebuilds'));
    for (const target of ['darwin-arm64', 'darwin-x64', 'linux-x64', 'linux-arm64']) expect(prebuilds).toContain(`${target}.node`);
    // Nothing was compiled here: the addon in use is the prebuild.
    expect(existsSync(path.join(sqlite, 'build', 'Release', 'better_sqlite3.node'))).toBe(false);
  });

  it('has entitlements that parse and allow V8 its JIT, and nothing more', () => {
    for (const name of ['entitlements.mac.plist', 'entitlements.mac.inherit.plist']) {
      const text = readFileSync(path.join(REPO, 'build', name), 'utf8');
      // xmllint is Debian's libxml2-utils; where it is missing, the plain checks below still run.
      try {
        execFileSync('xmllint', ['--noout', path.join(REPO, 'build', name)], { stdio: 'pipe' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      const keys = [...text.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
      expect(keys, name).toEqual(['com.apple.security.cs.allow-jit']);
      expect(text).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    }
  });
});

// ---- Images: decoded here with a small PNG reader of our own (8-bit RGBA or RGB, any filter).

interface Image {
  width: number;
  height: number;
  rgba: Uint8Array;
}

function decodePng(file: string): Image {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8], `${file}: bit depth`).toBe(8);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      expect(channels, `${file}: colour type`).toBeGreaterThan(0);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (cur[i - channels] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= channels ? (prev[i - channels] ?? 0) : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter ?? 0] ?? 0;
      cur[i] = ((line[i] ?? 0) + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 4; k++) out[(y * width + x) * 4 + k] = k < channels ? (cur[x * channels + k] ?? 0) : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

function opacity(image: Image): number {
  let sum = 0;
  for (let i = 3; i < image.rgba.length; i += 4) sum += image.rgba[i] ?? 0;
  return sum;
}

describe('icons', () => {
  it('has a 1024 px app icon and the Linux sizes its file names promise', () => {
    const icon = decodePng(path.join(REPO, 'build', 'icon.png'));
    expect([icon.width, icon.height]).toEqual([1024, 1024]);
    const names = readdirSync(path.join(REPO, 'build', 'icons'));
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const size = Number(/^(\d+)x\1\.png$/.exec(name)?.[1]);
      const image = decodePng(path.join(REPO, 'build', 'icons', name));
      expect([image.width, image.height], name).toEqual([size, size]);
    }
  });

  it('has every tray level: macOS templates (16 px, @2x 32 px, black and alpha) and Linux images (24 px)', () => {
    const dir = path.join(REPO, 'build', 'tray');
    const templateOpacity: number[] = [];
    for (const level of TRAY_LEVELS) {
      const small = decodePng(path.join(dir, `tray-${level}Template.png`));
      const large = decodePng(path.join(dir, `tray-${level}Template@2x.png`));
      const linux = decodePng(path.join(dir, `tray-${level}.png`));
      expect([small.width, small.height, large.width, large.height, linux.width, linux.height], level).toEqual([16, 16, 32, 32, 24, 24]);
      for (const image of [small, large]) {
        for (let i = 0; i < image.rgba.length; i += 4) {
          if ((image.rgba[i + 3] ?? 0) > 0) expect([image.rgba[i], image.rgba[i + 1], image.rgba[i + 2]], `${level}: template pixels are black`).toEqual([0, 0, 0]);
        }
      }
      templateOpacity.push(opacity(large));
    }
    // Each level fills one more bar: more ink, idle < low < medium < high.
    for (let i = 1; i < templateOpacity.length; i++) expect(templateOpacity[i]).toBeGreaterThan(templateOpacity[i - 1] ?? 0);
  });
});

describe('the built renderer under the app CSP', () => {
  it('has no inline script or event handler attribute', () => {
    const html = readFileSync(path.join(REPO, 'dist', 'renderer', 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc=/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });
});

// A stand-in for Electron's unpacked distribution, for `electron-builder --dir` with `electronDist`
// (Electron's binary cannot be downloaded here, and a Mac's cannot run on Linux anyway). It is what
// electron-builder copies, renames and patches: an executable (Linux) or an Electron.app with its four
// helper apps (macOS), whose binary carries Electron's fuse wire (the sentinel, version 1, eight fuses,
// all on as in a stock Electron), so that the packaging config's `electronFuses` really get flipped and
// can be read back with @electron/fuses. Also a .icns (one 1024 px PNG entry) for the Mac build:
// converting build/icon.png would make electron-builder download its icon tools.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** @electron/fuses' sentinel (dist/constants.js): the fuse wire follows it. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

function binaryWithFuses(): Buffer {
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([1, 8]), Buffer.from('11111111')]);
  return Buffer.concat([Buffer.from('#!/bin/sh\necho "a stand-in for Electron"\nexit 0\n# '), wire, Buffer.from('\n')]);
}

function plist(entries: Record<string, string>): string {
  const body = Object.entries(entries)
    .map(([k, v]) => `<key>${k}</key><string>${v}</string>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict>${body}</dict></plist>\n`;
}

function executable(file: string, content: Buffer | string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  chmodSync(file, 0o755);
}

/** Linux: DIR/electron (+ chrome-sandbox, LICENSE, version, resources/). Returns DIR. */
export function linuxElectronStandIn(dir: string, version: string): string {
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  executable(path.join(dir, 'electron'), binaryWithFuses());
  writeFileSync(path.join(dir, 'chrome-sandbox'), '');
  writeFileSync(path.join(dir, 'LICENSE'), 'stand-in');
  writeFileSync(path.join(dir, 'version'), version);
  return dir;
}

/** macOS: DIR/Electron.app with its framework (the fuse wire) and helper apps. Returns DIR. */
export function macElectronStandIn(dir: string, version: string): string {
  const contents = path.join(dir, 'Electron.app', 'Contents');
  mkdirSync(path.join(contents, 'Resources'), { recursive: true });
  executable(path.join(contents, 'MacOS', 'Electron'), '#!/bin/sh\n');
  writeFileSync(
    path.join(contents, 'Info.plist'),
    plist({ CFBundleExecutable: 'Electron', CFBundleIdentifier: 'com.github.Electron', CFBundleName: 'Electron', CFBundleDisplayName: 'Electron', CFBundleVersion: version }),
  );
  const framework = path.join(contents, 'Frameworks', 'Electron Framework.framework');
  executable(path.join(framework, 'Electron Framework'), binaryWithFuses());
  for (const kind of ['', ' (GPU)', ' (Plugin)', ' (Renderer)']) {
    const name = `Electron Helper${kind}`;
    const helper = path.join(contents, 'Frameworks', `${name}.app`, 'Contents');
    executable(path.join(helper, 'MacOS', name), '#!/bin/sh\n');
    writeFileSync(path.join(helper, 'Info.plist'), plist({ CFBundleExecutable: name, CFBundleIdentifier: 'com.github.Electron.helper', CFBundleName: name }));
  }
  return dir;
}

/** An .icns holding `png` as its 1024 px (ic10) image. */
export function icnsOf(pngFile: string, out: string): string {
  const png = readFileSync(pngFile);
  const entry = Buffer.alloc(8);
  entry.write('ic10', 0, 'latin1');
  entry.writeUInt32BE(png.length + 8, 4);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(png.length + 16, 4);
  writeFileSync(out, Buffer.concat([head, entry, png]));
  return out;
}

/**
 * A stand-in for fpm (electron-builder downloads the real one from GitHub; `CUSTOM_FPM_PATH` points it
 * here): it takes the arguments electron-builder's deb target passes (`-d`, `--deb-recommends`, the
 * package's name, version, maintainer, scripts, `SRC=DEST` mappings) and builds the .deb with Debian's
 * own dpkg-deb, so that what the package declares (Depends, Recommends, the rendered postinst) and holds
 * can be read back with dpkg-deb. Writes DIR/fpm and returns its path.
 */
export function fpmStandIn(dir: string): string {
  const script = `#!${process.execPath}
const { cpSync, mkdirSync, mkdtempSync, writeFileSync, copyFileSync, chmodSync, rmSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const os = require('node:os');
const args = process.argv.slice(2);
const one = {};
const many = { '-d': [], '--deb-recommends': [] };
const mappings = [];
const flags = new Set(['--force']);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a in many) many[a].push(args[++i]);
  else if (flags.has(a)) continue;
  else if (a.startsWith('-')) one[a] = args[++i];
  else mappings.push(a);
}
if (one['-t'] !== 'deb' || one['-s'] !== 'dir') throw new Error('the stand-in fpm builds a deb from a dir only');
const stage = mkdtempSync(path.join(os.tmpdir(), 'fpm-stand-in-'));
for (const m of mappings) {
  const at = m.lastIndexOf('=');
  const src = m.slice(0, at);
  const dest = path.join(stage, m.slice(at + 1));
  mkdirSync(path.dirname(dest), { recursive: true });
  if (src.endsWith('/')) cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
  else copyFileSync(src, dest);
}
const control = path.join(stage, 'DEBIAN');
mkdirSync(control);
const [synopsis, ...rest] = (one['--description'] || '').split('\\n');
const fields = [
  ['Package', one['--name']],
  ['Version', one['--version']],
  ['Architecture', one['--architecture']],
  ['Maintainer', one['--maintainer']],
  ['Depends', many['-d'].join(', ')],
  ['Recommends', many['--deb-recommends'].join(', ')],
  ['Priority', one['--deb-priority']],
  ['Homepage', one['--url']],
  ['Description', [synopsis, ...rest.map((l) => ' ' + (l.trim() === '' ? '.' : l.trim()))].join('\\n')],
].filter(([, v]) => v);
writeFileSync(path.join(control, 'control'), fields.map(([k, v]) => k + ': ' + v).join('\\n') + '\\n');
for (const [flag, name] of [['--after-install', 'postinst'], ['--after-remove', 'postrm']]) {
  if (one[flag] === undefined) continue;
  copyFileSync(one[flag], path.join(control, name));
  chmodSync(path.join(control, name), 0o755);
}
execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '-z1', '--build', stage, one['--package']], { stdio: 'inherit' });
rmSync(stage, { recursive: true, force: true });
`;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'fpm');
  executable(file, script);
  return file;
}

// Start at login on Linux: the XDG autostart entry's Exec line (quoted by the Desktop Entry
// Specification's rules, then string-escaped), the command for an AppImage, a .deb and a checkout,
// the folder, and writing/reading/removing the file in a temp folder. Where Debian's
// desktop-file-validate is installed, the entries written are also checked by it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  autostartDir,
  desktopEntry,
  desktopExecValue,
  entryStartsApp,
  launchCommand,
  quoteExecArg,
  readXdgAutostart,
  removeXdgAutostart,
  writeXdgAutostart,
} from '../../src-main/electron/autostart.js';

const temp = mkdtempSync(path.join(os.tmpdir(), 'netmon-autostart-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('quoting one Exec argument', () => {
  // Expected values written out by hand from the spec: quote when a reserved character is present,
  // and inside quotes put a backslash before " ` $ and \ ; % becomes %%.
  const cases: Array<[string, string]> = [
    ['/opt/netmon/netmon', '/opt/netmon/netmon'],
    ['/home/ann/Apps/netmon 0.1.0.AppImage', '"/home/ann/Apps/netmon 0.1.0.AppImage"'],
    ['/tmp/a$b', '"/tmp/a\\$b"'],
    ['/tmp/100%', '/tmp/100%%'],
    ["/x/it's", '"/x/it\'s"'],
    ['/x/back\\slash', '"/x/back\\\\slash"'],
    ['/x/"q"', '"/x/\\"q\\""'],
    ['/x/`cmd`', '"/x/\\`cmd\\`"'],
    ['~/bin/netmon', '"~/bin/netmon"'],
    ['/a;b|c&d', '"/a;b|c&d"'],
    ['', '""'],
  ];
  it.each(cases)('%s → %s', (arg, quoted) => {
    expect(quoteExecArg(arg)).toBe(quoted);
  });

  it('refuses what a desktop entry cannot hold', () => {
    expect(() => quoteExecArg('/a\nb')).toThrow(/line break/);
    expect(() => desktopExecValue(['/opt/a=b/netmon'])).toThrow(/"="/);
    expect(() => desktopExecValue([])).toThrow(/program/);
  });
});

describe('the Exec value as written', () => {
  it('doubles every backslash after quoting (the file format escape)', () => {
    // Quoted: "/x/a\$b"  → in the file: "/x/a\\$b"
    expect(desktopExecValue(['/x/a$b'])).toBe('"/x/a\\\\$b"');
    expect(desktopExecValue(['/usr/lib/electron/electron', '/home/ann/src/net mon'])).toBe('/usr/lib/electron/electron "/home/ann/src/net mon"');
  });
});

describe('launchCommand', () => {
  it('starts an AppImage by its own path, not the temporary mount', () => {
    expect(launchCommand({ execPath: '/tmp/.mount_netmonX1/netmon', isPackaged: true, appPath: '/tmp/.mount_netmonX1/resources/app.asar', appImage: '/home/ann/Apps/netmon.AppImage' })).toEqual([
      '/home/ann/Apps/netmon.AppImage',
    ]);
  });
  it('starts an installed package by its executable', () => {
    expect(launchCommand({ execPath: '/opt/netmon/netmon', isPackaged: true, appPath: '/opt/netmon/resources/app.asar', appImage: undefined })).toEqual(['/opt/netmon/netmon']);
  });
  it('starts a checkout as electron plus the app folder', () => {
    expect(launchCommand({ execPath: '/work/node_modules/electron/dist/electron', isPackaged: false, appPath: '/work', appImage: '' })).toEqual([
      '/work/node_modules/electron/dist/electron',
      '/work',
    ]);
  });
});

describe('autostartDir', () => {
  it('follows XDG_CONFIG_HOME when it is absolute', () => {
    expect(autostartDir({ XDG_CONFIG_HOME: '/srv/cfg' }, '/home/ann')).toBe('/srv/cfg/autostart');
    expect(autostartDir({ XDG_CONFIG_HOME: 'relative/cfg' }, '/home/ann')).toBe('/home/ann/.config/autostart');
    expect(autostartDir({}, '/home/ann')).toBe('/home/ann/.config/autostart');
  });
});

describe('the entry', () => {
  it('is a complete application entry that autostarts', () => {
    const text = desktopEntry(['/opt/netmon/netmon']);
    expect(text.split('\n')).toEqual([
      '[Desktop Entry]',
      'Type=Application',
      'Version=1.0',
      'Name=netmon',
      'Comment=Where did my bandwidth go? Network usage per application',
      'Exec=/opt/netmon/netmon',
      'Icon=netmon',
      'Terminal=false',
      'Categories=Network;Monitor;',
      'X-GNOME-Autostart-enabled=true',
      '',
    ]);
    expect(entryStartsApp(text)).toBe(true);
  });

  it('reads an entry the desktop switched off as off', () => {
    expect(entryStartsApp('[Desktop Entry]\nType=Application\nExec=x\nHidden=true\n')).toBe(false);
    expect(entryStartsApp('[Desktop Entry]\nExec=x\nX-GNOME-Autostart-enabled=false\n')).toBe(false);
    // The keys count only in the main group.
    expect(entryStartsApp('[Desktop Entry]\nExec=x\n[Desktop Action quit]\nHidden=true\n')).toBe(true);
  });

  const validator = spawnSync('desktop-file-validate', ['--help'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!validator)('passes desktop-file-validate, awkward paths included', () => {
    for (const argv of [['/opt/netmon/netmon'], ['/home/ann/My Apps/netmon$1 (x).AppImage'], ['/usr/lib/electron/electron', '/home/ann/src/back\\slash "q"']]) {
      const file = path.join(temp, 'check.desktop');
      writeFileSync(file, desktopEntry(argv));
      // Exits non-zero and prints the errors when the entry is invalid.
      expect(() => execFileSync('desktop-file-validate', [file], { encoding: 'utf8' })).not.toThrow();
    }
  });
});

describe('the file', () => {
  it('is written whole, read back, and removed', () => {
    const file = path.join(temp, 'cfg', 'autostart', 'netmon.desktop');
    expect(readXdgAutostart(file)).toBe(false);
    writeXdgAutostart(file, desktopEntry(['/opt/netmon/netmon']));
    expect(readXdgAutostart(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('Exec=/opt/netmon/netmon\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // No temp file left beside it.
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
    writeFileSync(file, '[Desktop Entry]\nExec=/opt/netmon/netmon\nHidden=true\n');
    expect(readXdgAutostart(file)).toBe(false);
    removeXdgAutostart(file);
    expect(existsSync(file)).toBe(false);
    // Removing what is not there is not an error.
    expect(() => removeXdgAutostart(file)).not.toThrow();
  });
});

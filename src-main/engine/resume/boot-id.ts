// Which boot of the machine this is. Cumulative counters (interface totals since boot, a socket's since
// it opened, a process's since it started) only carry over between two runs of netmon within one boot:
// after a reboot every counter starts again from zero and a stored baseline means nothing.
// Linux: /proc/sys/kernel/random/boot_id (a random UUID per boot). macOS: `sysctl -n kern.boottime`
// (`{ sec = 1733385600, usec = 123456 } Thu Dec  5 …`), the instant of the boot.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** The boot id of `/proc/sys/kernel/random/boot_id`'s text, or null when it is not one. */
export function parseLinuxBootId(text: string): string | null {
  const id = text.trim().toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : null;
}

/** A boot id from `sysctl -n kern.boottime`'s output (`boottime:SEC.USEC`), or null. */
export function parseMacBootTime(text: string): string | null {
  const match = /\{\s*sec\s*=\s*(\d+),\s*usec\s*=\s*(\d+)\s*\}/.exec(text);
  return match === null ? null : `boottime:${match[1]}.${match[2]!.padStart(6, '0')}`;
}

/** How to read the boot id (tests point these elsewhere). */
export interface BootIdSource {
  platform?: NodeJS.Platform;
  procPath?: string;
  sysctlPath?: string;
}

/** This boot's id, or null where it cannot be read (then nothing is carried over between runs). */
export async function readBootId(source: BootIdSource = {}): Promise<string | null> {
  const platform = source.platform ?? process.platform;
  if (platform === 'linux') {
    try {
      return parseLinuxBootId(await readFile(source.procPath ?? '/proc/sys/kernel/random/boot_id', 'utf8'));
    } catch {
      return null;
    }
  }
  if (platform === 'darwin') {
    return new Promise((resolve) => {
      execFile(source.sysctlPath ?? '/usr/sbin/sysctl', ['-n', 'kern.boottime'], { timeout: 2000 }, (error, stdout) => {
        resolve(error === null ? parseMacBootTime(stdout) : null);
      });
    });
  }
  return null;
}

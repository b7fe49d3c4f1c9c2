// The offer to move the app to /Applications (move-to-applications.ts), decided over plain fakes: who is
// asked, what each answer does, and that "Not Now" is asked once.
import { describe, expect, it } from 'vitest';
import { offerMoveToApplications, runningFrom, type MoveDeps } from '../../src-main/electron/move-to-applications.js';

interface Seen {
  asked: Array<Parameters<MoveDeps['ask']>[0]>;
  moves: number;
  declined: boolean;
  errors: string[];
}

function deps(over: Partial<MoveDeps> & { answer?: number; moved?: boolean | Error } = {}): { deps: MoveDeps; seen: Seen } {
  const seen: Seen = { asked: [], moves: 0, declined: false, errors: [] };
  const base: MoveDeps = {
    platform: 'darwin',
    isPackaged: true,
    execPath: '/Volumes/netmon 0.1.0-arm64/netmon.app/Contents/MacOS/netmon',
    isInApplicationsFolder: () => false,
    ask: (options) => {
      seen.asked.push(options);
      return over.answer ?? 0;
    },
    move: () => {
      seen.moves += 1;
      if (over.moved instanceof Error) throw over.moved;
      return over.moved ?? true;
    },
    declinedBefore: () => seen.declined,
    rememberDeclined: () => (seen.declined = true),
    showError: (title, message) => seen.errors.push(`${title}: ${message}`),
  };
  return { deps: { ...base, ...over }, seen };
}

describe('runningFrom', () => {
  it.each([
    ['/Volumes/netmon 0.1.0-arm64/netmon.app/Contents/MacOS/netmon', 'disk image'],
    ['/private/var/folders/x1/T/AppTranslocation/5B1E/d/netmon.app/Contents/MacOS/netmon', 'translocated'],
    ['/Users/me/Downloads/netmon.app/Contents/MacOS/netmon', 'elsewhere'],
  ] as const)('%s: %s', (execPath, where) => expect(runningFrom(execPath)).toBe(where));
});

describe('offerMoveToApplications', () => {
  it('asks a packaged Mac copy outside Applications, says where it runs from, and moves on "Move to Applications"', () => {
    const { deps: d, seen } = deps({ answer: 0 });
    expect(offerMoveToApplications(d)).toBe('moving');
    expect(seen.asked).toHaveLength(1);
    expect(seen.asked[0]).toMatchObject({ message: 'Move netmon to the Applications folder?', buttons: ['Move to Applications', 'Not Now'], defaultId: 0, cancelId: 1 });
    expect(seen.asked[0]?.detail).toContain('from the disk image');
    expect(seen.moves).toBe(1);
  });

  it('remembers "Not Now" (or a closed dialog) and does not ask again', () => {
    const { deps: d, seen } = deps({ answer: 1 });
    expect(offerMoveToApplications(d)).toBe('declined');
    expect(offerMoveToApplications(d)).toBe('declined-before');
    expect(seen.asked).toHaveLength(1);
    expect(seen.moves).toBe(0);
  });

  it('asks nothing in Applications, unpackaged (dev) or off macOS', () => {
    for (const over of [{ isInApplicationsFolder: () => true }, { isPackaged: false }, { platform: 'linux' as const }]) {
      const { deps: d, seen } = deps(over);
      expect(offerMoveToApplications(d)).toBe('not-needed');
      expect(seen.asked).toEqual([]);
    }
  });

  it('a cancelled authorization runs on where it is; a failed move says why, once, and runs on', () => {
    const cancelled = deps({ moved: false });
    expect(offerMoveToApplications(cancelled.deps)).toBe('cancelled');
    expect(cancelled.seen.errors).toEqual([]);
    const failed = deps({ moved: new Error('The destination is read-only') });
    expect(offerMoveToApplications(failed.deps)).toBe('failed');
    expect(failed.seen.errors).toHaveLength(1);
    expect(failed.seen.errors[0]).toContain('The destination is read-only');
  });
});

// One Chromium process and its socket to the test server, as the domain tests script them: the
// browser whose bytes the extension's reports place.
import type { FlowCounter, ProcessInfo } from '../../src-main/engine/types.js';

/** The browser process the scripted samples belong to. */
export const chromium: ProcessInfo = { pid: 10, name: 'chromium', path: '/usr/lib/chromium/chromium' };

/** Chromium's socket `c1` to 198.51.100.1:8080 with these cumulative counters. */
export const chromiumSocket = (bytesIn: number, bytesOut: number, extra: Partial<FlowCounter> = {}): FlowCounter => ({
  id: 'c1',
  owner: chromium,
  remote: { protocol: 'tcp4', address: '198.51.100.1', port: 8080 },
  bytesIn,
  bytesOut,
  ...extra,
});

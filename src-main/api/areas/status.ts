// status:get, the engine's health in one answer; pairing:check, which changes nothing and exists to be
// answered only for a valid token.
import type { AreaChannels, AreaContext, Handlers } from './area.js';

export function statusHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'status' | 'pairing'>> {
  return {
    'status:get': async () => {
      const now = nowS();
      return {
        version: deps.status.version,
        sampler: deps.status.samplerHealth(),
        pause: deps.capture.state(),
        lastSampleAt: await deps.status.lastSampleAt(),
        dataDir: deps.dataDir,
        dataBytes: deps.status.dataBytes(),
        uptimeS: Math.max(0, now - deps.status.startedAt),
        storage: deps.status.storageHealth(),
      };
    },
    // The transport answers only a request whose token is valid (http/guard.ts); nothing changes.
    'pairing:check': () => Promise.resolve({ paired: true }),
  };
}

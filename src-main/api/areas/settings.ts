// config:* and capture:*: the settings (config.json, validated by the engine) and pausing capture.
import type { AreaChannels, AreaContext, Handlers } from './area.js';

export function settingsHandlers({ deps, nowS }: AreaContext): Handlers<AreaChannels<'config' | 'capture'>> {
  return {
    'config:get': async () => deps.config.get(),
    'config:set': async (req) => deps.config.set(req),
    'capture:pause': async (req) => deps.capture.pause(req.minutes === undefined ? null : nowS() + req.minutes * 60),
    'capture:resume': async () => deps.capture.resume(),
  };
}

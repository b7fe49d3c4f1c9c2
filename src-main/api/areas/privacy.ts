// privacy:*: the privacy levels of apps and domains and forgetting a name, over the privacy port
// (engine/privacy); without it they answer unavailable.
import { ApiError } from '../errors.js';
import type { PrivacyAccess } from '../../engine/privacy/actions.js';
import type { AreaChannels, AreaContext, Handlers } from './area.js';

export function privacyHandlers({ deps }: AreaContext): Handlers<AreaChannels<'privacy'>> {
  const privacy = (): PrivacyAccess => {
    if (deps.privacy === undefined) throw new ApiError('unavailable', 'privacy levels are not available in this engine');
    return deps.privacy;
  };
  return {
    'privacy:list': () => Promise.resolve(privacy().list()),
    'privacy:set': (req) => Promise.resolve(privacy().set(req.kind, req.name, req.level)),
    'privacy:forget': (req) => Promise.resolve(privacy().forget(req.kind, req.name)),
  };
}

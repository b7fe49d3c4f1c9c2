// The one implementation of the API's handlers, independent of transport: `netmon serve` exposes it
// over HTTP, the Electron shell over IPC. Every request is validated here with the contract's schema
// and every answer is a `Result`; a handler never throws across the boundary (errors.ts). What the
// handlers need from the engine is in ports.ts; the handlers themselves, one file per area, in areas/.
import type { ApiChannel } from '../../src-shared/contract/channels.js';
import { API_CHANNELS, type ApiParsedRequest } from '../../src-shared/contract/schemas.js';
import type { ApiResponse, Result } from '../../src-shared/contract/types.js';
import type { Handlers } from './areas/area.js';
import { appsHandlers } from './areas/apps.js';
import { browserReportHandlers, type BrowserReports } from './areas/browser.js';
import { dataHandlers } from './areas/data.js';
import { domainsHandlers } from './areas/domains.js';
import { plansHandlers } from './areas/plans.js';
import { networksHandlers } from './areas/networks.js';
import { privacyHandlers } from './areas/privacy.js';
import { settingsHandlers } from './areas/settings.js';
import { statusHandlers } from './areas/status.js';
import { usageHandlers } from './areas/usage.js';
import { describeIssues, fail, runGuarded } from './errors.js';
import type { ApiDeps } from './ports.js';

/** The API's handlers: one entry point per transport call, validated, errors as values. */
export interface ApiHandlers extends BrowserReports {
  /** Validates `request` against the channel's schema and runs it. */
  invoke<K extends ApiChannel>(channel: K, request: unknown): Promise<Result<ApiResponse<K>>>;
}

/** Builds the handlers over the engine's parts. */
export function createApiHandlers(deps: ApiDeps): ApiHandlers {
  const context = { deps, nowS: (): number => Math.floor(deps.now() / 1000) };
  // Every channel's handler, from its area; the type asks for each channel of the contract.
  const impl: Handlers<ApiChannel> = {
    ...statusHandlers(context),
    ...usageHandlers(context),
    ...appsHandlers(context),
    ...domainsHandlers(context),
    ...settingsHandlers(context),
    ...dataHandlers(context),
    ...plansHandlers(context),
    ...privacyHandlers(context),
    ...networksHandlers(context),
  };
  return {
    async invoke<K extends ApiChannel>(channel: K, request: unknown): Promise<Result<ApiResponse<K>>> {
      if (!Object.hasOwn(API_CHANNELS, channel)) return fail('not-found', `no channel ${JSON.stringify(channel)}`);
      const parsed = API_CHANNELS[channel].request.safeParse(request);
      if (!parsed.success) return fail('bad-request', describeIssues(parsed.error));
      const handler = impl[channel] as (req: ApiParsedRequest<K>) => Promise<ApiResponse<K>>;
      return runGuarded(channel, () => handler(parsed.data as ApiParsedRequest<K>));
    },
    ...browserReportHandlers(context),
  };
}

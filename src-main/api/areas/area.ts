// What an area of handlers is: the handlers of every channel named `area:…`, each taking the parsed
// request and answering the response (or throwing; errors.ts makes a Result of it).
import type { ApiChannel } from '../../../src-shared/contract/channels.js';
import type { ApiParsedRequest } from '../../../src-shared/contract/schemas.js';
import type { ApiResponse } from '../../../src-shared/contract/types.js';
import type { ApiDeps } from '../ports.js';

/** The handlers of the channels `K`. */
export type Handlers<K extends ApiChannel> = { [C in K]: (req: ApiParsedRequest<C>) => Promise<ApiResponse<C>> };

/** The channels of one area, by its prefix. */
export type AreaChannels<A extends string> = Extract<ApiChannel, `${A}:${string}`>;

/** What every area is built from: the engine's ports and the wall clock in epoch seconds. */
export interface AreaContext {
  deps: ApiDeps;
  nowS: () => number;
}

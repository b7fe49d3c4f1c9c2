// The contract's channels and their kinds, with no dependency: the renderer and the extension import
// this without pulling zod (the request schemas live in api.ts).

/** The HTTP method of each channel: GET for queries, POST for commands. */
export const CHANNEL_KINDS = {
  'status:get': 'query',
  'usage:live': 'query',
  'usage:summary': 'query',
  'usage:timeline': 'query',
  'usage:heatmap': 'query',
  'apps:list': 'query',
  'apps:processes': 'query',
  'apps:timeline': 'query',
  'domains:list': 'query',
  'config:get': 'query',
  'config:set': 'command',
  'capture:pause': 'command',
  'capture:resume': 'command',
  'data:purge': 'command',
  'data:export': 'query',
  'plans:status': 'query',
  'plans:set': 'command',
  'plans:calibrate': 'command',
  'budgets:list': 'query',
  'budgets:add': 'command',
  'budgets:remove': 'command',
  'changes:list': 'query',
} as const satisfies Record<string, 'query' | 'command'>;

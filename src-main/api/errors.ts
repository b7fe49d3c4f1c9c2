// Errors as values: what a handler throws becomes a `Result` failure with a code the transports map
// to a status. A refusal the user can act on (a bad request, a refused setting or plan field) says
// why; anything unexpected is logged and answered as `internal` without internals (paths, SQL).
import type { z } from 'zod';
import type { ApiErrorCode, Result } from '../../src-shared/contract/types.js';
import { ConfigError } from '../engine/config.js';
import { createLogger } from '../engine/log.js';
import { PlanInputError } from '../engine/plans/validate.js';
import { NetworkInputError } from '../engine/network/user-marks.js';
import { PrivacyError } from '../engine/privacy/list.js';

const log = createLogger('api');

/** An error a dependency may throw to choose the code the client sees. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Turns zod's issues into one line a user can act on: `since: expected a whole number; …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length === 0 ? 'request' : issue.path.map(String).join('.');
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** A failure with `code`. */
export function fail(code: ApiErrorCode, message: string): { ok: false; error: { code: ApiErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}

/** Runs `run` and answers its value, or its error as a failure; `what` names it in the log and the message. */
export async function runGuarded<T>(what: string, run: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    if (err instanceof ApiError) return fail(err.code, err.message);
    if (err instanceof ConfigError || err instanceof PlanInputError || err instanceof PrivacyError || err instanceof NetworkInputError) return fail('bad-request', err.message);
    // The client gets no internals (paths, SQL); the log has them.
    log.error(`${what} failed`, { error: err });
    return fail('internal', `${what} failed; see the log for details`);
  }
}

/** Outcome of a call that crosses a boundary (IPC, HTTP): a value or a coded error, never a throw. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/** Marks a switch as exhaustive: a new union member becomes a compile error here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

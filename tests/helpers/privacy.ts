// What the privacy tests share: an API call through the fixture's server with the token, and the
// database file's bytes (WAL and journal included) to grep for a name that must not be there.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { send, startFixture, type Fixture } from './http-fixture.js';

const json = { 'content-type': 'application/json' };

/** One API call; the value, or the error on a refusal. */
export async function call(f: Fixture, method: 'GET' | 'POST', p: string, body?: unknown): Promise<{ status: number; value: unknown }> {
  const reply = await send(f.server.port, { method, path: p, headers: { ...(body === undefined ? {} : json), 'x-netmon-token': f.token }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const parsed = reply.json() as { ok: boolean; value?: unknown; error?: unknown };
  return { status: reply.status, value: parsed.ok ? parsed.value : parsed.error };
}

/** Every byte of the database, its WAL and journal included. */
export function fileBytes(dir: string): Buffer {
  const base = path.join(dir, 'network_monitor.db');
  return Buffer.concat([base, `${base}-wal`, `${base}-journal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
}

/** Whether `text` is anywhere in the database's files. */
export const inFile = (dir: string, text: string): boolean => fileBytes(dir).includes(Buffer.from(text, 'utf8'));

/**
 * One fixture per test, closed after it (registers the afterEach): `start` opens it, `closeEarly` stops
 * the server and closes the store so that the CLI has the data folder to itself (removed after the test).
 */
export function fixturePerTest(): { start: () => Promise<Fixture>; closeEarly: (f: Fixture) => Promise<void> } {
  let fx: Fixture | null = null;
  let closed: string | null = null;
  afterEach(async () => {
    await fx?.close();
    fx = null;
    if (closed !== null) rmSync(closed, { recursive: true, force: true });
    closed = null;
  });
  return {
    start: async () => {
      fx = await startFixture();
      return fx;
    },
    closeEarly: async (f) => {
      await f.server.close();
      f.store.close();
      closed = f.dir;
      fx = null;
    },
  };
}

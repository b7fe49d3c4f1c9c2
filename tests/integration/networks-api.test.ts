// The networks channels (issue 12 item 7) through the contract: over HTTP as the dashboard calls them
// and through the handlers the shell's IPC calls, the same answers; each request validated by its
// schema (a bad or missing field named, a command refused over GET and without the token); an
// unknown network is 404 for a view and a refusal naming `network` for a mark; a rename and a metered
// mark are seen by the next list. A real store written by Store.append/appendNetworks.
import { afterEach, describe, expect, it } from 'vitest';
import { API_CHANNELS } from '../../src-shared/contract/schemas.js';
import type { LedgerView, NetworkApps, NetworkMarkOutcome, NetworksList, NetworkTimeline } from '../../src-shared/networks.js';
import type { LedgerDelta, NetworkUsage } from '../../src-main/engine/network/network-rows.js';
import type { AppUsage } from '../../src-main/engine/types.js';
import { UNATTRIBUTED } from '../../src-main/engine/types.js';
import { send, startFixture, type Fixture } from '../helpers/http-fixture.js';

let fx: Fixture | null = null;
afterEach(async () => {
  await fx?.close();
  fx = null;
});

const now = Math.floor(Date.now() / 1000);
const hour = Math.floor(now / 3600) * 3600;
const HOME = { key: 'wifi:a4:2b:b0:11:a1:b2', label: 'Wi-Fi · a1b2', kind: 'wifi', metered: false, reason: 'no sign of a metered link', lastSeen: now - 60 };
const PHONE = { key: 'hotspot:d2:11:07:5e:6f:01', label: 'Hotspot · 6f01', kind: 'hotspot', metered: true, reason: 'the address is in 172.20.10.0/28', lastSeen: now - 7200 };

async function seeded(): Promise<Fixture> {
  const f = await startFixture();
  const usage: AppUsage[] = [];
  const rows: NetworkUsage[] = [];
  for (const [i, ts] of [hour - 3 * 3600 + 60, hour - 2 * 3600 + 60, hour - 3600 + 60].entries()) {
    for (const [app, bytesIn] of [['Firefox', 5000], ['VPN overhead (OpenVPN)', 300], [UNATTRIBUTED, 70]] as const) {
      const row = { ts, durationS: 5, app, bytesIn: bytesIn + i, bytesOut: 10 };
      usage.push(row);
      rows.push({ ...row, network: i === 1 ? PHONE.key : HOME.key, iface: 'en0' });
    }
  }
  const flagged: LedgerDelta = { hourStart: hour - 2 * 3600, physical: { bytesIn: 1, bytesOut: 0 }, attributed: { bytesIn: 3e6, bytesOut: 0 }, overhead: { bytesIn: 0, bytesOut: 0 }, excluded: { bytesIn: 0, bytesOut: 0 }, unknownIntervals: 0 };
  f.store.append(usage);
  f.store.appendNetworks(rows, [HOME, PHONE], [flagged]);
  expect(f.store.flush().ok).toBe(true);
  return f;
}

type Answer<T> = { status: number; ok: boolean; value: T; error: { code: string; message: string } };
async function call<T>(f: Fixture, method: 'GET' | 'POST', channel: string, request: Record<string, unknown> = {}, token: string | null = f.token): Promise<Answer<T>> {
  const query = method === 'GET' ? `?${new URLSearchParams(Object.entries(request).map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
  const reply = await send(f.server.port, {
    method,
    path: `/api/v1/${channel}${query}`,
    headers: { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...(token === null ? {} : { 'x-netmon-token': token }) },
    ...(method === 'POST' ? { body: JSON.stringify(request) } : {}),
  });
  const parsed = reply.json() as { ok: boolean; value: T; error: { code: string; message: string } };
  return { status: reply.status, ...parsed };
}

describe('networks channels', () => {
  it('list, timeline, apps and ledger: the same over HTTP as through the handlers (IPC), and adding up', async () => {
    const f = (fx = await seeded());
    const range = { since: hour - 4 * 3600, until: hour };
    const list = await call<NetworksList>(f, 'GET', 'networks:list', range);
    expect(list.status).toBe(200);
    expect(await f.handlers.invoke('networks:list', range)).toEqual({ ok: true, value: list.value });
    expect(list.value.networks.map((n) => [n.network, n.label, n.bytesIn, n.metered, n.meteredReason])).toEqual([
      [HOME.key, HOME.label, 5000 + 300 + 70 + 5002 + 302 + 72, false, HOME.reason],
      [PHONE.key, PHONE.label, 5001 + 301 + 71, true, PHONE.reason],
    ]);
    const usage = await call<{ points: { bytesIn: number; bytesOut: number }[] }>(f, 'GET', 'usage:timeline', { ...range, bucket: 3600 });
    const all = usage.value.points.reduce((t, p) => t + p.bytesIn + p.bytesOut, 0);
    expect(list.value.totals.bytesIn + list.value.totals.bytesOut).toBe(all);

    const timeline = await call<NetworkTimeline>(f, 'GET', 'networks:timeline', { ...range, network: PHONE.key, bucket: 3600 });
    expect(timeline.status).toBe(200);
    expect(await f.handlers.invoke('networks:timeline', { ...range, network: PHONE.key, bucket: 3600 })).toEqual({ ok: true, value: timeline.value });
    expect(timeline.value.points.map((p) => p.bytesIn)).toEqual([0, 0, 5001 + 301 + 71, 0]);
    expect([timeline.value.network, timeline.value.bucketS, timeline.value.since, timeline.value.until]).toEqual([PHONE.key, 3600, range.since, range.until]);

    const apps = await call<NetworkApps>(f, 'GET', 'networks:apps', { ...range, network: HOME.key });
    expect(apps.value.apps.map((a) => [a.app, a.kind])).toEqual([
      ['Firefox', 'app'],
      ['VPN overhead (OpenVPN)', 'overhead'],
      [UNATTRIBUTED, 'unattributed'],
    ]);
    expect(apps.value.totals.bytesIn).toBe(list.value.networks[0]?.bytesIn);

    const ledger = await call<LedgerView>(f, 'GET', 'networks:ledger', range);
    expect(ledger.value.flagged.map((h) => h.hourStart)).toEqual([hour - 2 * 3600]);
    expect((await call<LedgerView>(f, 'GET', 'networks:ledger', { range: '1h' })).value.flagged).toEqual([]);
  });

  it('validates each request by its schema and says what is wrong', async () => {
    const f = (fx = await seeded());
    expect(await call(f, 'GET', 'networks:timeline', { range: '24h' })).toMatchObject({ status: 400, error: { code: 'bad-request', message: expect.stringContaining('network') as unknown } });
    expect(await call(f, 'GET', 'networks:timeline', { range: '24h', network: 'wifi:nowhere' })).toMatchObject({ status: 404, error: { code: 'not-found', message: expect.stringContaining('wifi:nowhere') as unknown } });
    expect(await call(f, 'GET', 'networks:apps', { range: '24h', network: 'wifi:nowhere' })).toMatchObject({ status: 404 });
    expect(await call(f, 'GET', 'networks:list', { range: '24h', since: 5 })).toMatchObject({ status: 400 });
    expect(await call(f, 'GET', 'networks:list', { range: '24h', extra: 1 })).toMatchObject({ status: 400 });
    // Commands travel as POST with the token.
    expect((await call(f, 'GET', 'networks:rename', { network: HOME.key, label: 'x' })).status).toBe(405);
    expect((await call(f, 'POST', 'networks:rename', { network: HOME.key, label: 'x' }, null)).status).toBe(401);
    expect(await call(f, 'POST', 'networks:rename', { network: HOME.key, label: 'x'.repeat(201) })).toMatchObject({ status: 400, error: { message: expect.stringContaining('label') as unknown } });
    expect(await call(f, 'POST', 'networks:rename', { network: HOME.key })).toMatchObject({ status: 400, error: { message: expect.stringContaining('label') as unknown } });
    expect(await call(f, 'POST', 'networks:rename', { network: 'wifi:nowhere', label: 'x' })).toMatchObject({ status: 400, error: { message: expect.stringMatching(/^network: no network/) as unknown } });
    expect(await call(f, 'POST', 'networks:metered', { network: 'unknown', metered: true })).toMatchObject({ status: 400, error: { message: expect.stringContaining('unknown network') as unknown } });
    expect(await call(f, 'POST', 'networks:metered', { network: HOME.key, metered: 'yes' })).toMatchObject({ status: 400, error: { message: expect.stringContaining('metered') as unknown } });
    // The contract's own schemas, as both transports use them.
    expect(API_CHANNELS['networks:metered'].request.safeParse({ network: HOME.key, metered: null }).success).toBe(true);
    expect(API_CHANNELS['networks:rename'].request.safeParse({ network: '', label: 'x' }).success).toBe(false);
    expect(API_CHANNELS['networks:timeline'].kind).toBe('query');
    expect(API_CHANNELS['networks:metered'].kind).toBe('command');
  });

  it('a rename and a metered mark are what the next list shows; null gives netmon\'s back', async () => {
    const f = (fx = await seeded());
    const renamed = await call<NetworkMarkOutcome>(f, 'POST', 'networks:rename', { network: PHONE.key, label: '  Anna’s phone ' });
    expect(renamed.value.network).toMatchObject({ network: PHONE.key, label: 'Anna’s phone', netmonLabel: PHONE.label });
    const marked = await f.handlers.invoke('networks:metered', { network: PHONE.key, metered: false });
    expect(marked).toMatchObject({ ok: true, value: { network: { metered: false, meteredBy: 'user', meteredReason: 'you marked it not metered' } } });
    const list = await call<NetworksList>(f, 'GET', 'networks:list', { range: '24h' });
    expect(list.value.networks.find((n) => n.network === PHONE.key)).toMatchObject({ label: 'Anna’s phone', metered: false, meteredBy: 'user' });
    await call(f, 'POST', 'networks:rename', { network: PHONE.key, label: null });
    await call(f, 'POST', 'networks:metered', { network: PHONE.key, metered: null });
    const back = await call<NetworksList>(f, 'GET', 'networks:list', { range: '24h' });
    expect(back.value.networks.find((n) => n.network === PHONE.key)).toMatchObject({ label: PHONE.label, userLabel: null, metered: true, meteredBy: 'netmon', meteredReason: PHONE.reason });
  });
});

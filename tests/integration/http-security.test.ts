// The security review's findings (shared/notes/security-review.md), each reproduced against a real
// server on port 0 and refused: token-less reads (1), the token kept off command lines with one-time
// pairing codes (2), port squatting (3), the dashboard's unverified #pair= (11), unauthenticated live
// slots (10), the encoded extension path (I1). Every case checks that no data came back.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToProvenServer, proofMessage, serverProves } from '../../extension/src/lib/handshake.js';
import type { Outgoing } from '../../extension/src/lib/contract.js';
import { exchangePairingCode, hmacHex, serverKnowsToken } from '../../src-renderer/api/server-proof.js';
import { serverProofMessage } from '../../src-shared/handshake.js';
import type { AppUsage } from '../../src-main/engine/types.js';
import { serverProof } from '../../src-main/http/handshake.js';
import { send, startFixture, type Fixture } from '../helpers/http-fixture.js';

const nowS = Math.floor(Date.now() / 1000);
const seed: AppUsage[] = [
  { ts: nowS - 7200, durationS: 5, app: 'Firefox', bytesIn: 1000, bytesOut: 100 },
  { ts: nowS - 3600, durationS: 5, app: 'Slack', bytesIn: 500, bytesOut: 50 },
];
const EXT = 'moz-extension://0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

let fx: Fixture;
// The server's monotonic clock, moved by the tests (pairing codes' lifetime).
let clock = 0;

beforeAll(async () => {
  fx = await startFixture({ seed, mono: () => clock, maxLiveClients: 2, rate: { capacity: 1000, refillPerSecond: 1000 } });
});
afterAll(async () => {
  await fx.close();
});

const READS = [
  '/api/v1/apps:list?range=24h',
  '/api/v1/domains:list?range=365d&limit=1000',
  '/api/v1/data:export?format=csv&range=365d',
  '/api/v1/apps:processes?app=Firefox&range=30d',
  '/api/v1/status:get',
  '/api/v1/usage:live',
  '/metrics',
];

describe('finding 1: every read needs the token', () => {
  it.each(READS)('GET %s without the token → 401, and nothing of the history in the answer', async (target) => {
    const reply = await send(fx.server.port, { method: 'GET', path: target });
    expect(reply.status).toBe(401);
    expect((reply.json() as { error: { code: string } }).error.code).toBe('unauthorized');
    expect(reply.text).not.toMatch(/Firefox|Slack|netmon_app_bytes|dataDir/);
  });

  it.each(READS)('GET %s with the token → 200', async (target) => {
    const reply = await send(fx.server.port, { method: 'GET', path: target, headers: target === '/metrics' ? { authorization: `Bearer ${fx.token}` } : { 'x-netmon-token': fx.token } });
    expect(reply.status).toBe(200);
  });

  it('token-less read by another local user (uid 65534) → 401 with no data', async () => {
    if (process.getuid?.() !== 0) return expect.fail('needs root to act as another user (CI runs as root)');
    // python3 (Debian's, readable by every account) as the other user; our node lives under /root.
    const script = [
      'import urllib.request, urllib.error',
      `req = urllib.request.Request('http://127.0.0.1:${fx.server.port}/api/v1/apps:list?range=24h')`,
      'try:',
      '    r = urllib.request.urlopen(req); print(r.status, r.read().decode())',
      'except urllib.error.HTTPError as e:',
      '    print(e.code, e.read().decode())',
    ].join('\n');
    // Asynchronously: the server answering it runs in this process.
    const result = await new Promise<{ error: Error | null; stdout: string; stderr: string }>((resolve) =>
      execFile('python3', ['-c', script], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 20_000, cwd: '/' }, (error, stdout, stderr) => resolve({ error, stdout, stderr })),
    );
    expect(result.error).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^401 /);
    expect(result.stdout).not.toMatch(/Firefox|Slack/);
  });

  it('live feed without token → 401, and a flood of them holds no live slot', async () => {
    for (let i = 0; i < 20; i++) {
      const reply = await send(fx.server.port, { method: 'GET', path: '/api/v1/live' });
      expect(reply.status).toBe(401);
    }
    expect(fx.server.liveClients()).toBe(0);
  });

  it('metrics without token → 401; with a wrong Bearer → 401', async () => {
    expect((await send(fx.server.port, { method: 'GET', path: '/metrics' })).status).toBe(401);
    expect((await send(fx.server.port, { method: 'GET', path: '/metrics', headers: { authorization: `Bearer ${'0'.repeat(64)}` } })).status).toBe(401);
  });

  it('I1: the extension path percent-encoded, with the token but no extension Origin → 403, nothing stored', async () => {
    const before = fx.written();
    const reply = await send(fx.server.port, {
      method: 'POST',
      path: '/api/browser/%61ctive-tab',
      headers: { 'content-type': 'application/json', 'x-netmon-token': fx.token },
      body: JSON.stringify({ domain: 'example.com', timestamp: nowS, browser: 'zen' }),
    });
    expect(reply.status).toBe(403);
    expect(fx.written()).toEqual(before);
  });
});

describe('the server proves it knows the token', () => {
  it('answers HMAC(token, label, Host, nonce), the same the extension and the dashboard compute', async () => {
    const nonce = 'ab'.repeat(16);
    const host = `127.0.0.1:${fx.server.port}`;
    const reply = await send(fx.server.port, { method: 'GET', path: `/api/auth/prove?nonce=${nonce}` });
    const proof = (reply.json() as { value: { proof: string } }).value.proof;
    expect(proof).toBe(serverProof(fx.token, host, nonce));
    expect(proof).toBe(await hmacHex(fx.token, serverProofMessage(host, nonce)));
    expect(proofMessage(host, nonce)).toBe(serverProofMessage(host, nonce));
    // Bound to the Host asked: the proof for this port is not the proof for another.
    expect(serverProof(fx.token, '127.0.0.1:7500', nonce)).not.toBe(proof);
    expect(proof).not.toContain(fx.token);
  });

  it.each(['', 'xyz', '0'.repeat(31), 'A'.repeat(32), '0'.repeat(129)])('refuses the nonce %j → 400', async (nonce) => {
    const reply = await send(fx.server.port, { method: 'GET', path: `/api/auth/prove?nonce=${nonce}` });
    expect(reply.status).toBe(400);
  });

  it('the extension and the dashboard accept the real server', async () => {
    expect(await serverProves(fetch, fx.server.port, fx.token)).toBe('proven');
    expect(await serverKnowsToken(fetch, fx.server.url, `127.0.0.1:${fx.server.port}`, fx.token)).toBe(true);
    const item: Outgoing = { path: '/api/browser/bytes', body: { browser: 'zen', since: nowS, until: nowS, entries: [] } };
    const withOrigin: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: EXT } });
    expect(await postToProvenServer(withOrigin as Parameters<typeof postToProvenServer>[0], fx.server.port, fx.token, item)).toEqual({ kind: 'ok' });
  });

  it('finding 11: a #pair= token the server does not know is not kept', async () => {
    expect(await serverKnowsToken(fetch, fx.server.url, `127.0.0.1:${fx.server.port}`, 'c'.repeat(64))).toBe(false);
    expect(await serverProves(fetch, fx.server.port, 'c'.repeat(64))).toBe('mismatch');
  });
});

/** A program squatting on a loopback port: records every request it gets, answers `answer`. */
async function squatter(answer: (req: http.IncomingMessage) => { status: number; body: string }): Promise<{ port: number; seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>; close(): Promise<void> }> {
  const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const a = answer(req);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('finding 3: squatter on the port', () => {
  const TOKEN = 'd'.repeat(64);
  const item: Outgoing = { path: '/api/browser/bytes', body: { browser: 'zen', since: nowS, until: nowS, entries: [{ domain: 'secret-site.example', ip: '198.51.100.7', bytesIn: 1, bytesOut: 1, estimate: false }] } };

  it.each([
    ['answers 200 to everything', () => ({ status: 200, body: '{"ok":true,"value":{}}' })],
    ['forges a proof', () => ({ status: 200, body: JSON.stringify({ ok: true, value: { proof: 'e'.repeat(64) } }) })],
    ['answers 401', () => ({ status: 401, body: '{"ok":false,"error":{"code":"unauthorized","message":"pair"}}' })],
  ])('a squatter that %s gets neither the token nor a hostname from the extension', async (_what, answer) => {
    const sq = await squatter(answer);
    try {
      const outcome = await postToProvenServer(fetch, sq.port, TOKEN, item);
      expect(outcome.kind === 'ok').toBe(false);
      // One request only: the proof's GET, with a random nonce and nothing else.
      expect(sq.seen).toHaveLength(1);
      const [only] = sq.seen;
      expect(only?.method).toBe('GET');
      expect(only?.url).toMatch(/^\/api\/auth\/prove\?nonce=[0-9a-f]{32}$/);
      expect(only?.body).toBe('');
      const everything = JSON.stringify(sq.seen);
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain('secret-site');
      expect(only?.headers['x-netmon-token']).toBeUndefined();
      expect(only?.headers.authorization).toBeUndefined();
    } finally {
      await sq.close();
    }
  });

  it('the dashboard keeps no token a squatter hands out for a pairing code', async () => {
    const planted = 'f'.repeat(64);
    const sq = await squatter((req) => (req.method === 'POST' ? { status: 200, body: JSON.stringify({ ok: true, value: { token: planted } }) } : { status: 200, body: JSON.stringify({ ok: true, value: { proof: '0'.repeat(64) } }) }));
    try {
      const exchanged = await exchangePairingCode(fetch, `http://127.0.0.1:${sq.port}`, `127.0.0.1:${sq.port}`, '1'.repeat(32));
      expect(exchanged.ok).toBe(false);
    } finally {
      await sq.close();
    }
  });
});

describe('finding 2: one-time pairing codes instead of the token', () => {
  const exchange = (code: string) => send(fx.server.port, { method: 'POST', path: '/api/pair/exchange', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });

  it('a fresh code is exchanged once for the token', async () => {
    const code = fx.server.issuePairingCode();
    expect(code).toMatch(/^[0-9a-f]{32}$/);
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect((first.json() as { value: { token: string } }).value.token).toBe(fx.token);
    const again = await exchange(code);
    expect(again.status).toBe(401);
    expect(again.text).not.toContain(fx.token);
  });

  it('pairing code replayed after 2 minutes → 401, no token', async () => {
    const code = fx.server.issuePairingCode();
    clock += 120_001;
    const late = await exchange(code);
    expect(late.status).toBe(401);
    expect(late.text).not.toContain(fx.token);
  });

  it('a code just inside its 2 minutes still works; a guessed code does not', async () => {
    const code = fx.server.issuePairingCode();
    clock += 119_000;
    expect((await exchange('0'.repeat(32))).status).toBe(401);
    expect((await exchange(code)).status).toBe(200);
  });

  it('the dashboard swaps a code for the token and checks the server with it', async () => {
    const code = fx.server.issuePairingCode();
    const swapped = await exchangePairingCode(fetch, fx.server.url, `127.0.0.1:${fx.server.port}`, code);
    expect(swapped).toEqual({ ok: true, token: fx.token });
    const replay = await exchangePairingCode(fetch, fx.server.url, `127.0.0.1:${fx.server.port}`, code);
    expect(replay.ok).toBe(false);
  });
});

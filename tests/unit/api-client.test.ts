// How each channel travels over HTTP, and the typed client's dispatch.
import { describe, expect, it } from 'vitest';
import { API_CHANNEL_NAMES, apiHttpRequest, createApiClient, type ApiChannel } from '../../src-shared/api.js';

describe('apiHttpRequest', () => {
  it('sends queries as GET with an encoded query string, leaving out undefined', () => {
    expect(apiHttpRequest('apps:timeline', { app: 'Slack & Co?', since: 10, until: undefined, bucket: 'auto' })).toEqual({
      method: 'GET',
      path: '/api/v1/apps:timeline?app=Slack%20%26%20Co%3F&since=10&bucket=auto',
      body: null,
    });
    expect(apiHttpRequest('status:get', {})).toEqual({ method: 'GET', path: '/api/v1/status:get', body: null });
  });

  it('sends commands as POST with a JSON body', () => {
    expect(apiHttpRequest('data:purge', { since: 1, until: 2 })).toEqual({ method: 'POST', path: '/api/v1/data:purge', body: '{"since":1,"until":2}' });
  });

  it('refuses a nested value in a query', () => {
    expect(() => apiHttpRequest('apps:list', { since: { $gt: 1 } })).toThrow(/must be a string, number or boolean/);
  });
});

describe('createApiClient', () => {
  it('has one function per channel, each calling the transport with its own name', async () => {
    const calls: Array<[ApiChannel, unknown]> = [];
    const client = createApiClient((channel, request) => {
      calls.push([channel, request]);
      return Promise.resolve({ ok: true, value: channel });
    });
    expect(Object.keys(client).sort()).toEqual([...API_CHANNEL_NAMES].sort());
    expect(await client['usage:summary']({})).toEqual({ ok: true, value: 'usage:summary' });
    await client['config:set']({ log_level: 'warn' });
    expect(calls).toEqual([
      ['usage:summary', {}],
      ['config:set', { log_level: 'warn' }],
    ]);
  });
});

import assert from 'node:assert/strict';
import nock from 'nock';
import type { EntraSettings } from '../../playbooks/config';
import { GraphAuthError, GraphRequestError, MissingPermissionError } from '../../playbooks/errors';
import { GraphClient } from '../../playbooks/providers/graph-client';
import { retryAfterMs } from '../../adapters/http/retry';
import { Secret } from '../../core/config/secret';
import { fakeClock } from './helpers';

// nock intercepts before any socket opens; the base URL is loopback anyway, and net connect is
// disabled except to loopback while this file runs.
const BASE = 'http://127.0.0.1:9';
const SECRET = 'nock-client-secret-0123456789';
const settings: EntraSettings = {
  tenantId: 't1',
  clientId: 'app',
  clientSecret: new Secret(SECRET, 'test'),
  authorityUrl: BASE,
  graphUrl: BASE,
  timeoutMs: 2000,
  maxAttempts: 4,
  maxRetryAfterSeconds: 30,
  breakGlassGroups: [],
};
const read = { method: 'GET', path: '/users/u1', operation: 'read the Entra user', permission: 'User.Read.All' } as const;

function token(times = 1, accessToken = 'tok-abcdef-123456'): nock.Scope {
  return nock(BASE).post('/t1/oauth2/v2.0/token').times(times).reply(200, { token_type: 'Bearer', expires_in: 3599, access_token: accessToken });
}

describe('playbooks: Graph client fault handling (nock)', () => {
  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  });
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    assert.deepEqual(pending, [], 'every mocked call was made');
  });
  after(() => nock.enableNetConnect());

  it('waits the Retry-After seconds of a 429 and then succeeds', async () => {
    token();
    nock(BASE).get('/v1.0/users/u1').reply(429, { error: { code: 'TooManyRequests', message: 'throttled' } }, { 'Retry-After': '7' });
    nock(BASE).get('/v1.0/users/u1').reply(200, { id: 'u1' });
    const clock = fakeClock();
    const r = await new GraphClient(settings, clock, () => 0.5).call(read);
    assert.equal(r.status, 200);
    assert.deepEqual(clock.slept, [7000]);
  });

  it('understands Retry-After given as an HTTP date', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 12:00:05 GMT', now), 5000);
    assert.equal(retryAfterMs('soon', now), undefined);
  });

  it('backs off exponentially on 503 without Retry-After', async () => {
    token();
    nock(BASE).get('/v1.0/users/u1').times(3).reply(503, { error: { code: 'serviceNotAvailable', message: 'busy' } });
    nock(BASE).get('/v1.0/users/u1').reply(200, { id: 'u1' });
    const clock = fakeClock();
    await new GraphClient(settings, clock, () => 1).call(read);
    assert.deepEqual(clock.slept, [1000, 2000, 4000]);
  });

  it('retries a connection reset', async () => {
    token();
    nock(BASE).get('/v1.0/users/u1').replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    nock(BASE).get('/v1.0/users/u1').reply(200, { id: 'u1' });
    const clock = fakeClock();
    assert.equal((await new GraphClient(settings, clock, () => 0).call(read)).status, 200);
    assert.equal(clock.slept.length, 1);
  });

  it('gives up after maxAttempts with the Graph error code in the message', async () => {
    token();
    nock(BASE).get('/v1.0/users/u1').times(4).reply(503, { error: { code: 'serviceNotAvailable', message: 'busy', innerError: { 'request-id': 'req-42' } } });
    await assert.rejects(new GraphClient(settings, fakeClock(), () => 0).call(read), (e: unknown) => {
      assert.ok(e instanceof GraphRequestError);
      assert.match(e.message, /HTTP 503\): serviceNotAvailable: busy \(after 4 attempts\) \[request-id req-42\]/);
      return true;
    });
  });

  it('refuses to wait longer than maxRetryAfterSeconds', async () => {
    token();
    nock(BASE).get('/v1.0/users/u1').reply(429, { error: { code: 'TooManyRequests', message: 'slow down' } }, { 'Retry-After': '3600' });
    const clock = fakeClock();
    await assert.rejects(new GraphClient(settings, clock).call(read), /TooManyRequests: slow down; Graph asked to wait 3600 s/);
    assert.deepEqual(clock.slept, []);
  });

  it('turns 403 Authorization_RequestDenied into MissingPermissionError naming the permission', async () => {
    token();
    nock(BASE).patch('/v1.0/users/u1').reply(403, { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } });
    await assert.rejects(
      new GraphClient(settings, fakeClock()).call({ method: 'PATCH', path: '/users/u1', body: { accountEnabled: false }, operation: 'disable the Entra account', permission: 'User.EnableDisableAccount.All' }),
      (e: unknown) => e instanceof MissingPermissionError && /grant User\.EnableDisableAccount\.All/.test(e.message) && /Authorization_RequestDenied/.test(e.message),
    );
  });

  it('fetches a new token once when Graph answers 401', async () => {
    token(1, 'tok-old-aaaaaa');
    token(1, 'tok-new-bbbbbb');
    nock(BASE).get('/v1.0/users/u1').matchHeader('authorization', 'Bearer tok-old-aaaaaa').reply(401, { error: { code: 'InvalidAuthenticationToken', message: 'expired' } });
    nock(BASE).get('/v1.0/users/u1').matchHeader('authorization', 'Bearer tok-new-bbbbbb').reply(200, { id: 'u1' });
    assert.equal((await new GraphClient(settings, fakeClock()).call(read)).status, 200);
  });

  it('retries a 5xx from the token endpoint too', async () => {
    nock(BASE).post('/t1/oauth2/v2.0/token').reply(502, 'bad gateway');
    token();
    nock(BASE).get('/v1.0/users/u1').reply(200, { id: 'u1' });
    const clock = fakeClock();
    await new GraphClient(settings, clock, () => 0).call(read);
    assert.equal(clock.slept.length, 1);
  });

  it('reports a refused client secret with the AADSTS code and without the secret', async () => {
    nock(BASE).post('/t1/oauth2/v2.0/token').reply(401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Got ${SECRET}.\r\nTrace ID: x` });
    await assert.rejects(new GraphClient(settings, fakeClock()).call(read), (e: unknown) => {
      assert.ok(e instanceof GraphAuthError);
      assert.match(e.message, /invalid_client: AADSTS7000215/);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
  });
});

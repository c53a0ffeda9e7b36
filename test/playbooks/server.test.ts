import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Secret } from '../../core/config/secret';
import { startResponderServer, type RunningServer } from '../../playbooks/server';
import type { GraphEmulator } from '../emulators/graph/graph-emulator';
import { auditLines, entraSettings, makeResponder, startEmulator, type TestResponder } from './helpers';

const TOKEN = 'responder-bearer-token-0123456789abcdef';

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/actions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let s = '';
      res.on('data', (c: Buffer) => (s += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(s) as Record<string, unknown>, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('playbooks: responder HTTP service', () => {
  let emu: GraphEmulator;
  let t: TestResponder;
  let server: RunningServer;
  const logged: Record<string, unknown>[] = [];
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    emu = await startEmulator();
    t = makeResponder({ entra: entraSettings(emu), limit: 50 });
    server = await startResponderServer({ responder: t.responder, token: new Secret(TOKEN, 'test'), host: '127.0.0.1', port: 0, returnGeneratedPasswords: false, log: (e) => logged.push(e) });
  });
  after(async () => {
    await server.close();
    await emu.stop();
  });

  it('listens on loopback', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('requires a bearer token', async () => {
    const r = await post(server.url, { action: 'suspend', user: 'x@corp.example' });
    assert.equal(r.status, 401);
    assert.match(String(r.headers['www-authenticate']), /^Bearer/);
  });

  it('answers 401 to a wrong token and changes nothing', async () => {
    const u = emu.addUser({ userPrincipalName: 'wrongtok@corp.example' });
    const r = await post(server.url, { action: 'suspend', user: u.userPrincipalName }, { authorization: `Bearer ${TOKEN}x` });
    assert.equal(r.status, 401);
    assert.equal(u.accountEnabled, true);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const r = await post(server.url, '{"action":', auth);
    assert.equal(r.status, 400);
    assert.equal(r.json.message, 'body is not valid JSON');
  });

  it('names the bad field of an invalid body with 400', async () => {
    assert.equal((await post(server.url, { action: 'delete', user: 'x' }, auth)).json.message, 'body.action must be one of suspend, enable, revoke-sessions, reset-password');
    assert.equal((await post(server.url, { action: 'suspend' }, auth)).json.message, 'body.user is required');
    assert.equal((await post(server.url, { action: 'suspend', user: 'x', extra: 1 }, auth)).json.message, 'body.extra is not a known field');
    assert.equal((await post(server.url, { action: 'suspend', user: '  ' }, auth)).status, 400);
  });

  it('runs a good request and returns the step results', async () => {
    const u = emu.addUser({ userPrincipalName: 'svc-call@corp.example' });
    const r = await post(server.url, { action: 'suspend', user: { upn: u.userPrincipalName, sam: 'ignored' }, alertId: 'tz-77', reason: 'mfa fatigue', requestedBy: 'sentinel-playbook' }, auth);
    assert.equal(r.status, 200);
    assert.equal(r.json.outcome, 'succeeded');
    assert.deepEqual((r.json.steps as { step: string }[]).map((s) => s.step), ['entra.disable', 'entra.revoke-sessions']);
    assert.equal(u.accountEnabled, false);
    const audit = auditLines(t.auditFile).filter((l) => l.actionId === r.json.actionId);
    assert.equal(audit[0]?.alertId, 'tz-77');
    assert.match(String(audit[0]?.actor), /^responder:sentinel-playbook@127\.0\.0\.1/);
  });

  it('withholds a generated password from the HTTP response by default', async () => {
    const u = emu.addUser({ userPrincipalName: 'pw-http@corp.example' });
    const r = await post(server.url, { action: 'reset-password', user: u.id }, auth);
    assert.equal(r.status, 200);
    assert.equal(r.json.temporaryPassword, undefined);
    assert.ok(u.passwordProfile?.password);
    assert.ok(!JSON.stringify(r.json).includes(u.passwordProfile.password));
  });

  it('maps an unknown user to 404', async () => {
    assert.equal((await post(server.url, { action: 'enable', user: 'ghost@corp.example' }, auth)).status, 404);
  });

  it('logs one structured line per request without the token', () => {
    assert.ok(logged.length >= 5);
    assert.ok(logged.every((l) => l.msg === 'request' && typeof l.status === 'number'));
    assert.ok(!JSON.stringify(logged).includes(TOKEN));
  });
});

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CircuitBreaker } from '../../playbooks/circuit-breaker';
import { CircuitOpenError } from '../../playbooks/errors';
import { generatePassword } from '../../playbooks/password';
import { scrubSecrets } from '../../core/config/secret';
import type { GraphEmulator } from '../emulators/graph/graph-emulator';
import { auditLines, CLIENT_SECRET, entraSettings, fakeClock, makeResponder, startEmulator, tempDir } from './helpers';

describe('playbooks: circuit breaker', () => {
  it('admits N actions in an hour and trips at N+1', async () => {
    const b = new CircuitBreaker(join(tempDir(), 'b.json'), 3, fakeClock());
    for (let i = 0; i < 3; i++) await b.admit();
    await assert.rejects(b.admit(), CircuitOpenError);
    assert.equal((await b.status()).open, true);
  });

  it('stays open after the hour has passed, until an operator resets it', async () => {
    const clock = fakeClock();
    const b = new CircuitBreaker(join(tempDir(), 'b.json'), 1, clock);
    await b.admit();
    await assert.rejects(b.admit(), CircuitOpenError);
    clock.t += 2 * 3600_000;
    await assert.rejects(b.admit(), /reset-breaker/);
    await b.reset();
    await b.admit();
  });

  it('forgets actions older than an hour while closed', async () => {
    const clock = fakeClock();
    const b = new CircuitBreaker(join(tempDir(), 'b.json'), 2, clock);
    await b.admit();
    await b.admit();
    clock.t += 3600_000;
    await b.admit();
    assert.equal((await b.status()).actionsLastHour, 1);
  });

  it('persists its state, so a new process sees the same count', async () => {
    const file = join(tempDir(), 'b.json');
    const clock = fakeClock();
    await new CircuitBreaker(file, 2, clock).admit();
    await new CircuitBreaker(file, 2, clock).admit();
    await assert.rejects(new CircuitBreaker(file, 2, clock).admit(), CircuitOpenError);
  });

  it('treats a corrupt state file as open rather than starting again from zero', async () => {
    const file = join(tempDir(), 'b.json');
    writeFileSync(file, '{not json');
    await assert.rejects(new CircuitBreaker(file, 5, fakeClock()).admit(), CircuitOpenError);
  });
});

describe('playbooks: passwords and secret scrubbing', () => {
  it('generates passwords holding every character class, without quotes, all different', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generatePassword(24);
      assert.equal(p.length, 24);
      assert.match(p, /[A-Z]/);
      assert.match(p, /[a-z]/);
      assert.match(p, /[0-9]/);
      assert.match(p, /[^A-Za-z0-9]/);
      assert.ok(!p.includes('"'));
      seen.add(p);
    }
    assert.equal(seen.size, 200);
  });

  it('refuses lengths too short to be a containment password', () => {
    assert.throws(() => generatePassword(8), RangeError);
  });

  it('masks generated passwords wherever they appear in text', () => {
    const p = generatePassword();
    assert.equal(scrubSecrets(`oops: ${p} leaked`), 'oops: [REDACTED] leaked');
  });
});

describe('playbooks: responding to cloud-only users (Graph emulator)', () => {
  let emu: GraphEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.stop());

  it('suspends a cloud-only user in Entra only: disable, then revoke', async () => {
    const u = emu.addUser({ userPrincipalName: `c1@corp.example` });
    const t = makeResponder({ entra: entraSettings(emu) });
    const r = await t.responder.run({ action: 'suspend', user: u.userPrincipalName, actor: 'test' });
    assert.equal(r.outcome, 'succeeded');
    assert.equal(r.target?.kind, 'cloud-only');
    assert.deepEqual(r.steps.map((s) => s.step), ['entra.disable', 'entra.revoke-sessions']);
    assert.equal(u.accountEnabled, false);
  });

  it('resets a cloud-only password through passwordProfile and keeps it out of the audit log', async () => {
    const u = emu.addUser({ userPrincipalName: `c2@corp.example` });
    const t = makeResponder({ entra: entraSettings(emu) });
    const r = await t.responder.run({ action: 'reset-password', user: u.id, actor: 'test', alertId: 'tz-9' });
    assert.equal(r.outcome, 'succeeded');
    assert.equal(u.passwordProfile?.password, r.temporaryPassword);
    assert.equal(u.passwordProfile?.forceChangePasswordNextSignIn, true);
    const log = readFileSync(t.auditFile, 'utf8');
    assert.ok(!log.includes(r.temporaryPassword as string));
    assert.ok(!log.includes(CLIENT_SECRET));
    const tokens = emu.requests.filter((q) => q.path.includes('oauth2')).length;
    assert.ok(tokens > 0);
    for (const q of emu.graphCalls()) assert.ok(!log.includes(String(q.headers.authorization).replace('Bearer ', '')), 'no access token in the log');
  });

  it('trips the breaker at N+1 and refuses until reset, while enable stays possible', async () => {
    const users = [1, 2, 3].map((i) => emu.addUser({ userPrincipalName: `cb${i}@corp.example` }));
    const t = makeResponder({ entra: entraSettings(emu), limit: 2 });
    const run = (action: 'suspend' | 'enable', i: number) => t.responder.run({ action, user: users[i]!.userPrincipalName, actor: 'test' });
    assert.equal((await run('suspend', 0)).outcome, 'succeeded');
    assert.equal((await run('suspend', 1)).outcome, 'succeeded');
    const third = await run('suspend', 2);
    assert.equal(third.outcome, 'refused');
    assert.equal(third.error?.type, 'CircuitOpenError');
    assert.equal(users[2]!.accountEnabled, true);
    assert.equal((await run('enable', 0)).outcome, 'succeeded');
    await t.responder.resetBreaker('test:operator', 'reviewed the burst: rule misfire fixed');
    assert.equal((await run('suspend', 2)).outcome, 'succeeded');
    assert.deepEqual(auditLines(t.auditFile).filter((l) => l.event === 'breaker.reset').map((l) => l.reason), ['reviewed the burst: rule misfire fixed']);
  });

  it('does not count dry runs against the breaker', async () => {
    const u = emu.addUser({ userPrincipalName: `dr@corp.example` });
    const t = makeResponder({ entra: entraSettings(emu), limit: 1 });
    for (let i = 0; i < 3; i++) assert.equal((await t.responder.run({ action: 'suspend', user: u.id, actor: 'test', dryRun: true })).outcome, 'dry-run');
    assert.equal((await t.responder.run({ action: 'suspend', user: u.id, actor: 'test' })).outcome, 'succeeded');
  });

  it('refuses a member of an Entra break-glass group', async () => {
    const u = emu.addUser({ userPrincipalName: `glass@corp.example`, memberOf: ['bg-group'] });
    const t = makeResponder({ entra: entraSettings(emu, { breakGlassGroups: ['bg-group'] }) });
    const r = await t.responder.run({ action: 'suspend', user: u.userPrincipalName, actor: 'test' });
    assert.equal(r.outcome, 'refused');
    assert.match(r.message, /Entra break-glass group bg-group/);
    assert.equal(u.accountEnabled, true);
  });

  it('fails closed when break-glass membership cannot be read', async () => {
    const limited = await startEmulator({ roles: ['User.Read.All', 'User.EnableDisableAccount.All', 'User.RevokeSessions.All'] });
    try {
      const u = limited.addUser({ userPrincipalName: `fc@corp.example` });
      const t = makeResponder({ entra: entraSettings(limited, { breakGlassGroups: ['bg-group'] }) });
      const r = await t.responder.run({ action: 'suspend', user: u.userPrincipalName, actor: 'test' });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.error?.type, 'MissingPermissionError');
      assert.match(r.message, /GroupMember\.Read\.All/);
      assert.equal(u.accountEnabled, true);
    } finally {
      await limited.stop();
    }
  });

  it('reports an unknown user as not found in the configured directories', async () => {
    const t = makeResponder({ entra: entraSettings(emu) });
    const r = await t.responder.run({ action: 'suspend', user: 'nobody@corp.example', actor: 'test' });
    assert.equal(r.outcome, 'failed');
    assert.match(r.message, /no user matches 'nobody@corp.example' in Entra ID/);
  });
});

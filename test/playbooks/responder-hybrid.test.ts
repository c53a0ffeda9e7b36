import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ActionResult } from '../../playbooks/responder';
import { sambaSyncSource } from '../emulators/graph/samba-sync-source';
import type { EmulatedUser, GraphEmulator } from '../emulators/graph/graph-emulator';
import { ADMIN_DN, TLS_SERVER_NAME, useLabDc, type LabDc, type LabUser } from '../support/samba';
import { adSettings, auditLines, CLIENT_SECRET, entraSettings, highestUsn, makeResponder, startEmulator, type TestResponder } from './helpers';

/**
 * The hybrid story end to end: a real Samba DC as on-prem AD, the Graph emulator as Entra ID,
 * and the emulator's sync tick reading the DC the way Entra Connect would.
 */
describe('playbooks: responding in a hybrid estate (Samba DC + Graph emulator)', function () {
  let lab: LabDc;
  let emu: GraphEmulator;
  let t: TestResponder;
  let n = 0;

  before(async function () {
    lab = await useLabDc(this);
    emu = await startEmulator({
      syncSource: sambaSyncSource({ ldapsUrl: lab.ldapsUrl, ca: readFileSync(lab.caFile), servername: TLS_SERVER_NAME, bindDn: ADMIN_DN, password: lab.adminPassword }),
    });
  });
  after(() => emu?.stop());
  beforeEach(function () {
    if (lab) t = makeResponder({ ad: adSettings(lab), entra: entraSettings(emu) });
  });

  /** An AD user in OU=Staff and its synced cloud twin, linked by SID as Entra Connect does. */
  async function syncedUser(): Promise<{ ad: LabUser; cloud: EmulatedUser }> {
    const ad = await lab.createUser(`hyb${++n}`);
    const cloud = emu.addUser({
      userPrincipalName: ad.upn,
      onPremisesSyncEnabled: true,
      onPremisesSecurityIdentifier: ad.sid,
      onPremisesSamAccountName: ad.sam,
      onPremisesDistinguishedName: ad.dn,
    });
    return { ad, cloud };
  }

  const run = (action: 'suspend' | 'enable' | 'revoke-sessions' | 'reset-password', user: string, extra: { dryRun?: boolean } = {}): Promise<ActionResult> =>
    t.responder.run({ action, user, actor: 'test:analyst', reason: 'impossible travel', alertId: 'tz-alert-1', ...extra });

  it('suspends a synced user in AD first, then in Entra, then revokes sessions', async () => {
    const { ad, cloud } = await syncedUser();
    const adStateAtPatch: number[] = [];
    emu.onRequest = async (r) => {
      if (r.method === 'PATCH') adStateAtPatch.push((await lab.userAccountControl(ad.dn)) & 0x2);
    };
    try {
      const r = await run('suspend', ad.upn);
      assert.equal(r.outcome, 'succeeded', r.message);
      assert.deepEqual(r.steps.map((s) => [s.step, s.status]), [['ad.disable', 'changed'], ['entra.disable', 'changed'], ['entra.revoke-sessions', 'changed']]);
      assert.deepEqual(adStateAtPatch, [0x2], 'AD was already disabled when the cloud PATCH arrived');
      assert.equal(cloud.accountEnabled, false);
      assert.equal(await lab.bindAs(ad.dn, ad.password), '533');
    } finally {
      emu.onRequest = undefined;
    }
  });

  it('keeps a tierzero suspend of a synced user in place across a sync tick', async () => {
    const { ad, cloud } = await syncedUser();
    assert.equal((await run('suspend', ad.sam)).outcome, 'succeeded');
    const tick = await emu.syncTick();
    assert.ok(!tick.changed.includes(cloud.userPrincipalName));
    assert.equal(cloud.accountEnabled, false);
  });

  it('shows the contrast: a cloud-only disable of a synced user is undone by the sync tick', async () => {
    const { cloud } = await syncedUser();
    // What a Graph-only playbook (e.g. Sentinel's Block-AADUser) does: PATCH accountEnabled only.
    const cloudOnly = makeResponder({ entra: entraSettings(emu) });
    const r = await cloudOnly.responder.run({ action: 'suspend', user: cloud.userPrincipalName, actor: 'test' });
    assert.equal(cloud.accountEnabled, false);
    assert.match(r.notes.join(' '), /Entra Connect will re-enable the cloud account/);
    assert.equal(r.outcome, 'partial');
    const tick = await emu.syncTick();
    assert.deepEqual(tick.changed, [cloud.userPrincipalName]);
    assert.equal(cloud.accountEnabled, true);
  });

  it('rolls a suspend back with enable, in AD and in Entra', async () => {
    const { ad, cloud } = await syncedUser();
    await run('suspend', ad.sid);
    const r = await run('enable', ad.sid);
    assert.equal(r.outcome, 'succeeded');
    assert.deepEqual(r.steps.map((s) => [s.step, s.status]), [['ad.enable', 'changed'], ['entra.enable', 'changed']]);
    assert.equal(await lab.bindAs(ad.dn, ad.password), 'ok');
    assert.equal(cloud.accountEnabled, true);
    assert.deepEqual((await emu.syncTick()).changed, []);
  });

  it('succeeds and changes nothing when the user is already suspended', async () => {
    const { ad } = await syncedUser();
    await run('suspend', ad.upn);
    const usn = await highestUsn(lab);
    const graphWrites = (): number => emu.graphCalls().filter((q) => q.method !== 'GET').length;
    const writes = graphWrites();
    const r = await run('suspend', ad.upn);
    assert.equal(r.outcome, 'succeeded');
    assert.deepEqual(r.steps.map((s) => s.status), ['unchanged', 'unchanged', 'unchanged']);
    assert.equal(await highestUsn(lab), usn);
    assert.equal(graphWrites(), writes);
  });

  it('still disables in Entra when the AD step lacks a right, and says the sync will undo it', async () => {
    const ad = await lab.createUser(`outside${++n}`, { ou: 'CN=Users,DC=lab,DC=test' });
    const cloud = emu.addUser({ userPrincipalName: ad.upn, onPremisesSyncEnabled: true, onPremisesSecurityIdentifier: ad.sid, onPremisesDistinguishedName: ad.dn });
    const r = await run('suspend', ad.upn);
    assert.equal(r.outcome, 'partial');
    assert.deepEqual(r.steps.map((s) => [s.step, s.status]), [['ad.disable', 'failed'], ['entra.disable', 'changed'], ['entra.revoke-sessions', 'changed']]);
    assert.equal(r.steps[0]?.error?.type, 'MissingPermissionError');
    assert.match(r.notes.join(' '), /next Entra Connect sync will undo it/);
    assert.deepEqual((await emu.syncTick()).changed, [cloud.userPrincipalName]);
  });

  it('suspends an AD-only user in AD alone', async () => {
    const ad = await lab.createUser(`adonly${++n}`);
    const r = await run('suspend', ad.sam);
    assert.equal(r.outcome, 'succeeded');
    assert.equal(r.target?.kind, 'ad-only');
    assert.deepEqual(r.steps.map((s) => s.step), ['ad.disable']);
    assert.equal(await lab.bindAs(ad.dn, ad.password), '533');
  });

  it('explains what AD cannot revoke for an AD-only user and offers reset-password', async () => {
    const ad = await lab.createUser(`adonly${++n}`);
    const usn = await highestUsn(lab);
    const r = await run('revoke-sessions', ad.sam);
    assert.equal(r.outcome, 'not-applicable');
    assert.match(r.message, /no sign-in session to revoke: Kerberos tickets \(TGTs\) stay valid until they expire/);
    assert.match(r.message, new RegExp(`tierzero respond reset-password --user ${ad.sam}`));
    assert.equal(await highestUsn(lab), usn);
  });

  it('resets a synced user in AD, shows the new password once, and never logs it', async () => {
    const { ad, cloud } = await syncedUser();
    const r = await run('reset-password', ad.upn);
    assert.equal(r.outcome, 'succeeded', r.message);
    assert.deepEqual(r.steps.map((s) => s.step), ['ad.reset-password']);
    const pw = r.temporaryPassword!;
    assert.equal(pw.length, 24);
    assert.equal(await lab.bindAs(ad.dn, pw), '773', 'new password valid but must be changed');
    assert.equal(await lab.bindAs(ad.dn, ad.password), '52e');
    assert.equal(cloud.passwordProfile, undefined, 'Entra is not asked to set a synced password');
    const log = readFileSync(t.auditFile, 'utf8');
    assert.ok(!log.includes(pw));
    assert.ok(!log.includes(lab.serviceAccount.password));
    assert.ok(!log.includes(CLIENT_SECRET));
  });

  it('dry-run prints the plan and changes nothing on the DC or in Entra', async () => {
    const { ad, cloud } = await syncedUser();
    const usn = await highestUsn(lab);
    const r = await run('suspend', ad.upn, { dryRun: true });
    assert.equal(r.outcome, 'dry-run');
    assert.deepEqual(r.steps.map((s) => [s.step, s.status]), [['ad.disable', 'planned'], ['entra.disable', 'planned'], ['entra.revoke-sessions', 'planned']]);
    assert.match(r.steps[0]!.detail, /would disable .* \(currently enabled\)/);
    assert.equal(await highestUsn(lab), usn);
    assert.equal(cloud.accountEnabled, true);
    assert.equal(emu.requests.filter((q) => q.method !== 'GET' && q.path.startsWith('/v1.0/users/' + cloud.id)).length, 0);
  });

  it('matches nothing and changes nothing for a user name carrying an LDAP filter injection', async () => {
    await lab.createUser(`victim${++n}`);
    const usn = await highestUsn(lab);
    const r = await run('suspend', '*)(objectClass=*');
    assert.equal(r.outcome, 'failed');
    assert.equal(r.error?.type, 'UserNotFoundError');
    assert.equal(await highestUsn(lab), usn);
  });

  for (const [label, user, rule] of [
    ['the built-in Administrator (RID 500)', 'Administrator', /RID 500/],
    ['krbtgt', 'krbtgt', /krbtgt/],
    ["tierzero's own service account", 'svc-tierzero', /own AD service account/],
  ] as const) {
    it(`refuses ${label}`, async () => {
      const usn = await highestUsn(lab);
      const r = await run('suspend', user);
      assert.equal(r.outcome, 'refused');
      assert.equal(r.error?.type, 'ProtectedAccountError');
      assert.match(r.message, rule);
      assert.equal(await highestUsn(lab), usn);
    });
  }

  it('refuses an account listed in protectedAccounts, by any of its names', async () => {
    const ad = await lab.createUser(`vip${++n}`);
    const listed = makeResponder({ ad: adSettings(lab), rules: { protectedAccounts: [`LAB\\${ad.sam}`] } });
    const r = await listed.responder.run({ action: 'reset-password', user: ad.sid, actor: 'test' });
    assert.equal(r.outcome, 'refused');
    assert.match(r.message, /listed in response\.protectedAccounts/);
    assert.equal(await lab.bindAs(ad.dn, ad.password), 'ok');
  });

  it('refuses a member of a break-glass group, nested membership included', async () => {
    const ad = await lab.createUser(`bgm${++n}`);
    const inner = await lab.createGroup(`bg-nested-${n}`, [ad.dn]);
    const outer = await lab.createGroup(`bg-top-${n}`, [inner]);
    const guarded = makeResponder({ ad: adSettings(lab, { breakGlassGroups: [outer] }) });
    const r = await guarded.responder.run({ action: 'suspend', user: ad.sam, actor: 'test' });
    assert.equal(r.outcome, 'refused');
    assert.match(r.message, /break-glass group/);
    assert.equal(await lab.bindAs(ad.dn, ad.password), 'ok');
  });

  it('records who, what, when, why, the alert id and every step in the audit log', async () => {
    const { ad } = await syncedUser();
    const r = await run('suspend', ad.upn);
    const lines = auditLines(t.auditFile).filter((l) => l.actionId === r.actionId);
    assert.deepEqual(lines.map((l) => l.event), ['action.started', 'step', 'step', 'step', 'action.finished']);
    for (const l of lines) {
      assert.equal(l.actor, 'test:analyst');
      assert.equal(l.action, 'suspend');
      assert.equal(l.reason, 'impossible travel');
      assert.equal(l.alertId, 'tz-alert-1');
      assert.ok(typeof l.time === 'string');
    }
    assert.deepEqual(lines.filter((l) => l.event === 'step').map((l) => [l.step, l.status]), [['ad.disable', 'changed'], ['entra.disable', 'changed'], ['entra.revoke-sessions', 'changed']]);
    assert.equal(lines.at(-1)?.outcome, 'succeeded');
  });
});

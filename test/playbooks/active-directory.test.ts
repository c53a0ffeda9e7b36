import assert from 'node:assert/strict';
import {
  DirectoryBindError,
  DirectoryError,
  MissingPermissionError,
  PasswordPolicyError,
} from '../../playbooks/errors';
import { parseUserIdentifier } from '../../playbooks/identifiers';
import { ActiveDirectoryProvider, type AdSession } from '../../playbooks/providers/active-directory';
import { Secret } from '../../core/config/secret';
import { useLabDc, type LabDc, type LabUser } from '../support/samba';
import { adSettings, highestUsn } from './helpers';

describe('playbooks: Active Directory provider against a real Samba DC', function () {
  let lab: LabDc;
  let session: AdSession;
  let n = 0;
  const fresh = (opts?: { disabled?: boolean; ou?: string }): Promise<LabUser> => lab.createUser(`adp${++n}`, opts);

  before(async function () {
    lab = await useLabDc(this);
  });
  beforeEach(async function () {
    if (lab) session = await new ActiveDirectoryProvider(adSettings(lab)).open();
  });
  afterEach(async () => {
    await session?.close();
  });

  it('finds the same user by sAMAccountName, UPN and SID', async () => {
    const u = await fresh();
    for (const id of [u.sam, u.upn, u.sid, `LAB\\${u.sam}`]) {
      const found = await session.findUser(parseUserIdentifier(id));
      assert.equal(found?.dn, u.dn, id);
      assert.equal(found?.sid, u.sid);
    }
  });

  it('connects with StartTLS on ldap:// when tlsOptions go to startTLS()', async () => {
    const u = await fresh();
    const s = await new ActiveDirectoryProvider(adSettings(lab, { url: lab.startTlsUrl })).open();
    try {
      assert.equal((await s.findUser(parseUserIdentifier(u.sam)))?.dn, u.dn);
    } finally {
      await s.close();
    }
  });

  it('refuses a DC whose certificate it cannot verify', async () => {
    const { ca: _ca, ...untrusted } = adSettings(lab);
    await assert.rejects(new ActiveDirectoryProvider(untrusted).open(), (e: unknown) => e instanceof DirectoryError && /certificate/i.test(e.message));
  });

  it('reports a wrong service-account password as a bind error that does not contain it', async () => {
    const wrong = 'Wrong!Passw0rd-never-shown';
    await assert.rejects(new ActiveDirectoryProvider(adSettings(lab, { bindPassword: new Secret(wrong, 'test') })).open(), (e: unknown) => {
      assert.ok(e instanceof DirectoryBindError);
      assert.match(e.message, /data 52e/);
      assert.ok(!e.message.includes(wrong));
      return true;
    });
  });

  it('disables a user: the flag reads back, and LDAP bind and kinit are refused', async () => {
    const u = await fresh();
    const report = await session.setEnabled((await session.findUser(parseUserIdentifier(u.sam)))!, false);
    assert.equal(report.changed, true);
    assert.equal((await lab.userAccountControl(u.dn)) & 0x2, 0x2);
    assert.equal(await lab.bindAs(u.dn, u.password), '533');
    const k = await lab.kinit(`${u.sam}@LAB.TEST`, u.password);
    assert.equal(k.ok, false);
    assert.match(k.output, /revoked|disabled/i);
  });

  it('enables a disabled user: LDAP bind and kinit work again', async () => {
    const u = await fresh({ disabled: true });
    const report = await session.setEnabled((await session.findUser(parseUserIdentifier(u.sam)))!, true);
    assert.equal(report.changed, true);
    assert.equal(await lab.bindAs(u.dn, u.password), 'ok');
    assert.equal((await lab.kinit(`${u.sam}@LAB.TEST`, u.password)).ok, true);
  });

  it('disabling an already disabled user succeeds and writes nothing', async () => {
    const u = await fresh({ disabled: true });
    const user = (await session.findUser(parseUserIdentifier(u.sam)))!;
    const usn = await highestUsn(lab);
    const report = await session.setEnabled(user, false);
    assert.equal(report.changed, false);
    assert.equal(await highestUsn(lab), usn);
  });

  it('resets a password: the old one fails, the new one works but must be changed at next logon', async () => {
    const u = await fresh();
    const next = 'Fresh!Passw0rd-4-reset';
    const report = await session.resetPassword((await session.findUser(parseUserIdentifier(u.sam)))!, next);
    assert.equal(report.changed, true);
    assert.equal(await lab.pwdLastSet(u.dn), '0');
    assert.equal(await lab.bindAs(u.dn, u.password), '52e');
    assert.equal(await lab.bindAs(u.dn, next), '773');
    const kOld = await lab.kinit(`${u.sam}@LAB.TEST`, u.password);
    const kNew = await lab.kinit(`${u.sam}@LAB.TEST`, next);
    assert.equal(kOld.ok, false);
    assert.match(kOld.output, /incorrect|preauthentication/i);
    assert.equal(kNew.ok, false);
    assert.match(kNew.output, /Password expired/);
  });

  it('treats an LDAP filter injection as a literal name that matches nothing', async () => {
    await fresh();
    for (const evil of ['*)(objectClass=*', '*', 'adp*', '*)(|(sAMAccountName=*', 'x)(userPrincipalName=*@lab.test']) {
      assert.equal(await session.findUser(parseUserIdentifier(evil)), undefined, evil);
    }
  });

  it('names the right to delegate when the service account lacks it', async () => {
    const outside = await fresh({ ou: 'CN=Users,DC=lab,DC=test' });
    const user = (await session.findUser(parseUserIdentifier(outside.sam)))!;
    await assert.rejects(session.setEnabled(user, false), (e: unknown) => {
      assert.ok(e instanceof MissingPermissionError);
      assert.match(e.message, /Write userAccountControl/);
      assert.match(e.message, /LDAP 50/);
      return true;
    });
    assert.equal((await lab.userAccountControl(outside.dn)) & 0x2, 0);
  });

  it('reports a password the domain policy rejects as a PasswordPolicyError', async () => {
    const u = await fresh();
    await assert.rejects(session.resetPassword((await session.findUser(parseUserIdentifier(u.sam)))!, 'abc'), PasswordPolicyError);
    assert.equal(await lab.bindAs(u.dn, u.password), 'ok');
  });

  it('sees nested break-glass membership and fails closed on a missing group', async () => {
    const u = await fresh();
    const inner = await lab.createGroup(`bg-inner-${n}`, [u.dn]);
    const outer = await lab.createGroup(`bg-outer-${n}`, [inner]);
    const user = (await session.findUser(parseUserIdentifier(u.sam)))!;
    assert.equal(await session.isMemberOf(user, outer), true);
    assert.equal(await session.isMemberOf(user, 'CN=Domain Admins,CN=Users,DC=lab,DC=test'), false);
    await assert.rejects(session.isMemberOf(user, 'CN=No Such Group,DC=lab,DC=test'), /does not exist/);
  });
});

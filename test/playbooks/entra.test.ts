import assert from 'node:assert/strict';
import { GraphRequestError, MissingPermissionError } from '../../playbooks/errors';
import { parseUserIdentifier } from '../../playbooks/identifiers';
import { EntraProvider } from '../../playbooks/providers/entra';
import { GraphClient } from '../../playbooks/providers/graph-client';
import type { GraphEmulator } from '../emulators/graph/graph-emulator';
import { entraSettings, fakeClock, startEmulator } from './helpers';

describe('playbooks: Entra provider against the Graph emulator', () => {
  let emu: GraphEmulator;
  let clock: ReturnType<typeof fakeClock>;
  let entra: EntraProvider;

  beforeEach(async () => {
    emu = await startEmulator({ tokenLifetimeSeconds: 3600 });
    clock = fakeClock();
    emu.now = clock.now;
    entra = new EntraProvider(new GraphClient(entraSettings(emu), clock));
  });
  afterEach(() => emu.stop());

  it('reuses one token across calls while it is fresh', async () => {
    const u = emu.addUser({ userPrincipalName: 'amy@corp.example' });
    await entra.getUser(u.id);
    await entra.getUser(u.userPrincipalName);
    assert.equal(emu.tokenRequests, 1);
  });

  it('refreshes the token five minutes before it expires', async () => {
    const u = emu.addUser({ userPrincipalName: 'amy@corp.example' });
    await entra.getUser(u.id);
    clock.t += 3600_000 - 299_000;
    await entra.getUser(u.id);
    assert.equal(emu.tokenRequests, 2);
  });

  it('reads the onPremises link of a synced user', async () => {
    emu.addUser({ userPrincipalName: 'bo@corp.example', onPremisesSyncEnabled: true, onPremisesSecurityIdentifier: 'S-1-5-21-1-2-3-1111', onPremisesSamAccountName: 'bo' });
    const bySid = await entra.findUser(parseUserIdentifier('S-1-5-21-1-2-3-1111'));
    const bySam = await entra.findUser(parseUserIdentifier('bo'));
    assert.equal(bySid?.userPrincipalName, 'bo@corp.example');
    assert.equal(bySid?.onPremisesSyncEnabled, true);
    assert.equal(bySam?.id, bySid?.id);
    const q = emu.graphCalls('GET').at(-1);
    assert.equal(q?.query.$filter, "onPremisesSamAccountName eq 'bo'");
    assert.equal(q?.headers.consistencylevel, 'eventual');
  });

  it("escapes quotes in OData filter literals so a name cannot widen the query", async () => {
    emu.addUser({ userPrincipalName: 'o@corp.example', onPremisesSamAccountName: "o'neil" });
    emu.addUser({ userPrincipalName: 'x@corp.example', onPremisesSamAccountName: 'x' });
    assert.equal((await entra.findUser(parseUserIdentifier("o'neil")))?.userPrincipalName, 'o@corp.example');
    assert.equal(await entra.findUser(parseUserIdentifier("x' or onPremisesSamAccountName eq 'o'neil")), undefined);
  });

  it('disables, reads back, and reports no change the second time', async () => {
    const u = emu.addUser({ userPrincipalName: 'cy@corp.example' });
    const user = (await entra.getUser(u.id))!;
    assert.equal((await entra.setAccountEnabled(user, false)).changed, true);
    assert.equal(u.accountEnabled, false);
    assert.equal((await entra.setAccountEnabled(user, false)).changed, false);
    assert.equal(emu.graphCalls('PATCH').length, 1);
  });

  it('revokes sign-in sessions', async () => {
    const u = emu.addUser({ userPrincipalName: 'di@corp.example' });
    const before = u.signInSessionsValidFromDateTime;
    await entra.revokeSessions((await entra.getUser(u.id))!);
    assert.notEqual(u.signInSessionsValidFromDateTime, before);
  });

  it('resets a cloud-only password with forceChangePasswordNextSignIn', async () => {
    const u = emu.addUser({ userPrincipalName: 'ed@corp.example' });
    await entra.resetPassword((await entra.getUser(u.id))!, 'Cloud!Passw0rd-xyz-123');
    assert.deepEqual(u.passwordProfile, { password: 'Cloud!Passw0rd-xyz-123', forceChangePasswordNextSignIn: true });
  });

  it("surfaces Graph's refusal to set a synced user's password, with its error code", async () => {
    const u = emu.addUser({ userPrincipalName: 'fi@corp.example', onPremisesSyncEnabled: true });
    await assert.rejects(entra.resetPassword((await entra.getUser(u.id))!, 'Cloud!Passw0rd-xyz-123'), (e: unknown) => {
      assert.ok(e instanceof GraphRequestError);
      assert.match(e.message, /HTTP 400\): Request_BadRequest: Unable to update the specified properties for on-premises mastered/);
      return true;
    });
  });

  it('names the missing permission when the app may read but not disable', async () => {
    const limited = await startEmulator({ roles: ['User.Read.All'] });
    try {
      const u = limited.addUser({ userPrincipalName: 'gu@corp.example' });
      const p = new EntraProvider(new GraphClient(entraSettings(limited), fakeClock()));
      await assert.rejects(p.setAccountEnabled((await p.getUser(u.id))!, false), (e: unknown) => e instanceof MissingPermissionError && /User\.EnableDisableAccount\.All/.test(e.message));
      assert.equal(u.accountEnabled, true);
    } finally {
      await limited.stop();
    }
  });

  it('checks transitive break-glass membership with checkMemberGroups', async () => {
    const u = emu.addUser({ userPrincipalName: 'bg@corp.example', memberOf: ['g-breakglass'] });
    assert.deepEqual(await entra.memberOfAny((await entra.getUser(u.id))!, ['g-other', 'g-breakglass']), ['g-breakglass']);
  });
});

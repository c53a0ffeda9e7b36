import { strict as assert } from 'node:assert';
import { cloudPasswordSpray } from '../../../core/detectors/cloud_password_spray';
import { PLACES, signIn, type Place } from './cloud.fixtures';
import { detect } from './harness';

const users = (n: number) => Array.from({ length: n }, (_, i) => `user${String(i).padStart(3, '0')}@corp.example`);

/** One wrong-password attempt per user from `place`, 40 s apart: a spray round. */
function round(upns: readonly string[], place: Place, start = 0, result = 50126): Record<string, unknown>[] {
  return upns.map((u, i) => signIn(start + i * 0.66, u, place, { result }));
}

describe('cloud_password_spray', () => {
  it('fires when twelve users fail once each from one address, listing them as targets', async () => {
    const alerts = await detect(cloudPasswordSpray, round(users(12), PLACES.hosting));
    const byIp = alerts.filter((a) => a.evidence.details?.['source'] === 'ip:188.166.1.10');
    assert.equal(alerts.length, 1, 'one address: no second alert for its network');
    assert.equal(byIp.length, 1);
    assert.equal(byIp[0]?.severity, 'medium');
    assert.equal(byIp[0]?.entities.accounts.length, 12);
    assert.ok(byIp[0]?.entities.accounts.every((a) => a.role === 'target'));
    assert.deepEqual(byIp[0]?.entities.hosts, [{ ip: '188.166.1.10', role: 'source' }]);
  });

  it('stays silent below the user threshold', async () => {
    assert.deepEqual(await detect(cloudPasswordSpray, round(users(9), PLACES.hosting)), []);
  });

  it('does not count users guessed many times each: that is brute force, not spray', async () => {
    const hammering = users(12).flatMap((u, i) => [0, 1, 2, 3, 4].map((k) => signIn(i * 3 + k * 0.5, u, PLACES.hosting, { result: 50126 })));
    assert.deepEqual(await detect(cloudPasswordSpray, hammering), []);
  });

  it('counts a record exported several times once', async () => {
    const once = round(users(12), PLACES.hosting);
    const exportedFourTimes = once.flatMap((r) => [r, r, r, r]);
    assert.equal((await detect(cloudPasswordSpray, exportedFourTimes)).length, 1);
  });

  it('fires on a spray spread over many addresses of one hosting network', async () => {
    const spread = users(30).map((u, i) => signIn(i, u, { ...PLACES.hosting, ip: `188.166.${i}.${i + 1}` }, { result: 50126 }));
    const alerts = await detect(cloudPasswordSpray, spread);
    assert.deepEqual(alerts.map((a) => a.evidence.details?.['source']), ['asn:14061']);
    assert.match(alerts[0]?.description ?? '', /network AS14061 \(several addresses\)/);
  });

  it('never aggregates the organisation\'s own network by ASN', async () => {
    const spread = users(30).map((u, i) => signIn(i, u, { ...PLACES.hosting, ip: `188.166.${i}.${i + 1}` }, { result: 50126 }));
    assert.deepEqual(await detect(cloudPasswordSpray, spread, { config: { corporateNetworks: { asns: [14061] } } }), []);
  });

  it('raises a high alert for a sprayed user whose password is then accepted from the spraying address', async () => {
    const sprayed = users(12);
    const mfaPrompt = signIn(30, sprayed[7] as string, PLACES.hosting, { result: 50074 });
    const alerts = await detect(cloudPasswordSpray, [...round(sprayed, PLACES.hosting), mfaPrompt]);
    const accepted = alerts.find((a) => a.evidence.details?.['compromised'] === true);
    assert.equal(accepted?.severity, 'high');
    assert.deepEqual(accepted?.entities.accounts, [{ name: sprayed[7], role: 'target' }]);
    assert.match(accepted?.description ?? '', /got past the password \(result 50074, MFA required\)/);
  });

  it('escalates for a user whose password works at the first try from the spraying address', async () => {
    const alerts = await detect(cloudPasswordSpray, [...round(users(12), PLACES.hosting), signIn(30, 'weak.password@corp.example', PLACES.hosting, { result: 50074 })]);
    const accepted = alerts.find((a) => a.evidence.details?.['compromised'] === true);
    assert.deepEqual(accepted?.entities.accounts, [{ name: 'weak.password@corp.example', role: 'target' }]);
    assert.match(accepted?.description ?? '', /which was spraying 12 users/);
  });

  it('does not escalate a colleague signing in fine behind an office NAT where others fail', async () => {
    const office: Place = { ...PLACES.paris, asn: 64500, ip: '198.51.100.7' };
    const alerts = await detect(cloudPasswordSpray, [...round(users(12), office), signIn(30, 'someone.else@corp.example', office)], { config: { corporateNetworks: { ranges: ['198.51.100.0/24'] } } });
    assert.ok(alerts.every((a) => a.evidence.details?.['compromised'] !== true));
  });

  it('reads an IPv6 source', async () => {
    const v6: Place = { ...PLACES.hosting, ip: '2a03:b0c0:2:d0::1f:6001' };
    const alerts = await detect(cloudPasswordSpray, round(users(10), v6));
    assert.ok(alerts.some((a) => a.entities.hosts[0]?.ip === '2a03:b0c0:2:d0::1f:6001'));
  });
});

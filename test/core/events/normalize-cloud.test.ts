import { strict as assert } from 'node:assert';
import type { IdentityEvent } from '../../../core/events/identity-event';
import { normalize } from '../../../core/events/normalize';
import { sidOf } from '../../../core/events/normalize-cloud';
import { audit, PLACES, signIn, SYNC_ACCOUNT } from '../detectors/cloud.fixtures';

function event(record: object): IdentityEvent {
  const r = normalize(record);
  assert.equal(r.status, 'event', JSON.stringify(r));
  if (r.status !== 'event') throw new Error('unreachable');
  return r.event;
}

function signInEvent(record: object) {
  const e = event(record);
  if (e.kind !== 'cloud_sign_in') throw new Error(`expected a sign-in, got ${e.kind}`);
  return e;
}

describe('normalize: Entra sign-ins', () => {
  it('reads place, network, device and app from a SigninLogs row', () => {
    const e = signInEvent(signIn(0, 'JDoe@Corp.Example', PLACES.paris, { device: 'AB12CD34-0000-4000-8000-000000000001', app: 'Azure Portal' }));
    assert.equal(e.upn, 'jdoe@corp.example');
    assert.equal(e.country, 'FR');
    assert.equal(e.asn, 3215);
    assert.deepEqual([e.latitude, e.longitude], [48.8566, 2.3522]);
    assert.equal(e.deviceId, 'ab12cd34-0000-4000-8000-000000000001');
    assert.equal(e.app, 'Azure Portal');
    assert.equal(e.operatingSystem, 'Windows10');
    assert.match(e.signInId ?? '', /^00000000-/);
  });

  it('parses dynamic columns that arrive as JSON text, as Sentinel exports them', () => {
    const row = signIn(0, 'jdoe@corp.example', PLACES.paris, { mfa: 'MFA denied; user declined the authentication', result: 500121 });
    const asText = { ...row, LocationDetails: JSON.stringify(row['LocationDetails']), Status: JSON.stringify(row['Status']), DeviceDetail: JSON.stringify(row['DeviceDetail']) };
    const e = signInEvent(asText);
    assert.equal(e.country, 'FR');
    assert.equal(e.mfa, 'denied');
  });

  it('takes the result code from Status.errorCode when ResultType is absent (Graph export)', () => {
    const row = signIn(0, 'jdoe@corp.example', PLACES.paris, { result: 50126 });
    delete row['ResultType'];
    assert.equal(signInEvent(row).resultType, 50126);
  });

  for (const [detail, result, outcome] of [
    ['MFA denied; user declined the authentication', 500121, 'denied'],
    ['MFA denied; user did not respond to mobile app notification', 500121, 'timeout'],
    ['MFA denied; Phone App Reported Fraud', 500121, 'fraud'],
    ['MFA denied; user did not select the correct number', 500121, 'wrong_code'],
    ['MFA successfully completed', 0, 'approved'],
    ['MFA requirement satisfied by claim in the token', 0, 'satisfied'],
  ] as const) {
    it(`reads "${detail}" as MFA ${outcome}`, () => {
      assert.equal(signInEvent(signIn(0, 'jdoe@corp.example', PLACES.paris, { mfa: detail, result })).mfa, outcome);
    });
  }

  it('calls 50074 an MFA prompt (the password was right) and a bare 500121 a failed MFA step', () => {
    assert.equal(signInEvent(signIn(0, 'a@corp.example', PLACES.paris, { result: 50074 })).mfa, 'required');
    assert.equal(signInEvent(signIn(0, 'a@corp.example', PLACES.paris, { result: 500121 })).mfa, 'failed');
    assert.equal(signInEvent(signIn(0, 'a@corp.example', PLACES.paris)).mfa, undefined);
  });

  it('treats null-island coordinates and an all-zero device id as absent', () => {
    const row = signIn(0, 'jdoe@corp.example', { ...PLACES.paris, lat: 0, lon: 0 }, { device: '00000000-0000-0000-0000-000000000000' });
    const e = signInEvent(row);
    assert.equal(e.latitude, undefined);
    assert.equal(e.deviceId, undefined);
  });

  it('keeps an IPv6 address as written, lower case', () => {
    assert.equal(signInEvent(signIn(0, 'a@corp.example', PLACES.apia)).ip, '2406:2d00:1:2::15');
  });

  it('calls a sign-in without a time malformed', () => {
    const r = normalize({ ...signIn(0, 'a@corp.example', PLACES.paris), TimeGenerated: 'yesterday' });
    assert.equal(r.status, 'malformed');
  });
});

describe('normalize: Entra audit records', () => {
  it('reads "Disable account" with the initiating analyst and the target user', () => {
    const e = event(audit(0, 'Disable account', 'victim@corp.example', { byUser: 'Analyst@Corp.Example' }));
    assert.equal(e.kind, 'cloud_account_change');
    if (e.kind !== 'cloud_account_change') return;
    assert.equal(e.action, 'disabled');
    assert.equal(e.target.upn, 'victim@corp.example');
    assert.equal(e.initiator.upn, 'analyst@corp.example');
  });

  it('reads an AccountEnabled change by directory sync in "Update user" as an enable by that principal', () => {
    const e = event(audit(0, 'Update user', 'victim@corp.example', {
      byUser: SYNC_ACCOUNT,
      modified: [{ displayName: 'AccountEnabled', oldValue: '[false]', newValue: '[true]' }],
    }));
    assert.equal(e.kind === 'cloud_account_change' && e.action, 'enabled');
    assert.equal(e.kind === 'cloud_account_change' && e.initiator.upn, SYNC_ACCOUNT.toLowerCase());
  });

  it('reads an app as the initiator when a playbook made the change', () => {
    const e = event(audit(0, 'Disable account', 'victim@corp.example', { byApp: 'tierzero responder' }));
    assert.equal(e.kind === 'cloud_account_change' && e.initiator.app, 'tierzero responder');
  });

  it('reads a role assignment with the role name', () => {
    const e = event(audit(0, 'Add member to role', 'newadmin@corp.example', {
      modified: [{ displayName: 'Role.DisplayName', oldValue: null, newValue: '"Global Administrator"' }],
    }));
    assert.equal(e.kind, 'cloud_role_change');
    if (e.kind !== 'cloud_role_change') return;
    assert.deepEqual([e.action, e.role], ['added', 'Global Administrator']);
  });

  it('reads the on-premises SID a record lists for its target, as text or base64', () => {
    const e = event(audit(0, 'Update user', 'jdoe@corp.example', {
      modified: [
        { displayName: 'AccountEnabled', oldValue: '[true]', newValue: '[false]' },
        { displayName: 'OnPremisesSecurityIdentifier', oldValue: null, newValue: '["S-1-5-21-1004336348-1177238915-682003330-1105"]' },
      ],
    }));
    assert.equal(e.kind === 'cloud_account_change' && e.target.onPremisesSid, 'S-1-5-21-1004336348-1177238915-682003330-1105');
    assert.equal(sidOf('AQUAAAAAAAUVAAAA3PTcO4M9K0aCi6YoUQQAAA=='), 'S-1-5-21-1004336348-1177238915-682003330-1105');
  });

  it('leaves failed changes and other activities unmodelled', () => {
    assert.equal(normalize(audit(0, 'Disable account', 'x@corp.example', { result: 'failure' })).status, 'unmodelled');
    assert.equal(normalize(audit(0, 'Add app role assignment to service principal', 'x@corp.example')).status, 'unmodelled');
    assert.equal(normalize(audit(0, 'Update user', 'x@corp.example', { modified: [{ displayName: 'Department', oldValue: '["A"]', newValue: '["B"]' }] })).status, 'unmodelled');
  });

  it('calls a modelled change without a target user malformed', () => {
    const r = normalize({ ...audit(0, 'Disable account', 'x@corp.example'), TargetResources: [] });
    assert.equal(r.status, 'malformed');
  });
});

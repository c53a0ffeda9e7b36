import { strict as assert } from 'node:assert';
import { normalize } from '../../../core/events/normalize';

const base = { TimeCreated: '2020-08-05T06:09:26.000Z', Computer: 'MORDORDC.theshire.local', Channel: 'Security', EventID: 4769, EventRecordID: 7 };

describe('normalize', () => {
  it('turns a 4769 into a typed service-ticket event', () => {
    const r = normalize({ ...base, TargetUserName: 'pgustavo@THESHIRE.LOCAL', ServiceName: 'sqlsvc', TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:172.18.39.5', TicketOptions: '0x40810000' });
    assert.equal(r.status, 'event');
    if (r.status !== 'event' || r.event.kind !== 'kerberos_service_ticket') return;
    assert.deepEqual(r.event.account, { name: 'pgustavo', domain: 'THESHIRE.LOCAL' });
    assert.equal(r.event.encryptionType, 0x17);
    assert.equal(r.event.ip, '172.18.39.5');
    assert.equal(r.event.time, Date.UTC(2020, 7, 5, 6, 9, 26));
    assert.equal(r.event.recordId, 7);
  });

  it('accepts EventID and EventRecordID as strings, and lower-case channels from NXLog', () => {
    const r = normalize({ ...base, Channel: 'security', EventID: '4771', EventRecordID: '12', TargetUserName: 'bob', Status: '0x18', IpAddress: '10.0.0.1' });
    assert.equal(r.status, 'event');
    assert.equal(r.status === 'event' && r.event.kind, 'kerberos_preauth_failure');
  });

  it('infers the Security log when an exporter dropped Channel', () => {
    const r = normalize({ ...base, Channel: null, EventID: 4776, TargetUserName: 'bob', Workstation: 'WS1', Status: '0xc000006a' });
    assert.equal(r.status === 'event' && r.event.kind, 'ntlm_validation');
  });

  it('reads a 7045 from the System log', () => {
    const r = normalize({ ...base, Channel: 'System', EventID: 7045, ServiceName: 'PSEXESVC', ImagePath: '%SystemRoot%\\PSEXESVC.exe', AccountName: 'LocalSystem' });
    assert.equal(r.status === 'event' && r.event.kind, 'service_installed');
  });

  it('keeps a 4625 for a name Windows could not resolve', () => {
    const r = normalize({ ...base, EventID: 4625, TargetUserName: '-', Status: '0xc000006e', SubStatus: '0x0', LogonType: '10' });
    assert.equal(r.status === 'event' && r.event.kind === 'logon_failure' && r.event.account.name, '(unknown)');
  });

  it('reports valid events no detector models as unmodelled, not malformed', () => {
    assert.deepEqual(normalize({ ...base, Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 11 }), { status: 'unmodelled', channel: 'microsoft-windows-sysmon/operational', eventId: 11 });
    assert.deepEqual(normalize({ ...base, EventID: 5156 }), { status: 'unmodelled', channel: 'security', eventId: 5156 });
  });

  it('skips the builders for events the enabled detectors do not want', () => {
    const r = normalize({ ...base, TargetUserName: 'x', ServiceName: 'y', Status: '0x0' }, () => false);
    assert.equal(r.status, 'unmodelled');
  });

  for (const [what, record, reason] of [
    ['a non-object', 42, /expected a JSON object, got number 42/],
    ['an array', [1, 2], /got an array/],
    ['a missing EventID', { ...base, EventID: undefined }, /EventID missing is not a number/],
    ['an EventID that is not a number', { ...base, EventID: 'abc' }, /EventID "abc" is not a number/],
    ['an EventID outside 16 bits', { ...base, EventID: 99999 }, /EventID 99999 is outside 0-65535/],
    ['an unparsable time', { ...base, TimeCreated: 'soon' }, /TimeCreated "soon" is not a timestamp/],
    ['a missing Computer', { ...base, Computer: '' }, /missing Computer/],
    ['a 4769 without ServiceName', { ...base, TargetUserName: 'x', Status: '0x0' }, /4769: no ServiceName/],
  ] as const) {
    it(`calls ${what} malformed, with the reason`, () => {
      const r = normalize(record);
      assert.equal(r.status, 'malformed');
      assert.match(r.status === 'malformed' ? r.reason : '', reason);
    });
  }

  it('normalises an Entra sign-in into a cloud sign-in event', () => {
    const r = normalize({
      TimeGenerated: '2024-01-02T03:04:05Z', UserPrincipalName: 'JDoe@corp.example', IPAddress: '2001:db8::1', ResultType: '50126',
      LocationDetails: { countryOrRegion: 'FR', geoCoordinates: { latitude: 48.85, longitude: 2.35 } }, DeviceDetail: { deviceId: 'd1' },
    });
    assert.equal(r.status, 'event');
    if (r.status !== 'event' || r.event.kind !== 'cloud_sign_in') return;
    assert.equal(r.event.upn, 'jdoe@corp.example');
    assert.equal(r.event.resultType, 50126);
    assert.equal(r.event.country, 'FR');
    assert.equal(r.event.deviceId, 'd1');
  });
});

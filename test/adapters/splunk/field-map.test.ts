import { strict as assert } from 'node:assert';
import { CLASSIC_LAYOUTS } from '../../../adapters/splunk/classic-layouts';
import { toCanonical, type SplunkResult } from '../../../adapters/splunk/field-map';
import { normalize } from '../../../core/events/normalize';
import { asAzureMonitorAadAudit, renderMessage } from '../../emulators/splunk/ta-format';
import { audit } from '../../core/detectors/cloud.fixtures';

function mapped(r: SplunkResult): Record<string, unknown> {
  const m = toCanonical(r);
  if (!m.ok) assert.fail(m.reason);
  return m.value as Record<string, unknown>;
}

const splunkHeader = { _time: '2019-05-08T02:10:43.487+00:00', _bkt: 'wineventlog~1~X', _cd: '1:64', host: 'dc1' };

describe('Splunk results to canonical events', () => {
  describe('XmlWinEventLog', () => {
    const xml: SplunkResult = {
      ...splunkHeader, sourcetype: 'XmlWinEventLog', source: 'XmlWinEventLog:Security',
      EventCode: '4769', EventRecordID: '4711', Computer: 'DC1.corp.local', Channel: 'Security', SystemTime: "'2019-05-08T02:10:43.4870000Z'",
      TargetUserName: 'jdoe@CORP.LOCAL', ServiceName: 'svc_sql', TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.0.0.5',
    };

    it('takes EventData fields under their own names and the System fields by their XML names', () => {
      assert.deepEqual(mapped(xml), {
        TimeCreated: '2019-05-08T02:10:43.487Z', Computer: 'DC1.corp.local', Channel: 'Security', EventID: 4769, EventRecordID: 4711,
        TargetUserName: 'jdoe@CORP.LOCAL', ServiceName: 'svc_sql', TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.0.0.5',
      });
    });

    it('falls back to _time and the channel in `source` when the System fields are missing', () => {
      const { SystemTime: _t, Channel: _c, ...rest } = xml;
      const out = mapped(rest);
      assert.equal(out['TimeCreated'], '2019-05-08T02:10:43.487Z');
      assert.equal(out['Channel'], 'Security');
    });

    it('never copies Splunk\'s own fields into the event', () => {
      const out = mapped({ ...xml, index: 'wineventlog', splunk_server: 'idx1', linecount: '1', tz_indextime: '1557281450' });
      for (const k of ['index', 'splunk_server', 'linecount', 'tz_indextime', '_bkt', 'host', 'source', 'sourcetype']) assert.equal(k in out, false, k);
    });

    it('normalises to the same event as the canonical record', () => {
      const n = normalize(mapped(xml));
      assert.equal(n.status, 'event');
      if (n.status === 'event') assert.equal(n.event.kind, 'kerberos_service_ticket');
    });
  });

  describe('classic WinEventLog', () => {
    const canonical = {
      SubjectUserSid: 'S-1-5-18', SubjectUserName: 'DC1$', SubjectDomainName: 'CORP', SubjectLogonId: '0x3e7',
      TargetUserSid: 'S-1-5-21-1-2-3-1104', TargetUserName: 'jdoe', TargetDomainName: 'CORP', TargetLogonId: '0x8a2f1',
      LogonType: '3', IpAddress: '10.0.0.5', IpPort: '49152', WorkstationName: 'WS01', AuthenticationPackageName: 'NTLM', LmPackageName: 'NTLM V2',
    };
    const layout = CLASSIC_LAYOUTS[4624];
    if (!layout) throw new Error('no 4624 layout');
    const classic: SplunkResult = {
      ...splunkHeader, sourcetype: 'WinEventLog', source: 'WinEventLog:Security', _time: '2019-05-08T02:10:43.000+00:00',
      LogName: 'Security', EventCode: '4624', ComputerName: 'DC1.corp.local', RecordNumber: '4711', Message: renderMessage(canonical, layout),
      Account_Name: ['DC1$', 'jdoe'], Account_Domain: ['CORP', 'CORP'], Security_ID: ['S-1-5-18', 'S-1-5-21-1-2-3-1104'],
      Logon_ID: ['0x3e7', '0x8a2f1'], Logon_Type: '3', Source_Network_Address: '10.0.0.5', Workstation_Name: 'WS01',
    };

    it('reads the subject and the new logon from their sections of the message', () => {
      const out = mapped(classic);
      assert.equal(out['SubjectUserName'], 'DC1$');
      assert.equal(out['TargetUserName'], 'jdoe');
      assert.equal(out['TargetLogonId'], '0x8a2f1');
      assert.equal(out['IpAddress'], '10.0.0.5');
      assert.equal(out['LmPackageName'], 'NTLM V2');
      assert.equal(out['EventRecordID'], 4711);
    });

    it('places multivalue label fields by occurrence when there is no Message', () => {
      const { Message: _m, ...noMessage } = classic;
      const out = mapped(noMessage);
      assert.equal(out['SubjectUserName'], 'DC1$');
      assert.equal(out['TargetUserName'], 'jdoe');
      assert.equal(out['SubjectUserSid'], 'S-1-5-18');
      assert.equal(out['TargetUserSid'], 'S-1-5-21-1-2-3-1104');
      assert.equal(out['LogonType'], '3');
    });

    it('keeps a multi-line value whole (4662 Properties)', () => {
      const props = '%%7688\n\t\t{1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}\n\t{19195a5b-6da0-11d0-afd3-00c04fd930c9}';
      const l = CLASSIC_LAYOUTS[4662];
      if (!l) throw new Error('no 4662 layout');
      const out = mapped({ ...classic, EventCode: '4662', Message: renderMessage({ SubjectUserName: 'mallory', AccessMask: '0x100', Properties: props }, l) });
      assert.equal(out['Properties'], props);
      assert.equal(out['AccessMask'], '0x100');
    });

    it('cannot be made to overwrite a field by a label inside a multi-line value', () => {
      const l = CLASSIC_LAYOUTS[4698];
      if (!l) throw new Error('no 4698 layout');
      const message = renderMessage({ SubjectUserName: 'jdoe', TaskName: '\\evil', TaskContent: '<Task>\n\tAccount Name:\t\tadministrator\n</Task>' }, l);
      const out = mapped({ ...classic, EventCode: '4698', Message: message });
      assert.equal(out['SubjectUserName'], 'jdoe');
      assert.match(String(out['TaskContent']), /administrator/);
    });

    it('turns rendered insertion strings back into codes only where detectors read codes', () => {
      const l = CLASSIC_LAYOUTS[5136];
      if (!l) throw new Error('no 5136 layout');
      const out = mapped({ ...classic, EventCode: '5136', Message: renderMessage({ OperationType: '%%14675', AttributeLDAPDisplayName: 'description', AttributeValue: 'Value Deleted', ObjectDN: 'CN=x' }, l) });
      assert.equal(out['OperationType'], '%%14675');
      assert.equal(out['AttributeValue'], 'Value Deleted');
    });
  });

  describe('Entra sign-ins (azure:monitor:aad)', () => {
    const aad: SplunkResult = {
      _time: '2024-03-01T10:00:00.000+00:00', sourcetype: 'azure:monitor:aad', source: 'eventhub://x', category: 'SignInLogs',
      'properties.createdDateTime': '2024-03-01T09:59:58.123Z', 'properties.userPrincipalName': 'JDoe@corp.example', 'properties.userId': 'u-1',
      'properties.ipAddress': '203.0.113.9', 'properties.status.errorCode': '50126', 'properties.appDisplayName': 'Office 365',
      'properties.location.countryOrRegion': 'DE', 'properties.location.geoCoordinates.latitude': '52.5', 'properties.location.geoCoordinates.longitude': '13.4',
      'properties.deviceDetail.isCompliant': 'false',
    };

    it('lands on the SigninLogs columns', () => {
      const out = mapped(aad);
      assert.equal(out['TimeGenerated'], '2024-03-01T09:59:58.123Z');
      assert.equal(out['UserPrincipalName'], 'JDoe@corp.example');
      assert.equal(out['IPAddress'], '203.0.113.9');
      assert.equal(out['ResultType'], '50126');
      assert.deepEqual(out['LocationDetails'], { countryOrRegion: 'DE', geoCoordinates: { latitude: 52.5, longitude: 13.4 } });
      assert.deepEqual(out['DeviceDetail'], { isCompliant: false });
    });

    it('keeps the MFA step\'s outcome the add-on puts in properties.status.additionalDetails', () => {
      const denied = { ...aad, 'properties.status.errorCode': '500121', 'properties.status.additionalDetails': 'MFA denied; user declined the authentication', 'properties.mfaDetail.authMethod': 'Mobile app notification' };
      const n = normalize(mapped(denied));
      assert.equal(n.status, 'event');
      if (n.status === 'event' && n.event.kind === 'cloud_sign_in') {
        assert.equal(n.event.mfa, 'denied');
        assert.equal(n.event.mfaMethod, 'Mobile app notification');
      }
    });

    it('normalises to a cloud sign-in', () => {
      const n = normalize(mapped(aad));
      assert.equal(n.status, 'event');
      if (n.status === 'event') assert.equal(n.event.kind, 'cloud_sign_in');
    });

    it('does not read an audit record as a sign-in', () => {
      const m = toCanonical({ ...aad, category: 'AuditLogs' });
      assert.equal(m.ok, false);
      if (!m.ok) assert.match(m.reason, /AuditLogs event without its JSON/);
    });
  });

  describe('Entra audit records (azure:monitor:aad, category AuditLogs)', () => {
    const record = audit(0, 'Update user', 'victim@corp.example', {
      byUser: 'Sync_AADC01_1a2b3c4d5e6f@corpexample.onmicrosoft.com',
      modified: [{ displayName: 'AccountEnabled', oldValue: '[false]', newValue: '[true]' }],
    });
    const indexed = asAzureMonitorAadAudit(record, { index: 'azure', indexTime: 1 });
    const result: SplunkResult = { _time: '2024-03-04T09:00:00.000+00:00', sourcetype: 'azure:monitor:aad', source: indexed.source, category: 'AuditLogs', tz_raw: indexed.raw };

    it('lands on the AuditLogs columns, read from the raw record', () => {
      const out = mapped(result);
      assert.equal(out['OperationName'], 'Update user');
      assert.equal(out['TimeGenerated'], record['TimeGenerated']);
      assert.equal(out['Result'], 'success');
      assert.equal(out['Category'], 'UserManagement');
      assert.equal(out['CorrelationId'], record['CorrelationId']);
      assert.equal(out['Id'], record['Id']);
      assert.deepEqual(out['TargetResources'], record['TargetResources']);
      assert.deepEqual(out['InitiatedBy'], record['InitiatedBy']);
    });

    it('normalises to the same event as the AuditLogs row', () => {
      const viaSplunk = normalize(mapped(result));
      assert.equal(viaSplunk.status, 'event');
      assert.deepEqual(viaSplunk, normalize(record));
    });

    it('reads a Graph directoryAudit indexed without the Azure Monitor envelope', () => {
      const graph = { id: 'a-1', activityDisplayName: 'Disable account', activityDateTime: '2024-03-04T09:00:00Z', result: 'success', initiatedBy: {}, targetResources: [{ type: 'User', userPrincipalName: 'u@corp.example' }] };
      assert.equal(mapped({ ...result, tz_raw: JSON.stringify(graph) })['OperationName'], 'Disable account');
    });

    it('reports raw text that is not JSON', () => {
      const m = toCanonical({ ...result, tz_raw: 'Disable account u@corp.example' });
      assert.equal(m.ok, false);
      if (!m.ok) assert.match(m.reason, /_raw is not JSON/);
    });

    it('reports a record without a usable activity time', () => {
      const m = toCanonical({ ...result, tz_raw: JSON.stringify({ properties: { activityDisplayName: 'Disable account' } }) });
      assert.equal(m.ok, false);
      if (!m.ok) assert.match(m.reason, /"Disable account" without a usable properties\.activityDateTime/);
    });
  });

  it('reports a sourcetype it does not map, for the quarantine', () => {
    const m = toCanonical({ ...splunkHeader, sourcetype: 'syslog', source: '/var/log/messages' });
    assert.equal(m.ok, false);
    if (!m.ok) assert.match(m.reason, /sourcetype "syslog" is not one tierzero maps/);
  });

  it('reports an EventCode that is not a Windows event id', () => {
    const m = toCanonical({ ...splunkHeader, sourcetype: 'XmlWinEventLog', source: 'XmlWinEventLog:Security', EventCode: 'abc' });
    assert.equal(m.ok, false);
  });
});

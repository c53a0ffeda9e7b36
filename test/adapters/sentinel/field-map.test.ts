import { strict as assert } from 'node:assert';
import { parseEventDataXml, toCanonical } from '../../../adapters/sentinel/field-map';
import { EVENT_BAG_COLUMN, EVENT_XML_COLUMN, TABLE_COLUMN } from '../../../adapters/sentinel/pull-query';
import { securityEventRow } from './to-rows';

/** Rows of the pull queries → canonical events (the parity tests cover every dataset end to end). */
describe('Sentinel field map', () => {
  it('reads EventData XML: named items, empty items, escapes, and UserData payloads', () => {
    assert.deepEqual([...(parseEventDataXml('<EventData xmlns="x"><Data Name="A">a &amp; &lt;b&gt;</Data><Data Name="B" /><Data Name=\'C\'>&#x41;</Data></EventData>') ?? [])], [['A', 'a & <b>'], ['B', ''], ['C', 'A']]);
    assert.deepEqual([...(parseEventDataXml('<UserData><LogFileCleared xmlns="y"><SubjectUserName>admmig</SubjectUserName><Channel>Security</Channel></LogFileCleared></UserData>') ?? [])], [['SubjectUserName', 'admmig'], ['Channel', 'Security']]);
    assert.equal(parseEventDataXml('not xml'), null);
  });

  it('maps a SecurityEvent row: XML first, typed columns where the XML lacks the item, colliding names as EventData_X', () => {
    const e = { TimeCreated: '2025-05-01T00:00:00.123Z', Computer: 'dc1', Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing', EventID: 4624, TargetUserName: 'alice', LogonType: '3', EventData_Channel: 'x' };
    const row = securityEventRow(e);
    const r = toCanonical({ ...row, [TABLE_COLUMN]: 'SecurityEvent', [EVENT_XML_COLUMN]: row['EventData'], TimeGenerated: new Date(e.TimeCreated) });
    assert.deepEqual(r, { ok: true, value: { TimeCreated: e.TimeCreated, Computer: 'dc1', Channel: 'Security', Provider: e.Provider, EventID: 4624, EventRecordID: null, TargetUserName: 'alice', LogonType: '3', EventData_Channel: 'x' } });
    const legacy = toCanonical({ [TABLE_COLUMN]: 'SecurityEvent', TimeGenerated: new Date(e.TimeCreated), Computer: 'dc1', Channel: '', EventID: 4625, EventSourceName: '', [EVENT_XML_COLUMN]: '', TargetUserName: 'bob', LogonType: 3 });
    assert.deepEqual(legacy, { ok: true, value: { TimeCreated: e.TimeCreated, Computer: 'dc1', Channel: 'Security', EventID: 4625, EventRecordID: null, TargetUserName: 'bob', LogonType: '3' } });
  });

  it('maps a WindowsEvent row with its record number and System user', () => {
    const r = toCanonical({ [TABLE_COLUMN]: 'WindowsEvent', TimeGenerated: new Date('2025-05-01T00:00:00Z'), TimeCreated: new Date('2025-05-01T00:00:00Z'), Computer: 'fs1', Channel: 'System', EventID: 104, Provider: 'Microsoft-Windows-Eventlog', SystemUserId: 'S-1-5-18', EventRecordID: '77', [EVENT_BAG_COLUMN]: { Channel: 'System', BackupPath: '' } });
    assert.deepEqual(r, { ok: true, value: { TimeCreated: '2025-05-01T00:00:00.000Z', Computer: 'fs1', Channel: 'System', Provider: 'Microsoft-Windows-Eventlog', EventID: 104, EventRecordID: 77, UserID: 'S-1-5-18', EventData_Channel: 'System', BackupPath: '' } });
  });

  it('maps sign-ins and audit records by their columns, and refuses what it cannot map', () => {
    const s = toCanonical({ [TABLE_COLUMN]: 'AADNonInteractiveUserSignInLogs', TimeGenerated: new Date('2025-05-01T00:00:00Z'), UserPrincipalName: 'a@x', ResultType: '50126', LocationDetails: { city: 'Oslo' }, IPAddress: '' });
    assert.deepEqual(s, { ok: true, value: { TimeGenerated: '2025-05-01T00:00:00.000Z', UserPrincipalName: 'a@x', ResultType: '50126', LocationDetails: { city: 'Oslo' } } });
    const a = toCanonical({ [TABLE_COLUMN]: 'AuditLogs', TimeGenerated: new Date('2025-05-01T00:00:00Z'), OperationName: 'Disable account', TargetResources: null });
    assert.deepEqual(a, { ok: true, value: { TimeGenerated: '2025-05-01T00:00:00.000Z', OperationName: 'Disable account', TargetResources: [] } });
    assert.equal(toCanonical({ [TABLE_COLUMN]: 'Event' }).ok, false);
    assert.equal(toCanonical({ [TABLE_COLUMN]: 'WindowsEvent', TimeGenerated: new Date(), EventID: 'x' }).ok, false);
  });
});

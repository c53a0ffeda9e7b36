import { strict as assert } from 'node:assert';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { ruleParams } from '../../../core/rules/params';
import type { NativeQuery } from '../../../core/rules/tree';
import { EventStore } from '../../emulators/splunk/event-store';
import { asWinEventLog, asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { nativeMacros, runNative, searchOver } from './native-searches';

/**
 * The classic WinEventLog side of the compiled native searches, where the add-on's fields differ
 * from the XML ones: the header's ComputerName, and values that span lines, which the add-on's
 * "Label: value" extraction cuts to their first line.
 */
const config = resolveConfig({}, DECLARATIONS);
const dcsync = DETECTOR_MODULES.find((m) => m.declaration.id === 'dcsync')?.declaration;
const query = (dcsync?.native.kind === 'signal' ? dcsync.native.queries[0] : undefined) as NativeQuery;

/** A DCSync replication request (4662 with the Get-Changes-All right), as the datasets hold them. */
const REPLICATION = {
  TimeCreated: '2020-08-05T06:10:02.000Z', Computer: 'MORDORDC.theshire.local', Channel: 'Security', EventID: 4662, EventRecordID: 215522,
  SubjectUserSid: 'S-1-5-21-3669966080-2286457517-972388166-1104', SubjectUserName: 'pgustavo', SubjectDomainName: 'THESHIRE', SubjectLogonId: '0x824909',
  ObjectServer: 'DS', ObjectType: '%{19195a5b-6da0-11d0-afd3-00c04fd930c9}', ObjectName: '%{3933c65d-ac7f-4c79-b5b7-ad0fb941333c}', OperationType: 'Object Access',
  AccessList: '%%7688\r\n\t\t\t\t', AccessMask: '0x100', HandleId: '0x0', AdditionalInfo: '-',
  Properties: '%%7688\r\n\t\t{1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}\r\n\t{19195a5b-6da0-11d0-afd3-00c04fd930c9}\r\n',
};

function run(events: ReturnType<typeof asXmlWinEventLog>[]): ReturnType<typeof runNative> {
  const store = new EventStore();
  for (const e of events) store.add(e);
  return runNative(searchOver(store, nativeMacros(config)), query, ruleParams(config, 'dcsync'));
}

const placement = { index: 'wineventlog', indexTime: 1_596_607_807 };

describe('native SPL over classic WinEventLog', () => {
  it('reads a value that spans lines (4662 Properties) from the message, past its first line', () => {
    const classic = asWinEventLog(REPLICATION, placement);
    assert.doesNotMatch(String(classic.fields['Properties']), /1131f6ad/);
    assert.deepEqual(run([classic]).map((r) => r['user']), ['pgustavo']);
  });

  it('takes the computer from the header\'s ComputerName', () => {
    assert.deepEqual(run([asWinEventLog(REPLICATION, placement)]).map((r) => r['dest']), ['mordordc.theshire.local']);
  });

  it('keeps an XmlWinEventLog event\'s own field when it also carries a rendered message', () => {
    const xml = asXmlWinEventLog(REPLICATION, placement);
    const withMessage = { ...xml, fields: { ...xml.fields, Message: 'An operation was performed on an object.\r\n\r\nOperation:\r\n\tProperties:\t\tControl Access\r\n\r\n' } };
    assert.deepEqual(run([withMessage]).map((r) => r['user']), ['pgustavo']);
  });
});

import { strict as assert } from 'node:assert';
import { AUDIT_COLUMNS, fieldsRead, SECURITY_FIELDS, SIGN_IN_COLUMNS, SYSMON_FIELDS, SYSTEM_FIELDS, WINDOWS_HEADER } from '../../../core/events/fields-read';
import { MODELLED_EVENT_IDS, normalize } from '../../../core/events/normalize';

/**
 * The probe the declared table replaces, kept here only to hold the table to the builders: a
 * record that records every field it is asked for. A field behind `a ?? b` is read only when
 * `a` is absent, so every found field, and every pair of them, is made absent in turn until no
 * probe finds a new one.
 */
function probeReads(fixed: Record<string, unknown>, missing: ReadonlySet<string> = new Set()): Set<string> {
  const read = new Set<string>();
  const probe = (absent: ReadonlySet<string>): void => {
    const record = new Proxy({}, {
      get: (_t, key) => {
        if (typeof key !== 'string') return undefined;
        read.add(key);
        if (absent.has(key) || missing.has(key)) return undefined;
        // A hex number passes every reader (text, integer, account, ip) so no branch bails out early.
        return key in fixed ? fixed[key] : '0x1';
      },
      has: (_t, key) => typeof key === 'string' && !missing.has(key),
    });
    normalize(record);
  };
  const tried = new Set<string>();
  const tryAbsent = (fields: readonly string[]): void => {
    const key = [...fields].sort().join('|');
    if (tried.has(key)) return;
    tried.add(key);
    probe(new Set(fields));
  };
  for (let size = read.size - 1; size !== read.size;) {
    size = read.size;
    tryAbsent([]);
    const found = [...read].filter((f) => !missing.has(f));
    for (const a of found) {
      tryAbsent([a]);
      for (const b of found) if (a < b) tryAbsent([a, b]);
    }
  }
  return read;
}

/** What a Windows probe reads before any builder: the header, and what the Entra recognisers look at. */
const NOT_BUILDER = new Set([...WINDOWS_HEADER, 'UserPrincipalName', 'OperationName']);

function windowsReads(channel: string, eventId: number): string[] {
  const header = { TimeCreated: '2020-01-01T00:00:00.000Z', Computer: 'probe', Channel: channel, EventID: eventId, EventRecordID: 1 };
  return [...probeReads(header)].filter((f) => !NOT_BUILDER.has(f)).sort();
}

const sorted = (fields: readonly string[]): string[] => [...new Set(fields)].sort();

describe('the declared fields each normaliser builder reads', () => {
  const channels = [
    ['Security', MODELLED_EVENT_IDS.security, SECURITY_FIELDS],
    ['System', MODELLED_EVENT_IDS.system, SYSTEM_FIELDS],
    ['Microsoft-Windows-Sysmon/Operational', MODELLED_EVENT_IDS.sysmon, SYSMON_FIELDS],
  ] as const;

  for (const [channel, ids, table] of channels) {
    it(`lists exactly the ${channel} events that have a builder`, () => {
      assert.deepEqual(Object.keys(table).map(Number).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
    });

    it(`lists exactly the fields each ${channel} builder reads`, () => {
      for (const id of ids) assert.deepEqual(sorted(fieldsRead(channel, id) ?? []), windowsReads(channel, id), `${channel} ${id}`);
    });
  }

  it('has no entry for an event without a builder', () => {
    assert.equal(fieldsRead('Security', 4634), undefined);
    assert.equal(fieldsRead('Application', 4624), undefined);
  });

  it('lists exactly the SigninLogs columns the sign-in builder reads', () => {
    const reads = probeReads({ TimeGenerated: '2020-01-01T00:00:00Z', UserPrincipalName: 'probe@corp.example' }, new Set(['EventID']));
    // OperationName: with UserPrincipalName absent the record is asked whether it is an audit record.
    assert.deepEqual([...reads].filter((f) => f !== 'EventID' && f !== 'OperationName').sort(), sorted(SIGN_IN_COLUMNS));
  });

  it('lists exactly the AuditLogs columns the audit builder reads, for every change it models', () => {
    const target = (property: string, value: string) => [{ type: 'User', userPrincipalName: 'u@corp.example', id: 'i', modifiedProperties: [{ displayName: property, newValue: value }] }];
    const read = new Set<string>();
    for (const [operation, resources] of [
      ['Disable account', target('AccountEnabled', '[false]')],
      ['Update user', target('AccountEnabled', '[true]')],
      ['Add member to role', target('Role.DisplayName', '"Global Administrator"')],
    ] as const) {
      const fixed = { TimeGenerated: '2020-01-01T00:00:00Z', OperationName: operation, Result: 'success', TargetResources: resources, InitiatedBy: {} };
      for (const f of probeReads(fixed, new Set(['EventID', 'UserPrincipalName']))) read.add(f);
    }
    for (const f of ['EventID', 'UserPrincipalName']) read.delete(f);
    assert.deepEqual([...read].sort(), sorted(AUDIT_COLUMNS));
  });
});

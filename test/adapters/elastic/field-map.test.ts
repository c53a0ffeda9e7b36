import { strict as assert } from 'node:assert';
import { ecsPath, ecsReadPaths, sourceFields, toCanonical, type EcsLayout } from '../../../adapters/elastic/field-map';
import { fieldsRead, WINDOWS_HEADER, SIGN_IN_COLUMNS, AUDIT_COLUMNS } from '../../../core/events/fields-read';
import { normalize } from '../../../core/events/normalize';
import { isCloudSignIn } from '../../../core/events/windows-event';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan } from '../../../core/rules/pull-plan';
import { createCloudWorkload } from '../../../bench/cloud/workload';
import { datasetsPresent, manifest, records } from '../../core/rules/datasets';
import { toEcs } from './to-ecs';

const LAYOUTS: readonly EcsLayout[] = ['agent', 'winlogbeat'];
const INGESTED = '2026-01-01T00:00:00.000Z';

/** A field's value as the normaliser's `text()` sees it, whitespace runs as one space (split-and-joined lists). */
function seen(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v)).trim().replace(/\s+/g, ' ');
  return s === '' || s === '-' ? undefined : s;
}

/** Security process ids come back from Winlogbeat 7's `process.pid` as lower-case 0x-hex, as Windows writes them. */
function comparable(field: string, v: string | undefined): string | undefined {
  return v !== undefined && /ProcessId$/.test(field) && /^0x/i.test(v) ? v.toLowerCase() : v;
}

/**
 * Whitespace runs as one space, in every string: the shippers split PrivilegeList and
 * UserAccountControl on whitespace into arrays, so which whitespace it was is gone.
 */
function ws(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/\s+/g, ' ');
  if (Array.isArray(v)) return v.map(ws);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ws(x)]));
  return v;
}

describe('elastic field map', () => {
  describe('round trip canonical → ECS → canonical over every dev dataset', () => {
    if (!datasetsPresent()) {
      it('needs ../shared/datasets', function () {
        if (process.env['CI'] === 'true') throw new Error('../shared/datasets is missing');
        this.skip();
      });
      return;
    }
    for (const layout of LAYOUTS) {
      it(`is the identity for every field the normaliser reads, and for the normalised event (${layout} layout)`, () => {
        let checked = 0;
        let fields = 0;
        for (const entry of manifest()) {
          for (const r of records(entry.file)) {
            const mapped = toCanonical(toEcs(r, layout, INGESTED));
            assert.ok(mapped.ok, `${entry.file}: ${mapped.ok ? '' : mapped.reason}`);
            const back = mapped.value as Record<string, unknown>;
            const read = fieldsRead(String(r['Channel']), Number(r['EventID'])) ?? [];
            for (const f of [...WINDOWS_HEADER, 'Provider', ...read]) {
              assert.equal(comparable(f, seen(back[f])), comparable(f, seen(r[f])), `${entry.file} ${String(r['EventID'])} record ${String(r['EventRecordID'])}: ${f}`);
              fields++;
            }
            assert.deepEqual(ws(normalize(back)), ws(normalize(r)), `${entry.file}: the normalised event differs`);
            checked++;
          }
        }
        assert.ok(checked > 10_000, `only ${checked} records`);
        assert.ok(fields > checked * 5);
      });
    }
  });

  it('round-trips Entra sign-ins and audit records of the cloud workload (normalised events equal)', () => {
    const tenant = createCloudWorkload({ seed: 'tz-elastic-field-map', start: '2024-03-04T00:00:00.000Z', days: 14, users: 120 });
    let signIns = 0;
    let audits = 0;
    for (const r of tenant.records) {
      const mapped = toCanonical(toEcs(r as Record<string, unknown>, 'agent', INGESTED));
      assert.ok(mapped.ok, mapped.ok ? '' : mapped.reason);
      assert.deepEqual(normalize(mapped.value), normalize(r), JSON.stringify(r).slice(0, 300));
      if (isCloudSignIn(r as Record<string, unknown>)) signIns++;
      else audits++;
    }
    assert.ok(signIns > 100 && audits > 0, `${signIns} sign-ins, ${audits} audit records`);
  });

  it('unwraps arrays and numeric strings as the System integration writes them (test-4662.json-expected.json)', () => {
    // The pipeline test's own expected document, abridged.
    const doc = {
      '@timestamp': '2015-08-28T01:58:36.894Z',
      event: { code: '4662', provider: 'Microsoft-Windows-Security-Auditing' },
      host: { name: 'DC01.contoso.local' },
      winlog: {
        channel: 'Security', computer_name: 'DC01.contoso.local', event_id: '4662', record_id: '407230', provider_name: 'Microsoft-Windows-Security-Auditing',
        event_data: { AccessMask: ['0x10000'], AccessMaskDescription: ['DELETE'], ObjectName: '%{38b3d2e6-9948-4dc1-ae90-1605d5eab9a2}', ObjectServer: 'DS', SubjectUserName: 'dadmin' },
      },
    };
    const m = toCanonical(doc);
    assert.ok(m.ok);
    const v = m.value as Record<string, unknown>;
    assert.equal(v['AccessMask'], '0x10000');
    assert.equal(v['EventID'], 4662);
    assert.equal(v['EventRecordID'], 407230);
    assert.equal(v['Computer'], 'DC01.contoso.local');
    assert.equal(v['TimeCreated'], '2015-08-28T01:58:36.894Z');
  });

  it('reads Winlogbeat 7 fields from where it renamed them, and dotted keys as well as nested objects', () => {
    const m = toCanonical({
      '@timestamp': '2024-01-01T00:00:00.000Z', 'winlog.channel': 'Security', 'winlog.event_id': 4625, 'winlog.computer_name': 'dc1',
      'source.ip': '10.0.0.9', process: { executable: 'C:\\Windows\\System32\\svchost.exe', pid: 1100 }, 'winlog.event_data.TargetUserName': 'bob',
    });
    assert.ok(m.ok);
    const v = m.value as Record<string, unknown>;
    assert.equal(v['IpAddress'], '10.0.0.9');
    assert.equal(v['ProcessName'], 'C:\\Windows\\System32\\svchost.exe');
    assert.equal(v['ProcessId'], '0x44c');
    assert.equal(v['TargetUserName'], 'bob');
  });

  it('names a malformed document instead of guessing', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ message: 'hello' }, /not a document tierzero maps/],
      [{ '@timestamp': '2024-01-01T00:00:00Z', winlog: { channel: 'Security', event_id: 'abc' } }, /not a Windows event id/],
      [{ winlog: { channel: 'Security', event_id: '4624' } }, /no usable @timestamp/],
      [{ '@timestamp': '2024-01-01T00:00:00Z', winlog: { event_id: '4624' } }, /no winlog.channel/],
      [{ '@timestamp': '2024-01-01T00:00:00Z', azure: { signinlogs: { properties: {} } } }, /user_principal_name/],
    ];
    for (const [doc, reason] of cases) {
      const m = toCanonical(doc);
      assert.equal(m.ok, false);
      assert.match(m.ok ? '' : m.reason, reason);
    }
  });

  it('ecsPath names each layout\'s field; ecsReadPaths every place the map reads', () => {
    assert.equal(ecsPath('TargetUserName', 'agent'), 'winlog.event_data.TargetUserName');
    assert.equal(ecsPath('EventID', 'agent'), 'winlog.event_id');
    assert.equal(ecsPath('IpAddress', 'agent', { kind: 'windows', channel: 'Security', eventId: 4625 }), 'winlog.event_data.IpAddress');
    assert.equal(ecsPath('IpAddress', 'winlogbeat', { kind: 'windows', channel: 'Security', eventId: 4625 }), 'source.ip');
    assert.equal(ecsPath('IpAddress', 'winlogbeat', { kind: 'windows', channel: 'Security', eventId: 5140 }), 'winlog.event_data.IpAddress');
    assert.equal(ecsPath('TargetObject', 'agent', { kind: 'windows', channel: 'Microsoft-Windows-Sysmon/Operational', eventId: 13 }), 'registry.path');
    assert.equal(ecsPath('UserPrincipalName', 'agent', { kind: 'cloud', table: 'SigninLogs' }), 'azure.signinlogs.properties.user_principal_name');
    assert.deepEqual(ecsReadPaths('IpAddress', { kind: 'windows', channel: 'Security', eventId: 4624 }), ['winlog.event_data.IpAddress', 'source.ip']);
    assert.deepEqual(ecsReadPaths('Data_3', { kind: 'windows', channel: 'System', eventId: 5827 }), ['winlog.event_data.param3', 'winlog.user_data.Data_3']);
  });

  it('sourceFields covers every path the map reads for the plan, and no more than the plan needs', () => {
    const plan = pullPlan(DETECTOR_MODULES);
    const fields = sourceFields(plan);
    for (const s of plan.sources) {
      if (s.source.kind !== 'windows') {
        for (const c of s.fields) for (const p of ecsReadPaths(c, { kind: 'cloud', table: s.source.table })) assert.ok(fields.includes(p), p);
        continue;
      }
      for (const f of s.fields) for (const id of s.source.eventIds) {
        if (['TimeCreated', 'Computer', 'Channel', 'EventID', 'EventRecordID', 'Provider', 'UserID'].includes(f)) continue;
        for (const p of ecsReadPaths(f, { kind: 'windows', channel: s.source.channel, eventId: id })) assert.ok(fields.includes(p), `${p} for ${f}`);
      }
    }
    assert.ok(!fields.some((f) => f.endsWith('.AccessMaskDescription')), 'fetches an integration-added field nothing reads');
    assert.ok([...SIGN_IN_COLUMNS, ...AUDIT_COLUMNS].length > 0);
  });
});

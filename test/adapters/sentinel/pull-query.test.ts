import { strict as assert } from 'node:assert';
import { coverageQuery, DEFAULT_PULL_SETTINGS, pullQuery, type PullSettings } from '../../../adapters/sentinel/pull-query';
import { kustoSchemas } from '../../../adapters/sentinel/tables';
import { mergeConfig, resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan, type PullPlan } from '../../../core/rules/pull-plan';
import { evaluate, INGESTION, KDate, type Row } from '../../emulators/azure/kql-eval';
import { kqlDiagnostics, kustoGlobals } from '../../support/kusto';
import { securityEventRow, windowsEventRow } from './to-rows';

/** The pull and coverage KQL (adapters/sentinel/pull-query.ts): valid against the declared schemas, and pushing down what the plan says. */
const SLICE = { from: Date.parse('2025-05-01T00:00:00Z'), to: Date.parse('2025-05-01T01:00:00Z') };
const SETTINGS: Record<string, PullSettings> = {
  both: DEFAULT_PULL_SETTINGS,
  securityEventOnly: { windowsTables: ['SecurityEvent'], signInTables: ['SigninLogs'] },
  windowsEventOnly: { windowsTables: ['WindowsEvent'], signInTables: ['AADNonInteractiveUserSignInLogs'] },
};
const PLANS: Record<string, PullPlan> = {
  'every detector': pullPlan(DETECTOR_MODULES),
  'the default config': pullPlan(DETECTOR_MODULES, resolveConfig(mergeConfig({}, {}), DECLARATIONS)),
  'one detector (password spray)': pullPlan(DETECTOR_MODULES.filter((m) => m.declaration.id === 'password_spray')),
};

describe('Sentinel pull queries', function () {
  this.timeout(120_000);
  const globals = kustoGlobals(kustoSchemas());

  for (const [planName, plan] of Object.entries(PLANS)) {
    for (const [settingsName, settings] of Object.entries(SETTINGS)) {
      it(`are valid KQL against the declared schemas: ${planName}, ${settingsName} (0 errors from the Kusto language service)`, () => {
        const queries = pullQuery(plan, settings, SLICE);
        assert.ok(queries.length >= 1);
        for (const q of queries) assert.deepEqual(kqlDiagnostics(q.text, globals).filter((d) => d.severity === 'Error'), [], q.text.slice(0, 300));
        const c = coverageQuery(plan, settings, SLICE.from, SLICE.to);
        assert.deepEqual(kqlDiagnostics(c, globals).filter((d) => d.severity === 'Error'), [], c.slice(0, 300));
      });
    }
  }

  it('reads the Security log from SecurityEvent and every planned channel from WindowsEvent', () => {
    const [windows] = pullQuery(PLANS['every detector'] as PullPlan, DEFAULT_PULL_SETTINGS, SLICE);
    assert.equal(windows?.family, 'windows');
    assert.deepEqual(windows?.tables, ['SecurityEvent', 'WindowsEvent']);
    assert.match(windows?.text ?? '', /Channel =~ @'System'/);
    assert.match(windows?.text ?? '', /Channel =~ @'Microsoft-Windows-Sysmon\/Operational'/);
  });

  /** Rows of one table through the emulator's evaluator, as the service would filter them. */
  function select(table: 'SecurityEvent' | 'WindowsEvent', rows: Row[], text: string): Row[] {
    return [...evaluate(text, kustoSchemas(), { now: Date.now, tables: (n) => ({ rows: n === table ? rows : [] }) }).rows];
  }

  it('keeps to its ingestion slice, half-open', () => {
    const e = { TimeCreated: '2025-05-01T00:10:00.000Z', Computer: 'dc1', Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing', EventID: 4624, EventRecordID: 1, TargetUserName: 'alice', LogonType: '3' };
    const rows: Row[] = [SLICE.from - 1, SLICE.from, SLICE.to - 1, SLICE.to].map((t, i) => ({ ...securityEventRow(e, `id${i}`), TimeGenerated: evaluateDate(e.TimeCreated), [INGESTION]: t }));
    const [windows] = pullQuery(PLANS['every detector'] as PullPlan, DEFAULT_PULL_SETTINGS, SLICE);
    assert.deepEqual(select('SecurityEvent', rows, windows?.text ?? '').map((r) => r['_ItemId']), ['id1', 'id2']);
  });

  it('pushes the plan\'s EventIDs and conditions down: other events and other shares stay in the workspace', () => {
    const base = { TimeCreated: '2025-05-01T00:10:00.000Z', Computer: 'dc1', Channel: 'Security', Provider: 'Microsoft-Windows-Security-Auditing', EventRecordID: 1 };
    const events = [
      { ...base, EventID: 5140, ShareName: '\\\\*\\print$' },
      { ...base, EventID: 5140, ShareName: '\\\\*\\SYSVOL' },
      { ...base, EventID: 4663, ObjectName: 'C:\\x' },
      { ...base, EventID: 4624, TargetUserName: 'alice' },
    ];
    const [windows] = pullQuery(PLANS['every detector'] as PullPlan, DEFAULT_PULL_SETTINGS, SLICE);
    for (const [table, build] of [['SecurityEvent', securityEventRow], ['WindowsEvent', windowsEventRow]] as const) {
      const rows: Row[] = events.map((e, i) => ({ ...build(e, `id${i}`), TimeGenerated: evaluateDate(e.TimeCreated), [INGESTION]: SLICE.from + 1 }));
      assert.deepEqual(select(table, rows, windows?.text ?? '').map((r) => r['_ItemId']).sort(), ['id0', 'id3'], table);
    }
  });

  it('refuses an empty slice and a plan that needs nothing', () => {
    assert.throws(() => pullQuery(PLANS['every detector'] as PullPlan, DEFAULT_PULL_SETTINGS, { from: 5, to: 5 }));
    assert.throws(() => pullQuery({ sources: [] }, DEFAULT_PULL_SETTINGS, SLICE));
  });
});

/** Datetimes as the emulator stores them. */
function evaluateDate(iso: string): KDate {
  return new KDate(Date.parse(iso));
}

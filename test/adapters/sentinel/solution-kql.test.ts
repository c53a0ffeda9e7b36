import { strict as assert } from 'node:assert';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { ruleParams } from '../../../core/rules/params';
import { compileNativeKql } from '../../../adapters/sentinel/native-kql';
import { sentinelCompiler } from '../../../adapters/sentinel/compiler';
import { analyticRules, INCIDENT_RULE_QUERY } from '../../../adapters/sentinel/solution/analytic-rules';
import { WORKBOOK_QUERIES } from '../../../adapters/sentinel/solution/workbook';
import { kustoSchemas, TABLES, type TableName } from '../../../adapters/sentinel/tables';
import { DEFAULT_PULL_SETTINGS } from '../../../adapters/sentinel/pull-query';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import { pullPlan } from '../../../core/rules/pull-plan';
import { kqlDiagnostics, kqlParse, kustoGlobals, type KustoDiagnostic } from '../../support/kusto';

/**
 * Issue 11 §5: every KQL the solution ships — each native analytic rule, the incident rule and
 * every workbook query — checked by Microsoft's Kusto language service against the declared
 * schemas of the tables it reads (tables.ts): no syntax error, no unknown table, column or
 * function. Native rules are checked with the default config and with list settings filled
 * (an empty honeytoken list compiles to `false`, which would hide the list's KQL).
 */
const DEFAULT = resolveConfig({}, DECLARATIONS);
const LISTS = resolveConfig({ honeytokens: ['decoy-admin', 'CORP\\svc-decoy', 'S-1-5-21-1004336348-1177238915-682003330-4242', '0b3a8f6e-52f4-4f0c-9d1c-4b7e1a2f3c4d'], directorySyncAccounts: ['MSOL_0a1b2c3d4e5f'] }, DECLARATIONS);

/** The result columns of a query as the language service types them (its ResultType, a TableSymbol). */
function resultColumns(query: string, globals: unknown): Map<string, string> {
  const code = kqlParse(query, globals) as { ResultType: { Columns: unknown } };
  const bridge = (globalThis as unknown as { Bridge: { toArray: (x: unknown) => { Name: string; Type: { Name: string } }[] } }).Bridge;
  return new Map(bridge.toArray(code.ResultType.Columns).map((c) => [String(c.Name), String(c.Type.Name)]));
}

function describe2(q: string, d: readonly KustoDiagnostic[]): string {
  return d.map((x) => `${x.code} ${x.severity}: ${x.message} at ${JSON.stringify(q.slice(x.start, x.start + x.length))}`).join('\n');
}

describe('sentinel solution: every KQL passes the Kusto language service', () => {
  let globals: unknown;
  const rulesDefault = analyticRules(DECLARATIONS, DEFAULT);
  const rulesLists = analyticRules(DECLARATIONS, LISTS);
  before(function () {
    this.timeout(60_000);
    globals = kustoGlobals(kustoSchemas());
  });

  const natives = DECLARATIONS.flatMap((d) => (d.native.kind === 'none' ? [] : d.native.queries.map((q) => ({ d, q }))));

  it('covers every native query of every detector', () => {
    assert.ok(natives.length >= 15, `only ${natives.length} native queries`);
    assert.equal(rulesDefault.length, natives.length + 1, 'one rule per native query, plus the incident rule');
  });

  for (const { d, q } of natives) {
    it(`${d.id}/${q.name}: the native rule has 0 diagnostics, with default and with filled list settings`, () => {
      for (const rules of [rulesDefault, rulesLists]) {
        const rule = rules.find((r) => r.file === `tierzero-${d.id}-${q.name}`);
        assert.ok(rule, `no analytic rule for ${d.id}/${q.name}`);
        const diags = kqlDiagnostics(rule.properties.query, globals);
        assert.deepEqual(diags, [], describe2(rule.properties.query, diags));
      }
    });
  }

  it('the incident rule has 0 diagnostics and dedupes on the alert id before anything else', () => {
    const diags = kqlDiagnostics(INCIDENT_RULE_QUERY, globals);
    assert.deepEqual(diags, [], describe2(INCIDENT_RULE_QUERY, diags));
    const lines = INCIDENT_RULE_QUERY.split('\n');
    assert.equal(lines[0], 'TierzeroAlerts_CL');
    assert.equal(lines[1], '| summarize arg_max(TimeGenerated, *) by AlertId');
    assert.equal(lines[2], "| where Severity != 'Informational'");
  });

  for (const w of WORKBOOK_QUERIES) {
    it(`workbook query ${w.name} has 0 diagnostics and dedupes what it reads`, () => {
      const diags = kqlDiagnostics(w.query, globals);
      assert.deepEqual(diags, [], describe2(w.query, diags));
      for (const table of ['TierzeroAlerts_CL', 'TierzeroScores_CL']) {
        if (!w.query.includes(table)) continue;
        const key = table === 'TierzeroAlerts_CL' ? 'AlertId' : 'IdentityKey';
        assert.match(w.query, new RegExp(`${table}[^;]*\\| summarize arg_max\\(TimeGenerated, \\*\\) by ${key}`), `${w.name} reads ${table} without the dedupe`);
      }
    });
  }

  it('every column a rule maps to an entity, a custom detail or an alert detail is in its result, entities as strings', () => {
    for (const r of [...rulesDefault, ...rulesLists]) {
      const cols = resultColumns(r.properties.query, globals);
      for (const m of r.properties.entityMappings) {
        for (const f of m.fieldMappings) assert.equal(cols.get(f.columnName), 'string', `${r.file}: ${m.entityType}.${f.identifier} from ${f.columnName} (${cols.get(f.columnName) ?? 'absent'})`);
      }
      for (const c of Object.values(r.properties.customDetails ?? {})) assert.ok(cols.has(c), `${r.file}: custom detail ${c}`);
      const o = r.properties.alertDetailsOverride;
      for (const c of [o?.alertSeverityColumnName, o?.alertTacticsColumnName]) if (c) assert.equal(cols.get(c), 'string', `${r.file}: ${c}`);
      for (const f of [o?.alertDisplayNameFormat, o?.alertDescriptionFormat]) for (const m of (f ?? '').matchAll(/\{\{(\w+)\}\}/g)) assert.ok(cols.has(m[1] as string), `${r.file}: {{${m[1]}}}`);
    }
  });

  it('the compiler\'s pull and coverage queries (az-pull) have 0 diagnostics too', () => {
    const settings = { tables: DEFAULT_PULL_SETTINGS, slice: { from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-01-01T00:10:00Z') } };
    const plan = pullPlan(DETECTOR_MODULES);
    const queries = [...sentinelCompiler.pull(plan, settings), ...sentinelCompiler.coverage(plan, settings)];
    assert.ok(queries.length >= 3);
    for (const q of queries) {
      const diags = kqlDiagnostics(q, globals);
      assert.deepEqual(diags, [], describe2(q, diags));
    }
  });

  it('the check bites: a misspelt column, an unknown function and a missing table are errors', () => {
    const bad = [
      'TierzeroAlerts_CL | where Sevrity == "High"',
      'TierzeroAlerts_CL | extend x = no_such_function(Title)',
      'SecurityEvents | take 1',
      'TierzeroAlerts_CL | summarize arg_max(TimeGenerated *) by AlertId',
    ];
    for (const q of bad) assert.ok(kqlDiagnostics(q, globals).some((d) => d.severity === 'Error'), `no error for ${q}`);
  });

  it('the check bites on a compiled rule: brute force reads TargetUserName, which a schema without it refuses', () => {
    const d = DECLARATIONS.find((x) => x.id === 'brute_force');
    assert.ok(d && d.native.kind !== 'none');
    const query = compileNativeKql(d.native.queries[0] as never, ruleParams(DEFAULT, d.id)).query;
    const schemas = kustoSchemas();
    const without = (t: TableName, col: string): string => `(${TABLES[t].filter((c) => c.name !== col).map((c) => `${c.name}:${c.type}`).join(', ')})`;
    const diags = kqlDiagnostics(query, { ...schemas, SecurityEvent: without('SecurityEvent', 'TargetUserName') });
    assert.ok(diags.some((x) => x.code === 'KS142' && query.slice(x.start, x.start + x.length) === 'TargetUserName'), describe2(query, diags));
  });

  it('the compiler is the one the rules are written with: its native text is the rule query', () => {
    const d = DECLARATIONS.find((x) => x.id === 'mfa_fatigue');
    assert.ok(d && d.native.kind !== 'none');
    const q = d.native.queries[0];
    assert.ok(q);
    const text = sentinelCompiler.native(d, q, ruleParams(DEFAULT, d.id));
    const rule = rulesDefault.find((r) => r.file === `tierzero-${d.id}-${q.name}`);
    assert.ok(rule?.properties.query.startsWith(text.query));
    assert.equal(sentinelCompiler.language, 'kql');
  });
});

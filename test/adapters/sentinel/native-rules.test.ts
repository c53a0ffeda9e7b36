import { strict as assert } from 'node:assert';
import { compileNativeKql } from '../../../adapters/sentinel/native-kql';
import type { TableName } from '../../../adapters/sentinel/tables';
import { mergeConfig, resolveConfig } from '../../../core/config/config';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { cloudTable, evaluateQuery, type RuleParams } from '../../../core/rules/evaluate';
import { ruleParams } from '../../../core/rules/params';
import type { NativeQuery, OutputName } from '../../../core/rules/tree';
import { LogAnalyticsEmulator } from '../../emulators/azure/log-analytics';
import { bombing, corpora } from '../../core/rules/corpora';
import { auditRow, securityEventRow, securityShapeTable, signInRow, windowsEventRow, type Canonical } from './to-rows';

/**
 * The native analytic rules mean what their detectors' trees mean: each compiled rule query
 * runs in the Log Analytics emulator's KQL evaluator (test/emulators/azure/kql-eval.ts, parsed by
 * the Kusto language service) over every corpus the Splunk native searches are held to, stored
 * as Sentinel's connectors store it — Windows events in SecurityEvent shape and in WindowsEvent
 * shape, sign-ins in both sign-in tables' shapes — and gives the keys and counts the core
 * evaluator (core/rules/evaluate.ts) gives on the canonical records. A rule counts over its
 * whole query period where the tree slides a window, so an aggregation is compared at
 * threshold 1 with a window longer than the corpus: then both count every match per key.
 */
type Shape = 'SecurityEvent' | 'WindowsEvent';
const QUERIES = DECLARATIONS.flatMap((d) => (d.native.kind === 'none' ? [] : d.native.queries.map((q) => ({ d, q }))));

function workspace(records: readonly Canonical[], shape: Shape, signIns: 'SigninLogs' | 'AADNonInteractiveUserSignInLogs'): LogAnalyticsEmulator {
  // The query path only: no HTTP, so no token endpoint is needed.
  const la = new LogAnalyticsEmulator({ token: undefined as never, workspaceId: 'native-rules' });
  const batches = new Map<TableName, Record<string, unknown>[]>();
  const add = (t: TableName, row: Record<string, unknown>): void => {
    const list = batches.get(t) ?? [];
    list.push(row);
    batches.set(t, list);
  };
  for (const r of records) {
    const cloud = cloudTable(r);
    if (cloud === 'SigninLogs') add(signIns, signInRow(r, signIns));
    else if (cloud === 'AuditLogs') add('AuditLogs', auditRow(r));
    else if (r['EventID'] !== undefined) {
      const table = shape === 'WindowsEvent' ? 'WindowsEvent' : securityShapeTable(r);
      add(table, table === 'SecurityEvent' ? securityEventRow(r) : windowsEventRow(r));
    }
  }
  for (const [t, rows] of batches) la.ingest(t, rows, 0);
  return la;
}

/** `user=alice src=10.0.0.5 ×3`, sorted: what a rule raised, comparable across evaluators. */
function results(rows: readonly { keys: Partial<Record<OutputName, string>>; count: number }[]): string[] {
  return rows.map((r) => `${Object.entries(r.keys).filter(([, v]) => v !== undefined && v !== '').sort().map(([k, v]) => `${k}=${v}`).join(' ')} ×${r.count}`).sort();
}

function kqlResults(la: LogAnalyticsEmulator, q: NativeQuery, params: RuleParams): string[] {
  const out = la.run(compileNativeKql(q, params).query);
  const col = (name: string): number => out.columns.findIndex((c) => c.name === name);
  const names = q.aggregate ? q.aggregate.by : q.outputs.map((o) => o.name);
  return results(out.rows.map((row) => ({
    keys: Object.fromEntries(names.map((n) => [n, row[col(n)] as string])),
    count: Number(row[col('count_')]),
  })));
}

describe('sentinel native rules: the compiled KQL gives what the tree gives, on every corpus', function () {
  this.timeout(600_000);
  for (const corpus of corpora()) {
    const config = resolveConfig(mergeConfig(mergeConfig(corpus.context, { testMode: true }), {}), DECLARATIONS);
    // The queries some record of the corpus is a candidate for (its table, or its channel and EventID).
    const relevant = QUERIES.filter(({ q }) => q.match.some((b) => corpus.records.some((r) => {
      const s = b.source;
      if (s.kind === 'cloud') return cloudTable(r) === s.table;
      return String(r['Channel'] ?? '').toLowerCase() === s.channel.toLowerCase() && s.eventIds.includes(Number(r['EventID']));
    })));
    if (relevant.length === 0) continue;
    describe(corpus.name, () => {
      const shapes: [Shape, 'SigninLogs' | 'AADNonInteractiveUserSignInLogs'][] = [['SecurityEvent', 'SigninLogs'], ['WindowsEvent', 'AADNonInteractiveUserSignInLogs']];
      const stores = new Map<Shape, LogAnalyticsEmulator>();
      before(() => { for (const [shape, signIns] of shapes) stores.set(shape, workspace(corpus.records, shape, signIns)); });

      for (const { d, q } of relevant) {
        it(`${d.id}/${q.name}: same keys and counts from SecurityEvent and from WindowsEvent shape`, () => {
          const base = ruleParams(config, d.id);
          // Counting every match: threshold 1 over a window longer than any corpus (about 19 years).
          const params: RuleParams = q.aggregate ? { ...base, thresholds: { ...base.thresholds, [q.aggregate.threshold]: 1, [q.aggregate.window]: 1e7 } } : base;
          const expected = results(evaluateQuery(q, corpus.records, params));
          for (const [shape] of shapes) assert.deepEqual(kqlResults(stores.get(shape) as LogAnalyticsEmulator, q, params), expected, `${shape} shape`);
        });
      }
    });
  }

  it('the comparison bites: a rule compiled with another threshold loses keys', () => {
    const d = DECLARATIONS.find((x) => x.id === 'mfa_fatigue');
    const q = d?.native.kind === 'none' ? undefined : d?.native.queries[0];
    assert.ok(d && q?.aggregate);
    const base = ruleParams(resolveConfig({ testMode: true }, DECLARATIONS), d.id);
    const one: RuleParams = { ...base, thresholds: { ...base.thresholds, [q.aggregate.threshold]: 1, [q.aggregate.window]: 1e7 } };
    const la = workspace(bombing(), 'SecurityEvent', 'SigninLogs');
    const all = kqlResults(la, q, one);
    const strict = kqlResults(la, q, { ...one, thresholds: { ...one.thresholds, [q.aggregate.threshold]: 10 } });
    assert.ok(all.length > strict.length && strict.length > 0, `${all.length} vs ${strict.length}`);
  });
});

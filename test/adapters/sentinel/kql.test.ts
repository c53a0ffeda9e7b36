import { strict as assert } from 'node:assert';
import { securityEventAccess, windowsEventAccess } from '../../../adapters/sentinel/field-access';
import { KqlValueError } from '../../../adapters/sentinel/errors';
import { compilePredicate, kqlDatetime, kqlName, kqlString, xmlEscape } from '../../../adapters/sentinel/kql';
import { kustoSchemas } from '../../../adapters/sentinel/tables';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { holds, type RuleParams } from '../../../core/rules/evaluate';
import { pullPlan } from '../../../core/rules/pull-plan';
import { DETECTOR_MODULES } from '../../../core/detectors/registry';
import type { Predicate, RuleSource } from '../../../core/rules/tree';
import { datasetsPresent, manifest, records } from '../../core/rules/datasets';
import { evaluate, INGESTION, type Row } from '../../emulators/azure/kql-eval';
import { kqlDiagnostics } from '../../support/kusto';
import { securityEventRow, windowsEventRow, type Canonical } from './to-rows';

describe('KQL writers', () => {
  it('writes strings as verbatim literals: backslashes as they are, quotes doubled', () => {
    assert.equal(kqlString('CORP\\svc'), "@'CORP\\svc'");
    assert.equal(kqlString("O'Brien"), "@'O''Brien'");
    assert.equal(kqlString('say "hi"'), `@'say "hi"'`);
  });

  it('refuses control characters, which a verbatim literal cannot hold', () => {
    assert.throws(() => kqlString('a\nb'), KqlValueError);
    assert.throws(() => kqlString('a\u0000b'), KqlValueError);
  });

  it('brackets names that are not bare identifiers, and refuses what brackets cannot hold', () => {
    assert.equal(kqlName('TargetUserName'), 'TargetUserName');
    assert.equal(kqlName('a b'), "['a b']");
    assert.equal(kqlName('where'), "['where']");
    assert.throws(() => kqlName("x'y"), KqlValueError);
    assert.throws(() => kqlName(''), KqlValueError);
  });

  it('writes datetimes in ISO 8601 UTC and refuses non-times', () => {
    assert.equal(kqlDatetime(Date.parse('2025-05-01T00:00:03.1Z')), 'datetime(2025-05-01T00:00:03.100Z)');
    assert.throws(() => kqlDatetime(Number.NaN), KqlValueError);
  });

  it('round-trips hostile values through the Kusto parser as one literal', function () {
    this.timeout(60_000);
    for (const v of ["'; SecurityEvent | take 1 //", '@"x"', '\\\\*\\print$', "''", '\\', 'ünïcödé €', '"']) {
      const q = `SecurityEvent | where Computer == ${kqlString(v)} | project Computer`;
      assert.deepEqual(kqlDiagnostics(q, kustoSchemas(['SecurityEvent'])), [], v);
      const rows = evaluate(q, { SecurityEvent: kustoSchemas(['SecurityEvent'])['SecurityEvent'] as string }, { now: Date.now, tables: () => ({ rows: [{ Computer: v }, { Computer: `${v}x` }] }) }).rows;
      assert.deepEqual(rows.map((r) => r['Computer']), [v]);
    }
  });
});

/**
 * Every predicate the detectors declare (native rules) and the pull plan pushes down, compiled
 * for SecurityEvent and WindowsEvent and run by the emulator over every dev dataset event of
 * its source, holds exactly where the core's reference evaluator (core/rules/evaluate.ts) says.
 */
describe('predicates compiled to KQL keep the neutral tree\'s semantics', function () {
  this.timeout(300_000);
  if (!datasetsPresent()) {
    it('needs ../shared/datasets', function () { this.skip(); });
    return;
  }
  const params: RuleParams = {
    thresholds: {},
    settings: { honeytokens: ['Administrator', 'CORP\\honey', '4828cc14-1437-45bc-9b07-ad6f015e5f28'], directorySyncAccounts: ['MSOL_0123456789ab'] },
  };
  const cases = new Map<string, { where: Predicate; source: Extract<RuleSource, { kind: 'windows' }> }>();
  for (const d of DECLARATIONS) {
    if (d.native.kind === 'none') continue;
    for (const q of d.native.queries) for (const b of q.match) if (b.where && b.source.kind === 'windows') cases.set(JSON.stringify([b.source, b.where]), { where: b.where, source: b.source });
  }
  for (const s of pullPlan(DETECTOR_MODULES).sources) if (s.where && s.source.kind === 'windows') cases.set(JSON.stringify([s.source, s.where]), { where: s.where, source: s.source });

  let events: Canonical[];
  before(() => {
    events = manifest().flatMap((m) => records(m.file));
  });

  it('covers native and pull predicates', () => assert.ok(cases.size >= 10, `only ${cases.size} predicates`));

  for (const [key, c] of cases) {
    for (const table of ['SecurityEvent', 'WindowsEvent'] as const) {
      if (table === 'SecurityEvent' && c.source.channel !== 'Security') continue;
      it(`${table}: ${key.slice(0, 140)}`, () => {
        const mine = events.filter((e) => String(e['Channel']).toLowerCase() === c.source.channel.toLowerCase() && c.source.eventIds.includes(Number(e['EventID'])));
        const kql = compilePredicate(c.where, table === 'SecurityEvent' ? securityEventAccess : windowsEventAccess, 'exact', params) as string;
        const rows: Row[] = mine.map((e, i) => {
          const r = table === 'SecurityEvent' ? securityEventRow(e, String(i)) : windowsEventRow(e, String(i));
          return { ...normalise(r), [INGESTION]: 0 };
        });
        const schemas = kustoSchemas([table]);
        const out = evaluate(`${table} | extend M = ${kql} | project _ItemId, M`, schemas, { now: Date.now, tables: () => ({ rows }) }).rows;
        const got = out.map((r) => r['M'] === true);
        const want = mine.map((e) => holds(c.where, e, params));
        const diffs = mine.map((e, i) => (got[i] === want[i] ? undefined : { want: want[i], event: e })).filter((x) => x !== undefined);
        assert.deepEqual(diffs.slice(0, 3), [], `${diffs.length} of ${mine.length} events disagree`);
      });
    }
  }
});

/** What the emulator's ingest does to a row: JSON text stays text here, numbers stay numbers. */
function normalise(r: Record<string, unknown>): Row {
  return { ...r };
}

describe('XML escaping of compared values', () => {
  it('escapes what element text must escape', () => assert.equal(xmlEscape('a&b<c>d"e'), 'a&amp;b&lt;c&gt;d"e'));
});

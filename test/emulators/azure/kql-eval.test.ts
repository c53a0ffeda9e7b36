import { strict as assert } from 'node:assert';
import { blankDatetimes, evaluate, INGESTION, KDate, KqlEvalError, parseString, type Row } from './kql-eval';

/**
 * The emulator's KQL evaluator, operator by operator, with Kusto's documented semantics
 * (learn.microsoft.com/kusto/query): what the Log Analytics emulator filters pulled rows with.
 */
const SCHEMAS = {
  T: '(TimeGenerated:datetime, Name:string, N:long, Bag:dynamic, _ItemId:string)',
  U: '(TimeGenerated:datetime, Name:string, Other:string)',
};

const t0 = Date.parse('2025-05-01T00:00:00Z');
function rows(): Row[] {
  return [
    { TimeGenerated: new KDate(t0), Name: 'Alice', N: 1, Bag: { X: 'one', 'a b': 'spaced' }, _ItemId: 'a', [INGESTION]: t0 + 10 },
    { TimeGenerated: new KDate(t0 + 1000), Name: 'bob', N: 2, Bag: { X: 'two' }, _ItemId: 'b', [INGESTION]: t0 + 20 },
    { TimeGenerated: new KDate(t0 + 2000), Name: 'CORP\\carol', N: 3, Bag: null, _ItemId: 'c', [INGESTION]: t0 + 30 },
    { TimeGenerated: new KDate(t0 + 3000), Name: '', N: null, Bag: { X: null }, _ItemId: 'd', [INGESTION]: t0 + 40 },
  ];
}

function run(q: string, extra: Record<string, Row[]> = {}): Row[] {
  const tables: Record<string, Row[]> = { T: rows(), U: [{ TimeGenerated: new KDate(t0), Name: 'u1', Other: 'x', [INGESTION]: t0 }], ...extra };
  return [...evaluate(q, SCHEMAS, { tables: (n) => (tables[n] ? { rows: tables[n] as Row[] } : undefined), now: () => t0 + 86_400_000 }).rows];
}
const names = (q: string): unknown[] => run(q).map((r) => r['Name']);

describe('KQL evaluator (Log Analytics emulator)', function () {
  this.timeout(60_000);

  it('compares with == case-sensitively and =~ / in~ ignoring case', () => {
    assert.deepEqual(names("T | where Name == 'alice'"), []);
    assert.deepEqual(names("T | where Name =~ 'alice'"), ['Alice']);
    assert.deepEqual(names("T | where Name in ('alice', 'bob')"), ['bob']);
    assert.deepEqual(names("T | where Name in~ ('alice', 'BOB')"), ['Alice', 'bob']);
    assert.deepEqual(names("T | where Name !in~ ('alice', 'BOB') and isnotempty(Name)"), ['CORP\\carol']);
  });

  it('runs has, contains, startswith, endswith ignoring case, and matches regex', () => {
    assert.deepEqual(names("T | where Name has 'carol'"), ['CORP\\carol']);
    assert.deepEqual(names("T | where Name has 'caro'"), []);
    assert.deepEqual(names("T | where Name contains 'LIC'"), ['Alice']);
    assert.deepEqual(names("T | where Name startswith 'corp\\\\'"), ['CORP\\carol']);
    assert.deepEqual(names("T | where Name startswith @'corp\\'"), ['CORP\\carol']);
    assert.deepEqual(names("T | where Name endswith 'OB'"), ['bob']);
    assert.deepEqual(names("T | where Name matches regex @'(?i)^a'"), ['Alice']);
    assert.deepEqual(names("T | where Name matches regex @'^a'"), []);
  });

  it('treats null as Kusto does: three-valued and/or, comparisons false under where', () => {
    assert.deepEqual(names('T | where N > 1'), ['bob', 'CORP\\carol']);
    assert.deepEqual(names('T | where not(N > 1)'), ['Alice']);
    assert.deepEqual(names('T | where coalesce(N > 1, false) == false'), ['Alice', '']);
    assert.deepEqual(names('T | where N > 1 or Name == \'\''), ['bob', 'CORP\\carol', '']);
    assert.deepEqual(names('T | where isempty(tostring(Bag.X))'), ['CORP\\carol', '']);
  });

  it('reads dynamic members by path and by bracket, and extracts from text', () => {
    assert.deepEqual(run("T | where tostring(Bag.X) == 'two' | project Name").map((r) => r['Name']), ['bob']);
    assert.deepEqual(run("T | where tostring(Bag['a b']) == 'spaced' | project Name").map((r) => r['Name']), ['Alice']);
    assert.deepEqual(run("T | extend P = extract(@'^(\\w+)\\\\', 1, Name) | where isnotempty(P) | project P").map((r) => r['P']), ['CORP']);
  });

  it('filters on ingestion_time() and between datetimes, and loses ingestion time after project', () => {
    assert.deepEqual(names(`T | where ingestion_time() >= datetime(2025-05-01T00:00:00.020Z) and ingestion_time() < datetime(2025-05-01T00:00:00.040Z)`), ['bob', 'CORP\\carol']);
    assert.deepEqual(names('T | where TimeGenerated between (datetime(2025-05-01T00:00:01Z) .. datetime(2025-05-01T00:00:02Z))'), ['bob', 'CORP\\carol']);
    const after = run('T | project Name | extend I = ingestion_time()');
    assert.ok(after.every((r) => r['I'] === null));
  });

  it('sorts descending by default and ascending when told, nulls first ascending', () => {
    assert.deepEqual(run('T | order by N').map((r) => r['N']), [3, 2, 1, null]);
    assert.deepEqual(run('T | order by N asc').map((r) => r['N']), [null, 1, 2, 3]);
    assert.deepEqual(run('T | order by N asc | take 2').map((r) => r['N']), [null, 1]);
  });

  it('unions parenthesised branches (fuzzy over a missing table) and summarizes count() by named keys', () => {
    const u = run("union isfuzzy=true (T | where N == 1 | project Src = 'T', Name), (U | project Src = 'U', Name), Missing");
    assert.deepEqual(u.map((r) => `${String(r['Src'])}:${String(r['Name'])}`), ['T:Alice', 'U:u1']);
    const s = run("T | summarize Count = count() by Big = N >= 2, Tag = 'x' | order by Big asc");
    assert.deepEqual(s.map((r) => [r['Big'], r['Tag'], r['Count']]), [[null, 'x', 1], [false, 'x', 1], [true, 'x', 2]]);
    assert.deepEqual(run('T | summarize count()').map((r) => r['count_']), [4]);
  });

  it('parses tolong from decimal and hex, and binary_and', () => {
    const [r] = run("T | where N == 1 | project A = tolong('0x1F'), B = tolong('12'), C = tolong('x'), D = binary_and(tolong('0x100'), 256), E = todouble('2.5')");
    assert.deepEqual(r, { A: 31, B: 12, C: null, D: 256, E: 2.5 });
  });

  it('tests IPv4 and IPv6 ranges', () => {
    const [r] = run("T | where N == 1 | project A = ipv4_is_in_range('10.1.2.3', '10.0.0.0/8'), B = ipv4_is_in_range('11.1.2.3', '10.0.0.0/8'), C = ipv6_is_in_range('fe80::1', 'fe80::/10'), D = ipv4_is_in_range('', '10.0.0.0/8')");
    assert.deepEqual(r, { A: true, B: false, C: true, D: null });
  });

  it('refuses what Log Analytics refuses, and what it cannot run', () => {
    assert.throws(() => run('T | where Nope == 1'), (e: unknown) => e instanceof KqlEvalError && e.code === 'SemanticError');
    assert.throws(() => run('T | where'), (e: unknown) => e instanceof KqlEvalError);
    assert.throws(() => run('T | join (U) on Name'), (e: unknown) => e instanceof KqlEvalError && e.code === 'Unsupported');
    assert.throws(() => run('Missing | take 1'), (e: unknown) => e instanceof KqlEvalError && e.code === 'SemanticError');
  });

  it('reads string literals as Kusto writes them', () => {
    assert.equal(parseString("@'a''b\\c'"), "a'b\\c");
    assert.equal(parseString('"a\\"b\\\\c\\n"'), 'a"b\\c\n');
    assert.equal(parseString("'it\\'s'"), "it's");
  });

  it('blanks datetime literals outside strings only (the analysis cache key)', () => {
    const b = blankDatetimes("T | where TimeGenerated > datetime(2025-01-01) and Name == 'datetime(x)' and Name == @'datetime(y)'");
    assert.deepEqual(b.dates, ['2025-01-01']);
    assert.ok(b.shape.includes("'datetime(x)'") && b.shape.includes("@'datetime(y)'"));
  });

  it('keeps the latest row per key with arg_max(TimeGenerated, *) by …, every column of it', () => {
    const dup: Row[] = [
      { TimeGenerated: new KDate(t0), Name: 'a', N: 1, Bag: null, _ItemId: '1', [INGESTION]: t0 },
      { TimeGenerated: new KDate(t0 + 5000), Name: 'a', N: 2, Bag: { v: 2 }, _ItemId: '2', [INGESTION]: t0 },
      { TimeGenerated: new KDate(t0 + 1000), Name: 'b', N: 3, Bag: null, _ItemId: '3', [INGESTION]: t0 },
    ];
    const r = run('T | summarize arg_max(TimeGenerated, *) by Name | order by Name asc', { T: dup });
    assert.deepEqual(r.map((x) => [x['Name'], x['N'], x['_ItemId']]), [['a', 2, '2'], ['b', 3, '3']]);
    assert.deepEqual(run('T | summarize arg_min(TimeGenerated, N) by Name | order by Name asc', { T: dup }).map((x) => [x['Name'], x['N']]), [['a', 1], ['b', 3]]);
    assert.equal(run('T | summarize arg_max(TimeGenerated, *) by Name', { T: dup }).every((x) => x[INGESTION] === undefined), true);
  });
});

import { strict as assert } from 'node:assert';
import { SplError, type Row } from './spl-eval';
import { runLookupSearch } from './spl-lookup';

const table: Row[] = [
  { _key: 'b', name: 'bob', score: '9.5', tags: ['x', 'y'] },
  { _key: 'a', name: 'Alice', score: '70' },
  { _key: 'c', name: 'alice', score: '70', upn: 'alice@corp.example' },
  { _key: 'd', name: '10', score: '1' },
];
const run = (spl: string): Row[] => runLookupSearch(spl, (name) => (name === 'people' ? table : undefined));

describe('the emulator\'s inputlookup searches', () => {
  it('sorts numbers numerically and strings by code point, uppercase first, as Splunk\'s sort does', () => {
    assert.deepEqual(run('| inputlookup people | sort 0 -num(score), +str(name)').map((r) => r['_key']), ['a', 'c', 'b', 'd']);
  });

  it('puts numbers before strings when a field holds both', () => {
    assert.deepEqual(run('| inputlookup people | sort name').map((r) => r['name']), ['10', 'Alice', 'alice', 'bob']);
  });

  it('numbers results in order with streamstats count', () => {
    assert.deepEqual(run('| inputlookup people | sort 0 -num(score), +str(name) | streamstats count AS rank | table rank name').map((r) => [r['rank'], r['name']]), [['1', 'Alice'], ['2', 'alice'], ['3', 'bob'], ['4', '10']]);
  });

  it('evaluates round, coalesce and if, and keeps only the fields table names', () => {
    const [row] = run('| inputlookup people where name="ALICE" | head 1 | eval s=round(score, 1), who=coalesce(upn, name), big=if(score=70, "yes", "no") | table s who big');
    assert.deepEqual(row, { s: '70', who: 'Alice', big: 'yes' });
  });

  it('filters with a where clause case-insensitively and with search expressions', () => {
    assert.deepEqual(run('| inputlookup people where name="alice"').map((r) => r['_key']), ['a', 'c']);
    assert.deepEqual(run('| inputlookup people | search upn="alice@*" OR name=bob').map((r) => r['_key']), ['b', 'c']);
  });

  it('expands a multivalue field into one result per value', () => {
    assert.deepEqual(run('| inputlookup people | mvexpand tags | rename tags AS tag | fields tag').map((r) => r['tag']), ['x', 'y']);
  });

  it('fails a lookup with no definition, and a command outside the subset, with Splunk\'s wording', () => {
    assert.throws(() => run('| inputlookup nobody'), (e: unknown) => e instanceof SplError && /The lookup table 'nobody' requires/.test(e.message));
    assert.throws(() => run('| inputlookup people | transpose'), /Unknown search command 'transpose'/);
  });
});

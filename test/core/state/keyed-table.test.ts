import { strict as assert } from 'node:assert';
import { KeyedTable, rowAt, type TableSpec } from '../../../core/state/keyed-table';
import { SavedReader } from '../../../core/state/saved-value';
import { StateInvalidError } from '../../../core/state/state-errors';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../../../core/state/saved-events';
import { DistinctWindow, SourceProfile } from '../../../core/estate/source-profile';

interface Row { hits: number; names: string[]; lastSeen: number }

function spec(horizonMs?: number): TableSpec<Row> {
  return {
    name: 'things',
    ...(horizonMs !== undefined ? { horizonMs } : {}),
    lastSeen: (r) => r.lastSeen,
    encode: (r) => [r.lastSeen, r.hits, r.names],
    decode(v, read, path) {
      const [lastSeen, hits, names] = read.tuple(v, path, 3);
      return { lastSeen: read.number(lastSeen, `${path}.0`), hits: read.count(hits, `${path}.1`), names: read.list(names, `${path}.2`, 3, (x, p) => read.string(x, p)) };
    },
  };
}

describe('keyed table', () => {
  it('round-trips its rows as tuples, in insertion order', () => {
    const t = new KeyedTable(spec());
    t.set('b', { hits: 2, names: ['x'], lastSeen: 20 });
    t.set('a', { hits: 1, names: [], lastSeen: 10 });
    const saved = JSON.parse(JSON.stringify(t.snapshot()));
    assert.deepEqual(saved, { keys: ['b', 'a'], rows: [[20, 2, ['x']], [10, 1, []]] });
    const again = new KeyedTable(spec(), saved, new SavedReader('detectors.test'));
    assert.deepEqual([...again.entries()], [...t.entries()]);
  });

  it('evicts at the state TTL, or at its own shorter horizon before the watermark', () => {
    const ttl = new KeyedTable(spec());
    const window = new KeyedTable(spec(60));
    for (const t of [ttl, window]) {
      t.set('old', { hits: 0, names: [], lastSeen: 100 });
      t.set('recent', { hits: 0, names: [], lastSeen: 950 });
      t.evict(50, 1000);
    }
    assert.deepEqual([...ttl.entries()].map(([k]) => k), ['old', 'recent'], 'a baseline lives for the TTL');
    assert.deepEqual([...window.entries()].map(([k]) => k), ['recent'], 'a window goes at its horizon');
    window.evict(960);
    assert.equal(window.size, 0, 'without a watermark the TTL cut applies');
  });

  it('refuses a bad snapshot naming the path of the first bad value', () => {
    const read = new SavedReader('detectors.test');
    const bad = (saved: unknown, path: RegExp): void => assert.throws(() => new KeyedTable(spec(), saved, read), (e: unknown) => e instanceof StateInvalidError && e.where === 'detectors.test' && path.test(e.key));
    bad([], /^things$/);
    bad({ keys: ['a'], rows: [] }, /^things$/);
    bad({ keys: [1], rows: [[1, 1, []]] }, /^things\.keys\.0$/);
    bad({ keys: ['a', 'a'], rows: [[1, 1, []], [1, 1, []]] }, /^things\.keys\.1$/);
    bad({ keys: ['a'], rows: [[1, -1, []]] }, /^things\.rows\.0\.1$/);
    bad({ keys: ['a'], rows: [[1, 1, ['a', 'b', 'c', 'd']]] }, /^things\.rows\.0\.2$/);
    bad({ keys: ['a'], rows: [[1, 1, [3]]] }, /^things\.rows\.0\.2\.0$/);
    bad({ keys: ['a'], rows: [{ lastSeen: 1, hits: 1, names: [] }] }, /^things\.rows\.0$/);
  });

  it('codes origins, accounts, windows and profiles compactly and checks them on the way back', () => {
    const read = new SavedReader('x');
    const o = { time: 5, host: 'DC01', eventId: 4771, recordId: null };
    assert.deepEqual(decodeOrigin(encodeOrigin(o), read, 'o'), o);
    const a = { name: 'alice', domain: 'CORP' };
    assert.deepEqual(decodeAccount(encodeAccount(a), read, 'a'), a);
    assert.throws(() => decodeAccount(['alice', null, 'not-a-sid'], read, 'a'), /a\.2 must be a SID/);
    const w = new DistinctWindow();
    w.touch('k1', 1, 100, 10);
    w.touch('k2', 2, 100, 10);
    assert.deepEqual(w.encode(), ['k1', 1, 'k2', 2]);
    assert.deepEqual(DistinctWindow.decode(w.encode(), read, 'w', 10).toJSON(), w.toJSON());
    assert.throws(() => DistinctWindow.decode(['k1', 2, 'k2', 1], read, 'w', 10), /w\.3 must not be before/);
    assert.throws(() => DistinctWindow.decode(['k1', 1, 'k2', 2], read, 'w', 1), /w must hold at most 2/);
    const p = new SourceProfile();
    p.observe(0, 3);
    p.observe(86_400_000, 7);
    p.remember('dc01', 0);
    assert.deepEqual(p.encode(), [[0, 3, 1, 7], ['dc01', 0]]);
    const back = SourceProfile.decode(JSON.parse(JSON.stringify(p.encode())), read, 'p');
    assert.deepEqual(back.toJSON(), p.toJSON());
    assert.equal(back.priorWidest(2 * 86_400_000), 7);
    assert.throws(() => SourceProfile.decode([[1, 3, 0, 7], []], read, 'p'), /p\.0\.2 days must ascend/);
  });

  it('makes a row when new and touches it either way (rowAt), and keeps last-touch order for capTo', () => {
    const t = new KeyedTable(spec());
    const a = rowAt(t, 'a', 5, () => ({ hits: 1, names: [], lastSeen: 5 }));
    rowAt(t, 'b', 6, () => ({ hits: 2, names: [], lastSeen: 6 }));
    assert.equal(rowAt(t, 'a', 9, () => assert.fail('not made twice')), a);
    assert.equal(a.lastSeen, 9);
    t.touch('a', a);
    t.capTo(1);
    assert.deepEqual([...t.entries()].map(([k]) => k), ['a'], 'the row touched longest ago goes first');
  });
});

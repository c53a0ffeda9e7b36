import { strict as assert } from 'node:assert';
import { fnv1a } from '../../../core/estate/accounts-today';
import { FrontEnds, LEARN_MIN_IDENTITIES, type FrontEndsSnapshot } from '../../../core/estate/front-ends';
import { StateInvalidError } from '../../../core/state/state-errors';

const DAY = 86_400_000;
const T = 20_000 * DAY;
const users = (n: number, prefix = 'user'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const day = (f: FrontEnds, source: string, at: number, accounts: readonly string[]): void => {
  accounts.forEach((a, i) => f.observeSuccess(source, a, at + i));
};

describe('front-ends (compact)', () => {
  it('learns a source after enough distinct accounts on two days, not on one', () => {
    const f = new FrontEnds([]);
    day(f, '10.0.0.5', T, users(LEARN_MIN_IDENTITIES));
    assert.equal(f.isFrontEnd({ ip: '10.0.0.5' }), false, 'one busy day is not enough');
    day(f, '10.0.0.5', T + DAY, users(LEARN_MIN_IDENTITIES));
    assert.equal(f.isFrontEnd({ ip: '10.0.0.5' }), true);
  });

  it('counts an account seen again the same day once', () => {
    const f = new FrontEnds([]);
    for (const d of [0, 1]) {
      day(f, 'adfs01', T + d * DAY, users(LEARN_MIN_IDENTITIES - 1));
      day(f, 'adfs01', T + d * DAY + 1_000, users(LEARN_MIN_IDENTITIES - 1));
    }
    assert.equal(f.isFrontEnd({ name: 'ADFS01.corp.example' }), false, '29 people, however often, stay under the bar');
  });

  it('starts a source\'s count afresh each day', () => {
    const f = new FrontEnds([]);
    for (let d = 0; d < 4; d++) day(f, '10.0.0.6', T + d * DAY, users(LEARN_MIN_IDENTITIES - 1, `d${d}-`));
    assert.equal(f.isFrontEnd({ ip: '10.0.0.6' }), false);
  });

  it('lets a source go once idle past the horizon, and keeps one seen since', () => {
    const f = new FrontEnds([]);
    day(f, '10.0.0.7', T, users(3));
    day(f, '10.0.0.8', T + 5 * DAY, users(3));
    f.evictIdle(T + DAY);
    assert.deepEqual(f.snapshot().keys, ['10.0.0.8']);
    day(f, '10.0.0.7', T + 6 * DAY, users(2));
    // Rows are in row order, and the freed row is reused: found by key, not by place.
    const snap = f.snapshot();
    const at = snap.keys.indexOf('10.0.0.7') * 4;
    assert.deepEqual([...snap.keys].sort(), ['10.0.0.7', '10.0.0.8']);
    assert.deepEqual(snap.rows.slice(at, at + 4), [Math.floor((T + 6 * DAY) / DAY), -1, -1, 2], 'a new row, not the old one revived');
  });

  it('at its bound of 100,000 sources drops a tenth, those seen longest ago first, and never a learned one', () => {
    const f = new FrontEnds([]);
    day(f, '10.9.0.1', T, users(LEARN_MIN_IDENTITIES));
    day(f, '10.9.0.1', T + DAY, users(LEARN_MIN_IDENTITIES));
    // The first sources to arrive, one of them busy again on the last day.
    for (let s = 0; s < 100; s++) f.observeSuccess(`early-${s}`, 'u', T);
    f.observeSuccess('early-7', 'u', T + 3 * DAY);
    for (let s = 0; s < 100_000 - 101; s++) f.observeSuccess(`src-${s}`, 'u', T + 2 * DAY);
    assert.equal(f.snapshot().keys.length, 100_000);
    f.observeSuccess('newcomer', 'u', T + 3 * DAY);
    const keys = new Set(f.snapshot().keys);
    assert.equal(keys.size, 100_000 - 10_000 + 1);
    assert.ok(keys.has('10.9.0.1') && f.isFrontEnd({ ip: '10.9.0.1' }), 'the learned front-end stays');
    assert.ok(keys.has('early-7'), 'an early source seen on the last day stays');
    assert.ok(!keys.has('early-0') && !keys.has('early-99'), 'the sources idle longest go first');
    assert.ok(keys.has('newcomer'));
    assert.equal([...keys].filter((k) => k.startsWith('src-')).length, 100_000 - 101 - (10_000 - 99));
  });

  it('round-trips through JSON, today\'s accounts and all', () => {
    const f = new FrontEnds([]);
    day(f, '10.0.0.5', T, users(LEARN_MIN_IDENTITIES));
    day(f, '10.0.0.5', T + DAY, users(LEARN_MIN_IDENTITIES));
    for (let s = 0; s < 200; s++) day(f, `10.1.0.${s}`, T + DAY, users(s % 5));
    day(f, '10.0.0.9', T + DAY, users(LEARN_MIN_IDENTITIES - 1));
    const snap = JSON.parse(JSON.stringify(f.snapshot())) as FrontEndsSnapshot;
    const back = new FrontEnds([], snap);
    assert.deepEqual(back.snapshot(), snap);
    assert.equal(back.isFrontEnd({ ip: '10.0.0.5' }), true);
    back.observeSuccess('10.0.0.9', 'user3', T + DAY + 100);
    assert.equal(back.snapshot().rows.at(-1), LEARN_MIN_IDENTITIES - 1, 'a known account is not counted again after restore');
    back.observeSuccess('10.0.0.9', 'someone-new', T + DAY + 100);
    assert.equal(back.snapshot().rows.at(-2), Math.floor((T + DAY) / DAY), 'the 30th account reached the bar');
  });

  it('hashes accounts with 32-bit FNV-1a', () => {
    // Reference values of FNV-1a 32 (draft-eastlake-fnv, test vectors).
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
  });

  it('refuses a bad snapshot whole, naming the key', () => {
    const good = (): Record<string, unknown[]> => ({ keys: ['10.0.0.5'], rows: [20_000, -1, 19_999, 2], accounts: [1, 2] });
    const refuses = (doc: unknown, re: RegExp): void => {
      assert.throws(() => new FrontEnds([], doc as FrontEndsSnapshot), (e: unknown) => e instanceof StateInvalidError && re.test(e.message), JSON.stringify(doc));
    };
    assert.doesNotThrow(() => new FrontEnds([], good() as unknown as FrontEndsSnapshot));
    refuses([['10.0.0.5', { day: 1, today: [], days: [] }]], /directory\.frontEnds must be \{"keys"/);
    refuses({ ...good(), rows: [20_000, -1, 19_999] }, /directory\.frontEnds\.rows must hold 4 numbers per key/);
    refuses({ ...good(), keys: [5] }, /directory\.frontEnds\.keys\[0\] must be a string/);
    refuses({ ...good(), rows: ['x', -1, 19_999, 2] }, /directory\.frontEnds\.rows\[0\] \(day of 10\.0\.0\.5\)/);
    refuses({ ...good(), rows: [20_000, 19_998, -1, 2] }, /directory\.frontEnds\.rows\[2\] \(barDay of 10\.0\.0\.5\)/);
    refuses({ ...good(), rows: [20_000, -1, 19_999, 30] }, /directory\.frontEnds\.rows\[3\] \(accountsToday of 10\.0\.0\.5\)/);
    refuses({ ...good(), accounts: [1, 1] }, /directory\.frontEnds\.accounts\[1\] \(an account of 10\.0\.0\.5\) repeats/);
    refuses({ ...good(), accounts: [1, 2 ** 32] }, /directory\.frontEnds\.accounts\[1\] \(an account of 10\.0\.0\.5\) must be a 32-bit/);
    refuses({ ...good(), accounts: [1, 2, 3] }, /directory\.frontEnds\.accounts must hold the 2 accounts the rows count/);
  });
});

import { strict as assert } from 'node:assert';
import { CountedStrings } from '../../../core/estate/string-pool';

describe('counted strings (the logon sessions\' pool)', () => {
  it('holds a string while any row names it, and lets it go with the last', () => {
    const p = new CountedStrings();
    const a = p.acquire('alice');
    assert.equal(p.acquire('alice'), a, 'one id however many rows name it');
    p.release(a);
    assert.equal(p.text(a), 'alice', 'one row still names it');
    p.release(a);
    assert.equal(p.find('alice'), 0);
    assert.equal(p.text(a), undefined);
    assert.equal(p.size, 0);
  });

  it('reuses the id of a string let go, and grows past its first room', () => {
    const p = new CountedStrings();
    const ids = Array.from({ length: 3_000 }, (_, i) => p.acquire(`s${i}`));
    assert.equal(p.text(ids[2_999] as number), 's2999');
    p.release(ids[7] as number);
    assert.equal(p.acquire('new'), ids[7]);
    assert.equal(p.size, 3_000);
    p.release(0);
    assert.equal(p.size, 3_000, 'id 0 (absent) names nothing');
  });

  it('gives back a name outside ASCII as it was acquired', () => {
    const p = new CountedStrings();
    const names = ['jürgen', '用户', 'ADMIN$', 'jurgen'];
    const ids = names.map((n) => p.acquire(n));
    assert.equal(new Set(ids).size, 4, 'one id per distinct string');
    assert.deepEqual(ids.map((id) => p.text(id)), names);
    assert.equal(p.find('jürgen'), ids[0]);
  });

  it('keeps a string acquired again after its last row let it go', () => {
    const p = new CountedStrings();
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 2_000 }, (_, i) => p.acquire(`host${i}`));
      assert.equal(p.text(ids[1_999] as number), 'host1999');
      for (const id of ids) p.release(id);
      assert.equal(p.size, 0);
      assert.equal(p.find('host5'), 0);
    }
  });
});

import { strict as assert } from 'node:assert';
import { NameRids } from '../../../core/estate/name-rids';

describe('name RIDs (the RID each name was last seen with, per domain)', () => {
  it('keeps one RID per domain and name, the last one set', () => {
    const r = new NameRids();
    assert.equal(r.set(0, 7, 1105), true);
    assert.equal(r.set(0, 7, 1200), false, 'the same entry, a new RID');
    assert.equal(r.get(0, 7), 1200);
    assert.equal(r.get(1, 7), undefined);
    assert.equal(r.size, 1);
  });

  it('keeps the same name in two domains apart', () => {
    const r = new NameRids();
    r.set(0, 7, 1105);
    assert.equal(r.set(1, 7, 2210), true);
    assert.equal(r.get(0, 7), 1105);
    assert.equal(r.get(1, 7), 2210);
    assert.deepEqual(r.entries(), [[0, 7, 1105], [1, 7, 2210]]);
  });

  it('holds an entry once when the domain that had its name first lets it go', () => {
    const r = new NameRids();
    r.set(0, 7, 1105);
    r.set(1, 7, 2210);
    assert.equal(r.delete(0, 7), true);
    assert.equal(r.set(1, 7, 2211), false, 'still the second domain\'s entry');
    assert.deepEqual(r.entries(), [[1, 7, 2211]]);
    assert.equal(r.delete(1, 7), true);
    assert.equal(r.delete(1, 7), false);
    assert.equal(r.size, 0);
    assert.deepEqual(r.entries(), []);
  });

  it('grows past its first columns', () => {
    const r = new NameRids();
    for (let name = 0; name < 5_000; name += 3) r.set(2, name, 1000 + name);
    assert.equal(r.get(2, 4_998), 5_998);
    assert.equal(r.size, 1_667);
  });
});

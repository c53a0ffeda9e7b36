import { strict as assert } from 'node:assert';
import { TextIndex } from '../../../core/estate/text-index';

describe('text index (the account key pool\'s text keys by their text)', () => {
  it('finds an id by the text the pool holds for it, and no other', () => {
    const texts: (string | undefined)[] = ['sam:alice', undefined, 'upn:alice@corp.example'];
    const index = new TextIndex(texts);
    index.add(0);
    index.add(2);
    assert.equal(index.find('sam:alice'), 0);
    assert.equal(index.find(`upn:${'alice'}@corp.example`), 2, 'a string built at run time is found by its text');
    assert.equal(index.find('sam:bob'), undefined);
  });

  it('keeps every other text findable as ids are deleted and their ids reused', () => {
    const texts: (string | undefined)[] = [];
    const index = new TextIndex(texts);
    for (let id = 0; id < 20_000; id++) {
      texts.push(`sam:user${id}`);
      index.add(id);
    }
    for (let id = 0; id < 20_000; id += 3) {
      index.delete(id);
      texts[id] = undefined;
    }
    for (let id = 0; id < 20_000; id += 6) {
      texts[id] = `sam:new${id}`;
      index.add(id);
    }
    assert.equal(index.size, 20_000 - Math.ceil(20_000 / 3) + Math.ceil(20_000 / 6));
    for (let id = 0; id < 20_000; id++) {
      if (id % 3 !== 0) assert.equal(index.find(`sam:user${id}`), id);
      else assert.equal(index.find(`sam:user${id}`), undefined);
      if (id % 6 === 0) assert.equal(index.find(`sam:new${id}`), id);
    }
  });
});

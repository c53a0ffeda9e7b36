import { strict as assert } from 'node:assert';
import { AccountKeys, KEY_KIND, splitSid } from '../../../core/estate/account-keys';
import { AccountTable } from '../../../core/estate/account-table';
import { NameSidPairs } from '../../../core/estate/name-sid-pairs';

const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';
const DAY = 86_400_000;

describe('account keys', () => {
  it('interns a key once and gives every holder the same id', () => {
    const keys = new AccountKeys();
    const a = keys.acquire('sam:jdoe');
    assert.equal(keys.acquire('sam:jdoe'), a);
    assert.equal(keys.find('sam:jdoe'), a);
    assert.equal(keys.kind(a), KEY_KIND.sam);
    assert.equal(keys.size, 1);
  });

  it('keeps a SID as its domain prefix and RID, and gives its text back', () => {
    const keys = new AccountKeys();
    const id = keys.acquire(`sid:${DOMAIN}-1105`);
    assert.deepEqual(keys.sidParts(id), { domain: 0, rid: 1105 });
    assert.equal(keys.text(id), `sid:${DOMAIN}-1105`);
    assert.equal(keys.value(id), `${DOMAIN}-1105`);
    assert.equal(keys.findSid(`${DOMAIN}-1105`), id);
    assert.equal(keys.find(`sid:${DOMAIN}-1105`), id);
    const other = keys.acquire(`sid:${DOMAIN}-1106`);
    assert.equal(keys.sidParts(other).domain, 0, 'one domain prefix for both');
  });

  it('keeps a SID whose tail is no RID as text, so its text round-trips', () => {
    assert.equal(splitSid('S-1-5-21-1-2-3-0105', 0), undefined);
    assert.equal(splitSid('S-1-5-21-1-2-3-99999999999', 0), undefined);
    const keys = new AccountKeys();
    const id = keys.acquire('sid:S-1-5-21-1-2-3-0105');
    assert.equal(keys.text(id), 'sid:S-1-5-21-1-2-3-0105');
    assert.equal(keys.sidParts(id).domain, -1);
  });

  it('frees a key when its last holder releases it, and reuses the id', () => {
    const keys = new AccountKeys();
    const a = keys.acquire(`sid:${DOMAIN}-1105`);
    keys.retain(a);
    keys.release(a);
    assert.equal(keys.find(`sid:${DOMAIN}-1105`), a, 'one holder left');
    keys.release(a);
    assert.equal(keys.find(`sid:${DOMAIN}-1105`), undefined);
    assert.equal(keys.size, 0);
    assert.equal(keys.acquire('upn:jdoe@corp.example'), a);
  });

  it('grows past its first capacity', () => {
    const keys = new AccountKeys();
    const ids = Array.from({ length: 3000 }, (_, i) => keys.acquire(`sid:${DOMAIN}-${i + 1}`));
    assert.equal(keys.size, 3000);
    assert.equal(keys.text(ids[2999] as number), `sid:${DOMAIN}-3000`);
  });
});

describe('account table', () => {
  it('links keys to a row in order and frees them with the row', () => {
    const t = new AccountTable();
    const row = t.createRow(1, 10);
    t.addKey(row, `sid:${DOMAIN}-1105`);
    t.addKey(row, 'sam:jdoe');
    assert.deepEqual(t.keyTexts(row), [`sid:${DOMAIN}-1105`, 'sam:jdoe']);
    assert.equal(t.ownerOf(t.keys.find('sam:jdoe')), row);
    t.freeRow(row);
    assert.equal(t.keys.size, 0);
    assert.equal(t.isLive(row), false);
    assert.equal(t.createRow(2, 20), row, 'the row is reused');
  });

  it('moves a merged row\'s keys to the survivor up to the cap, releasing the rest', () => {
    const t = new AccountTable();
    const into = t.createRow(1, 0);
    const from = t.createRow(2, 0);
    t.addKey(into, 'sam:a');
    t.addKey(from, 'sam:b');
    t.addKey(from, 'sam:c');
    t.moveKeys(from, into, 2);
    assert.deepEqual(t.keyTexts(into), ['sam:a', 'sam:b']);
    assert.equal(t.keys.find('sam:c'), undefined);
    assert.equal(t.ownerOf(t.keys.find('sam:b')), into);
  });
});

describe('name↔SID pairs', () => {
  it('shares the SID key with the identity that holds it, and keeps the name as written', () => {
    const t = new AccountTable();
    const pairs = new NameSidPairs(t.keys);
    const row = t.createRow(1, 0);
    const sidKey = t.addKey(row, `sid:${DOMAIN}-1105`);
    pairs.set(`${DOMAIN}-1105`, 'JDoe', 5);
    const pair = pairs.find(`${DOMAIN}-1105`);
    assert.equal(pair, sidKey);
    assert.equal(pairs.name(pair as number), 'JDoe');
    assert.equal(pairs.sameName(pair as number, 'jdoe'), true);
    assert.equal(pairs.sameName(pair as number, 'jdoe2'), false);
    assert.equal(pairs.ridOf(DOMAIN, 'jdoe'), '1105');
    t.freeRow(row);
    assert.equal(pairs.find(`${DOMAIN}-1105`), pair, 'the pair still holds its SID');
  });

  it('frees the old name on a rename, so a new account may take it', () => {
    const pairs = new NameSidPairs(new AccountKeys());
    pairs.set(`${DOMAIN}-500`, 'Administrator', 0);
    pairs.set(`${DOMAIN}-500`, 'wardog', 1);
    assert.equal(pairs.ridOf(DOMAIN, 'administrator'), undefined);
    assert.equal(pairs.ridOf(DOMAIN, 'wardog'), '500');
    assert.equal(pairs.name(pairs.find(`${DOMAIN}-500`) as number), 'wardog');
    assert.equal(pairs.size, 1);
  });

  it('forgets pairs idle before the horizon, name, SID and RID together, and frees their keys', () => {
    const keys = new AccountKeys();
    const pairs = new NameSidPairs(keys);
    pairs.set(`${DOMAIN}-1105`, 'WS01$', 0);
    pairs.set(`${DOMAIN}-1106`, 'bob', 40 * DAY);
    pairs.evictBefore(10 * DAY);
    assert.equal(pairs.find(`${DOMAIN}-1105`), undefined);
    assert.equal(pairs.ridOf(DOMAIN, 'ws01$'), undefined);
    assert.equal(pairs.ridOf(DOMAIN, 'bob'), '1106');
    assert.equal(pairs.name(pairs.find(`${DOMAIN}-1106`) as number), 'bob');
    assert.equal(keys.size, 2, 'the SID and name keys of bob only');
  });

  it('keeps the RID a newer account taught when an older pair with the same name goes', () => {
    const pairs = new NameSidPairs(new AccountKeys());
    pairs.set(`${DOMAIN}-1105`, 'jdoe', 0);
    pairs.set(`${DOMAIN}-2105`, 'jdoe', 20 * DAY);
    pairs.evictBefore(10 * DAY);
    assert.equal(pairs.ridOf(DOMAIN, 'jdoe'), '2105');
  });
});

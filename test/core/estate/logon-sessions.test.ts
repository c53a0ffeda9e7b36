import { strict as assert } from 'node:assert';
import { LogonSessions, type LogonSessionsSnapshot } from '../../../core/estate/logon-sessions';
import { StateInvalidError } from '../../../core/state/state';

const T = 1_700_000_000_000;
const fill = (s: LogonSessions, from: number, to: number): void => {
  for (let i = from; i < to; i++) s.set(`dc01|0x${i.toString(16)}`, T + i, `user${i % 7}`, i % 2 ? `10.0.0.${i % 5}` : undefined, i % 3 ? undefined : `WS${i % 4}`, i % 2 ? 3 : undefined);
};
const key = (i: number): string => `dc01|0x${i.toString(16)}`;

describe('logon sessions (compact)', () => {
  it('gives back every field as recorded, absent ones absent', () => {
    const s = new LogonSessions(100);
    s.set('dc01|0x1', T, 'alice', '10.0.0.9', 'WS1', 3);
    s.set('dc01|0x2', T + 1, 'bob', undefined, undefined, undefined);
    assert.deepEqual(s.get('dc01|0x1'), { account: 'alice', time: T, ip: '10.0.0.9', workstation: 'WS1', logonType: 3 });
    assert.deepEqual(s.get('dc01|0x2'), { account: 'bob', time: T + 1 });
    assert.equal(s.get('dc01|0x3'), undefined);
  });

  it('keeps the newest at its bound, across growth and wrap-around of the ring', () => {
    const s = new LogonSessions(5_000);
    fill(s, 0, 12_345);
    assert.ok(s.size <= 5_000 && s.size >= 4_500, `size ${s.size}`);
    assert.equal(s.get(key(0)), undefined);
    for (let i = 12_345 - s.size; i < 12_345; i++) assert.equal(s.get(key(i))?.time, T + i, key(i));
    assert.equal(s.get(key(12_345 - s.size - 1)), undefined, 'exactly the oldest went');
  });

  it('drops by age from the oldest end', () => {
    const s = new LogonSessions(100);
    fill(s, 0, 10);
    s.dropBefore(T + 5);
    assert.equal(s.get(key(4)), undefined);
    assert.equal(s.get(key(5))?.time, T + 5);
    assert.equal(s.size, 5);
  });

  it('keeps a logon id seen again in its place in age order, as a Map would', () => {
    const s = new LogonSessions(10);
    fill(s, 0, 10);
    s.set(key(0), T + 20, 'again', undefined, undefined, 2);
    assert.equal(s.get(key(0))?.account, 'again');
    s.set(key(10), T + 21, 'new', undefined, undefined, 3);
    assert.equal(s.get(key(0)), undefined, 'still the oldest: the bound dropped it first');
    assert.equal(s.get(key(1))?.time, T + 1);
    assert.equal(s.size, 10);
  });

  it('keeps its strings right when the pool is rebuilt after many drops', () => {
    const s = new LogonSessions(3_000);
    for (let i = 0; i < 20_000; i++) s.set(key(i), T + i, `user${i}`, `10.1.${i % 256}.${i % 7}`, `WS${i}`, 3);
    for (let i = 20_000 - s.size; i < 20_000; i++) assert.deepEqual(s.get(key(i)), { account: `user${i}`, time: T + i, ip: `10.1.${i % 256}.${i % 7}`, workstation: `WS${i}`, logonType: 3 });
    const snap = s.snapshot();
    assert.ok(snap.strings.length <= 3 * s.size, 'the snapshot holds only live strings');
  });

  it('round-trips through JSON, order and all, with each string once', () => {
    const s = new LogonSessions(1_000);
    fill(s, 0, 1_500);
    const snap = JSON.parse(JSON.stringify(s.snapshot())) as LogonSessionsSnapshot;
    assert.equal(new Set(snap.strings).size, snap.strings.length);
    const back = new LogonSessions(1_000, snap);
    assert.deepEqual(back.snapshot(), snap);
    for (const k of snap.keys) assert.deepEqual(back.get(k), s.get(k), k);
    back.dropBefore(T + 1_400);
    assert.equal(back.size, 100, 'restored in age order');
  });

  it('refuses a bad snapshot whole, naming the key', () => {
    const good = (): { strings: unknown[]; keys: unknown[]; rows: unknown[] } => ({ strings: ['alice', '10.0.0.9'], keys: ['dc01|0x1'], rows: [T, 1, 2, 0, 3] });
    const refuses = (doc: unknown, re: RegExp): void => {
      assert.throws(() => new LogonSessions(10, doc as LogonSessionsSnapshot), (e: unknown) => e instanceof StateInvalidError && re.test(e.message), String(JSON.stringify(doc)));
    };
    assert.doesNotThrow(() => new LogonSessions(10, good() as LogonSessionsSnapshot));
    refuses([], /directory\.sessions must be/);
    refuses({ ...good(), rows: [T, 1, 2, 0] }, /directory\.sessions\.rows must hold 5 numbers per key/);
    refuses({ ...good(), rows: ['x', 1, 2, 0, 3] }, /directory\.sessions\.rows\[0\] \(time of dc01\|0x1\)/);
    refuses({ ...good(), rows: [T, 0, 2, 0, 3] }, /rows\[1\] \(account of dc01\|0x1\)/);
    refuses({ ...good(), rows: [T, 1, 9, 0, 3] }, /rows\[2\] \(ip of dc01\|0x1\)/);
    refuses({ ...good(), rows: [T, 1, 2, 0.5, 3] }, /rows\[3\] \(workstation/);
    refuses({ ...good(), rows: [T, 1, 2, 0, 'x'] }, /rows\[4\] \(logonType/);
    refuses({ ...good(), strings: ['alice', 7] }, /directory\.sessions\.strings\[1\] must be a string/);
    refuses({ ...good(), keys: ['a', 'a'], rows: [T, 1, 2, 0, 3, T, 1, 2, 0, 3] }, /directory\.sessions\.keys must be distinct/);
  });
});

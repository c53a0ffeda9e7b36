import { strict as assert } from 'node:assert';
import { formatLogonId, LogonSessions, parseLogonId, type LogonSessionsSnapshot } from '../../../core/estate/logon-sessions';
import { StateInvalidError } from '../../../core/state/state';

const T = 1_700_000_000_000;
const id = (i: number): string => `0x${i.toString(16)}`;
const fill = (s: LogonSessions, from: number, to: number): void => {
  for (let i = from; i < to; i++) s.set('dc01', id(i), T + i, `user${i % 7}`, i % 2 ? `10.0.0.${i % 5}` : undefined, i % 3 ? undefined : `WS${i % 4}`, i % 2 ? 3 : undefined);
};

describe('logon sessions (compact)', () => {
  it('gives back every field as recorded, absent ones absent', () => {
    const s = new LogonSessions(100);
    s.set('dc01', '0x1', T, 'alice', '10.0.0.9', 'WS1', 3);
    s.set('dc01', '0x2', T + 1, 'bob', undefined, undefined, undefined);
    assert.deepEqual(s.get('dc01', '0x1'), { account: 'alice', time: T, ip: '10.0.0.9', workstation: 'WS1', logonType: 3 });
    assert.deepEqual(s.get('dc01', '0x2'), { account: 'bob', time: T + 1 });
    assert.equal(s.get('dc01', '0x3'), undefined);
  });

  it('keeps the newest at its bound, across growth and wrap-around of the ring', () => {
    const s = new LogonSessions(5_000);
    fill(s, 0, 12_345);
    assert.ok(s.size <= 5_000 && s.size >= 4_500, `size ${s.size}`);
    assert.equal(s.get('dc01', id(0)), undefined);
    for (let i = 12_345 - s.size; i < 12_345; i++) assert.equal(s.get('dc01', id(i))?.time, T + i, id(i));
    assert.equal(s.get('dc01', id(12_345 - s.size - 1)), undefined, 'exactly the oldest went');
  });

  it('drops by age from the oldest end', () => {
    const s = new LogonSessions(100);
    fill(s, 0, 10);
    s.dropBefore(T + 5);
    assert.equal(s.get('dc01', id(4)), undefined);
    assert.equal(s.get('dc01', id(5))?.time, T + 5);
    assert.equal(s.size, 5);
  });

  it('keeps a logon id seen again in its place in age order, as a Map would', () => {
    const s = new LogonSessions(10);
    fill(s, 0, 10);
    s.set('dc01', id(0), T + 20, 'again', undefined, undefined, 2);
    assert.equal(s.get('dc01', id(0))?.account, 'again');
    s.set('dc01', id(10), T + 21, 'new', undefined, undefined, 3);
    assert.equal(s.get('dc01', id(0)), undefined, 'still the oldest: the bound dropped it first');
    assert.equal(s.get('dc01', id(1))?.time, T + 1);
    assert.equal(s.size, 10);
  });

  it('keeps its strings right while dropped sessions let theirs go', () => {
    const s = new LogonSessions(3_000);
    for (let i = 0; i < 20_000; i++) s.set('dc01', id(i), T + i, `user${i}`, `10.1.${i % 256}.${i % 7}`, `WS${i}`, 3);
    for (let i = 20_000 - s.size; i < 20_000; i++) assert.deepEqual(s.get('dc01', id(i)), { account: `user${i}`, time: T + i, ip: `10.1.${i % 256}.${i % 7}`, workstation: `WS${i}`, logonType: 3 });
    const snap = s.snapshot();
    assert.ok(snap.strings.length <= 3 * s.size + 1, 'the snapshot holds only live strings');
  });

  it('round-trips through JSON, order and all, with each string once', () => {
    const s = new LogonSessions(1_000);
    fill(s, 0, 1_500);
    const snap = JSON.parse(JSON.stringify(s.snapshot())) as LogonSessionsSnapshot;
    assert.equal(new Set(snap.strings).size, snap.strings.length);
    const back = new LogonSessions(1_000, snap);
    assert.deepEqual(back.snapshot(), snap);
    for (let i = 0; i < 1_500; i++) assert.deepEqual(back.get('dc01', id(i)), s.get('dc01', id(i)), id(i));
    back.dropBefore(T + 1_400);
    assert.equal(back.size, 100, 'restored in age order');
  });

  it('refuses a bad snapshot whole, naming the key', () => {
    const good = (): { strings: unknown[]; rows: unknown[] } => ({ strings: ['dc01', 'alice', '10.0.0.9'], rows: [1, 0, 1, T, 2, 3, 0, 3] });
    const refuses = (doc: unknown, re: RegExp): void => {
      assert.throws(() => new LogonSessions(10, doc as LogonSessionsSnapshot), (e: unknown) => e instanceof StateInvalidError && re.test(e.message), String(JSON.stringify(doc)));
    };
    assert.doesNotThrow(() => new LogonSessions(10, good() as LogonSessionsSnapshot));
    refuses([], /directory\.sessions must be/);
    refuses({ strings: ['dc01'], keys: ['dc01|0x1'] }, /directory\.sessions must be \{"strings"/);
    refuses({ ...good(), rows: [1, 0, 1, T, 2, 3, 0] }, /directory\.sessions\.rows must hold 8 numbers per session/);
    refuses({ ...good(), rows: [0, 0, 1, T, 2, 3, 0, 3] }, /rows\[0\] \(host of session 0\)/);
    refuses({ ...good(), rows: [1, 2 ** 32, 1, T, 2, 3, 0, 3] }, /rows\[1\] \(logonIdHigh of session 0\)/);
    refuses({ ...good(), rows: [1, -1, 9, T, 2, 3, 0, 3] }, /rows\[2\] \(logonIdLow of session 0\) must be a string id/);
    refuses({ ...good(), rows: [1, 0, 1, 'x', 2, 3, 0, 3] }, /rows\[3\] \(time of session 0\)/);
    refuses({ ...good(), rows: [1, 0, 1, T, 0, 3, 0, 3] }, /rows\[4\] \(account of session 0\)/);
    refuses({ ...good(), rows: [1, 0, 1, T, 2, 9, 0, 3] }, /rows\[5\] \(ip of session 0\)/);
    refuses({ ...good(), rows: [1, 0, 1, T, 2, 3, 0.5, 3] }, /rows\[6\] \(workstation/);
    refuses({ ...good(), rows: [1, 0, 1, T, 2, 3, 0, 'x'] }, /rows\[7\] \(logonType/);
    refuses({ ...good(), strings: ['dc01', 7] }, /directory\.sessions\.strings\[1\] must be a string/);
    refuses({ ...good(), rows: [1, 0, 1, T, 2, 3, 0, 3, 1, 0, 1, T, 2, 3, 0, 3] }, /rows\[10\] \(logonIdLow of session 1\) repeats the session dc01\|0x1/);
  });

  it('holds a 64-bit logon id as its two halves, and any other text as text', () => {
    const s = new LogonSessions(10);
    s.set('dc01', '0x1ffffffff', T, 'high', undefined, undefined, 3);
    s.set('dc01', '0xffffffff', T, 'low', undefined, undefined, 3);
    s.set('dc01', '0x00ff', T, 'padded', undefined, undefined, 3);
    s.set('dc02', '0xff', T, 'other host', undefined, undefined, 3);
    s.set('dc01', 'session-7', T, 'text', undefined, undefined, 3);
    assert.equal(s.get('dc01', '0x1ffffffff')?.account, 'high');
    assert.equal(s.get('dc01', '0xffffffff')?.account, 'low');
    assert.equal(s.get('dc01', '0xff'), undefined, 'a padded spelling stays its own key, as before');
    assert.equal(s.get('dc01', '0x00ff')?.account, 'padded');
    assert.equal(s.get('dc02', '0xff')?.account, 'other host');
    assert.equal(s.get('dc01', 'session-7')?.account, 'text');
    assert.equal(s.get('dc03', '0xff'), undefined);
    const back = new LogonSessions(10, JSON.parse(JSON.stringify(s.snapshot())) as LogonSessionsSnapshot);
    assert.deepEqual(back.snapshot(), s.snapshot());
    assert.equal(back.get('dc01', '0x1ffffffff')?.account, 'high');
    assert.equal(back.get('dc01', 'session-7')?.account, 'text');
    assert.deepEqual(parseLogonId('0xfedcba9876543210'), [0xfedcba98 | 0, 0x76543210]);
    assert.equal(formatLogonId(0xfedcba98 | 0, 0x76543210), '0xfedcba9876543210');
    assert.equal(parseLogonId('0x10000000000000000'), undefined, 'more than 64 bits is text');
  });

  it('finds every session after many drops at the horizon rebuilt its index', () => {
    const s = new LogonSessions(1_000);
    for (let i = 0; i < 50_000; i++) {
      s.set(`dc${i % 3}`, id(i), T + i, 'u', undefined, undefined, 3);
      if (i % 100 === 99) s.dropBefore(T + i - 500);
    }
    assert.ok(s.size <= 501, `size ${s.size}`);
    for (let i = 50_000 - s.size; i < 50_000; i++) assert.equal(s.get(`dc${i % 3}`, id(i))?.time, T + i, id(i));
    assert.equal(s.get('dc0', id(50_000 - s.size - 3)), undefined);
  });
});

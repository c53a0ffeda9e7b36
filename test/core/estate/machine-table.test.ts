import { strict as assert } from 'node:assert';
import { formatIpv4, parseIpv4 } from '../../../core/estate/ipv4-number';
import { MachineTable, type MachineTableSnapshot } from '../../../core/estate/machine-table';
import { daysOf } from '../../../core/state/day-bits';
import { StateInvalidError } from '../../../core/state/state-errors';

const DAY = 86_400_000;
const T = Date.UTC(2024, 2, 1);
const day = (t: number): number => Math.floor(t / DAY);

describe('machine table (compact)', () => {
  it('keeps at most four addresses, first one first, each with its days', () => {
    const m = new MachineTable();
    m.observe('ws1', '10.0.0.1', T);
    m.observe('ws1', 'fe80::1', T + DAY);
    m.observe('ws1', '10.0.0.1', T + 2 * DAY);
    for (let i = 3; i <= 6; i++) m.observe('ws1', `10.0.0.${i}`, T + 3 * DAY);
    assert.deepEqual(m.addresses('ws1').map((a) => a.ip), ['10.0.0.1', 'fe80::1', '10.0.0.3', '10.0.0.4']);
    const first = m.addresses('ws1')[0];
    assert.deepEqual(daysOf(first?.days ?? 0), [day(T), day(T) + 2]);
    assert.equal(first?.firstSeen, T);
    assert.equal(first?.lastSeen, T + 2 * DAY);
    assert.equal(m.firstSeenOf('ws1'), T);
  });

  it('trusts the first address, and another only once used on enough days', () => {
    const m = new MachineTable();
    m.observe('ws1', '10.0.0.1', T);
    m.observe('ws1', '10.0.0.2', T);
    m.observe('ws1', '10.0.0.2', T + DAY);
    assert.deepEqual(m.trustedAddresses('ws1', 3), ['10.0.0.1']);
    m.observe('ws1', '10.0.0.2', T + 2 * DAY);
    assert.deepEqual(m.trustedAddresses('ws1', 3), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(m.trustedAddresses('ws2', 3), []);
  });

  it('lets idle addresses go at the horizon, keeps the machine\'s first sighting, and reuses the freed room', () => {
    const m = new MachineTable();
    m.observe('ws1', '10.0.0.1', T);
    m.observe('ws1', 'fe80::2', T);
    m.observe('ws1', '10.0.0.3', T + 10 * DAY);
    m.observe('ws2', '10.0.0.9', T);
    m.evictIdle(T + DAY);
    assert.deepEqual(m.addresses('ws1').map((a) => a.ip), ['10.0.0.3'], 'the idle ones went, the chain relinked');
    assert.equal(m.firstSeenOf('ws1'), T);
    assert.equal(m.firstSeenOf('ws2'), undefined, 'idle since before the horizon');
    assert.equal(m.size, 1);
    m.observe('ws3', 'fe80::3', T + 11 * DAY);
    m.observe('ws1', '10.0.0.4', T + 11 * DAY);
    assert.deepEqual(m.addresses('ws3').map((a) => a.ip), ['fe80::3']);
    assert.deepEqual(m.addresses('ws1').map((a) => a.ip), ['10.0.0.3', '10.0.0.4']);
  });

  it('round-trips through JSON, order and all, across growth', () => {
    const m = new MachineTable();
    for (let i = 0; i < 300; i++) {
      m.observe(`ws${i}`, `10.1.${i % 256}.${i % 7}`, T + i);
      if (i % 3 === 0) m.observe(`ws${i}`, `2001:db8::${i}`, T + DAY + i);
    }
    const snap = JSON.parse(JSON.stringify(m.snapshot())) as MachineTableSnapshot;
    const back = new MachineTable(snap);
    assert.deepEqual(back.snapshot(), snap);
    for (let i = 0; i < 300; i += 37) assert.deepEqual(back.addresses(`ws${i}`), m.addresses(`ws${i}`));
  });

  it('holds an IPv4 address as its number, only in the form that formats back the same', () => {
    assert.equal(parseIpv4('10.16.106.100'), 0x0a106a64);
    assert.equal(formatIpv4(0xffffffff), '255.255.255.255');
    assert.equal(parseIpv4('010.1.1.1'), undefined, 'a leading zero stays text');
    assert.equal(parseIpv4('256.1.1.1'), undefined);
    assert.equal(parseIpv4('0.0.0.0'), 0);
    for (const bad of ['1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.', '.1.2.3', 'a.b.c.d', '::ffff:10.0.0.1', '1.2.3.4 ', '1000.1.1.1']) assert.equal(parseIpv4(bad), undefined, bad);
    for (let i = 0; i < 2 ** 32; i += 16_777_259) assert.equal(parseIpv4(formatIpv4(i)), i);
    const m = new MachineTable();
    m.observe('ws1', '010.1.1.1', T);
    assert.deepEqual(m.addresses('ws1').map((a) => a.ip), ['010.1.1.1']);
  });

  it('refuses a bad snapshot whole, naming the key', () => {
    const good = (): Record<string, unknown[]> => ({ keys: ['ws1'], rows: [T, T, 1], ips: ['10.0.0.1'], addressRows: [T, T, 1] });
    const refuses = (doc: unknown, re: RegExp): void => {
      assert.throws(() => new MachineTable(doc as MachineTableSnapshot), (e: unknown) => e instanceof StateInvalidError && re.test(e.message), JSON.stringify(doc));
    };
    assert.doesNotThrow(() => new MachineTable(good() as unknown as MachineTableSnapshot));
    refuses([['ws1', {}]], /directory\.machines must be \{"keys"/);
    refuses({ ...good(), rows: [T, T] }, /directory\.machines\.rows must hold 3 numbers per key/);
    refuses({ ...good(), keys: [7] }, /directory\.machines\.keys\[0\] must be a string/);
    refuses({ ...good(), keys: ['ws1', 'ws1'], rows: [T, T, 0, T, T, 1] }, /directory\.machines\.keys\[1\] repeats "ws1"/);
    refuses({ ...good(), rows: ['x', T, 1] }, /directory\.machines\.rows\[0\] \(firstSeen of ws1\)/);
    refuses({ ...good(), rows: [T, T, 5] }, /directory\.machines\.rows\[2\] \(addresses of ws1\) must be an integer from 0 to 4/);
    refuses({ ...good(), ips: [''] }, /directory\.machines\.ips\[0\]/);
    refuses({ ...good(), addressRows: [T, T, -1] }, /directory\.machines\.addressRows\[2\] \(days of 10\.0\.0\.1 of ws1\)/);
    refuses({ ...good(), ips: ['10.0.0.1', '10.0.0.2'], addressRows: [T, T, 1, T, T, 1] }, /directory\.machines\.ips must hold the 1 addresses the rows count/);
  });
});

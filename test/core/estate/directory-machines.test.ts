import { strict as assert } from 'node:assert';
import { DirectoryModel } from '../../../core/estate/directory-model';
import type { Logon } from '../../../core/events/identity-event';

const DAY = 86_400_000;
const T = Date.UTC(2024, 2, 1);
const machineLogon = (time: number, ip: string): Logon => ({
  kind: 'logon', time, host: 'DC01.corp.example', eventId: 4624, recordId: time,
  account: { name: 'WS1$' }, ip, logonType: 3,
});
const facts = { domainControllers: [], honeytokens: [], directorySyncAccounts: [] };

describe('directory model: machines, held once for every detector', () => {
  it('keeps a machine\'s first sighting after the address it was first seen at goes idle', () => {
    const d = new DirectoryModel(facts);
    d.observe(machineLogon(T, '10.0.0.1'));
    for (let day = 1; day <= 40; day++) d.observe(machineLogon(T + day * DAY, '10.0.0.2'));
    const watermark = T + 40 * DAY;
    d.evictIdle(watermark - 30 * DAY, watermark);
    assert.deepEqual(d.machineAddresses('ws1'), ['10.0.0.2'], 'the idle address went');
    assert.equal(d.machineFirstSeen('WS1.corp.example'), T, 'the baseline is as old as the machine\'s first sighting');
  });

  it('counts a logon from a fifth, unkept address as a sighting, and forgets the machine only when all went idle', () => {
    const d = new DirectoryModel(facts);
    for (let i = 1; i <= 4; i++) d.observe(machineLogon(T, `10.0.0.${i}`));
    d.observe(machineLogon(T + 35 * DAY, '10.0.0.5'));
    d.evictIdle(T + 5 * DAY, T + 35 * DAY);
    assert.equal(d.machineFirstSeen('ws1'), T, 'seen recently, from an address it does not keep');
    assert.deepEqual(d.machineAddresses('ws1'), []);
    d.evictIdle(T + 36 * DAY, T + 66 * DAY);
    assert.equal(d.machineFirstSeen('ws1'), undefined);
  });

  it('round-trips machines through its snapshot', () => {
    const d = new DirectoryModel(facts);
    d.observe(machineLogon(T, '10.0.0.1'));
    d.observe(machineLogon(T + DAY, '10.0.0.1'));
    const back = new DirectoryModel(facts, JSON.parse(JSON.stringify(d.snapshot())));
    assert.equal(back.machineFirstSeen('ws1'), T);
    assert.deepEqual(back.machineAddresses('ws1'), ['10.0.0.1']);
    assert.deepEqual(back.snapshot().machines, d.snapshot().machines);
  });
});

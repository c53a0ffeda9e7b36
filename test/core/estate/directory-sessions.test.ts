import { strict as assert } from 'node:assert';
import { DirectoryModel } from '../../../core/estate/directory-model';
import type { Logon } from '../../../core/events/identity-event';

const logon = (i: number): Logon => ({
  kind: 'logon', time: 1_700_000_000_000 + i, host: 'DC01.corp.example', eventId: 4624, recordId: i,
  account: { name: `user${i % 1000}` }, logonId: `0x${i.toString(16)}`, ip: '10.0.0.9', logonType: 3,
});

describe('directory model: logon sessions', () => {
  it('keeps the newest sessions and drops the oldest when it reaches its bound', () => {
    const d = new DirectoryModel({ domainControllers: [], honeytokens: [], directorySyncAccounts: [] });
    for (let i = 0; i < 200_001; i++) d.observe(logon(i));
    assert.equal(d.logonSession('DC01', '0x0'), undefined, 'the oldest is gone');
    assert.equal(d.logonSession('DC01', `0x${(200_000).toString(16)}`)?.ip, '10.0.0.9', 'the newest is kept');
    assert.ok(d.logonSession('dc01.corp.example', `0x${(150_000).toString(16)}`), 'recent ones survive the sweep');
  });

  it('drops a session a ticket lifetime before the latest event, not at the state TTL', () => {
    const HOUR = 3_600_000;
    const d = new DirectoryModel({ domainControllers: [], honeytokens: [], directorySyncAccounts: [] });
    const at = (hours: number, id: string): Logon => ({ ...logon(0), time: 1_700_000_000_000 + hours * HOUR, logonId: id });
    d.observe(at(0, '0xold'));
    d.observe(at(3, '0xrecent'));
    const watermark = 1_700_000_000_000 + 12 * HOUR;
    d.evictIdle(watermark - 30 * 24 * HOUR, watermark);
    assert.equal(d.logonSession('DC01', '0xold'), undefined, '12 h old: past the 10 h TGT lifetime');
    assert.ok(d.logonSession('DC01', '0xrecent'), '9 h old: a ticket from it may still be in use');
  });
});

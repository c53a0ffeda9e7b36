import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { kerberoasting } from '../../../core/detectors/kerberoasting';
import { overpassTheHash } from '../../../core/detectors/overpass_the_hash';
import { passwordSpray } from '../../../core/detectors/password_spray';
import { kerberosWrongPassword, names, seconds } from './auth.fixtures';
import { DAYS, detect, securityEvent } from './harness';
import { tgt } from './kerberos.fixtures';

/**
 * What becomes of a pattern first seen while a baseline learns (issue 15): delivered at
 * informational then, and afterwards either part of the baseline (quiet) or still anomalous
 * (full severity). Each detector's choice is pinned here, one pass per phase, state carried.
 */

function weakTicket(at: number, requester: string, service: string, ip = '10.0.4.21'): object {
  return securityEvent(4769, at, {
    TargetUserName: `${requester}@CORP.EXAMPLE`, TargetDomainName: 'CORP.EXAMPLE', ServiceName: service, ServiceSid: 'S-1-5-21-1-2-3-3001',
    TicketOptions: '0x40810000', TicketEncryptionType: '0x17', IpAddress: `::ffff:${ip}`, IpPort: '50123', Status: '0x0', TransmittedServices: '-',
  });
}

describe('learning life cycle', () => {
  it('kerberoasting: a requester/service pair first seen while learning is informational, then its baseline', async () => {
    const store = new MemoryStateStore();
    const during = await detect(kerberoasting, [weakTicket(0, 'jdoe', 'svc-sql')], { store });
    assert.deepEqual(during.map((a) => [a.severity, a.learning, a.verdictSeverity]), [['informational', true, 'medium']]);
    assert.deepEqual(await detect(kerberoasting, [weakTicket(20 * DAYS, 'jdoe', 'svc-sql')], { store }), [], 'the pair became the baseline');
    const newPair = await detect(kerberoasting, [weakTicket(20 * DAYS + 60, 'jdoe', 'svc-crm')], { store });
    assert.deepEqual(newPair.map((a) => [a.severity, a.learning]), [['medium', undefined]], 'a pair never seen is still news after learning');
  });

  it('overpass_the_hash: one RC4 TGT seen while learning stays anomalous and alerts at full severity the next time', async () => {
    const store = new MemoryStateStore();
    const aesEstate = names('staff', 20).map((u, i) => tgt(i, u, `10.0.1.${i + 1}`));
    const during = await detect(overpassTheHash, [...aesEstate, tgt(60, 'rc4user', '10.0.7.7', { etype: '0x17' })], { store });
    assert.deepEqual(during.map((a) => a.severity), ['informational']);
    const after = await detect(overpassTheHash, [tgt(31 * DAYS, 'rc4user', '10.0.7.7', { etype: '0x17' })], { store });
    assert.deepEqual(after.map((a) => [a.severity, a.learning]), [['medium', undefined]], 'one day of RC4 is not legacyDays: not a baseline');
  });

  it('password_spray: a source\'s daily breadth seen while learning becomes its usual, and only a spray beyond it alerts in full', async () => {
    const store = new MemoryStateStore();
    const daily = [0, 1, 2, 3].flatMap((d) => names(`d${d}u`, 6).map((a, i) => kerberosWrongPassword(d * DAYS + i * seconds(30), a, '10.0.5.5')));
    const during = await detect(passwordSpray, daily, { store });
    assert.deepEqual(during.map((a) => [a.firstSeen.slice(0, 10), a.severity, a.learning]),
      [['2024-03-04', 'informational', true], ['2024-03-05', 'informational', true], ['2024-03-06', 'informational', true]],
      'informational while the source had fewer than learnAfterDays earlier days; on the fourth day its breadth is its usual');
    assert.deepEqual(await detect(passwordSpray, names('late', 6).map((a, i) => kerberosWrongPassword(10 * DAYS + i * seconds(30), a, '10.0.5.5')), { store }), [], 'its usual breadth is the baseline');
    const wide = await detect(passwordSpray, names('wide', 25).map((a, i) => kerberosWrongPassword(11 * DAYS + i * seconds(30), a, '10.0.5.5')), { store });
    assert.deepEqual(wide.map((a) => [a.severity, a.learning]), [['high', undefined]]);
  });
});

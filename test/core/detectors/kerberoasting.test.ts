import { strict as assert } from 'node:assert';
import { kerberoasting } from '../../../core/detectors/kerberoasting';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { DAYS, detect, securityEvent } from './harness';

function serviceTicket(at: number, requester: string, service: string, etype = '0x17', ip = '10.0.4.21'): object {
  return securityEvent(4769, at, {
    TargetUserName: `${requester}@CORP.EXAMPLE`, TargetDomainName: 'CORP.EXAMPLE', ServiceName: service,
    ServiceSid: `S-1-5-21-1-2-3-${service.length + 3000}`, TicketOptions: '0x40810000', TicketEncryptionType: etype,
    IpAddress: `::ffff:${ip}`, IpPort: '50123', Status: '0x0', LogonGuid: '{00000000-0000-0000-0000-000000000000}', TransmittedServices: '-',
  });
}

describe('kerberoasting', () => {
  it('fires high on a burst of RC4 tickets for several user-account services from one requester', async () => {
    const alerts = await detect(kerberoasting, ['svc-sql', 'svc-web', 'svc-backup', 'svc-crm'].map((s, i) => serviceTicket(i * 0.1, 'jdoe', s)));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.equal(alerts[0]?.learning, undefined, 'a burst does not depend on a baseline');
    assert.deepEqual(alerts[0]?.entities.accounts.filter((a) => a.role === 'target').map((a) => a.name), ['svc-sql', 'svc-web', 'svc-backup', 'svc-crm']);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === '10.0.4.21' && h.role === 'source'));
  });

  it('keeps a legacy service whose tickets are always RC4 quiet once that is its baseline', async () => {
    const days = [0, 1, 2, 3, 4].map((d, i) => serviceTicket(d * DAYS, `user${i}`, 'svc-legacy', '0x17', `10.0.4.${30 + i}`));
    const alerts = await detect(kerberoasting, days, { config: { testMode: true } });
    assert.deepEqual(alerts.map((a) => a.firstSeen.slice(0, 10)), ['2024-03-04', '2024-03-05', '2024-03-06'], 'new pairs until legacyDays of RC4-only made it the service\'s normal');
  });

  it('keeps an RC4-only device quiet for a service it has not asked before once RC4 is its baseline', async () => {
    const days = [0, 1, 2].map((d) => serviceTicket(d * DAYS, 'kiosk', `svc-app${d}`, '0x17', '10.0.9.50'));
    const alerts = await detect(kerberoasting, [...days, serviceTicket(3 * DAYS, 'kiosk', 'svc-new', '0x17', '10.0.9.50')], { config: { testMode: true } });
    assert.equal(alerts.filter((a) => a.firstSeen.startsWith('2024-03-07')).length, 0);
  });

  it('fires at full severity, even while learning, when an AES service is asked for RC4 by an AES device', async () => {
    const aes = [0, 1].map((d) => serviceTicket(d * DAYS, 'jdoe', 'svc-sql', '0x12'));
    const legacy = [0, 1, 2, 3, 4].map((d, i) => serviceTicket(d * DAYS + 60, `legacy${i}`, 'svc-sql', '0x17', `10.0.9.${50 + i}`));
    const alerts = await detect(kerberoasting, [...aes, ...legacy, serviceTicket(5 * DAYS, 'jdoe', 'svc-sql')]);
    const roast = alerts.filter((a) => a.firstSeen.startsWith('2024-03-09'));
    assert.equal(roast.length, 1, 'even though five RC4-only devices made svc-sql popular for RC4');
    assert.equal(roast[0]?.severity, 'medium');
    assert.equal(roast[0]?.learning, undefined);
    assert.match(roast[0]?.description ?? '', /RC4 was asked for, not negotiated/);
  });

  it('ignores AES tickets, however many', async () => {
    const alerts = await detect(kerberoasting, ['svc-sql', 'svc-web', 'svc-backup', 'svc-crm'].map((s, i) => serviceTicket(i, 'jdoe', s, '0x12')));
    assert.deepEqual(alerts, []);
  });

  it('ignores RC4 tickets for computer accounts and krbtgt, which cannot be cracked', async () => {
    const alerts = await detect(kerberoasting, ['WS01$', 'SRV02$', 'krbtgt', 'DC01$'].map((s, i) => serviceTicket(i, 'jdoe', s)));
    assert.deepEqual(alerts, []);
  });

  it('ignores failed requests', async () => {
    const failed = { ...(serviceTicket(0, 'jdoe', 'svc-sql') as Record<string, string>), Status: '0x1b' };
    assert.deepEqual(await detect(kerberoasting, [failed]), []);
  });

  it('reports a single first-time RC4 request as medium, lowered while the baseline learns', async () => {
    const alerts = await detect(kerberoasting, [serviceTicket(0, 'jdoe', 'svc-sql')]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
    const testMode = await detect(kerberoasting, [serviceTicket(0, 'jdoe', 'svc-sql')], { config: { testMode: true } });
    assert.equal(testMode[0]?.severity, 'medium');
  });

  it('learns a legacy app that asks for the same RC4 service every hour', async () => {
    const hourly = Array.from({ length: 24 * 20 }, (_, h) => serviceTicket(h * 60, 'APPSRV01$', 'svc-legacyapp', '0x17', '10.0.8.8'));
    const alerts = await detect(kerberoasting, hourly);
    assert.equal(alerts.length, 1, 'only the first request, while nothing was known');
  });

  it('treats an RC4-only service used by many accounts as normal for a new requester', async () => {
    const users = ['u1', 'u2', 'u3', 'u4', 'u5'].map((u, i) => serviceTicket(i * 60, u, 'svc-legacyapp'));
    const store = new MemoryStateStore();
    await detect(kerberoasting, users, { store });
    const later = await detect(kerberoasting, [serviceTicket(20 * DAYS, 'newhire', 'svc-legacyapp')], { store });
    assert.deepEqual(later, []);
  });

  it('still fires on a burst from a requester whose single pairs are known', async () => {
    const store = new MemoryStateStore();
    await detect(kerberoasting, [serviceTicket(0, 'jdoe', 'svc-sql')], { store });
    const burst = await detect(kerberoasting, ['svc-sql', 'svc-web', 'svc-backup'].map((s, i) => serviceTicket(30 * DAYS + i * 0.2, 'jdoe', s)), { store });
    assert.equal(burst[0]?.severity, 'high');
  });

  it('fires high on any request for a honeytoken service account', async () => {
    const alerts = await detect(kerberoasting, [serviceTicket(0, 'jdoe', 'svc-honey', '0x12'), serviceTicket(1, 'jdoe', 'svc-honey')], { config: { honeytokens: ['CORP\\svc-honey'] } });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /honeytoken/);
  });
});

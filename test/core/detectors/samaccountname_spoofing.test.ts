import { strict as assert } from 'node:assert';
import { samaccountnameSpoofing } from '../../../core/detectors/samaccountname_spoofing';
import { detect, securityEvent } from './harness';

const LGROVE = { SubjectUserSid: 'S-1-5-21-1-2-3-1606', SubjectUserName: 'lgrove', SubjectDomainName: 'CORP', SubjectLogonId: '0x738ae4' };
const MACHINE_SID = 'S-1-5-21-1-2-3-2201';

const created = (at: number): object => securityEvent(4741, at, {
  ...LGROVE, TargetUserName: 'EVIL$', TargetDomainName: 'CORP', TargetSid: MACHINE_SID, SamAccountName: 'EVIL$',
  ServicePrincipalNames: '\n\t\tHOST/EVIL.corp.example\n\t\tRestrictedKrbHost/EVIL',
});
const spnsCleared = (at: number): object => securityEvent(4742, at, {
  ...LGROVE, TargetUserName: 'EVIL$', TargetDomainName: 'CORP', TargetSid: MACHINE_SID, SamAccountName: '-', ServicePrincipalNames: '%%1793',
});
const renamed = (at: number, from: string, to: string, sid = MACHINE_SID): object[] => [
  securityEvent(4742, at, { ...LGROVE, TargetUserName: to, TargetDomainName: 'CORP', TargetSid: sid, SamAccountName: to }),
  securityEvent(4781, at, { ...LGROVE, OldTargetUserName: from, NewTargetUserName: to, TargetDomainName: 'CORP', TargetSid: sid }),
];
const tgt = (at: number, name: string): object => securityEvent(4768, at, {
  TargetUserName: name, TargetDomainName: 'corp.example', TargetSid: MACHINE_SID, ServiceName: 'krbtgt', Status: '0x0',
  TicketEncryptionType: '0x17', PreAuthType: '2', IpAddress: '::ffff:172.16.66.19',
});
const s4u = (at: number, name: string): object => securityEvent(4769, at, {
  TargetUserName: `${name}@CORP.EXAMPLE`, TargetDomainName: 'CORP.EXAMPLE', ServiceName: 'DC01$', Status: '0x0', TicketOptions: '0x40800018', IpAddress: '::ffff:172.16.66.19',
});

describe('samaccountname_spoofing', () => {
  it('fires high on a computer renamed to the DC\'s name without $, a TGT for it and the rename back, as one story', async () => {
    const alerts = await detect(samaccountnameSpoofing, [
      created(0), spnsCleared(0.01), ...renamed(0.02, 'EVIL$', 'DC01'), tgt(0.03, 'DC01'), ...renamed(0.04, 'DC01', 'EVIL'), s4u(0.05, 'DC01'),
    ]);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'high');
    assert.equal(a?.entities.accounts.find((x) => x.role === 'actor')?.name, 'lgrove');
    assert.ok(a?.entities.hosts.some((h) => h.role === 'source' && h.ip === '172.16.66.19'));
    assert.match(a?.description ?? '', /cleared its service principal names.*renamed it to DC01.*obtained a TGT for DC01/);
    assert.deepEqual([...new Set(a?.evidence.events.map((e) => e.EventID))].sort(), [4741, 4742, 4768, 4769, 4781]);
  });

  it('fires medium on a computer renamed to a name without $ that is no known DC', async () => {
    const alerts = await detect(samaccountnameSpoofing, renamed(0, 'EVIL$', 'SRV42'));
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('fires medium on a new computer whose service principal names are cleared', async () => {
    const alerts = await detect(samaccountnameSpoofing, [created(0), spnsCleared(0.01)]);
    assert.equal(alerts[0]?.severity, 'medium');
  });

  it('recognises a DC other than the logging one from config', async () => {
    const alerts = await detect(samaccountnameSpoofing, renamed(0, 'EVIL$', 'DC02'), { config: { domainControllers: ['dc02.corp.example'] } });
    assert.equal(alerts[0]?.severity, 'high');
  });

  it('ignores machine renames that keep the $', async () => {
    assert.deepEqual(await detect(samaccountnameSpoofing, renamed(0, 'WS01$', 'WS01-OLD$')), []);
  });

  it('ignores user renames', async () => {
    const userRename = securityEvent(4781, 0, { ...LGROVE, OldTargetUserName: 'jdoe', NewTargetUserName: 'john.doe', TargetDomainName: 'CORP', TargetSid: 'S-1-5-21-1-2-3-1200' });
    assert.deepEqual(await detect(samaccountnameSpoofing, [userRename]), []);
  });

  it('ignores a TGT for a DC-like name when no computer was renamed to it', async () => {
    assert.deepEqual(await detect(samaccountnameSpoofing, [tgt(0, 'DC01')]), []);
  });
});

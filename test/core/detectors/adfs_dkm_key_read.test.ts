import { strict as assert } from 'node:assert';
import { adfsDkmKeyRead } from '../../../core/detectors/adfs_dkm_key_read';
import { DAYS, detect, securityEvent } from './harness';

const CONTACT = '%{5cb41ed0-0e4c-11d0-a286-00aa003049e2}';
const CONTAINER = '%{bf967a8b-0de6-11d0-a285-00aa003049e2}';
const THUMBNAIL_PHOTO = '{8d3bca50-1d7e-11d0-a081-00aa006c33ed}';
const DKM_OBJECT = '%{9736f74f-fd37-4b02-80e8-8120a72ad6c2}';
const WARDOG = { name: 'wardog', sid: 'S-1-5-21-1-2-3-500' };
const ADFS_SVC = { name: 'svc-adfs', sid: 'S-1-5-21-1-2-3-1103' };

function read(at: number, who: { name: string; sid: string }, logonId: string, properties: string[], objectType = CONTACT): object {
  return securityEvent(4662, at, {
    SubjectUserSid: who.sid, SubjectUserName: who.name, SubjectDomainName: 'CORP', SubjectLogonId: logonId,
    ObjectServer: 'DS', ObjectType: objectType, ObjectName: DKM_OBJECT, AccessMask: '0x10',
    Properties: `%%7684 \t\t{77b5b886-944a-11d1-aebd-0000f80367c1} \t\t\t${properties.join(' \t\t\t')} \t${CONTACT.slice(1)} `,
  });
}

function networkLogon(at: number, who: { name: string; sid: string }, logonId: string, ip: string): object {
  return securityEvent(4624, at, { TargetUserName: who.name, TargetDomainName: 'CORP', TargetUserSid: who.sid, TargetLogonId: logonId, LogonType: '3', IpAddress: ip, AuthenticationPackageName: 'Kerberos', WorkstationName: '-' });
}

describe('adfs_dkm_key_read', () => {
  it('fires when an account reads the DKM key attribute, naming the host it came from', async () => {
    const alerts = await detect(adfsDkmKeyRead, [networkLogon(0, WARDOG, '0x8f0f2cd7', '192.168.2.5'), read(0.1, WARDOG, '0x8f0f2cd7', [THUMBNAIL_PHOTO])]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.deepEqual(alerts[0]?.entities.accounts.map((x) => [x.name, x.role]), [['wardog', 'actor']]);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.role === 'source' && h.ip === '192.168.2.5'));
    assert.match(alerts[0]?.description ?? '', /DKM master key/);
  });

  it('ignores configuration export tooling that reads the DKM container objects but not the key', async () => {
    const alerts = await detect(adfsDkmKeyRead, [
      read(0, WARDOG, '0x51', ['{bf96793f-0de6-11d0-a285-00aa003049e2}', '{bf967a0e-0de6-11d0-a285-00aa003049e2}']),
      read(0.1, WARDOG, '0x51', [THUMBNAIL_PHOTO], CONTAINER),
    ], { config: { testMode: true } });
    assert.equal(alerts.length, 0);
  });

  it('learns the AD FS service account, which reads the key at each service start', async () => {
    const events = [0, 1, 3, 9].map((day) => read(day * DAYS, ADFS_SVC, `0x${day}1`, [THUMBNAIL_PHOTO]));
    const alerts = await detect(adfsDkmKeyRead, events);
    assert.equal(alerts.length, 1, 'only its first read, before it recurred, is reported');
    assert.equal(alerts[0]?.firstSeen, alerts[0]?.lastSeen);
  });

  it('still reports a new reader once the service account is learned', async () => {
    const events = [
      ...[0, 1, 3].map((day) => read(day * DAYS, ADFS_SVC, `0x${day}1`, [THUMBNAIL_PHOTO])),
      read(20 * DAYS, WARDOG, '0x99', [THUMBNAIL_PHOTO]),
    ];
    const alerts = await detect(adfsDkmKeyRead, events);
    assert.ok(alerts.some((a) => a.entities.accounts.some((x) => x.name === 'wardog')));
  });

  it('ignores the AD FS service account when it is configured as an exclusion', async () => {
    const alerts = await detect(adfsDkmKeyRead, [read(0, ADFS_SVC, '0x51', [THUMBNAIL_PHOTO])], { config: { detectors: { adfs_dkm_key_read: { exclusions: { accounts: ['CORP\\svc-adfs'] } } } } });
    assert.equal(alerts.length, 0);
  });

  it('ignores the domain controller\'s own SYSTEM reads', async () => {
    const alerts = await detect(adfsDkmKeyRead, [read(0, { name: 'DC01$', sid: 'S-1-5-18' }, '0x3e7', [THUMBNAIL_PHOTO])], { config: { testMode: true } });
    assert.equal(alerts.length, 0);
  });
});

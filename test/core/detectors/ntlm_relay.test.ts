import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { ntlmRelay } from '../../../core/detectors/ntlm_relay';
import { DAYS, detect } from './harness';
import { DOMAIN_SID, networkLogon, tgt } from './kerberos.fixtures';

const WS01 = { sid: `${DOMAIN_SID}-1201`, computer: 'DC01.corp.example' };

/** WS01 authenticates to the DC from its own address, the way every domain member does. */
const homeLogon = (at: number, ip = '10.0.0.11') => networkLogon(at, 'WS01$', ip, WS01);
/** WS01's NTLM authentication arriving at the CA from `ip`. */
const relayed = (at: number, ip: string) => networkLogon(at, 'WS01$', ip, { ...WS01, ntlm: true, workstation: 'WS01', computer: 'CA01.corp.example' });

describe('ntlm_relay', () => {
  it('fires when a machine account logs on with NTLM from an address that is not the machine\'s', async () => {
    const alerts = await detect(ntlmRelay, [homeLogon(0), relayed(8 * DAYS, '10.0.0.66')]);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'medium');
    assert.equal(a?.learning, undefined);
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['WS01$', 'actor']]);
    assert.ok(a?.entities.hosts.some((h) => h.ip === '10.0.0.66' && h.role === 'source'));
    assert.ok(a?.entities.hosts.some((h) => h.name === 'CA01.corp.example' && h.role === 'destination'));
    assert.match(a?.description ?? '', /that machine authenticates from 10.0.0.11/);
  });

  it('rates a relayed domain controller account high', async () => {
    const alerts = await detect(ntlmRelay, [
      tgt(0, 'DC02$', '10.0.0.3', { dc: 'DC02.corp.example' }),
      networkLogon(1, 'DC02$', '10.0.0.3', { sid: `${DOMAIN_SID}-1001`, computer: 'DC01.corp.example' }),
      networkLogon(2, 'DC02$', '10.0.0.66', { sid: `${DOMAIN_SID}-1001`, ntlm: true, computer: 'CA01.corp.example' }),
    ], { config: { testMode: true } });
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /domain controller's account/);
  });

  it('ignores NTLM from the machine\'s own address', async () => {
    assert.deepEqual(await detect(ntlmRelay, [homeLogon(0), relayed(60, '10.0.0.11')]), []);
  });

  it('ignores Kerberos logons from another address, which cannot be relayed this way', async () => {
    assert.deepEqual(await detect(ntlmRelay, [homeLogon(0), homeLogon(60, '10.0.0.66')]), []);
  });

  it('ignores user accounts', async () => {
    const user = networkLogon(60, 'jdoe', '10.0.0.66', { ntlm: true, computer: 'CA01.corp.example' });
    assert.deepEqual(await detect(ntlmRelay, [networkLogon(0, 'jdoe', '10.0.0.11'), user]), []);
  });

  it('cannot judge a machine it has never seen: its first address is trusted', async () => {
    assert.deepEqual(await detect(ntlmRelay, [relayed(0, '10.0.0.66')]), []);
  });

  it('does not compare an IPv6 source with an IPv4-only history (dual-stack hosts)', async () => {
    assert.deepEqual(await detect(ntlmRelay, [homeLogon(0), relayed(60, '2001:db8::11')]), []);
  });

  it('learns a cluster name used from a second node once it recurs on several days', async () => {
    const cno = (at: number, ip: string) => networkLogon(at, 'SQLCL01$', ip, { sid: `${DOMAIN_SID}-1301`, ntlm: true, computer: 'FS01.corp.example' });
    const alerts = await detect(ntlmRelay, [cno(0, '10.0.5.1'), ...[0, 1, 2, 3, 4].map((d) => cno(d * DAYS + 30, '10.0.5.2'))]);
    assert.deepEqual(alerts.map((a) => a.firstSeen.slice(0, 10)), ['2024-03-04', '2024-03-05'], 'the third day makes the node trusted');
  });

  it('lowers the alert while the machine\'s address history is younger than the learning period', async () => {
    const alerts = await detect(ntlmRelay, [homeLogon(0), relayed(60, '10.0.0.66')]);
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });

  it('remembers machines and their addresses across passes', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(ntlmRelay, [homeLogon(0)], { store }), []);
    const later = await detect(ntlmRelay, [relayed(8 * DAYS, '10.0.0.66')], { store });
    assert.equal(later.length, 1);
    assert.equal(later[0]?.learning, undefined);
  });
});

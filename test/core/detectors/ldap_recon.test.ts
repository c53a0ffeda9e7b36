import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { ldapRecon } from '../../../core/detectors/ldap_recon';
import { DAYS, detect } from './harness';
import { directoryRead, guidNo, networkLogon, seconds, serviceTicket } from './recon.fixtures';

const TEST_MODE = { config: { testMode: true } };
const GET_CHANGES_ALL = '{1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}';

function bulkRead(at: number, count: number, user = 'jdoe', logonId = '0xab3c', first = 0, accessMask = '0x10'): object[] {
  return Array.from({ length: count }, (_, i) => directoryRead(at + seconds(i * 0.01), user, logonId, guidNo(first + i), accessMask));
}

describe('ldap_recon', () => {
  it('fires when one account reads many distinct directory objects within seconds', async () => {
    const alerts = await detect(ldapRecon, [networkLogon(0, 'jdoe', '0xab3c', '10.0.4.21'), ...bulkRead(0, 30)], TEST_MODE);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'medium');
    assert.match(a?.description ?? '', /^CORP\\jdoe from 10\.0\.4\.21 read 30 distinct directory objects on DC01\.corp\.example within 1 s: a bulk collection/);
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['jdoe', 'actor']]);
  });

  it('counts Control Access reads (group enumeration through LDAP) as reads', async () => {
    assert.equal((await detect(ldapRecon, bulkRead(0, 30, 'jdoe', '0x1', 0, '0x100'), TEST_MODE)).length, 1);
  });

  it('stays quiet below the breadth threshold and for one object read again and again', async () => {
    assert.deepEqual(await detect(ldapRecon, bulkRead(0, 29), TEST_MODE), []);
    const same = Array.from({ length: 100 }, (_, i) => directoryRead(seconds(i), 'jdoe', '0x1', guidNo(7)));
    assert.deepEqual(await detect(ldapRecon, same, TEST_MODE), []);
  });

  it('ignores writes and replication rights, which other detectors judge', async () => {
    const writes = bulkRead(0, 40, 'jdoe', '0x1', 0, '0x20');
    const replication = Array.from({ length: 40 }, (_, i) => directoryRead(seconds(i), 'jdoe', '0x1', guidNo(100 + i), '0x100', [GET_CHANGES_ALL]));
    assert.deepEqual(await detect(ldapRecon, [...writes, ...replication], TEST_MODE), []);
  });

  it('ignores domain controllers reading their own directory', async () => {
    assert.deepEqual(await detect(ldapRecon, [serviceTicket(0), ...bulkRead(1, 50, 'DC01$', '0x3e7')], TEST_MODE), []);
  });

  it('learns a monitoring account that reads hundreds of objects every day, and reports a far wider read', async () => {
    const daily = Array.from({ length: 16 }, (_, d) => bulkRead(d * DAYS, 60, 'svc-mon', `0x${d}`, d * 1000)).flat();
    const alerts = await detect(ldapRecon, daily);
    assert.equal(alerts.length, 3, 'the first days, before the account is regular');
    assert.ok(alerts.every((a) => a.learning));
    const wider = await detect(ldapRecon, [...daily, ...bulkRead(16 * DAYS, 200, 'svc-mon', '0x99', 50_000)]);
    assert.equal(wider.length, 4);
    assert.match(wider[3]?.description ?? '', /more than 2× its widest earlier day \(60\)/);
  });

  it('flags a verdict on an account without history as learning while the baseline is young', async () => {
    const alerts = await detect(ldapRecon, bulkRead(0, 30));
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });

  it('continues a bulk read across passes from saved state', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(ldapRecon, bulkRead(0, 20), { ...TEST_MODE, store }), []);
    assert.equal((await detect(ldapRecon, bulkRead(0.5, 10, 'jdoe', '0xab3c', 20), { ...TEST_MODE, store })).length, 1);
  });
});

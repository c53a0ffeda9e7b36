import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { overpassTheHash } from '../../../core/detectors/overpass_the_hash';
import { DAYS, detect } from './harness';
import { DOMAIN_SID, networkLogon, newCredentialsLogon, tgt } from './kerberos.fixtures';

const RC4 = { etype: '0x17' };
const shortLearning = { detectors: { overpass_the_hash: { learningPeriodDays: 7 } } };

describe('overpass_the_hash', () => {
  it('fires when an account whose baseline is AES gets an RC4 TGT with encrypted-timestamp pre-authentication', async () => {
    const alerts = await detect(overpassTheHash, [
      tgt(0, 'pgustavo', '10.0.0.5'),
      tgt(1 * DAYS, 'pgustavo', '10.0.0.5'),
      tgt(10 * DAYS, 'pgustavo', '10.0.0.66', RC4),
    ], { config: shortLearning });
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'medium');
    assert.equal(a?.learning, undefined);
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['pgustavo', 'actor']]);
    assert.ok(a?.entities.hosts.some((h) => h.ip === '10.0.0.66' && h.role === 'source'));
    assert.match(a?.description ?? '', /received AES tickets on 2 earlier day\(s\): this is a downgrade/);
  });

  it('ignores AES TGTs', async () => {
    assert.deepEqual(await detect(overpassTheHash, [tgt(0, 'pgustavo', '10.0.0.5'), tgt(1, 'pgustavo', '10.0.0.5', { etype: '0x11' })]), []);
  });

  it('leaves RC4 TGTs without pre-authentication to AS-REP roasting', async () => {
    assert.deepEqual(await detect(overpassTheHash, [tgt(0, 'alice', '10.0.0.5'), tgt(1 * DAYS, 'alice', '10.0.0.9', { etype: '0x17', preAuth: '0' })]), []);
  });

  it('ignores smartcard (PKINIT) logons, whatever their encryption', async () => {
    assert.deepEqual(await detect(overpassTheHash, [tgt(0, 'alice', '10.0.0.5'), tgt(1 * DAYS, 'alice', '10.0.0.5', { etype: '0x17', preAuth: '16' })]), []);
  });

  it('ignores failed TGT requests', async () => {
    assert.deepEqual(await detect(overpassTheHash, [tgt(0, 'alice', '10.0.0.5'), tgt(1, 'alice', '10.0.0.9', { status: '0x18' })]), []);
  });

  it('learns an RC4-only legacy account once it has used RC4 on legacyDays days', async () => {
    const days = [0, 1, 2, 3, 4].map((d) => tgt(d * DAYS, 'svc-legacy', '10.0.9.9', RC4));
    const alerts = await detect(overpassTheHash, days);
    assert.deepEqual(alerts.map((a) => a.firstSeen.slice(0, 10)), ['2024-03-04', '2024-03-05', '2024-03-06']);
    assert.ok(alerts.every((a) => a.learning === true), 'nothing was known yet: lowered while learning');
  });

  it('learns a legacy application server that gets RC4 tickets for every account it serves', async () => {
    const store = new MemoryStateStore();
    await detect(overpassTheHash, [0, 1, 2].map((d) => tgt(d * DAYS, `user${d}`, '10.0.9.9', RC4)), { store });
    const later = await detect(overpassTheHash, [tgt(3 * DAYS, 'pbeesly', '10.0.0.12'), tgt(4 * DAYS, 'pbeesly', '10.0.9.9', RC4)], { store });
    assert.deepEqual(later, []);
  });

  it('keeps an RC4-only device quiet every morning once it is its baseline, whoever logs on with AES elsewhere', async () => {
    const aesElsewhere = [0, 1, 2, 3, 4, 5].map((d) => tgt(d * DAYS, 'pbeesly', '10.0.0.12'));
    const kiosk = [0, 1, 2, 3, 4, 5].map((d) => tgt(d * DAYS + 60, 'pbeesly', '10.0.9.50', RC4));
    const alerts = await detect(overpassTheHash, [...aesElsewhere, ...kiosk], { config: shortLearning });
    assert.deepEqual(alerts.map((a) => a.firstSeen.slice(0, 10)), ['2024-03-04', '2024-03-05', '2024-03-06'], 'only until legacyDays of RC4 made it the device\'s normal');
    assert.ok(alerts.every((a) => a.severity === 'informational'), 'and while learning, informational');
  });

  it('fires at full severity when an AES device turns to RC4 for an AES account, even during learning', async () => {
    const alerts = await detect(overpassTheHash, [
      tgt(0, 'pbeesly', '10.0.0.12'),
      tgt(1 * DAYS, 'pbeesly', '10.0.0.12'),
      tgt(2 * DAYS, 'pbeesly', '10.0.0.12', RC4),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.equal(alerts[0]?.learning, undefined);
    assert.match(alerts[0]?.description ?? '', /the device at 10\.0\.0\.12 negotiated AES on 2 earlier day\(s\): this is a downgrade/);
  });

  it('still fires on an AES device turning to RC4 for an account that is RC4-normal only on a legacy device', async () => {
    const legacy = [0, 1, 2, 3].map((d) => tgt(d * DAYS + 60, 'pbeesly', '10.0.9.50', RC4));
    const own = [0, 1, 2, 3].map((d) => tgt(d * DAYS, 'pbeesly', '10.0.0.12'));
    const alerts = await detect(overpassTheHash, [...legacy, ...own, tgt(4 * DAYS, 'pbeesly', '10.0.0.12', RC4)], { config: { testMode: true } });
    const afterBaseline = alerts.filter((a) => a.firstSeen >= '2024-03-07');
    assert.deepEqual(afterBaseline.map((a) => [a.firstSeen.slice(0, 10), a.entities.hosts.find((h) => h.role === 'source')?.ip]), [['2024-03-08', '10.0.0.12']]);
  });

  it('lowers a first-sight RC4 TGT while no baseline exists, and reports it in full in test mode', async () => {
    const learning = await detect(overpassTheHash, [tgt(0, 'pgustavo', '10.0.0.6', RC4)]);
    assert.equal(learning[0]?.learning, true);
    assert.equal(learning[0]?.severity, 'informational');
    assert.equal(learning[0]?.verdictSeverity, 'medium');
    const testMode = await detect(overpassTheHash, [tgt(0, 'pgustavo', '10.0.0.6', RC4)], { config: { testMode: true } });
    assert.equal(testMode[0]?.severity, 'medium');
    assert.equal(testMode[0]?.learning, undefined);
  });

  it('after learning, judges an account with no history by the estate: an AES estate alerts, an RC4-heavy one does not', async () => {
    const aesEstate = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((d) => tgt(d * DAYS, `user${d}`, `10.0.1.${d + 1}`));
    const alerts = await detect(overpassTheHash, [...aesEstate, tgt(9 * DAYS, 'newcomer', '10.0.0.66', RC4)], { config: shortLearning });
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /100% of this estate's TGTs are AES/);
    const rc4Estate = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((d) => tgt(d * DAYS, `user${d}`, `10.0.1.${d + 1}`, d % 2 ? RC4 : {}));
    const quiet = await detect(overpassTheHash, [...rc4Estate, tgt(9 * DAYS, 'newcomer', '10.0.0.66', RC4)], { config: { ...shortLearning, learning: { mode: 'hold' } } });
    assert.deepEqual(quiet, []);
  });

  it('raises to high, out of learning, when a new-credentials logon ran on the host at that address', async () => {
    const alerts = await detect(overpassTheHash, [
      networkLogon(0, 'WS06$', '10.0.0.6', { sid: `${DOMAIN_SID}-1113`, computer: 'DC01.corp.example' }),
      newCredentialsLogon(5, 'wardog', 'WS06.corp.example', 'ZIH6WC80'),
      tgt(5.2, 'pgustavo', '10.0.0.6', RC4),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.equal(alerts[0]?.learning, undefined);
    assert.equal(alerts[0]?.evidence.count, 2);
    assert.ok(alerts[0]?.entities.hosts.some((h) => h.name === 'WS06.corp.example' && h.ip === '10.0.0.6'));
  });

  it('escalates the same alert when the new-credentials logon is logged just after the TGT', async () => {
    const alerts = await detect(overpassTheHash, [
      networkLogon(0, 'WS06$', '10.0.0.6', { sid: `${DOMAIN_SID}-1113`, computer: 'DC01.corp.example' }),
      tgt(5, 'pgustavo', '10.0.0.6', RC4),
      newCredentialsLogon(5.1, 'wardog', 'WS06.corp.example', 'ZIH6WC80'),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'high');
    assert.match(alerts[0]?.description ?? '', /new-credentials logon .* ran on WS06.corp.example/);
  });

  it('does not take a new-credentials logon on another host as corroboration', async () => {
    const alerts = await detect(overpassTheHash, [
      networkLogon(0, 'WS07$', '10.0.0.7', { sid: `${DOMAIN_SID}-1114`, computer: 'DC01.corp.example' }),
      newCredentialsLogon(5, 'wardog', 'WS07.corp.example', 'pgustavo'),
      tgt(5.2, 'pgustavo', '10.0.0.6', RC4),
    ]);
    assert.equal(alerts[0]?.severity, 'informational', 'still only the baseline verdict, lowered while learning');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });

  it('keeps the AES baseline across passes, so a later downgrade is caught', async () => {
    const store = new MemoryStateStore();
    assert.deepEqual(await detect(overpassTheHash, [tgt(0, 'pgustavo', '10.0.0.5')], { store, config: shortLearning }), []);
    const later = await detect(overpassTheHash, [tgt(8 * DAYS, 'pgustavo', '10.0.0.5', RC4)], { store, config: shortLearning });
    assert.equal(later.length, 1);
    assert.equal(later[0]?.learning, undefined);
    assert.match(later[0]?.description ?? '', /downgrade/);
  });
});

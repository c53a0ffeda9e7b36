import { strict as assert } from 'node:assert';
import { impossibleTravel } from '../../../core/detectors/impossible_travel';
import { PLACES, signIn } from './cloud.fixtures';
import { fixture } from './cloud-fixture-files';
import { detect } from './harness';

const settled = { testMode: true };

describe('impossible_travel', () => {
  it('fires when a user signs in from New York an hour after Paris, with distance and speed', async () => {
    const alerts = await detect(impossibleTravel, [signIn(0, 'jdoe@corp.example', PLACES.paris), signIn(60, 'jdoe@corp.example', PLACES.newYork)], { config: settled });
    assert.equal(alerts.length, 1);
    const a = alerts[0];
    assert.equal(a?.severity, 'medium');
    assert.equal(a?.entities.accounts[0]?.name, 'jdoe@corp.example');
    assert.equal(a?.evidence.details?.['distanceKm'], 5837);
    assert.match(a?.description ?? '', /New York, US \(AS7922\) 60 min after signing in from Paris, FR \(AS3215\): 5,837 km apart/);
  });

  it('ignores a journey a plane could make', async () => {
    const alerts = await detect(impossibleTravel, [signIn(0, 'jdoe@corp.example', PLACES.paris), signIn(10 * 60, 'jdoe@corp.example', PLACES.newYork)], { config: settled });
    assert.deepEqual(alerts, []);
  });

  it('ignores places closer than geo-IP\'s own error', async () => {
    const alerts = await detect(impossibleTravel, [signIn(0, 'jdoe@corp.example', PLACES.paris), signIn(5, 'jdoe@corp.example', PLACES.lyon)], { config: settled });
    assert.deepEqual(alerts, []);
  });

  it('ignores the same registered device at both ends: its address moved, not the user', async () => {
    const device = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const alerts = await detect(impossibleTravel, [signIn(0, 'jdoe@corp.example', PLACES.paris, { device }), signIn(30, 'jdoe@corp.example', PLACES.newYork, { device })], { config: settled });
    assert.deepEqual(alerts, []);
  });

  it('does not measure travel through a configured SASE network, and does without the config', async () => {
    const events = [signIn(0, 'jdoe@corp.example', PLACES.zscalerFrankfurt), signIn(20, 'jdoe@corp.example', PLACES.zscalerSingapore)];
    assert.deepEqual(await detect(impossibleTravel, events, { config: { ...settled, corporateNetworks: { asns: [53813] } } }), []);
    assert.equal((await detect(impossibleTravel, events, { config: settled })).length, 1);
  });

  it('measures across the antimeridian on the sphere: Suva to Apia in 2 h 10 is possible', async () => {
    assert.deepEqual(await detect(impossibleTravel, fixture('antimeridian.jsonl'), { config: settled }), []);
  });

  it('fires across the antimeridian when the hop is too fast, with the great-circle distance', async () => {
    const [suva, apia] = fixture('antimeridian.jsonl');
    const fast = { ...apia, TimeGenerated: '2024-03-04T20:40:00.000Z' };
    const alerts = await detect(impossibleTravel, [suva as object, fast], { config: settled });
    assert.equal(alerts.length, 1);
    const km = alerts[0]?.evidence.details?.['distanceKm'] as number;
    assert.ok(km > 1000 && km < 1300, `great-circle distance ${km} km`);
  });

  it('skips sign-ins without a location, including geo-IP\'s 0,0', async () => {
    assert.deepEqual(await detect(impossibleTravel, fixture('missing-geo.jsonl'), { config: settled }), []);
  });

  it('compares a record that arrives out of order, and treats a 2-minute gap as the 5-minute skew allowance', async () => {
    const alerts = await detect(impossibleTravel, fixture('clock-skew.jsonl'), { config: settled });
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.evidence.details?.['hours'], 0.08);
  });

  it('ignores failed sign-ins: a wrong password from abroad is not travel', async () => {
    const alerts = await detect(impossibleTravel, [signIn(0, 'jdoe@corp.example', PLACES.paris), signIn(30, 'jdoe@corp.example', PLACES.lagos, { result: 50126 })], { config: settled });
    assert.deepEqual(alerts, []);
  });

  it('rates low when the user has signed in from both countries on earlier days', async () => {
    const days = [0, 1, 2].flatMap((d) => [signIn(d * 1440, 'jdoe@corp.example', PLACES.paris), signIn(d * 1440 + 720, 'jdoe@corp.example', PLACES.newYork)]);
    const alerts = await detect(impossibleTravel, [...days, signIn(3 * 1440, 'jdoe@corp.example', PLACES.paris), signIn(3 * 1440 + 30, 'jdoe@corp.example', PLACES.newYork)], { config: settled });
    assert.equal(alerts.at(-1)?.severity, 'low');
  });

  it('marks alerts from a user\'s first week as learning, one severity lower', async () => {
    const alerts = await detect(impossibleTravel, [signIn(0, 'jdoe@corp.example', PLACES.paris), signIn(60, 'jdoe@corp.example', PLACES.newYork)]);
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'medium');
  });
});

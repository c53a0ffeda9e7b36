import { strict as assert } from 'node:assert';
import { unfamiliarSignin } from '../../../core/detectors/unfamiliar_signin';
import { PLACES, signIn, type Place } from './cloud.fixtures';
import { detect } from './harness';

const DAY = 1440;
const LAPTOP = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const orange: Place = { ...PLACES.paris, asn: 5410, ip: '80.12.33.4' };

/** Eight working days from Paris on the usual laptop and mail app: a settled baseline. */
function usualWeek(upn = 'jdoe@corp.example'): object[] {
  return Array.from({ length: 8 }, (_, d) => signIn(d * DAY, upn, PLACES.paris, { device: LAPTOP, app: 'Outlook' }));
}

describe('unfamiliar_signin', () => {
  it('fires on a sign-in whose country, network and device are all new, naming them', async () => {
    const alerts = await detect(unfamiliarSignin, [...usualWeek(), signIn(9 * DAY, 'jdoe@corp.example', PLACES.lagos, { os: 'Linux', browser: 'Firefox 123.0', app: 'Outlook' })]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.severity, 'medium');
    assert.deepEqual(alerts[0]?.evidence.details?.['unfamiliar'], ['country', 'asn', 'device']);
    assert.match(alerts[0]?.description ?? '', /country NG, network AS29465, device linux \/ firefox/);
  });

  it('ignores a new device alone: a new laptop is not an attack', async () => {
    const alerts = await detect(unfamiliarSignin, [...usualWeek(), signIn(9 * DAY, 'jdoe@corp.example', PLACES.paris, { device: 'aaaaaaaa-0000-4000-8000-000000000009', app: 'Teams' })]);
    assert.deepEqual(alerts, []);
  });

  it('rates low when the country is familiar and only the network and device are new', async () => {
    const alerts = await detect(unfamiliarSignin, [...usualWeek(), signIn(9 * DAY, 'jdoe@corp.example', orange, { os: 'Android', browser: 'Chrome Mobile' })]);
    assert.equal(alerts[0]?.severity, 'low');
  });

  it('treats a network ten colleagues use as familiar to everyone', async () => {
    const colleagues = Array.from({ length: 10 }, (_, i) => signIn(8 * DAY + i, `user${i}@corp.example`, orange));
    const alerts = await detect(unfamiliarSignin, [...usualWeek(), ...colleagues, signIn(9 * DAY, 'jdoe@corp.example', orange, { os: 'Android', browser: 'Chrome Mobile' })]);
    assert.deepEqual(alerts, []);
  });

  it('ignores a new country reached with the registered laptop the user always signs in from: travel', async () => {
    const alerts = await detect(unfamiliarSignin, [...usualWeek(), signIn(9 * DAY, 'jdoe@corp.example', PLACES.newYork, { device: LAPTOP, app: 'Outlook' })]);
    assert.deepEqual(alerts, []);
  });

  it('stays silent while the user\'s baseline is learning', async () => {
    const alerts = await detect(unfamiliarSignin, [...usualWeek().slice(0, 3), signIn(3 * DAY, 'jdoe@corp.example', PLACES.lagos)]);
    assert.deepEqual(alerts, []);
  });

  it('never calls corporate egress unfamiliar', async () => {
    const alerts = await detect(unfamiliarSignin, [...usualWeek(), signIn(9 * DAY, 'jdoe@corp.example', PLACES.zscalerSingapore, { os: 'Linux' })], { config: { corporateNetworks: { asns: [53813] } } });
    assert.deepEqual(alerts, []);
  });

  it('neither alerts on nor learns from failed sign-ins', async () => {
    const alerts = await detect(unfamiliarSignin, [
      ...usualWeek(),
      signIn(9 * DAY, 'jdoe@corp.example', PLACES.lagos, { result: 50126 }),
      signIn(9 * DAY + 5, 'jdoe@corp.example', PLACES.lagos, { os: 'Linux' }),
    ]);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.firstSeen, new Date(Date.UTC(2024, 2, 13, 9, 5)).toISOString());
  });
});

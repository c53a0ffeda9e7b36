import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { MemorySink } from '../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../adapters/file/file-state-store';
import { createCloudWorkload, type CloudWorkload } from '../../bench/cloud/workload';
import { scoreCloud } from '../../bench/cloud/score';
import { resolveConfig } from '../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../core/detectors/registry';
import { runPass } from '../../core/engine/engine';
import { normalize } from '../../core/events/normalize';
import { ScoreBook } from '../../core/scoring/score-book';
import { MemorySource } from '../support/memory-source';

const options = { seed: 'tz-cloud-test', start: '2024-03-04T00:00:00.000Z', days: 14, users: 200 };
const hash = (w: CloudWorkload) => createHash('sha256').update(JSON.stringify(w.records)).digest('hex');

async function detectAll(w: CloudWorkload, config: object) {
  const sink = new MemorySink();
  const quarantine = new MemoryQuarantine();
  const { state } = await runPass({ source: new MemorySource(w.records), sink, store: new MemoryStateStore(), quarantine, config: resolveConfig(config, DECLARATIONS), modules: DETECTOR_MODULES });
  return { alerts: sink.alerts, quarantined: quarantine.records.length, scores: new ScoreBook(state.scores ?? undefined) };
}

describe('cloud workload generator', () => {
  const workload = createCloudWorkload(options);

  it('is a pure function of its seed', () => {
    assert.equal(hash(createCloudWorkload(options)), hash(workload));
    assert.notEqual(hash(createCloudWorkload({ ...options, seed: 'another' })), hash(workload));
  });

  it('writes rows every one of which normalises, with the quirks real exports have', () => {
    const events = workload.records.map((r) => normalize(r));
    assert.ok(events.every((e) => e.status === 'event'), 'no malformed or unmodelled row');
    const signIns = workload.records.filter((r) => 'UserPrincipalName' in r);
    const ids = signIns.map((r) => r['Id'] as string);
    assert.ok(new Set(ids).size < ids.length, 'some sign-ins exported twice');
    const times = workload.records.map((r) => Date.parse(r['TimeGenerated'] as string));
    const early = times.filter((t, i) => i > 0 && t < (times[i - 1] as number)).length;
    assert.ok(early > 0 && early < workload.records.length / 100, `${early} rows stamped early by a skewed clock`);
    assert.ok(signIns.some((r) => String(r['IPAddress']).includes(':')), 'IPv6 sign-ins');
    assert.ok(signIns.some((r) => !('geoCoordinates' in (r['LocationDetails'] as object))), 'sign-ins geo-IP could not place');
    assert.ok(signIns.some((r) => r['AutonomousSystemNumber'] === 53813), 'SASE egress');
    assert.ok(signIns.some((r) => r['ResultType'] === '50074') && signIns.some((r) => r['ResultType'] === '500121'), 'MFA prompts and refusals');
    assert.ok(signIns.some((r) => r['ResultType'] === '50126'), 'mistyped passwords');
  });

  it('lets the cloud detectors find every injected attack, with no false alarm, when the SASE egress is configured', async function () {
    this.timeout(30_000);
    const { alerts, quarantined } = await detectAll(workload, workload.config);
    const score = scoreCloud(alerts, workload.labels, workload.benign);
    assert.equal(quarantined, 0);
    assert.deepEqual(score.missed, []);
    assert.equal(score.found.length, 6);
    assert.deepEqual(score.falseAlarms.map((a) => `${a.detector}: ${a.description}`), []);
    assert.ok(score.lookAlikes.every((a) => a.detector === 'unfamiliar_signin'), 'only travellers\' sign-ins abroad look like attacks');
  });

  it('turns the SASE gateway\'s points of presence into impossible travel when they are not configured', async function () {
    this.timeout(30_000);
    const { alerts } = await detectAll(workload, {});
    const travel = scoreCloud(alerts, workload.labels, workload.benign).falseAlarms.filter((a) => a.detector === 'impossible_travel');
    assert.ok(travel.length > 10, `${travel.length} false impossible-travel alerts`);
    assert.ok(travel.every((a) => /\(AS53813\)/.test(a.description)));
  });

  it('ranks the stolen, bombed and sprayed users first by priority score', async function () {
    this.timeout(30_000);
    const { scores } = await detectAll(workload, workload.config);
    const victims = new Set(workload.labels.filter((l) => l.detector !== 'cloud_password_spray' || l.description.includes('MFA (50074)')).map((l) => l.user));
    assert.equal(victims.size, 3);
    assert.deepEqual(new Set(scores.ranked().slice(0, 3).map((r) => r.entry.identity.upn)), victims);
  });
});

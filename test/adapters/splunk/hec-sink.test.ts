import { strict as assert } from 'node:assert';
import { hecEvent } from '../../../adapters/splunk/alert-event';
import { resolveSplunkSettings } from '../../../adapters/splunk/config';
import { SinkAckTimeoutError, SinkRejectedError } from '../../../adapters/splunk/errors';
import { batches, HecSink } from '../../../adapters/splunk/hec-sink';
import { retryPolicy } from '../../../adapters/http/retry';
import { Secret } from '../../../adapters/secret';
import type { Alert } from '../../../core/alerts/alert';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { emulator, HEC_TOKEN, indexedAlertIds, section } from './harness';

function alert(n: number, over: Partial<Alert> = {}): Alert {
  return {
    id: `tz-${n.toString(16).padStart(24, '0')}`, detector: 'kerberoasting', title: 'Suspected Kerberoasting', severity: 'high', riskScore: 70,
    mitre: { tactics: ['credential-access'], techniques: ['T1558.003'] }, firstSeen: '2024-01-01T00:00:00.000Z', lastSeen: '2024-01-01T00:05:00.000Z',
    entities: { accounts: [{ name: 'jdoe', domain: 'CORP', sid: 'S-1-5-21-1-2-3-1104', role: 'actor' }], hosts: [{ ip: '10.0.0.5', role: 'source' }, { name: 'DC1', role: 'target' }] },
    evidence: { count: 3, events: [] }, description: 'jdoe asked for RC4 tickets', recommendations: [], ...over,
  };
}

interface Made { sink: HecSink; waits: number[]; now: { t: number } }

function sink(emu: SplunkEmulator, hec: Record<string, unknown> = {}, alreadyIndexed?: (ids: readonly string[]) => Promise<ReadonlySet<string>>): Made {
  const settings = resolveSplunkSettings(section(emu, '/tmp', { hec: { url: emu.hecUrl, tokenEnv: 'X', index: 'tierzero', ...hec } }), '/tmp');
  const waits: number[] = [];
  const now = { t: 1_700_000_000_000 };
  const made = new HecSink({
    settings: settings.hec, token: new Secret(HEC_TOKEN, 'test'), timeoutMs: 10_000, clock: () => now.t,
    policy: retryPolicy(4, { sleep: async (ms) => { waits.push(ms); now.t += ms; }, random: () => 1 }),
    ...(alreadyIndexed ? { alreadyIndexed } : {}),
  });
  return { sink: made, waits, now };
}

describe('HEC sink', () => {
  let emu: SplunkEmulator;
  afterEach(async () => emu.stop());

  it('writes alerts as sourcetype tierzero:alert with CIM Alerts fields and an indexed alert_id', async () => {
    emu = await emulator();
    await sink(emu).sink.write([alert(1)]);
    const [e] = emu.store.events;
    assert.equal(e?.sourcetype, 'tierzero:alert');
    assert.equal(e?.index, 'tierzero');
    assert.equal(e?.time, Date.parse('2024-01-01T00:05:00.000Z'));
    for (const [k, v] of Object.entries({ alert_id: alert(1).id, app: 'tierzero', type: 'alert', signature: 'Suspected Kerberoasting', signature_id: 'kerberoasting', severity: 'high', user: 'jdoe', src: '10.0.0.5', dest: 'DC1', 'mitre_technique_id{}': 'T1558.003' })) {
      assert.equal(e?.fields[k], v, k);
    }
  });

  it('sends every request on one channel and waits for indexer acknowledgement', async () => {
    emu = await emulator();
    emu.hec.ackPendingPolls = 2;
    const m = sink(emu);
    await m.sink.write([alert(1), alert(2)]);
    const sends = emu.requests.filter((r) => r.path === '/services/collector/event');
    const acks = emu.requests.filter((r) => r.path === '/services/collector/ack');
    assert.equal(sends[0]?.headers['x-splunk-request-channel'], m.sink.channel);
    assert.equal(acks.length, 3);
    assert.deepEqual(m.waits, [250, 500]);
  });

  it('splits alerts into batches under the configured size', async () => {
    emu = await emulator();
    const big = alert(1).description.padEnd(3000, '.');
    await sink(emu, { batchBytes: 8 * 1024 }).sink.write([1, 2, 3, 4, 5, 6].map((n) => alert(n, { description: big })));
    const sends = emu.requests.filter((r) => r.path === '/services/collector/event');
    assert.ok(sends.length >= 3);
    assert.ok(sends.every((r) => Buffer.byteLength(r.body) <= 8 * 1024));
    assert.equal(indexedAlertIds(emu).length, 6);
  });

  it('keeps a single event larger than the batch size in a batch of its own', () => {
    assert.deepEqual([...batches(['x'.repeat(50), 'y', 'z'], 20)].map((b) => b.length), [1, 2]);
  });

  it('fails the pass when Splunk does not acknowledge in time', async () => {
    emu = await emulator();
    emu.hec.ackPendingPolls = 1_000_000;
    await assert.rejects(sink(emu, { ackTimeoutSeconds: 30 }).sink.write([alert(1)]), SinkAckTimeoutError);
  });

  it('says what to fix when the token is not allowed the index', async () => {
    emu = await emulator();
    await assert.rejects(sink(emu, { index: 'main' }).sink.write([alert(1)]),
      (e: Error) => e instanceof SinkRejectedError && /code 7\): incorrect index: add the index to the token's allowed indexes/.test(e.message));
  });

  it('says the token is unknown, without showing it', async () => {
    emu = await emulator();
    const m = sink(emu);
    const settings = resolveSplunkSettings(section(emu, '/tmp'), '/tmp');
    const wrong = new HecSink({ settings: settings.hec, token: new Secret('00000000-wrong-token-000000', 'test'), policy: retryPolicy(1), clock: Date.now, timeoutMs: 5000 });
    await assert.rejects(wrong.write([alert(1)]), (e: Error) => /invalid token/.test(e.message) && !e.message.includes('wrong-token'));
    m.sink.close();
  });

  it('fails when acknowledgement is required and the token has it off', async () => {
    emu = await emulator({ hecTokens: { [HEC_TOKEN]: { ack: false, indexes: ['tierzero'] } } });
    await assert.rejects(sink(emu, { requireAck: true }).sink.write([alert(1)]), /indexer acknowledgement off/);
  });

  it('skips alerts Splunk already holds', async () => {
    emu = await emulator();
    const m = sink(emu, {}, async () => new Set([alert(1).id]));
    await m.sink.write([alert(1), alert(2)]);
    assert.deepEqual(indexedAlertIds(emu), [alert(2).id]);
    assert.equal(m.sink.stats.skipped, 1);
  });

  it('renders the event time from the alert\'s last event', () => {
    const e = JSON.parse(hecEvent(alert(1), { index: 'tierzero', source: 'tierzero' })) as { time: number; fields: Record<string, string> };
    assert.equal(e.time, Date.parse('2024-01-01T00:05:00.000Z') / 1000);
    assert.equal(e.fields['alert_id'], alert(1).id);
  });
});

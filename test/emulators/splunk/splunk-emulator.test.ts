/* eslint-disable @typescript-eslint/no-require-imports -- splunk-sdk has no types */
import { strict as assert } from 'node:assert';
import { emulator, PASSWORD } from '../../adapters/splunk/harness';
import type { SplunkEmulator } from './splunk-emulator';

/**
 * The emulator as the real splunk-sdk 2.0.2 (with its own transport) sees it: the behaviour
 * research/feasibility.md §4(a) measured against the SDK, and the endpoints tierzero relies on.
 */
interface Sdk {
  Service: new (params: Record<string, unknown>) => SdkService;
}
interface SdkJob { sid: string; track(o: { period: number }, cb: { done: (j: SdkJob) => void; failed: () => void; error: (e: unknown) => void }): Promise<unknown>; results(p: Record<string, unknown>): Promise<[unknown, SdkJob]>; cancel(): Promise<unknown> }
interface SdkService {
  sessionKey: string;
  version: string;
  login(): Promise<unknown>;
  search(spl: string, params: Record<string, unknown>): Promise<SdkJob>;
  oneshotSearch(spl: string, params: Record<string, unknown>): Promise<unknown>;
  post(path: string, params: Record<string, unknown>): Promise<{ data: unknown }>;
  get(path: string, params: Record<string, unknown>): Promise<{ data: unknown }>;
}

const splunkjs = require('splunk-sdk') as Sdk;

function service(emu: SplunkEmulator, password = PASSWORD): SdkService {
  const port = Number(new URL(emu.url).port);
  return new splunkjs.Service({ scheme: 'http', host: '127.0.0.1', port, username: 'svc_tierzero', password, owner: 'nobody', app: 'tierzero' });
}

function seed(emu: SplunkEmulator): void {
  for (const [i, user] of ['alice', 'bob', 'carol'].entries()) {
    emu.addEvent({
      index: 'wineventlog', sourcetype: 'XmlWinEventLog', source: 'XmlWinEventLog:Security', host: 'dc1',
      time: Date.parse('2024-01-01T00:00:00Z') + i * 1000, indexTime: 1_704_067_300 + i,
      fields: { EventCode: i === 2 ? '4624' : '4771', TargetUserName: user, Status: '0x18' },
    });
  }
}

async function track(job: SdkJob): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    void job.track({ period: 1 }, { done: () => resolve(), failed: () => reject(new Error('job failed')), error: reject });
  });
}

describe('Splunk emulator, driven by splunk-sdk 2.0.2', () => {
  let emu: SplunkEmulator;
  afterEach(async () => emu.stop());

  it('logs in with a form post and reads the version from server/info', async () => {
    emu = await emulator();
    const svc = service(emu);
    await svc.login();
    assert.equal(svc.version, '9.3.1');
    const login = emu.requestsTo(/auth\/login$/)[0];
    assert.equal(login?.params['username'], 'svc_tierzero');
    assert.equal(login?.params['cookie'], '1');
    assert.match(String(emu.requestsTo(/server\/info$/)[0]?.headers['authorization']), /^Splunk \S+$/);
  });

  it('refuses a wrong password with 401 and Splunk\'s message', async () => {
    emu = await emulator();
    await assert.rejects(service(emu, 'wrong').login(), (e: { status: number; data: { messages: { text: string }[] } }) => e.status === 401 && e.data.messages[0]?.text === 'Login failed');
  });

  it('runs a normal search job on the v2 API and pages its results by POST', async () => {
    emu = await emulator();
    seed(emu);
    const svc = service(emu);
    await svc.login();
    const job = await svc.search('search `tierzero_windows_index` EventCode=4771', { earliest_time: '0' });
    await track(job);
    const [page] = await job.results({ count: 1, offset: 1 });
    assert.deepEqual((page as { fields: string[] }).fields.includes('TargetUserName'), true);
    assert.equal((page as { rows: unknown[] }).rows.length, 1);
    const results = emu.requestsTo(/\/search\/v2\/jobs\/[^/]+\/results$/);
    assert.equal(results[0]?.method, 'POST');
  });

  it('uses the v1 search API and GET for results on a server before 9.0.2', async () => {
    emu = await emulator({ version: '8.2.6' });
    seed(emu);
    const svc = service(emu);
    await svc.login();
    const job = await svc.search('search `tierzero_windows_index` EventCode=4771', { earliest_time: '0' });
    await track(job);
    const [page] = await job.results({ output_mode: 'json' });
    assert.equal((page as { results: unknown[] }).results.length, 2);
    assert.equal(emu.requestsTo(/\/search\/jobs\/[^/]+\/results$/)[0]?.method, 'GET');
    assert.equal(emu.requestsTo(/\/search\/v2\//).length, 0);
  });

  it('answers a oneshot search in the body, as json_rows by default', async () => {
    emu = await emulator();
    seed(emu);
    const svc = service(emu);
    await svc.login();
    const data = await svc.oneshotSearch('search `tierzero_windows_index` TargetUserName=alice', { earliest_time: '0' }) as { rows: unknown[][] };
    assert.equal(data.rows.length, 1);
  });

  it('streams an export as JSON lines with the last row flagged, which the SDK returns as one string', async () => {
    emu = await emulator();
    seed(emu);
    const svc = service(emu);
    await svc.login();
    const res = await svc.post('search/v2/jobs/export', { search: 'search `tierzero_windows_index` EventCode IN (4771, 4624)', output_mode: 'json', earliest_time: '0' });
    assert.equal(typeof res.data, 'string');
    const lines = (res.data as string).trim().split('\n').map((l) => JSON.parse(l) as { lastrow?: boolean; result: Record<string, string> });
    assert.equal(lines.length, 3);
    assert.equal(lines[2]?.lastrow, true);
    // Raw events come newest first, with Splunk's internal fields.
    assert.equal(lines[0]?.result['TargetUserName'], 'carol');
    assert.ok(lines[0]?.result['_bkt'] && lines[0]?.result['_cd'] && lines[0]?.result['_indextime']);
  });

  it('honours index_earliest and index_latest on index time', async () => {
    emu = await emulator();
    seed(emu);
    const svc = service(emu);
    await svc.login();
    const res = await svc.post('search/v2/jobs/export', { search: 'search `tierzero_windows_index`', output_mode: 'json', index_earliest: '1704067301', index_latest: '1704067302' });
    // One JSON line parses as one object, so the SDK hands it over parsed.
    const rows = (typeof res.data === 'string' ? res.data.trim().split('\n').map((l) => JSON.parse(l) as { result: Record<string, string> }) : [res.data as { result: Record<string, string> }]).map((d) => d.result);
    assert.deepEqual(rows.map((r) => r['TargetUserName']), ['bob']);
  });

  it('logs in again by itself after the session expires', async () => {
    emu = await emulator();
    const svc = service(emu);
    await svc.login();
    const first = svc.sessionKey;
    emu.expireSessions();
    await svc.get('/services/server/info', {});
    assert.notEqual(svc.sessionKey, first);
    assert.equal(emu.requestsTo(/auth\/login$/).length, 2);
  });

  it('finds macros only in the namespace of the app that defines them', async () => {
    emu = await emulator();
    const port = Number(new URL(emu.url).port);
    const global = new splunkjs.Service({ scheme: 'http', host: '127.0.0.1', port, username: 'svc_tierzero', password: PASSWORD });
    await global.login();
    await assert.rejects(global.post('search/jobs/export', { search: 'search `tierzero_windows_index`', output_mode: 'json' }),
      (e: { status: number }) => e.status === 400);
  });

  it('accepts HEC events, answers with ack ids on an ack-enabled token and confirms them', async () => {
    emu = await emulator();
    const headers = { authorization: 'Splunk 8a4e1c2b-emul-ated-hec0-token00000001', 'x-splunk-request-channel': 'c0ffee00-0000-4000-8000-000000000001' };
    const sent = await fetch(`${emu.hecUrl}/services/collector/event`, { method: 'POST', headers, body: '{"event":{"a":1},"index":"tierzero"}{"event":"two","index":"tierzero"}' });
    assert.deepEqual(await sent.json(), { text: 'Success', code: 0, ackId: 0 });
    const ack = await fetch(`${emu.hecUrl}/services/collector/ack?channel=c0ffee00-0000-4000-8000-000000000001`, { method: 'POST', headers, body: '{"acks":[0]}' });
    assert.deepEqual(await ack.json(), { acks: { 0: true } });
    assert.equal(emu.store.events.length, 2);
  });

  it('answers HEC errors with HEC\'s codes', async () => {
    emu = await emulator();
    const post = async (headers: Record<string, string>, body: string): Promise<unknown> => (await fetch(`${emu.hecUrl}/services/collector/event`, { method: 'POST', headers, body })).json();
    assert.deepEqual(await post({}, '{"event":1}'), { text: 'Token is required', code: 2 });
    assert.deepEqual(await post({ authorization: 'Splunk nope' }, '{"event":1}'), { text: 'Invalid token', code: 4 });
    const auth = { authorization: 'Splunk 8a4e1c2b-emul-ated-hec0-token00000001', 'x-splunk-request-channel': 'c' };
    assert.deepEqual(await post(auth, '{"event":1,"index":"main"}'), { text: 'Incorrect index', code: 7, 'invalid-event-number': 0 });
    assert.deepEqual(await post({ authorization: auth.authorization }, '{"event":1}'), { text: 'Data channel is missing', code: 10 });
  });
});

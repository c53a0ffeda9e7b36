import { strict as assert } from 'node:assert';
import { request } from 'node:https';
import { gzipSync } from 'node:zlib';
import { azure, credential, type Azure } from '../../adapters/sentinel/harness';
import { LogsIngestionEmulator, solutionDcr } from './logs-ingestion';
import { loopbackTls } from './tls';

/** The Logs Ingestion emulator at the wire: what it answers to requests an SDK would not send. */
const DCR = `dcr-${'77'.repeat(16)}`;
const ALERTS = 'Custom-TierzeroAlerts_CL';

interface Answer { status: number; body: string; headers: Record<string, string | string[] | undefined> }

function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, ca: loopbackTls().cert }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Logs Ingestion emulator (test/emulators/azure/logs-ingestion.ts)', function () {
  this.timeout(20_000);
  let a: Azure;
  let emu: LogsIngestionEmulator;
  let bearer: string;
  beforeEach(async () => {
    a = await azure();
    emu = await new LogsIngestionEmulator({ token: a.token, dcr: solutionDcr(DCR), workspace: a.la }).start();
    bearer = `Bearer ${(await credential(a).getToken('https://monitor.azure.com/.default'))?.token ?? ''}`;
  });
  afterEach(async () => {
    await emu.stop();
    await a.stop();
  });

  const url = (stream = ALERTS, q = '?api-version=2023-01-01', dcr = DCR): string => `${emu.endpoint}/dataCollectionRules/${dcr}/streams/${stream}${q}`;
  const row = { TimeGenerated: '2026-01-01T00:00:00Z', AlertId: 'tz-1', RiskScore: 70, Learning: false, Tactics: ['CredentialAccess'] };

  it('accepts a gzipped array of declared rows with 204, and the workspace can query them', async () => {
    const r = await post(url(), gzipSync(JSON.stringify([row])), { authorization: bearer, 'content-encoding': 'gzip' });
    assert.equal(r.status, 204, r.body);
    assert.deepEqual(a.la.run('TierzeroAlerts_CL | summarize by AlertId').rows, [['tz-1']]);
  });

  it('answers 401 with a bearer challenge without a token, and for a token of another audience', async () => {
    const none = await post(url(), '[]', {});
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Bearer authorization_uri=/);
    const other = `Bearer ${(await credential(a).getToken('https://api.loganalytics.io/.default'))?.token ?? ''}`;
    assert.equal((await post(url(), '[]', { authorization: other })).status, 401);
  });

  it('refuses a call without the 2023-01-01 api-version', async () => {
    assert.equal((await post(url(ALERTS, ''), '[]', { authorization: bearer })).status, 400);
  });

  it('answers 404 for a DCR or a stream it does not have', async () => {
    assert.equal((await post(url(ALERTS, undefined, `dcr-${'00'.repeat(16)}`), '[]', { authorization: bearer })).status, 404);
    assert.equal((await post(url('Custom-Nope_CL'), '[]', { authorization: bearer })).status, 404);
  });

  it('answers 413 when the body is over 1 MB uncompressed, however small the gzip', async () => {
    const big = JSON.stringify(Array.from({ length: 600 }, (_, i) => ({ ...row, AlertId: `tz-${i}`, Why: 'w'.repeat(2000) })));
    const r = await post(url(), gzipSync(big), { authorization: bearer, 'content-encoding': 'gzip' });
    assert.equal(r.status, 413);
    assert.match(r.body, /ContentLengthLimitExceeded/);
    assert.equal(a.la.count('TierzeroAlerts_CL'), 0);
  });

  it('checks rows against the stream declaration: types and undeclared columns', async () => {
    const wrongType = await post(url(), JSON.stringify([{ ...row, RiskScore: 'high' }]), { authorization: bearer });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body, /RiskScore.*is not a int/);
    const undeclared = await post(url(), JSON.stringify([{ ...row, Extra: 1 }]), { authorization: bearer });
    assert.match(undeclared.body, /Extra, which the stream does not declare/);
    assert.match((await post(url(), JSON.stringify({ rows: [row] }), { authorization: bearer })).body, /JSON array of objects/);
  });

  it('says so when a body is gzipped twice', async () => {
    const r = await post(url(), gzipSync(gzipSync(JSON.stringify([row]))), { authorization: bearer, 'content-encoding': 'gzip' });
    assert.equal(r.status, 400);
    assert.match(r.body, /compressed twice/);
  });

  it('answers an injected 429 with Retry-After, once', async () => {
    emu.faults.push({ status: 429, times: 1, retryAfterSeconds: 7 });
    const first = await post(url(), JSON.stringify([row]), { authorization: bearer });
    assert.equal(first.status, 429);
    assert.equal(first.headers['retry-after'], '7');
    assert.equal((await post(url(), JSON.stringify([row]), { authorization: bearer })).status, 204);
  });

  it('refuses to emulate a DCR whose transformKql is not source', () => {
    const dcr = solutionDcr(DCR);
    assert.throws(() => new LogsIngestionEmulator({ token: a.token, dcr: { ...dcr, dataFlows: dcr.dataFlows.map((f) => ({ ...f, transformKql: 'source | where Severity != "Low"' })) } }), /not emulated/);
  });
});

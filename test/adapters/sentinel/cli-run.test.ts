import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, useAzurite, type AzuriteBlob } from '../../support/azurite';
import { tierzero as runCli, type CliResult } from '../../support/cli';
import { CLIENT_SECRET } from './harness';
import { ALERTS_STREAM, alertRows, configFile, dedupedAlertIds, ENV, estate, loadRecent, SCORES_STREAM, section, type Estate } from './cli-harness';

/** `tierzero run --config` as the solution's Function app runs it on its timer. */
const tierzero = (args: readonly string[], o: { env?: NodeJS.ProcessEnv; child?: (c: ChildProcess) => void } = {}): Promise<CliResult> =>
  runCli(args, { env: o.env ?? ENV, stdin: (c) => { o.child?.(c); c.stdin?.end(); } });

/** Two datasets that raise several alerts (DCSync, Kerberoasting). */
const DATA = ['dcsync-eas-ca_dcsync_4662.jsonl', 'kerberoast-hse-yamato.jsonl'];

interface Summary { status: string; alerts: number; records: number; error?: string }
const summary = (r: CliResult): Summary => JSON.parse(r.stdout) as Summary;

describe('tierzero run on Sentinel (Log Analytics + Logs Ingestion emulators, Azurite)', function () {
  this.timeout(90_000);
  let blob: AzuriteBlob;
  let e: Estate;
  let config: string;
  before(async function () {
    blob = await useAzurite(this);
  });
  beforeEach(async () => {
    e = await estate();
    for (const f of DATA) loadRecent(e, f);
    config = await configFile(e, section(e, blob));
  });
  afterEach(async () => e.stop());

  const stateBlob = (): ContainerClient => new ContainerClient(`${blob.accountUrl}/${e.container}`, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const stateExists = async (): Promise<boolean> => stateBlob().getBlobClient('engine-state.json').exists();

  it('pulls, detects, writes alert and score rows through the DCR, and commits the state blob', async () => {
    const r = await tierzero(['run', '--config', config, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = summary(r);
    assert.equal(s.status, 'ok');
    assert.ok(s.records > 0 && s.alerts >= 2, r.stdout);
    assert.equal(alertRows(e).length, s.alerts);
    assert.ok(e.ingest.rows(SCORES_STREAM).length > 0, 'score rows written');
    assert.deepEqual(dedupedAlertIds(e), [...new Set(alertRows(e))].sort());
    assert.ok(e.az.la.queries.some((q) => /SecurityEvent/.test(q.query) && q.status === 200), 'pulled from SecurityEvent');
    assert.ok(await stateExists(), 'state blob committed');
    const detectors = new Set(e.ingest.rows(ALERTS_STREAM).map((row) => row['DetectorId']));
    assert.ok(detectors.has('dcsync') && detectors.has('kerberoasting'), [...detectors].join());
  });

  it('writes nothing on the next pass when nothing new was ingested', async () => {
    assert.equal((await tierzero(['run', '--config', config])).code, 0);
    const rows = alertRows(e).length;
    const second = await tierzero(['run', '--config', config, '--json']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(summary(second).alerts, 0);
    assert.equal(alertRows(e).length, rows);
  });

  it('does not re-send alerts the committed state records as delivered (a connector re-sent the same events)', async () => {
    // No settle lag: what is ingested after the first pass is read by the second.
    config = await configFile(e, section(e, blob, { query: { eventLookbackHours: 24 * 365 * 10, settleSeconds: 0 } }));
    assert.equal((await tierzero(['run', '--config', config])).code, 0);
    const rows = alertRows(e).length;
    const at = Date.now();
    for (const f of DATA) loadRecent(e, f, { ingestedAt: at });
    const again = await tierzero(['run', '--config', config, '--json']);
    assert.equal(again.code, 0, again.stderr);
    const s = summary(again) as Summary & { alreadyDelivered: number };
    assert.ok(s.records > 0, 'the re-sent events were pulled');
    assert.ok(s.alreadyDelivered > 0, again.stdout);
    assert.equal(alertRows(e).length, rows, 'no alert row sent again');
  });

  it('a replay of the same window (state blob reset) re-sends rows, and the readers\' dedupe shows nothing new', async () => {
    assert.equal((await tierzero(['run', '--config', config])).code, 0);
    const seen = dedupedAlertIds(e);
    await stateBlob().getBlobClient('engine-state.json').delete();
    const replay = await tierzero(['run', '--config', config, '--json']);
    assert.equal(replay.code, 0, replay.stderr);
    assert.equal(alertRows(e).length, 2 * seen.length, 'the same alerts sent again');
    assert.deepEqual(dedupedAlertIds(e), seen);
  });

  it('SIGKILL between ingestion and the state commit: the rerun re-sends, and after dedupe nothing is duplicated or missing', async () => {
    let child: ChildProcess | undefined;
    let killed = false;
    e.ingest.afterAccept = async (stream) => {
      if (stream !== ALERTS_STREAM || killed || !child) return;
      killed = true;
      const gone = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    };
    const crashed = await tierzero(['run', '--config', config], { child: (c) => { child = c; } });
    assert.equal(crashed.code, null, 'killed');
    const delivered = [...new Set(alertRows(e))].sort();
    assert.ok(delivered.length >= 2);
    assert.equal(await stateExists(), false, 'nothing committed');
    e.ingest.afterAccept = undefined;
    const rerun = await tierzero(['run', '--config', config, '--json']);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(summary(rerun).alerts, delivered.length);
    assert.equal(alertRows(e).length, 2 * delivered.length, 'the rerun re-sent what the killed pass had sent');
    assert.deepEqual(dedupedAlertIds(e), delivered);
    assert.ok(await stateExists());
  });

  it('two overlapping passes: exactly one commits (ETag), the other exits 3 with the conflict', async () => {
    e.ingest.holdUntil(2);
    const both = await Promise.all([tierzero(['run', '--config', config, '--json']), tierzero(['run', '--config', config, '--json'])]);
    assert.deepEqual(both.map((r) => r.code).sort(), [0, 3], both.map((r) => r.stderr).join('\n'));
    const loser = both.find((r) => r.code === 3);
    assert.match(summary(loser as CliResult).error ?? '', /StateConflictError/);
    const winner = summary(both.find((r) => r.code === 0) as CliResult);
    assert.equal(dedupedAlertIds(e).length, winner.alerts);
    const next = await tierzero(['run', '--config', config, '--json']);
    assert.equal(summary(next).alerts, 0);
  });

  it('splits a batch the ingestion endpoint refuses with 413', async () => {
    e.ingest.faults.push({ status: 413, times: 1, stream: ALERTS_STREAM });
    const r = await tierzero(['run', '--config', config, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(e.ingest.uploads[0]?.status, 413);
    assert.equal(dedupedAlertIds(e).length, summary(r).alerts);
    assert.equal(alertRows(e).length, summary(r).alerts, 'each alert once');
  });

  it('waits out 429 with Retry-After on ingestion, then commits', async () => {
    e.ingest.faults.push({ status: 429, times: 2, retryAfterSeconds: 1, stream: ALERTS_STREAM });
    const r = await tierzero(['run', '--config', config, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(e.ingest.uploads.slice(0, 3).map((u) => u.status), [429, 429, 204]);
    assert.ok(await stateExists());
  });

  it('fails with exit 3 and commits nothing when 429s outlast the retries; the next pass delivers', async () => {
    e.ingest.faults.push({ status: 429, times: 100, retryAfterSeconds: 0, stream: ALERTS_STREAM });
    const r = await tierzero(['run', '--config', await configFile(e, section(e, blob, { maxAttempts: 2 }))]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /IngestionFailedError: .*HTTP 429.*not committed/);
    assert.equal(await stateExists(), false);
    (e.ingest.faults[0] as { times: number }).times = 0;
    assert.equal((await tierzero(['run', '--config', config])).code, 0);
    assert.ok(dedupedAlertIds(e).length >= 2);
  });

  it('carries on when the token is revoked mid-pass (CAE challenge on ingestion → fresh token, body gzipped once)', async () => {
    let revoked = false;
    e.ingest.onArrival = (stream) => {
      if (stream === ALERTS_STREAM && !revoked) {
        revoked = true;
        e.az.token.revokeAll();
      }
    };
    const r = await tierzero(['run', '--config', config, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(e.ingest.uploads.some((u) => u.status === 401 && u.error === 'TokenRevoked'));
    assert.equal(alertRows(e).length, summary(r).alerts, 'each alert once');
  });

  it('renews a token that expires mid-pass before using it', async () => {
    await e.stop();
    e = await estate({ lifetimeSeconds: 2 });
    for (const f of DATA) loadRecent(e, f);
    config = await configFile(e, section(e, blob));
    // The pass stalls 2.5 s after the alert rows are in: the token it pulled with has expired by then.
    e.ingest.afterAccept = (stream) => (stream === ALERTS_STREAM ? new Promise((r) => setTimeout(r, 2500)) : undefined);
    const r = await tierzero(['run', '--config', config, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(e.az.token.issued.filter((t) => /monitor\.azure\.com/.test(t.scope)).length >= 2, 'a second ingestion token');
    assert.ok(!e.ingest.uploads.some((u) => u.status === 401) && !e.az.la.queries.some((q) => q.status === 401), 'never sent an expired token');
    assert.ok(e.ingest.rows(SCORES_STREAM).length > 0);
  });

  it('a token the service calls expired before its time fails the pass cleanly; the next pass delivers each alert once', async () => {
    let expired = false;
    e.ingest.onArrival = (stream) => {
      if (stream === ALERTS_STREAM && !expired) {
        expired = true;
        e.az.token.expireAll();
      }
    };
    const failed = await tierzero(['run', '--config', config]);
    assert.equal(failed.code, 3);
    assert.match(failed.stderr, /IngestionFailedError: .*HTTP 401 TokenExpired/);
    assert.equal(await stateExists(), false);
    assert.equal(alertRows(e).length, 0);
    const next = await tierzero(['run', '--config', config, '--json']);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(alertRows(e).length, summary(next).alerts);
    assert.equal(dedupedAlertIds(e).length, summary(next).alerts);
  });

  it('fails with exit 3 on a wrong client secret without printing it', async () => {
    const r = await tierzero(['run', '--config', config], { env: { ...ENV, TZ_TEST_AZURE_SECRET: 'not-the-secret-4711' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /SentinelAuthError/);
    assert.doesNotMatch(r.stderr, /not-the-secret-4711/);
  });

  it('exits 2 naming the key when the sentinel section is wrong', async () => {
    const r = await tierzero(['run', '--config', await configFile(e, section(e, blob, { settle: 5 }))]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sentinel\.settle is not a known key/);
  });

  it('keeps the client secret and the account key out of output, logs, rows and state', async () => {
    const r = await tierzero(['run', '--config', config]);
    assert.equal(r.code, 0, r.stderr);
    const state = await stateBlob().getBlobClient('engine-state.json').downloadToBuffer();
    const everything = [
      r.stdout, r.stderr, state.toString('utf8'),
      JSON.stringify(e.ingest.rows(ALERTS_STREAM)), JSON.stringify(e.ingest.rows(SCORES_STREAM)),
      ...(await Promise.all((await readdir(e.dir)).map((f) => readFile(join(e.dir, f), 'utf8')))),
    ].join('\n');
    for (const secret of [CLIENT_SECRET, AZURITE_KEY]) assert.equal(everything.includes(secret), false);
  });
});

describe('tierzero doctor --config and package on Sentinel', function () {
  this.timeout(60_000);
  let blob: AzuriteBlob;
  let e: Estate;
  before(async function () {
    blob = await useAzurite(this);
  });
  beforeEach(async () => {
    e = await estate();
  });
  afterEach(async () => e.stop());

  it('doctor: auth and workspace checks, then coverage counted in the workspace, then the blind detectors', async () => {
    loadRecent(e, DATA[0] as string, { retime: true });
    const r = await tierzero(['doctor', '--config', await configFile(e, section(e, blob)), '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    const report = JSON.parse(r.stdout) as { checks: { setting: string; status: string }[]; counts: { channel: string; eventId: number; count: number }[]; blind: string[]; query: string };
    assert.ok(report.checks.some((c) => c.setting === 'sentinel.credential.clientSecretEnv (TZ_TEST_AZURE_SECRET)' && c.status === 'ok'));
    assert.ok(report.checks.some((c) => c.setting === 'sentinel.workspaceId' && c.status === 'ok'));
    assert.ok(report.counts.some((c) => c.channel === 'Security' && c.eventId === 4662 && c.count === 3), JSON.stringify(report.counts));
    assert.ok(report.blind.includes('kerberoasting'), 'no 4769 in the workspace');
    assert.match(report.query, /summarize/);
  });

  it('doctor names the secret\'s variable when the token cannot be had', async () => {
    const r = await tierzero(['doctor', '--config', await configFile(e, section(e, blob))], { env: { ...ENV, TZ_TEST_AZURE_SECRET: 'wrong-secret-0815' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /sentinel\.credential\.clientSecretEnv \(TZ_TEST_AZURE_SECRET\)/);
    assert.doesNotMatch(r.stdout + r.stderr, /wrong-secret-0815/);
  });

  it('package sentinel writes the solution', async () => {
    const out = join(e.dir, 'dist');
    const r = await tierzero(['package', 'sentinel', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const path = r.stdout.split(' ')[0] as string;
    assert.ok(existsSync(path), r.stdout);
    assert.match(r.stdout, /\(\d+ files, \d+ KiB\)/);
  });
});

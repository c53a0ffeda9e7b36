import { strict as assert } from 'node:assert';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { asAzureMonitorAadAudit, asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { SYNC_PRINCIPAL } from '../../../bench/cloud/attacks';
import { audit } from '../../core/detectors/cloud.fixtures';
import { emulator, ENV, HEC_TOKEN, indexedAlertIds, PASSWORD, readDataset, section, tempDir } from './harness';
import { tierzero as runCli, type CliResult } from '../../support/cli';

/** `tierzero run --config` as a scheduler (or the app's scripted input) runs it. */
/** Stdin is always given: the scripted input's passAuth writes the session key there. */
const tierzero = (args: readonly string[], o: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> => runCli(args, { ...(o.env ? { env: o.env } : {}), stdin: o.stdin ?? '' });

/** The dataset indexed a few minutes ago by the wall clock, so the CLI's real clock finds it. */
function loadRecent(emu: SplunkEmulator, file: string): void {
  const now = Math.floor(Date.now() / 1000);
  for (const [i, r] of readDataset(file).entries()) emu.addEvent(asXmlWinEventLog(r, { index: 'wineventlog', indexTime: now - 600 + i }));
}

/** The datasets' events happened years ago (only their index time is recent): look back far enough. */
const LOOKBACK = { eventLookbackHours: 24 * 365 * 10 };

async function configFile(dir: string, splunk: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, 'tierzero.json');
  await writeFile(path, JSON.stringify({ ...extra, splunk: { search: LOOKBACK, ...splunk } }));
  return path;
}

describe('tierzero run on Splunk', function () {
  this.timeout(30_000);
  let emu: SplunkEmulator;
  let dir: string;
  beforeEach(async () => {
    emu = await emulator({ storagePasswords: { tierzero: { 'tierzero:hec_token:': HEC_TOKEN } } });
    dir = await tempDir();
  });
  afterEach(async () => emu.stop());

  it('pulls, detects, writes the alerts through HEC and commits state to the KV store', async () => {
    loadRecent(emu, 'dcsync-eas-ca_dcsync_4662.jsonl');
    const r = await tierzero(['run', '--config', await configFile(dir, section(emu, dir))], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^splunk: 3 events pulled, 1 alerts written, 0 quarantined/);
    assert.equal(indexedAlertIds(emu).length, 1);
    assert.ok(emu.kv.records('tierzero', 'tierzero_state').length > 0);
  });

  it('raises containment_reverted from the Entra audit records the cloud add-on indexed', async () => {
    // An analyst suspends a stolen account; 31 minutes later Entra Connect's sync principal enables it again.
    const victim = 'stolen.user@contoso.example';
    const records = [
      audit(0, 'Disable account', victim, { byUser: 'soc.analyst@contoso.example' }),
      audit(31, 'Update user', victim, { byUser: SYNC_PRINCIPAL, modified: [{ displayName: 'AccountEnabled', oldValue: '[false]', newValue: '[true]' }] }),
    ];
    const now = Math.floor(Date.now() / 1000);
    records.forEach((r, i) => emu.addEvent(asAzureMonitorAadAudit(r, { index: 'azure', indexTime: now - 600 + i })));
    const r = await tierzero(['run', '--config', await configFile(dir, section(emu, dir)), '--json'], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(summary['pulled'], 2);
    assert.equal(summary['quarantined'], 0);
    const alerts = emu.store.events.filter((e) => e.sourcetype === 'tierzero:alert');
    assert.deepEqual(alerts.map((e) => e.fields['detector']), ['containment_reverted']);
    assert.match(JSON.stringify(alerts[0]?.raw ?? alerts[0]?.fields), /stolen\.user@contoso\.example/);
  });

  it('prints one JSON summary with --json and logs JSON lines on stderr', async () => {
    loadRecent(emu, 'dcsync-eas-ca_dcsync_4662.jsonl');
    const r = await tierzero(['run', '--config', await configFile(dir, section(emu, dir)), '--json'], { env: ENV });
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(summary['status'], 'ok');
    assert.equal(summary['pulled'], 3);
    assert.equal(summary['alerts'], 1);
    for (const line of r.stderr.trim().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
  });

  it('writes nothing twice when the next pass finds nothing new', async () => {
    loadRecent(emu, 'dcsync-eas-ca_dcsync_4662.jsonl');
    const config = await configFile(dir, section(emu, dir));
    await tierzero(['run', '--config', config], { env: ENV });
    const second = await tierzero(['run', '--config', config, '--json'], { env: ENV });
    assert.equal((JSON.parse(second.stdout) as { alerts: number }).alerts, 0);
    assert.equal(indexedAlertIds(emu).length, 1);
  });

  it('runs as the scripted input does: session key on stdin, HEC token from storage/passwords', async () => {
    loadRecent(emu, 'dcsync-eas-ca_dcsync_4662.jsonl');
    const splunk = { url: emu.url, sessionKeyFromStdin: true, hec: { url: emu.hecUrl, tokenStoragePassword: 'hec_token', index: 'tierzero' }, state: { fallbackFile: join(dir, 's.json') } };
    const r = await tierzero(['run', '--config', await configFile(dir, splunk)], { stdin: `${emu.issueSessionKey()}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(indexedAlertIds(emu).length, 1);
    assert.equal(emu.requestsTo(/auth\/login$/).length, 0);
  });

  it('fails with exit 3 and Splunk\'s refusal when the password is wrong, without printing it', async () => {
    const r = await tierzero(['run', '--config', await configFile(dir, section(emu, dir))], { env: { ...ENV, TZ_TEST_SPLUNK_PASSWORD: 'not-the-password-123' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /SourceAuthError: Splunk refused login as svc_tierzero .*Login failed/);
    assert.doesNotMatch(r.stderr, /not-the-password-123/);
  });

  it('names the environment variable when a credential is missing', async () => {
    const r = await tierzero(['run', '--config', await configFile(dir, section(emu, dir))], { env: { TZ_TEST_HEC_TOKEN: HEC_TOKEN, TZ_TEST_SPLUNK_PASSWORD: '' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /environment variable TZ_TEST_SPLUNK_PASSWORD is not set/);
  });

  it('exits 2 naming the key when the splunk section is wrong', async () => {
    const r = await tierzero(['run', '--config', await configFile(dir, { ...section(emu, dir), settle: 5 })], { env: ENV });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: splunk\.settle is not a known key/);
  });

  it('exits 2 when the config names no platform', async () => {
    const path = join(dir, 'empty.json');
    await writeFile(path, '{}');
    const r = await tierzero(['run', '--config', path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /names no platform: add a "splunk" or "elastic" section/);
  });

  it('keeps the password and the HEC token out of output, logs, state and alerts', async () => {
    loadRecent(emu, 'multi-eas-bloodhound.jsonl');
    emu.faults.push({ server: 'hec', path: /collector\/event$/, times: 1, status: 503, body: { text: 'Server is busy', code: 9 } });
    const r = await tierzero(['run', '--config', await configFile(dir, section(emu, dir))], { env: ENV });
    assert.equal(r.code, 0, r.stderr);
    const everything = [
      r.stdout, r.stderr,
      JSON.stringify(emu.kv.records('tierzero', 'tierzero_state')),
      JSON.stringify(emu.store.events.filter((e) => e.sourcetype === 'tierzero:alert')),
      ...(await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), 'utf8')))),
    ].join('\n');
    for (const secret of [PASSWORD, HEC_TOKEN]) assert.equal(everything.includes(secret), false);
  });
});

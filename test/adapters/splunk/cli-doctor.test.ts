import { strict as assert } from 'node:assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { asWinEventLog, asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { emulator, ENV, HEC_TOKEN, PASSWORD, readDataset, section, tempDir } from './harness';
import { tierzero as runCli, type CliResult } from '../../support/cli';

/** `tierzero doctor --config` as an admin runs it after installing the app. */
const tierzero = (args: readonly string[], env: NodeJS.ProcessEnv = ENV): Promise<CliResult> => runCli(args, { env });

/** A dataset's events as if they happened `daysAgo` days ago by the wall clock. */
function loadDaysAgo(emu: SplunkEmulator, file: string, daysAgo: number, format: 'xml' | 'classic' = 'xml'): number {
  const records = readDataset(file);
  const start = Date.now() - daysAgo * 86_400_000;
  for (const [i, r] of records.entries()) {
    const at = start + i * 1000;
    const ev = { ...r, TimeCreated: new Date(at).toISOString() };
    emu.addEvent((format === 'xml' ? asXmlWinEventLog : asWinEventLog)(ev, { index: 'wineventlog', indexTime: Math.floor(at / 1000) + 5 }));
  }
  return records.length;
}

async function configFile(dir: string, splunk: Record<string, unknown>): Promise<string> {
  const path = join(dir, 'tierzero.json');
  await writeFile(path, JSON.stringify({ splunk }));
  return path;
}

interface DoctorJson {
  status: string;
  counts: { channel: string; eventId: number; count: number }[];
  blind: string[];
  detectors: { id: string; status: string }[];
  checks: { setting: string; status: string }[];
  query: string;
}

describe('tierzero doctor --config on Splunk', function () {
  this.timeout(30_000);
  let emu: SplunkEmulator;
  let dir: string;
  beforeEach(async () => {
    emu = await emulator();
    dir = await tempDir();
  });
  afterEach(async () => emu.stop());

  it('reports coverage counted in Splunk and names the blind detectors with the audit policy to enable', async () => {
    loadDaysAgo(emu, 'dcsync-eas-ca_dcsync_4662.jsonl', 1);
    const r = await tierzero(['doctor', '--config', await configFile(dir, section(emu, dir))]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /ok {4}splunk\.url: Splunk .* at http:\/\/127\.0\.0\.1/);
    assert.match(r.stdout, /dcsync\s+partial\s+4662×3\s+Security 4624/);
    assert.match(r.stdout, /blind detectors \(no input event present\) — enable:\n {2}\S+\n {4}Security \d+.*: Audit/);
    assert.match(r.stdout, /\n {2}kerberoasting\n {4}Security 4769: Audit Kerberos Service Ticket Operations/);
    assert.match(r.stdout, /partially covered — to see everything, enable:[^]*\n {2}dcsync\n {4}Security 4624: Audit Logon/);
  });

  it('counts in one pushed-down stats search over the pull search\'s filter', async () => {
    loadDaysAgo(emu, 'dcsync-eas-ca_dcsync_4662.jsonl', 1);
    await tierzero(['doctor', '--config', await configFile(dir, section(emu, dir))]);
    const searches = emu.requestsTo(/jobs\/export$/);
    assert.equal(searches.length, 1);
    assert.match(searches[0]?.params['search'] ?? '', /^search .*EventCode IN \(.*4662.*\).* \| fillnull value=0 EventCode \| stats count by sourcetype source EventCode$/);
  });

  it('writes the counts, checks and blind list as JSON with --json', async () => {
    loadDaysAgo(emu, 'dcsync-eas-ca_dcsync_4662.jsonl', 1);
    const r = await tierzero(['doctor', '--config', await configFile(dir, section(emu, dir)), '--json']);
    const doc = JSON.parse(r.stdout) as DoctorJson;
    assert.deepEqual(doc.counts, [{ channel: 'Security', eventId: 4662, count: 3 }]);
    assert.equal(doc.detectors.find((d) => d.id === 'dcsync')?.status, 'partial');
    assert.ok(doc.blind.includes('kerberoasting'));
    assert.ok(!doc.blind.includes('dcsync'));
    assert.deepEqual(doc.checks.map((c) => c.status), ['ok', 'ok', 'ok', 'ok']);
  });

  it('adds up XML and classic Windows events of one channel and EventID', async () => {
    loadDaysAgo(emu, 'dcsync-eas-ca_dcsync_4662.jsonl', 1, 'xml');
    loadDaysAgo(emu, 'dcsync-eas-ca_dcsync_4662.jsonl', 2, 'classic');
    const r = await tierzero(['doctor', '--config', await configFile(dir, section(emu, dir)), '--json']);
    assert.deepEqual((JSON.parse(r.stdout) as DoctorJson).counts, [{ channel: 'Security', eventId: 4662, count: 6 }]);
  });

  it('counts only the last --days days (7 by default)', async () => {
    loadDaysAgo(emu, 'dcsync-eas-ca_dcsync_4662.jsonl', 10);
    const config = await configFile(dir, section(emu, dir));
    const week = JSON.parse((await tierzero(['doctor', '--config', config, '--json'])).stdout) as DoctorJson;
    const month = JSON.parse((await tierzero(['doctor', '--config', config, '--json', '--days', '30'])).stdout) as DoctorJson;
    assert.deepEqual(week.counts, []);
    assert.deepEqual(month.counts.map((c) => c.count), [3]);
  });

  it('names the password setting when Splunk refuses the login, without printing the password', async () => {
    const r = await tierzero(['doctor', '--config', await configFile(dir, section(emu, dir))], { ...ENV, TZ_TEST_SPLUNK_PASSWORD: 'wrong-password-123' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /splunk\.passwordEnv \(TZ_TEST_SPLUNK_PASSWORD\): Splunk refused login as svc_tierzero/);
    assert.doesNotMatch(r.stderr + r.stdout, /wrong-password-123/);
    assert.doesNotMatch(r.stderr + r.stdout, new RegExp(PASSWORD));
  });

  it('names splunk.url when nothing listens on the management port', async () => {
    const config = await configFile(dir, section(emu, dir));
    await emu.stop();
    const r = await tierzero(['doctor', '--config', config]);
    emu = await emulator();
    assert.equal(r.code, 1);
    assert.match(r.stderr, /splunk\.url: cannot reach the management port at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it('names the HEC token setting when HEC refuses the token', async () => {
    const r = await tierzero(['doctor', '--config', await configFile(dir, section(emu, dir))], { ...ENV, TZ_TEST_HEC_TOKEN: 'not-the-hec-token' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /splunk\.hec\.tokenEnv \(TZ_TEST_HEC_TOKEN\): HEC refused the token \(HTTP 403, code 4\)/);
    assert.doesNotMatch(r.stderr, new RegExp(HEC_TOKEN));
  });

  it('names the index setting when the app\'s macros are missing', async () => {
    await emu.stop();
    emu = await emulator({ apps: { tierzero: { macros: {}, collections: ['tierzero_state'] } } });
    const r = await tierzero(['doctor', '--config', await configFile(dir, section(emu, dir))]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /splunk\.search\.windowsIndexes: .*macro 'tierzero_windows_index'.*list the indexes in splunk\.search\.windowsIndexes/);
  });

  it('exits 2 naming the key when the splunk section is wrong', async () => {
    const r = await tierzero(['doctor', '--config', await configFile(dir, { ...section(emu, dir), settle: 5 })]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: splunk\.settle is not a known key/);
  });
});

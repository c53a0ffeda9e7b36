import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionRequest, ActionResult, Responder } from '../../../playbooks/responder';
import { Secret } from '../../../core/config/secret';
import { startResponderServer, type RunningServer } from '../../../playbooks/server';
import { tierzero } from '../../support/cli';
import type { SplunkEmulator } from '../../emulators/splunk/splunk-emulator';
import { asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { emulator, HEC_TOKEN, indexedAlertIds, readDataset, tempDir } from './harness';

/**
 * The Python 3 shims of the packaged app, run as splunkd runs them: the scripted input (session
 * key on stdin, then the bundled engine with the search head's Node) and the alert actions
 * (`--execute`, JSON payload on stdin) calling tierzero's real responder HTTP server.
 */
const RESPONDER_TOKEN = 'responder-bearer-token-0123456789';

function python(): string | undefined {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

describe('Splunk app shims', function () {
  this.timeout(60_000);
  const py = python();
  let app: string;
  let emu: SplunkEmulator;

  before(async function () {
    if (!py) this.skip();
    const out = await tempDir();
    const r = await tierzero(['package', 'splunk', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const tgz = readdirSync(out).find((f) => f.endsWith('.tgz')) ?? '';
    execFileSync('tar', ['-xzf', join(out, tgz), '-C', out]);
    app = join(out, 'tierzero');
  });

  beforeEach(async () => {
    emu = await emulator({ storagePasswords: { tierzero: { 'tierzero:hec_token:': HEC_TOKEN, 'tierzero:responder_token:': RESPONDER_TOKEN } } });
  });
  afterEach(async () => emu.stop());

  /** Asynchronous: the emulator and the responder answer from this process while the script runs. */
  const run = (script: string, o: { env?: NodeJS.ProcessEnv; input?: string; args?: string[] } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(py as string, [join(app, 'bin', script), ...(o.args ?? [])], { env: { PATH: '/nonexistent', ...o.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      child.stdin.end(o.input ?? '');
    });

  describe('scripted input', () => {
    it('fails with a clear message in splunkd.log when the search head has no Node', async () => {
      const r = await run('tierzero_input.py', { input: 'key\n' });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /ERROR tierzero_input: Node\.js >= 20 is required on this search head and none was found/);
    });

    it('refuses a Node older than 20, naming the version found', async () => {
      const dir = await tempDir();
      const fake = join(dir, 'node');
      writeFileSync(fake, '#!/bin/sh\necho v18.19.0\n');
      chmodSync(fake, 0o755);
      const r = await run('tierzero_input.py', { input: 'key\n', env: { TIERZERO_NODE: fake } });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /tierzero needs Node\.js >= 20; .* is v18\.19\.0/);
    });

    it('runs one pass with the bundled engine and prints its JSON summary for indexing', async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const [i, e] of readDataset('dcsync-eas-ca_dcsync_4662.jsonl').entries()) emu.addEvent(asXmlWinEventLog(e, { index: 'wineventlog', indexTime: now - 600 + i }));
      mkdirSync(join(app, 'local'), { recursive: true });
      writeFileSync(join(app, 'local', 'tierzero.json'), JSON.stringify({ splunk: {
        url: emu.url, sessionKeyFromStdin: true, search: { eventLookbackHours: 24 * 365 * 10 },
        hec: { url: emu.hecUrl, tokenStoragePassword: 'hec_token', index: 'tierzero' }, state: { fallbackFile: 'state.json' },
      } }));
      const r = await run('tierzero_input.py', { input: `${emu.issueSessionKey()}\n`, env: { TIERZERO_NODE: process.execPath } });
      assert.equal(r.status, 0, r.stderr);
      const summary = JSON.parse(r.stdout) as { status: string; alerts: number };
      assert.equal(summary.status, 'ok');
      assert.equal(summary.alerts, 1);
      assert.equal(indexedAlertIds(emu).length, 1);
    });
  });

  describe('alert actions', () => {
    let server: RunningServer;
    let seen: ActionRequest[];
    let outcome: ActionResult['outcome'];
    beforeEach(async () => {
      seen = [];
      outcome = 'succeeded';
      const responder = {
        run: async (req: ActionRequest): Promise<ActionResult> => {
          seen.push(req);
          return { actionId: 'a-1', action: req.action, user: req.user, dryRun: false, outcome, message: outcome, steps: [], notes: [] };
        },
      } as unknown as Responder;
      server = await startResponderServer({ responder, token: new Secret(RESPONDER_TOKEN, 'test'), host: '127.0.0.1', port: 0, returnGeneratedPasswords: false });
    });
    afterEach(async () => server.close());

    const payload = (over: Record<string, unknown> = {}): string => JSON.stringify({
      app: 'tierzero', owner: 'admin', search_name: 'tierzero - Alert - Rule', server_uri: emu.url, session_key: emu.issueSessionKey(),
      configuration: { action: 'suspend', responder_url: server.url, user: 'jdoe', alert_id: 'tz-0123456789abcdef01234567', reason: 'tierzero alert: Suspected DCSync', ...over },
    });

    it('calls the responder with the action, user, alert id and reason, authenticated by the stored token', async () => {
      const r = await run('tierzero_suspend.py', { args: ['--execute'], input: payload() });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.action, 'suspend');
      assert.equal(seen[0]?.user, 'jdoe');
      assert.equal(seen[0]?.alertId, 'tz-0123456789abcdef01234567');
      assert.equal(seen[0]?.reason, 'tierzero alert: Suspected DCSync');
      assert.match(seen[0]?.actor ?? '', /^responder:splunk:tierzero - Alert - Rule@/);
      assert.doesNotMatch(r.stderr, new RegExp(RESPONDER_TOKEN));
    });

    it('runs revoke-sessions and reset-password through their own scripts', async () => {
      assert.equal((await run('tierzero_revoke_sessions.py', { args: ['--execute'], input: payload({ action: 'revoke-sessions' }) })).status, 0);
      assert.equal((await run('tierzero_reset_password.py', { args: ['--execute'], input: payload({ action: 'reset-password' }) })).status, 0);
      assert.deepEqual(seen.map((s) => s.action), ['revoke-sessions', 'reset-password']);
    });

    it('fails the action when the responder refuses, with its answer in splunkd.log', async () => {
      outcome = 'refused';
      const r = await run('tierzero_suspend.py', { args: ['--execute'], input: payload() });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /ERROR tierzero_alert_action: action suspend for jdoe: HTTP 403/);
    });

    it('says where the token should be when storage/passwords has none', async () => {
      await emu.stop();
      emu = await emulator();
      const r = await run('tierzero_suspend.py', { args: ['--execute'], input: payload() });
      assert.equal(r.status, 2);
      assert.match(r.stderr, /cannot read the responder token from storage\/passwords \(tierzero:responder_token:\): HTTP 404/);
      assert.equal(seen.length, 0);
    });

    it('refuses to run outside Splunk\'s --execute protocol', async () => {
      assert.equal((await run('tierzero_suspend.py', { input: payload() })).status, 2);
    });
  });
});

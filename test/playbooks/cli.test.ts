import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as respond } from '../../cli/respond';
import { run as serve } from '../../cli/serve-responder';
import type { RunningServer } from '../../playbooks/server';
import type { GraphEmulator } from '../emulators/graph/graph-emulator';
import { CLIENT_SECRET, startEmulator, tempDir } from './helpers';

function capture(env: NodeJS.ProcessEnv = {}) {
  const io = { out: '', err: '' };
  return { io, streams: { out: (s: string) => void (io.out += s), err: (s: string) => void (io.err += s), env } };
}

describe('playbooks: tierzero respond / serve-responder commands', () => {
  let emu: GraphEmulator;
  let dir: string;
  let config: string;
  const env = { TZ_GRAPH_SECRET: CLIENT_SECRET, TZ_RESPONDER_TOKEN: 'cli-responder-token-abcdef' };

  before(async () => {
    emu = await startEmulator();
    dir = tempDir();
    config = join(dir, 'tierzero.json');
    writeFileSync(
      config,
      JSON.stringify({
        honeytokens: [],
        response: {
          entra: { tenantId: emu.tenantId, clientId: 'tierzero-app', clientSecretEnv: 'TZ_GRAPH_SECRET', authorityUrl: emu.url, graphUrl: emu.url },
          circuitBreaker: { maxActionsPerHour: 5 },
          responder: { port: 0, tokenEnv: 'TZ_RESPONDER_TOKEN' },
        },
      }),
    );
  });
  after(() => emu.stop());

  it('prints usage and exits 2 without an action', async () => {
    const c = capture(env);
    assert.equal(await respond([], c.streams), 2);
    assert.match(c.io.err, /usage: tierzero respond suspend\|enable\|revoke-sessions\|reset-password --user/);
  });

  it('exits 2 when --user is missing or the config names an unset secret', async () => {
    assert.equal(await respond(['suspend', '--config', config], capture(env).streams), 2);
    const c = capture({});
    assert.equal(await respond(['suspend', '--user', 'a@corp.example', '--config', config], c.streams), 2);
    assert.match(c.io.err, /config: response\.entra\.clientSecretEnv names environment variable TZ_GRAPH_SECRET, which is not set/);
  });

  it('prints the plan of a dry run, changes nothing and exits 0', async () => {
    const u = emu.addUser({ userPrincipalName: 'cli-dry@corp.example' });
    const c = capture(env);
    assert.equal(await respond(['suspend', '--user', u.userPrincipalName, '--dry-run', '--config', config], c.streams), 0);
    assert.match(c.io.out, /DRY-RUN/);
    assert.match(c.io.out, /→ entra\.disable +planned +would disable cli-dry@corp\.example in Entra/);
    assert.equal(u.accountEnabled, true);
  });

  it('suspends, writes the audit log next to the config, and exits 0', async () => {
    const u = emu.addUser({ userPrincipalName: 'cli-go@corp.example' });
    const c = capture(env);
    assert.equal(await respond(['suspend', '-u', u.userPrincipalName, '--reason', 'token theft', '--alert-id', 'tz-5', '--config', config], c.streams), 0);
    assert.equal(u.accountEnabled, false);
    const audit = readFileSync(join(dir, '.tierzero', 'response-audit.jsonl'), 'utf8');
    assert.match(audit, /"alertId":"tz-5"/);
    assert.match(audit, /"actor":"cli:/);
  });

  it('shows a reset password once on stdout, never in the audit log', async () => {
    const u = emu.addUser({ userPrincipalName: 'cli-pw@corp.example' });
    const c = capture(env);
    assert.equal(await respond(['reset-password', '--user', u.id, '--config', config], c.streams), 0);
    const pw = u.passwordProfile?.password as string;
    assert.ok(c.io.out.includes(`temporary password (shown once`));
    assert.equal(c.io.out.split(pw).length - 1, 1, 'printed exactly once');
    assert.ok(!readFileSync(join(dir, '.tierzero', 'response-audit.jsonl'), 'utf8').includes(pw));
  });

  it('exits 1 when the action is refused', async () => {
    const c = capture(env);
    assert.equal(await respond(['suspend', '--user', 'nobody@corp.example', '--config', config], c.streams), 1);
    assert.match(c.io.out, /FAILED/);
  });

  it('reports and resets the circuit breaker', async () => {
    const c = capture(env);
    assert.equal(await respond(['breaker-status', '--config', config], c.streams), 0);
    assert.match(c.io.out, /circuit breaker: closed; \d+\/5 actions in the last hour/);
    assert.equal(await respond(['reset-breaker', '--config', config], capture(env).streams), 2, '--reason is required');
    assert.equal(await respond(['reset-breaker', '--reason', 'drill', '--config', config], c.streams), 0);
  });

  it('serves the responder until stopped, refusing to start without a token', async () => {
    const noToken = capture({ TZ_GRAPH_SECRET: CLIENT_SECRET });
    assert.equal(await serve(['--config', config], { err: noToken.streams.err, env: noToken.streams.env, stopped: Promise.resolve() }), 2);
    assert.match(noToken.io.err, /TZ_RESPONDER_TOKEN, which is not set/);

    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let listening!: (s: RunningServer) => void;
    const up = new Promise<RunningServer>((r) => (listening = r));
    const c = capture(env);
    const exit = serve(['--config', config], { err: c.streams.err, env, stopped, onListening: listening });
    const server = await up;
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    stop();
    assert.equal(await exit, 0);
    assert.match(c.io.err, /"msg":"listening"/);
    assert.ok(!c.io.err.includes(env.TZ_RESPONDER_TOKEN));
  });
});

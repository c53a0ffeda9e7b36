import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../cli/args';
import { exitCodeOf } from '../../cli/failure';
import { ConfigError } from '../../core/config/config';
import { securityEvent } from '../core/detectors/harness';
import { STATE_VERSION } from '../../core/state/state';
import { tierzero } from '../support/cli';

/** README "Exit codes": 0 ok, 1 --fail-on, 2 usage/config, 3 input/state/I-O failure. */
const dir = mkdtempSync(join(tmpdir(), 'tz-exit-'));
const STACK_FRAME = /^\s+at /m;

describe('exit codes', function () {
  this.timeout(30_000);
  let state = '';

  before(async () => {
    const input = join(dir, 'events.jsonl');
    writeFileSync(input, Array.from({ length: 8 }, (_, i) => JSON.stringify(securityEvent(4771, i / 60, { TargetUserName: 'asmith', Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' }))).join('\n') + '\n');
    writeFileSync(join(dir, 'config.json'), '{"testMode": true}');
    state = join(dir, 'state.json');
    const r = await tierzero(['detect', input, '--config', join(dir, 'config.json'), '--state', state, '--out', join(dir, 'alerts.jsonl'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('maps usage and config errors to 2, an error\'s own exitCode to itself, anything else to 3', () => {
    assert.equal(exitCodeOf(new UsageError('x')), 2);
    assert.equal(exitCodeOf(new ConfigError('maxLineBytes', 'is bad')), 2);
    assert.equal(exitCodeOf(Object.assign(new Error('locked'), { exitCode: 3 })), 3);
    assert.equal(exitCodeOf(new TypeError('surprise')), 3);
  });

  it('exits 3 on a state file that is not this tierzero\'s, with its message alone on one line', async () => {
    const other = join(dir, 'v9.json');
    writeFileSync(other, JSON.stringify({ version: 9 }));
    const r = await tierzero(['users', '--state', other]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`^tierzero users: state at .*v9\\.json has version 9, this tierzero reads version ${STATE_VERSION}; move it aside to start fresh\n$`));
  });

  it('exits 3 with one line and no stack when a write fails unexpectedly', async () => {
    const r = await tierzero(['users', '--state', state, '--html', join(dir, 'no', 'such', 'dir', 'r.html')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^tierzero users: Error: ENOENT: no such file or directory/);
    assert.doesNotMatch(r.stderr, STACK_FRAME);
  });

  it('adds the stack trace with TIERZERO_DEBUG=1', async () => {
    const r = await tierzero(['users', '--state', state, '--html', join(dir, 'no', 'such', 'dir', 'r.html')], { env: { TIERZERO_DEBUG: '1' } });
    assert.equal(r.code, 3);
    assert.match(r.stderr, STACK_FRAME);
  });

  it('exits 2 on a config error, naming the key', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"stateTtlDays": 0}');
    const r = await tierzero(['detect', join(dir, 'events.jsonl'), '--config', join(dir, 'bad.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^tierzero detect: config: stateTtlDays must be >= 1/);
  });
});

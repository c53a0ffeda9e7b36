import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonText, visible } from '../../cli/visible';
import { securityEvent } from '../core/detectors/harness';
import { tierzero } from '../support/cli';

/** Attackers choose the account names in failed logons: none of their bytes may drive the analyst's terminal. */
const CLEAR_SCREEN = '\x1b[2J\x1b[1;31mPWNED\x1b[0m';
const RETITLE = '\x1b]0;title\x07';
const OVERWRITE = '\r\x1b[2K';
/** Any raw C0/C1 control or bidi override left in text bound for a terminal (newlines are ours). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const dir = mkdtempSync(join(tmpdir(), 'tz-inject-'));
const guesses = (at: number, target: string) => Array.from({ length: 8 }, (_, i) =>
  securityEvent(4771, at + i / 60, { TargetUserName: target, Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' }));

describe('control characters in data are shown, never obeyed', () => {
  describe('visible()', () => {
    it('renders ESC, BEL and CR as escapes', () => {
      assert.equal(visible(`${CLEAR_SCREEN}|${RETITLE}|${OVERWRITE}`), '\\x1b[2J\\x1b[1;31mPWNED\\x1b[0m|\\x1b]0;title\\x07|\\r\\x1b[2K');
    });

    it('renders C1 controls (the one-byte CSI 0x9b) and bidi overrides as escapes', () => {
      assert.equal(visible('a\u009b2Jb\u202egnp.exe\u2066'), 'a\\x9b2Jb\\u202egnp.exe\\u2066');
    });

    it('writes C1 controls and bidi overrides in JSON as \\u escapes that parse back to the same value', () => {
      const value = { name: 'a\u009b2J\u202eexe.txt\x1b' };
      const text = jsonText(value);
      assert.doesNotMatch(text, RAW_CONTROL);
      assert.deepEqual(JSON.parse(text), value);
    });

    it('leaves ordinary text, accents and domain backslashes alone', () => {
      assert.equal(visible('CORP\\Zoë Łukasz 李'), 'CORP\\Zoë Łukasz 李');
    });
  });

  describe('through the CLI', function () {
    this.timeout(30_000);
    const state = join(dir, 'state.json');
    let detected = { stdout: '', stderr: '' };

    before(async () => {
      const input = join(dir, 'events.jsonl');
      const lines = [...guesses(0, CLEAR_SCREEN), ...guesses(30, RETITLE)].map((e) => JSON.stringify(e));
      lines.splice(3, 0, `{"EventID": 4771, ${OVERWRITE}FAKE}`);
      writeFileSync(input, lines.join('\n') + '\n');
      writeFileSync(join(dir, 'config.json'), '{"testMode": true}');
      const r = await tierzero(['detect', input, '--config', join(dir, 'config.json'), '--state', state, '--out', join(dir, 'alerts.jsonl')]);
      assert.equal(r.code, 0, r.stderr);
      detected = r;
    });

    it('shows attacker-chosen account names escaped in the detect summary', () => {
      assert.ok(detected.stdout.includes('\\x1b[2J\\x1b[1;31mPWNED\\x1b[0m'), detected.stdout);
      assert.ok(detected.stdout.includes('\\x1b]0;title\\x07'), detected.stdout);
      assert.doesNotMatch(detected.stdout, RAW_CONTROL);
    });

    it('shows a malformed line\'s reason escaped in the quarantine summary', () => {
      assert.match(detected.stdout, /malformed record\(s\) set aside/);
      assert.doesNotMatch(detected.stdout + detected.stderr, RAW_CONTROL);
    });

    it('shows the names escaped in the users table', async () => {
      const r = await tierzero(['users', '--state', state]);
      assert.equal(r.code, 0, r.stderr);
      // Identities are keyed case-folded, as Windows compares account names.
      assert.ok(r.stdout.includes('\\x1b[2j\\x1b[1;31mpwned\\x1b[0m'), r.stdout);
      assert.doesNotMatch(r.stdout, RAW_CONTROL);
    });

    it('shows the name escaped on the users --user page', async () => {
      const r = await tierzero(['users', '--state', state, '--user', RETITLE]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes('\\x1b]0;title\\x07'), r.stdout);
      assert.doesNotMatch(r.stdout, RAW_CONTROL);
    });

    it('shows the names escaped in the HTML report too', async () => {
      const report = join(dir, 'report.html');
      assert.equal((await tierzero(['users', '--state', state, '--html', report])).code, 0);
      const html = readFileSync(report, 'utf8');
      assert.ok(html.includes('\\x1b]0;title\\x07'), 'name shown escaped');
      assert.doesNotMatch(html, RAW_CONTROL);
    });

    it('keeps JSON output exact: the name round-trips byte for byte', async () => {
      const r = await tierzero(['users', '--state', state, '--format', 'json']);
      const names = (JSON.parse(r.stdout) as { users: { identity: { name: string } }[] }).users.map((u) => u.identity.name);
      assert.ok(names.includes(CLEAR_SCREEN.toLowerCase()), JSON.stringify(names));
    });
  });
});

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../core/alerts/alert';
import { tierzero } from '../support/cli';
import { guess, logon, roast } from './detect.fixtures';

const dir = mkdtempSync(join(tmpdir(), 'tz-cli-'));


function jsonl(events: readonly object[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

const attacks = join(dir, 'a-attacks.jsonl');
writeFileSync(attacks, jsonl([...['svc-a', 'svc-b', 'svc-c'].map((s, i) => roast(i * 0.1, s)), ...Array.from({ length: 8 }, (_, i) => guess(1 + i / 60))]));

function alertsIn(text: string): Alert[] {
  return text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Alert);
}

describe('tierzero detect', () => {
  it('writes alerts as JSON lines on stdout and a summary on stderr', async () => {
    const r = await tierzero(['detect', attacks]);
    assert.equal(r.code, 0);
    assert.deepEqual(alertsIn(r.stdout).map((a) => a.detector).sort(), ['brute_force', 'kerberoasting']);
    assert.match(r.stderr, /11 records, 11 identity events used, 2 alerts/);
    assert.match(r.stderr, /kerberoasting\s+0\s+1\s+0\s+0\s+0\s+1/);
  });

  it('writes score updates to --scores and leaves --out holding the same alert lines as without it', async () => {
    const plain = join(dir, 'plain.alerts.jsonl');
    const out = join(dir, 'scored.alerts.jsonl');
    const scores = join(dir, 'scored.scores.jsonl');
    assert.equal((await tierzero(['detect', attacks, '--out', plain, '--quiet'])).code, 0);
    const r = await tierzero(['detect', attacks, '--out', out, '--scores', scores, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(plain, 'utf8'));
    const updates = readFileSync(scores, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; identity: { name: string }; band: string; contributions: { detector: string }[] });
    assert.ok(updates.every((u) => u.kind === 'score'));
    assert.deepEqual(updates.map((u) => u.contributions[0]?.detector).sort(), ['brute_force', 'kerberoasting', 'kerberoasting', 'kerberoasting', 'kerberoasting']);
  });

  it('exits 2 when --scores names the --out file', async () => {
    const r = await tierzero(['detect', attacks, '--out', join(dir, 'same.jsonl'), '--scores', join(dir, 'same.jsonl')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--scores must name another file than --out/);
  });

  it('exits 1 when an alert reaches --fail-on, 0 when none does', async () => {
    assert.equal((await tierzero(['detect', attacks, '--quiet', '--fail-on', 'high'])).code, 1);
    assert.equal((await tierzero(['detect', attacks, '--quiet', '--fail-on', 'critical'])).code, 0);
  });

  it('exits 2 naming the key of a bad config before doing any work', async () => {
    const cfg = join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ detectors: { brute_force: { thresholds: { failuresPerAccount: 'six' } } } }));
    const r = await tierzero(['detect', attacks, '--config', cfg, '--out', join(dir, 'never.jsonl')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /config: detectors\.brute_force\.thresholds\.failuresPerAccount must be integer/);
    assert.equal(existsSync(join(dir, 'never.jsonl')), false);
  });

  it('exits 2 on usage errors', async () => {
    assert.equal((await tierzero(['detect'])).code, 2);
    assert.equal((await tierzero(['detect', attacks, '--fail-on', 'urgent'])).code, 2);
  });

  it('exits 3 on an unreadable input: an input failure, not a usage error', async () => {
    const missing = await tierzero(['detect', join(dir, 'nope.jsonl')]);
    assert.equal(missing.code, 3, "an unreadable input is an input failure, not a usage error");
    assert.match(missing.stderr, /cannot read input/);
  });

  it('sets malformed lines aside in a quarantine file and completes the run', async () => {
    const dirty = join(dir, 'dirty.jsonl');
    writeFileSync(dirty, `not json\n${readFileSync(attacks, 'utf8')}{"EventID":99999,"TimeCreated":"2024-01-01T00:00:00Z","Computer":"x","Channel":"Security"}\n`);
    const q = join(dir, 'q.jsonl');
    const r = await tierzero(['detect', dirty, '--quarantine', q]);
    assert.equal(r.code, 0);
    assert.equal(alertsIn(r.stdout).length, 2);
    const quarantined = readFileSync(q, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string; origin: string });
    assert.deepEqual(quarantined.map((x) => x.origin), [`${dirty}:1`, `${dirty}:13`]);
    assert.match(quarantined[1]?.reason ?? '', /EventID 99999 is outside 0-65535/);
    assert.match(r.stderr, /2 malformed record\(s\) set aside/);
  });

  it('continues with --state over newer files without repeating an alert', async () => {
    const state = join(dir, 'cont-state.json');
    const out = join(dir, 'cont.jsonl');
    await tierzero(['detect', attacks, '--state', state, '--out', out, '--quiet']);
    const later = join(dir, 'later.jsonl');
    writeFileSync(later, jsonl([roast(30, 'svc-a'), roast(30.1, 'svc-b'), roast(30.2, 'svc-c')]));
    const r = await tierzero(['detect', attacks, later, '--state', state, '--out', out]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /1 input file\(s\) already processed per --state, skipped/);
    const lines = alertsIn(readFileSync(out, 'utf8'));
    assert.equal(lines.length, 2, 'the burst on the same day is the same alert, already delivered');
  });

  it('gives the same alert ids and no duplicates when killed mid-run and rerun with the same state', async () => {
    const big = join(dir, 'b-traffic.jsonl');
    writeFileSync(big, jsonl(Array.from({ length: 60_000 }, (_, i) => logon(2 + i / 1000, i))));
    const reference = alertsIn((await tierzero(['detect', attacks, big])).stdout).map((a) => a.id).sort();
    const state = join(dir, 'kill-state.json');
    const out = join(dir, 'kill.jsonl');
    const killed = await tierzero(['detect', attacks, big, '--state', state, '--out', out, '--progress'], {
      onStderr: (text, child) => { if (text.includes(`reading ${big}`)) child.kill('SIGKILL'); },
    });
    assert.equal(killed.code, null, 'the run was killed');
    assert.equal(existsSync(state), false, 'nothing was committed');
    const rerun = await tierzero(['detect', attacks, big, '--state', state, '--out', out, '--quiet']);
    assert.equal(rerun.code, 0, rerun.stderr);
    const ids = alertsIn(readFileSync(out, 'utf8')).map((a) => a.id);
    assert.deepEqual([...ids].sort(), reference);
    assert.equal(new Set(ids).size, ids.length);
  });
});

import { strict as assert } from 'node:assert';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../core/alerts/alert';
import { tierzero, type CliResult } from '../support/cli';
import { guess, logon, roast } from './detect.fixtures';
import { serviceTicket, tgt } from '../core/detectors/kerberos.fixtures';

const dir = mkdtempSync(join(tmpdir(), 'tz-cli-state-'));
const jsonl = (events: readonly object[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const idsOf = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Alert).id);
const idsIn = (path: string) => idsOf(readFileSync(path, 'utf8'));

describe('tierzero detect with --state', () => {
  it('fails a second concurrent run on one state at once with exit 3, and the first completes', async () => {
    const attacks = join(dir, 'attacks.jsonl');
    writeFileSync(attacks, jsonl(['svc-a', 'svc-b', 'svc-c'].map((s, i) => roast(i * 0.1, s))));
    const more = jsonl([...Array.from({ length: 8 }, (_, i) => guess(2 + i / 60)), ...Array.from({ length: 2000 }, (_, i) => logon(3 + i / 100, i))]);
    const reference = idsOf((await tierzero(['detect', attacks, '-', '--quiet'], { stdin: more })).stdout).sort();
    assert.equal(reference.length, 2);
    const state = join(dir, 'shared-state.json');
    const out = join(dir, 'shared.jsonl');
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, jsonl([roast(30, 'svc-z')]));
    let second: Promise<CliResult> | undefined;
    // The first run reads stdin too, which stays open (lock held) until the second run is over.
    const first = await tierzero(['detect', attacks, '-', '--state', state, '--out', out, '--progress'], {
      stdin: () => undefined,
      onStderr: (text, child) => {
        if (second || !text.includes('reading')) return;
        second = tierzero(['detect', other, '--state', state, '--out', join(dir, 'other-out.jsonl')]);
        void second.then(() => child.stdin?.end(more));
      },
    });
    assert.ok(second, 'the second run was started while the first was reading');
    const loser = await second;
    assert.equal(loser.code, 3);
    assert.match(loser.stderr, /state is locked by another tierzero run \(pid \d+ on .*\): .*shared-state\.json\.lock/);
    assert.equal(existsSync(join(dir, 'other-out.jsonl')), false, 'the refused run wrote nothing');
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(idsIn(out).sort(), reference, 'the first run is complete');
    assert.equal(existsSync(`${state}.lock`), false, 'the lock is released');
    const after = await tierzero(['detect', other, '--state', state, '--out', out, '--quiet']);
    assert.equal(after.code, 0, 'the state is free again once the first run is done');
  });

  it('releases a verdict waiting out DC clock skew at the end of a one-shot run, and keeps it waiting with --state', async () => {
    // 11 h of ordinary TGTs from two DCs (the stream covers a ticket lifetime), then a service
    // ticket for an account no DC issued a TGT to, as the last event: nothing comes after it.
    const chatter = Array.from({ length: 33 }, (_, i) => tgt(i * 20, `WS${i % 7}$`, `10.0.1.${i % 7}`, { dc: i % 2 ? 'DC01.corp.example' : 'DC02.corp.example' }));
    const input = join(dir, 'ghost.jsonl');
    writeFileSync(input, jsonl([...chatter, serviceTicket(11 * 60, 'ghost', '10.0.0.66', 'fs01$')]));
    const config = join(dir, 'test-mode.json');
    writeFileSync(config, JSON.stringify({ testMode: true }));
    const oneShot = await tierzero(['detect', input, '--config', config, '--quiet']);
    assert.deepEqual(oneShot.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Alert).detector), ['golden_ticket']);
    const out = join(dir, 'ghost-out.jsonl');
    const scheduled = await tierzero(['detect', input, '--config', config, '--state', join(dir, 'ghost-state.json'), '--out', out, '--quiet']);
    assert.equal(scheduled.code, 0, scheduled.stderr);
    assert.equal(readFileSync(out, 'utf8').trim(), '', 'a run that continues from its state keeps waiting');
  });

  it('exits 3 naming the bad key of an invalid state file', async () => {
    const state = join(dir, 'bad-state.json');
    writeFileSync(state, JSON.stringify({ version: 1 }));
    writeFileSync(join(dir, 'attacks.jsonl'), jsonl([roast(0, 'svc-a')]));
    const r = await tierzero(['detect', join(dir, 'attacks.jsonl'), '--state', state, '--out', join(dir, 'never.jsonl')]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /state at .*bad-state\.json is invalid: checkpoint is missing/);
    assert.equal(existsSync(join(dir, 'never.jsonl')), false);
  });

  it('reads only the appended line of a growing export, so four failures plus one are five, not nine', async () => {
    const path = join(dir, 'growing.jsonl');
    const state = join(dir, 'growing-state.json');
    const out = join(dir, 'growing-out.jsonl');
    writeFileSync(path, jsonl(Array.from({ length: 4 }, (_, i) => guess(i / 60))));
    assert.equal((await tierzero(['detect', path, '--state', state, '--out', out, '--quiet'])).code, 0);
    appendFileSync(path, jsonl([guess(4 / 60)]));
    const r = await tierzero(['detect', path, '--state', state, '--out', out]);
    assert.match(r.stdout, /^1 records, 1 identity events used, 0 alerts/m);
    assert.equal(readFileSync(out, 'utf8'), '', 'five failures stay below the threshold of six');
    appendFileSync(path, jsonl([guess(5 / 60)]));
    await tierzero(['detect', path, '--state', state, '--out', out, '--quiet']);
    assert.match(readFileSync(out, 'utf8'), /"detector":"brute_force".*6 wrong-password/);
  });

  it('keeps every delivered id and baseline when one event is dated 9999, quarantining that event', async () => {
    const day = join(dir, 'day.jsonl');
    writeFileSync(day, jsonl([...['svc-a', 'svc-b', 'svc-c'].map((s, i) => roast(i * 0.1, s)), ...Array.from({ length: 8 }, (_, i) => guess(1 + i / 60))]));
    const state = join(dir, 'future-state.json');
    const out = join(dir, 'future-out.jsonl');
    await tierzero(['detect', day, '--state', state, '--out', out, '--quiet']);
    const before = Object.keys((JSON.parse(readFileSync(state, 'utf8')) as { delivered: object }).delivered).sort();
    const future = join(dir, 'future.jsonl');
    writeFileSync(future, jsonl([{ ...guess(0), TimeCreated: '9999-12-31T00:00:00.000Z' }]));
    const r = await tierzero(['detect', future, '--state', state, '--out', out, '--quarantine', join(dir, 'future-q.jsonl')]);
    assert.equal(r.code, 0);
    assert.match(readFileSync(join(dir, 'future-q.jsonl'), 'utf8'), /"reason":"time in the future: 9999-12-31/);
    const after = JSON.parse(readFileSync(state, 'utf8')) as { delivered: object; watermark: number };
    assert.deepEqual(Object.keys(after.delivered).sort(), before);
    assert.ok(after.watermark < Date.now());
    const copy = join(dir, 'day-again.jsonl');
    // A leading blank line makes it another file to the source: only delivered ids can stop a repeat.
    writeFileSync(copy, `\n${readFileSync(day, 'utf8')}`);
    const again = await tierzero(['detect', copy, '--state', state, '--out', out]);
    assert.match(again.stdout, /^11 records, 11 identity events used, 0 alerts/m);
    assert.equal(idsIn(out).length, 2, 're-exporting the day re-delivers nothing');
  });

  it('rejects a --future-skew that is not whole minutes', async () => {
    const r = await tierzero(['detect', '-', '--future-skew', '2h'], { stdin: '' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--future-skew must be whole minutes/);
  });

  it('exits 3 naming the directory when --out is one, committing no state', async () => {
    const outDir = join(dir, 'out-is-a-dir');
    mkdirSync(outDir);
    const state = join(dir, 'dir-state.json');
    const input = join(dir, 'for-dir.jsonl');
    writeFileSync(input, jsonl(['svc-a', 'svc-b', 'svc-c'].map((s, i) => roast(i * 0.1, s))));
    const r = await tierzero(['detect', input, '--state', state, '--out', outDir]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /cannot write alerts to .*out-is-a-dir: is a directory/);
    assert.equal(existsSync(state), false);
    assert.equal(existsSync(`${state}.lock`), false);
  });

  for (const [what, args, message] of [
    ['the state folder does not exist', (d: string) => ['--state', join(d, 'no-such-dir', 'state.json')], /cannot create the state lock .*no-such-dir.*: no such directory/],
    ['the state is a directory', (d: string) => ['--state', d], /cannot read state .*: is a directory/],
    ['the state is not JSON', (d: string) => { writeFileSync(join(d, 'torn.json'), '{"version":1,'); return ['--state', join(d, 'torn.json')]; }, /state at .*torn\.json is invalid: \(document\) is not valid JSON/],
    ['the quarantine is a directory', (d: string) => ['--quarantine', d], /cannot write quarantined records to .*: is a directory/],
  ] as const) {
    it(`exits 3 with a message naming the file when ${what}`, async () => {
      const d = mkdtempSync(join(tmpdir(), 'tz-io-'));
      const input = join(d, 'in.jsonl');
      writeFileSync(input, `not json\n${jsonl([roast(0, 'svc-a')])}`);
      const r = await tierzero(['detect', input, '--out', join(d, 'out.jsonl'), ...args(d)]);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alert } from '../../core/alerts/alert';
import { scoreFile, summarise, type ManifestEntry } from '../../cli/eval-score';
import { tierzero } from '../support/cli';
import { securityEvent } from '../core/detectors/harness';

const alert = (detector: string, accounts: string[], ips: string[] = []): Alert => ({
  id: 'tz-x', detector: detector as Alert['detector'], title: '', severity: 'high', riskScore: 70, mitre: { tactics: [], techniques: [] },
  firstSeen: '', lastSeen: '', description: 'd', recommendations: [],
  entities: { accounts: accounts.map((name) => ({ name, role: 'actor' as const })), hosts: ips.map((ip) => ({ ip, role: 'source' as const })) },
  evidence: { count: 1, events: [] },
});

const implemented = new Set(['dcsync', 'kerberoasting', 'brute_force']);

describe('eval scoring', () => {
  const entry: ManifestEntry = {
    file: 'f.jsonl', expected_alerts: ['dcsync', 'golden_ticket'], acceptable_alerts: ['kerberoasting'],
    attacker: { account: 'CORP\\jdoe', source_host_or_ip: '10.0.0.5 (WS01)' },
  };

  it('finds an expected detector that names the attacker account', () => {
    assert.deepEqual(scoreFile(entry, [alert('dcsync', ['JDoe'])], implemented).map((o) => o.kind), ['found']);
  });

  it('accepts the attacker named by source address', () => {
    assert.deepEqual(scoreFile(entry, [alert('dcsync', ['someone'], ['10.0.0.5'])], implemented).map((o) => o.kind), ['found']);
  });

  it('counts an alert naming someone else as a wrong actor', () => {
    assert.deepEqual(scoreFile(entry, [alert('dcsync', ['bob'])], implemented).map((o) => o.kind), ['wrong_actor']);
  });

  it('does not score detectors that are not implemented', () => {
    assert.deepEqual(scoreFile(entry, [], implemented).map((o) => [o.detector, o.kind]), [['dcsync', 'missed']]);
  });

  it('counts an unexpected, unacceptable detector as a false alarm, but not an acceptable one', () => {
    const out = scoreFile(entry, [alert('dcsync', ['jdoe']), alert('kerberoasting', ['x']), alert('brute_force', ['y'])], implemented);
    assert.deepEqual(out.map((o) => [o.detector, o.kind]), [['dcsync', 'found'], ['brute_force', 'false_alarm']]);
  });

  it('summarises recall and precision per detector over files', () => {
    const outcomes = [
      ...scoreFile(entry, [alert('dcsync', ['jdoe'])], implemented),
      ...scoreFile({ ...entry, file: 'g' }, [], implemented),
      ...scoreFile({ file: 'h', expected_alerts: ['none'] }, [alert('dcsync', ['x'])], implemented),
    ];
    const [dcsync] = summarise(outcomes, ['dcsync']);
    assert.deepEqual(dcsync, { detector: 'dcsync', expectedFiles: 2, found: 1, missed: 1, falseAlarmFiles: 1, recall: 0.5, precision: 0.5 });
  });
});

describe('tierzero eval', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tz-eval-'));
  const roast = (i: number) => securityEvent(4769, i * 0.1, {
    TargetUserName: 'mallory@CORP.EXAMPLE', ServiceName: `svc-${i}`, TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.9.9.9',
  });
  writeFileSync(join(dir, 'roast.jsonl'), [0, 1, 2].map((i) => JSON.stringify(roast(i))).join('\n'));
  writeFileSync(join(dir, 'quiet.jsonl'), JSON.stringify(securityEvent(4624, 0, { TargetUserName: 'x', LogonType: '3' })));

  it('prints the per-detector table and exits 0 when every labelled file is found', async () => {
    writeFileSync(join(dir, 'ok.json'), JSON.stringify([
      { file: 'roast.jsonl', expected_alerts: ['kerberoasting'], attacker: { account: 'CORP\\mallory', source_host_or_ip: 'unknown' } },
      { file: 'quiet.jsonl', expected_alerts: ['none'] },
    ]));
    const r = await tierzero(['eval', join(dir, 'ok.json')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /kerberoasting\s+1\s+1\s+0\s+0\s+100%\s+100%/);
    assert.match(r.stdout, /1 found, 0 failed/);
  });

  it('exits 1 and lists the miss by file when a labelled attack is not found', async () => {
    writeFileSync(join(dir, 'miss.json'), JSON.stringify([{ file: 'quiet.jsonl', expected_alerts: ['dcsync'], attacker: { account: 'x' } }]));
    const r = await tierzero(['eval', join(dir, 'miss.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /missed:\n\s+dcsync\s+quiet\.jsonl: no alert/);
  });

  it('applies a file\'s context as its config', async () => {
    writeFileSync(join(dir, 'ctx.json'), JSON.stringify([
      { file: 'roast.jsonl', expected_alerts: ['none'], context: { detectors: { kerberoasting: { exclusions: { accounts: ['mallory'] } } } } },
    ]));
    assert.equal((await tierzero(['eval', join(dir, 'ctx.json')])).code, 0);
  });

  const shared = join(__dirname, '..', '..', '..', 'shared', 'datasets', 'manifest.json');
  (existsSync(shared) ? it : it.skip)('finds every labelled attack of the implemented detectors in ../shared/datasets, with no false alarm', async function () {
    this.timeout(120_000);
    const r = await tierzero(['eval', shared]);
    assert.match(r.stdout, / 0 failed \(0 missed, 0 false alarms\)/, r.stdout);
    assert.equal(r.code, 0, r.stdout);
  });
});

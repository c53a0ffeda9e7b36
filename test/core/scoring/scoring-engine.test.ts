import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { FileStateStore, MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { ScoreBook } from '../../../core/scoring/score-book';
import type { StateStore } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';
import { DAYS, securityEvent } from '../detectors/harness';

const GET_CHANGES_ALL = '{1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}';
const DOMAIN_DNS = '{19195a5b-6da0-11d0-afd3-00c04fd930c9}';

/** A user on a workstation replicating secrets from DC01: one DCSync alert with `user` as actor. */
function dcsyncBy(at: number, user: string, sid: string, logonId: string, ip: string): object[] {
  return [
    securityEvent(4624, at, { TargetUserName: user, TargetDomainName: 'CORP', TargetUserSid: sid, TargetLogonId: logonId, LogonType: '3', IpAddress: `::ffff:${ip}`, AuthenticationPackageName: 'Kerberos' }),
    securityEvent(4662, at + 0.1, {
      SubjectUserSid: sid, SubjectUserName: user, SubjectDomainName: 'CORP', SubjectLogonId: logonId, ObjectServer: 'DS',
      ObjectType: `%${DOMAIN_DNS}`, ObjectName: '%{c6faf700-bfe4-452a-a766-424f84c29583}', AccessMask: '0x100', Properties: `%%7688\n\t\t${GET_CHANGES_ALL}\n\t${DOMAIN_DNS}\n`,
    }),
  ];
}

const logonOf = (at: number, user: string) => securityEvent(4624, at, { TargetUserName: user, TargetDomainName: 'CORP', TargetUserSid: 'S-1-5-21-1-2-3-3000', TargetLogonId: '0x9', LogonType: '3', IpAddress: '::ffff:10.0.0.9' });

async function pass(events: readonly object[], store: StateStore, config: object = { testMode: true }) {
  const sink = new MemorySink();
  const result = await runPass({ source: new MemorySource(events), sink, store, quarantine: new MemoryQuarantine(), config: resolveConfig(config, DECLARATIONS), modules: DETECTOR_MODULES });
  return { ...result, alerts: sink.alerts };
}

describe('priority scores in the engine', () => {
  it('gives every alert its resolved identity', async () => {
    const { alerts } = await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1', '10.0.4.21'), new MemoryStateStore());
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]?.identity, { id: 'sid:S-1-5-21-1-2-3-1105', name: 'jdoe', sam: 'jdoe', sid: 'S-1-5-21-1-2-3-1105', tier: 'normal' });
  });

  it('stores each score with its contribution table in state', async () => {
    const { state } = await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1', '10.0.4.21'), new MemoryStateStore());
    const entry = state.scores?.entries.find((e) => e.identity.name === 'jdoe');
    assert.equal(entry?.current?.rows[0]?.detector, 'dcsync');
    assert.equal(entry?.current?.rows[0]?.precision, 1);
    assert.ok((entry?.current?.score ?? 0) > 0);
  });

  it('keeps scores across a restart and decays them with event time: a DCSync a week old counts half', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tz-scores-')), 'state.json');
    await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1', '10.0.4.21'), new FileStateStore(path));
    const before = new ScoreBook((await new FileStateStore(path).load())?.state.scores ?? undefined);
    const dayZero = before.find('jdoe');
    const fresh = dayZero?.current?.rows[0]?.value ?? 0;

    await pass([logonOf(7 * DAYS + 0.1, 'someone')], new FileStateStore(path));
    const after = new ScoreBook((await new FileStateStore(path).load())?.state.scores ?? undefined).find('jdoe');
    const row = after?.current?.rows[0];
    assert.ok(Math.abs((row?.decay ?? 0) - 0.5) < 1e-9, `decay ${row?.decay}`);
    assert.ok((after?.current?.score ?? 0) < (dayZero?.current?.score ?? 0));
    assert.ok(Math.abs((row?.value ?? 0) - (fresh * 0.5 * (row?.popularity ?? 0)) / (dayZero?.current?.rows[0]?.popularity ?? 1)) < 1e-9);
    assert.deepEqual(after?.history.map(([t]) => new Date(t).toISOString()), ['2024-03-04T09:00:06.000Z', '2024-03-11T09:00:06.000Z']);
  });

  it('clears a score on reset without losing its signals or history, and counts new alerts after it', async () => {
    const store = new MemoryStateStore();
    await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1', '10.0.4.21'), store);
    const loaded = await store.load();
    const saved = loaded?.state;
    const book = new ScoreBook(saved?.scores ?? undefined);
    const entry = book.find('jdoe');
    assert.ok(entry);
    const scoreBefore = book.reset(entry, saved?.watermark ?? 0);
    assert.ok(scoreBefore > 0);
    assert.equal(book.breakdown(entry, saved?.watermark ?? 0).score, 0);
    assert.equal(entry.signals.length, 1);
    assert.equal(entry.history.length, 2);
    await store.save({ ...(saved as NonNullable<typeof saved>), scores: book.snapshot() }, loaded?.token ?? null);

    await pass(dcsyncBy(2 * DAYS, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a2', '10.0.4.21'), store);
    const later = new ScoreBook((await store.load())?.state.scores ?? undefined).find('jdoe');
    assert.deepEqual(later?.resets.map((r) => r.scoreBefore), [scoreBefore]);
    assert.equal(later?.current?.rows.length, 1, 'the new DCSync counts, the cleared one does not');
    assert.equal(later?.current?.clearedByReset, 1);
  });

  it('ranks a Domain Admin above a normal user with the same alert', async () => {
    const events = [
      securityEvent(4728, 0, { TargetUserName: 'Domain Admins', TargetSid: 'S-1-5-21-1-2-3-512', MemberName: 'CN=Ann Smith,DC=corp,DC=example', MemberSid: 'S-1-5-21-1-2-3-1200', SubjectUserName: 'admin' }),
      ...dcsyncBy(1, 'asmith', 'S-1-5-21-1-2-3-1200', '0x61', '10.0.4.30'),
      ...dcsyncBy(1, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x62', '10.0.4.21'),
    ];
    const { state } = await pass(events, new MemoryStateStore());
    const ranked = new ScoreBook(state.scores ?? undefined).ranked().filter((r) => ['asmith', 'jdoe'].includes(r.entry.identity.name));
    assert.deepEqual(ranked.map((r) => [r.entry.identity.name, r.entry.criticality.tier]), [['asmith', 'tier0'], ['jdoe', 'normal']]);
    assert.ok((ranked[0]?.breakdown.score ?? 0) > (ranked[1]?.breakdown.score ?? 0));
  });

  it('continues from a state written before scores existed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tz-old-')), 'state.json');
    writeFileSync(path, JSON.stringify({ version: 1, checkpoint: null, watermark: null, directory: null, detectors: {}, delivered: {} }));
    const { alerts } = await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1', '10.0.4.21'), new FileStateStore(path));
    assert.equal(alerts.length, 1);
    assert.ok(JSON.parse(readFileSync(path, 'utf8')).scores.entries.length === 1);
  });
});

import { strict as assert } from 'node:assert';
import { latestScores } from '../../../adapters/file/file-score-sink';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { ScoreBook } from '../../../core/scoring/score-book';
import { scoreUpdates } from '../../../core/scoring/score-update';
import type { StateStore } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';
import { DAYS, securityEvent } from '../detectors/harness';

const GET_CHANGES_ALL = '{1131f6ad-9c07-11d1-f79f-00c04fc2dcd2}';
const DOMAIN_DNS = '{19195a5b-6da0-11d0-afd3-00c04fd930c9}';

function dcsyncBy(at: number, user: string, sid: string, logonId: string): object[] {
  return [
    securityEvent(4624, at, { TargetUserName: user, TargetDomainName: 'CORP', TargetUserSid: sid, TargetLogonId: logonId, LogonType: '3', IpAddress: '::ffff:10.0.4.21', AuthenticationPackageName: 'Kerberos' }),
    securityEvent(4662, at + 0.1, {
      SubjectUserSid: sid, SubjectUserName: user, SubjectDomainName: 'CORP', SubjectLogonId: logonId, ObjectServer: 'DS',
      ObjectType: `%${DOMAIN_DNS}`, ObjectName: '%{c6faf700-bfe4-452a-a766-424f84c29583}', AccessMask: '0x100', Properties: `%%7688\n\t\t${GET_CHANGES_ALL}\n\t${DOMAIN_DNS}\n`,
    }),
  ];
}
const guesses = (at: number, target: string) => Array.from({ length: 8 }, (_, i) => securityEvent(4771, at + i / 60, { TargetUserName: target, Status: '0x18', PreAuthType: '2', IpAddress: '::ffff:10.0.6.6' }));
const logon = (at: number) => securityEvent(4624, at, { TargetUserName: 'someone', TargetDomainName: 'CORP', TargetUserSid: 'S-1-5-21-1-2-3-3000', TargetLogonId: '0x9', LogonType: '3', IpAddress: '::ffff:10.0.0.9' });

async function pass(events: readonly object[], store: StateStore, sink = new MemorySink()) {
  const r = await runPass({ source: new MemorySource(events), sink, store, quarantine: new MemoryQuarantine(), config: resolveConfig({ testMode: true }, DECLARATIONS), modules: DETECTOR_MODULES });
  return { ...r, sink };
}

describe('score updates through the sink', () => {
  it('hands the sink each scored identity with its score, band, percentile, 24 h change and contributions', async () => {
    const { sink } = await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1'), new MemoryStateStore());
    const jdoe = sink.scores.find((u) => u.kind === 'score' && u.identity.name === 'jdoe');
    assert.ok(jdoe?.kind === 'score');
    assert.equal(jdoe.key, 'sid:S-1-5-21-1-2-3-1105');
    assert.equal(jdoe.identity.sid, 'S-1-5-21-1-2-3-1105');
    assert.equal(jdoe.band, 'high');
    assert.equal(jdoe.change24h, jdoe.score);
    assert.equal(jdoe.contributions[0]?.detector, 'dcsync');
    assert.deepEqual(jdoe.contributions[0]?.alertIds, [sink.alerts[0]?.id]);
    assert.equal(jdoe.at, '2024-03-04T09:00:06.000Z');
  });

  it('re-sends every non-zero score on a later pass, decayed, though no alert named it', async () => {
    const store = new MemoryStateStore();
    const first = await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1'), store);
    const second = await pass([logon(3 * DAYS)], store);
    const [a, b] = [first, second].map((p) => p.sink.scores.find((u) => u.kind === 'score' && u.identity.name === 'jdoe'));
    assert.ok(a?.kind === 'score' && b?.kind === 'score');
    assert.equal(second.alerts.length, 0);
    assert.ok(b.score < a.score, `${b.score} after ${a.score}`);
  });

  it('leaves a consumer holding the latest record per identity with the ranking tierzero users prints', async () => {
    const store = new MemoryStateStore();
    const sink = new MemorySink();
    await pass([...dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1'), ...guesses(30, 'asmith')], store, sink);
    const last = await pass([...guesses(2 * DAYS, 'bwong'), logon(2 * DAYS + 10)], store, sink);
    const book = new ScoreBook(last.state.scores ?? undefined);
    const expected = book.ranked().map((r) => [r.entry.id, r.breakdown.score, r.percentile]);
    const held = [...latestScores(sink.scores).values()].sort((x, y) => y.score - x.score || (x.sortName < y.sortName ? -1 : 1)).map((u) => [u.key, u.score, u.percentile]);
    assert.deepEqual(held, expected);
  });

  it('retires an identity merged into another, naming the one it merged into', () => {
    const updates = scoreUpdates([], { touched: new Set(), retired: new Map([['sam:jdoe', 'sid:S-1-5-21-1-2-3-1105'], ['sam:gone', undefined]]) }, Date.UTC(2024, 0, 1));
    assert.deepEqual(updates, [
      { kind: 'retired', key: 'sam:jdoe', at: '2024-01-01T00:00:00.000Z', reason: 'merged', mergedInto: 'sid:S-1-5-21-1-2-3-1105' },
      { kind: 'retired', key: 'sam:gone', at: '2024-01-01T00:00:00.000Z', reason: 'expired' },
    ]);
  });

  it('does not re-send a cleared score that stays at 0 with nothing new', async () => {
    const store = new MemoryStateStore();
    const first = await pass(dcsyncBy(0, 'jdoe', 'S-1-5-21-1-2-3-1105', '0x5a1'), store);
    const book = new ScoreBook(first.state.scores ?? undefined);
    const entry = book.find('jdoe');
    assert.ok(entry);
    book.reset(entry, Date.parse('2024-03-04T09:00:06.000Z'));
    await store.save({ ...first.state, scores: book.snapshot() }, (await store.load())?.token ?? null);
    const cleared = await pass([logon(2 * DAYS)], store);
    assert.ok(cleared.sink.scores.some((u) => u.key === entry.id), 'the drop to 0 is sent once');
    const later = await pass([logon(3 * DAYS)], store);
    assert.ok(!later.sink.scores.some((u) => u.key === entry.id), 'an unchanged 0 is not re-sent');
  });
});

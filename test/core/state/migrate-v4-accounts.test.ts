import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { rankingTable } from '../../../cli/users-render';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { goldenTicket } from '../../../core/detectors/golden_ticket';
import { runPass, type PassResult } from '../../../core/engine/engine';
import { IdentityDirectory } from '../../../core/identity/identity-directory';
import { ScoreBook } from '../../../core/scoring/score-book';
import { migrateV1 } from '../../../core/state/migrate-v1';
import { migrateV2 } from '../../../core/state/migrate-v2';
import { migrateV3 } from '../../../core/state/migrate-v3';
import { migrateV4 } from '../../../core/state/migrate-v4';
import { migrateV4Accounts } from '../../../core/state/migrate-v4-accounts';
import { checkState, type EngineState } from '../../../core/state/state';
import { StateInvalidError } from '../../../core/state/state-errors';
import { MemorySource } from '../../support/memory-source';
import { securityEvent } from '../detectors/harness';
import { DOMAIN_SID, networkLogon, tgt } from '../detectors/kerberos.fixtures';

type Rec = Record<string, unknown>;

/** An identity record as version 4 saved it (core/identity/identity-directory.ts before the account table). */
interface V4Record {
  id: string; seq: number; keys: string[]; lastSeen: number; firstActive?: number; lastActive?: number; activeEvents: number;
  tier0?: string[]; tier1?: string[]; disabled?: boolean; seeded?: true; displayName?: string; configuredTier?: string;
}

/** The real version 1 fixture carried to version 4: 3 identities, golden_ticket's pairs of 3 machine accounts. */
function v4(): Rec {
  return migrateV3(migrateV2(migrateV1(JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'state-v1.json'), 'utf8')) as Rec)));
}

/**
 * A version 5 state written back in the version 4 shape, as the previous code wrote it: identity
 * records as objects, golden_ticket's pairs in its own section. Read through the directory's
 * public view, so it is what the old code held.
 */
function asV4(state: EngineState): Rec {
  const dir = new IdentityDirectory([], state.identities ?? undefined);
  const snap = state.identities;
  assert.ok(snap);
  let at = 0;
  const records = snap.ids.map((id, i) => {
    const keys = snap.keys.slice(at, (at += snap.keyCounts[i] as number));
    const domains = snap.domains;
    const text = (k: string) => (k.startsWith('#') ? `sid:${domains[Number(k.slice(1, k.indexOf('-')))]}${k.slice(k.indexOf('-'))}` : k);
    const r = dir.find(text(keys[0] as string));
    assert.ok(r);
    assert.equal(r.id, typeof id === 'number' ? text(keys[id] as string) : id);
    const out: Rec = { id: r.id, seq: r.seq, keys: r.keys, lastSeen: r.lastSeen, activeEvents: r.activeEvents };
    for (const [k, v] of Object.entries({ firstActive: r.firstActive, lastActive: r.lastActive, tier0: r.tier0, tier1: r.tier1, disabled: r.disabled, seeded: r.seeded, displayName: r.displayName, configuredTier: r.configuredTier })) {
      if (v !== undefined) out[k] = v;
    }
    return out;
  });
  const pairs = dir.nameSids;
  const sidNames: Rec = {};
  for (const [i, domain] of snap.nameSids.pairs.domains.entries()) {
    const sid = typeof domain === 'string' ? domain.slice(4) : `#${domain}-${snap.nameSids.pairs.rids[i]}`;
    const name: string = snap.nameSids.pairs.names[i] as string;
    const lastSeen = snap.nameSids.pairs.seen[i];
    const sidText: string = sid.startsWith('#') ? `${snap.domains[Number(sid.slice(1, sid.indexOf('-')))]}${sid.slice(sid.indexOf('-'))}` : sid;
    assert.equal(pairs.name(pairs.find(sidText) as number), name);
    sidNames[sidText] = { name, lastSeen };
  }
  const nameRids: Rec = {};
  snap.nameSids.rids.domains.forEach((d, i) => { nameRids[`${snap.domains[d]}|${snap.nameSids.rids.names[i]}`] = String(snap.nameSids.rids.rids[i]); });
  // golden_ticket's verdicts as version 4 held them too: unknown names as {name: time} (core/state/migrate-v4/golden-ticket.ts).
  const { unknownNames, missingTgt, ...golden } = state.detectors['golden_ticket'] as { unknownNames: { keys: string[]; rows: number[] }; missingTgt: unknown[] };
  assert.deepEqual(missingTgt, [], 'a finished pass leaves no ticket waiting');
  const names = Object.fromEntries(unknownNames.keys.map((k, i) => [k, unknownNames.rows[i]]));
  const v4Golden = { ...golden, unknownNames: names, unknownCount: unknownNames.keys.length, missingTgt: [], sidNames, nameRids };
  const detectors = { ...state.detectors, golden_ticket: v4Golden };
  return { ...state, version: 4, identities: { seq: snap.seq, records, aliases: snap.aliases }, detectors };
}

const T0 = Date.UTC(2024, 2, 4, 9, 0, 0);
const HOUR = 60;

/** A week of logons by two users and a machine, and a logon whose PAC carries jdoe's name with RID 500. */
function firstWeek(): object[] {
  const out: object[] = [];
  for (let h = 0; h < 7 * 24; h += 6) {
    out.push(networkLogon(h * HOUR, 'jdoe', '10.0.0.5', { sid: `${DOMAIN_SID}-1105` }));
    out.push(networkLogon(h * HOUR + 1, 'Mary.Major', '10.0.0.6', { sid: `${DOMAIN_SID}-1106` }));
    out.push(tgt(h * HOUR + 2, 'WS01$', '10.0.0.7', { rid: 2201 }));
  }
  out.push(securityEvent(4781, 7 * 24 * HOUR, { OldTargetUserName: 'svc_old', NewTargetUserName: 'svc_new', TargetDomainName: 'CORP', TargetSid: `${DOMAIN_SID}-3000` }));
  return out;
}

function secondPass(): object[] {
  return [
    networkLogon(8 * 24 * HOUR, 'jdoe', '10.23.23.9', { sid: `${DOMAIN_SID}-500`, computer: 'FS02.corp.example' }),
    networkLogon(8 * 24 * HOUR + 5, 'MARY.MAJOR', '10.0.0.6', { sid: `${DOMAIN_SID}-1106` }),
    networkLogon(8 * 24 * HOUR + 9, 'svc_old', '10.23.23.9', { sid: `${DOMAIN_SID}-3000`, computer: 'FS02.corp.example' }),
  ];
}

async function pass(store: MemoryStateStore, events: readonly object[]): Promise<PassResult> {
  return runPass({
    source: new MemorySource(events), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
    config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => T0 + 30 * 86_400_000,
  });
}

describe('migrate v4 → v5: the account table', () => {
  it('carries every identity of a real version 4 document over: keys, activity, id', () => {
    const doc = v4();
    const old = (doc['identities'] as { records: V4Record[] }).records;
    assert.ok(old.length > 0);
    const state = checkState(doc, 'state-v4');
    const dir = new IdentityDirectory([], state.identities ?? undefined);
    assert.equal(dir.size, old.length);
    for (const r of old) {
      const now = dir.get(r.id);
      assert.ok(now, r.id);
      assert.deepEqual(
        { id: now.id, seq: now.seq, keys: now.keys, lastSeen: now.lastSeen, firstActive: now.firstActive, lastActive: now.lastActive, activeEvents: now.activeEvents },
        { id: r.id, seq: r.seq, keys: r.keys, lastSeen: r.lastSeen, firstActive: r.firstActive, lastActive: r.lastActive, activeEvents: r.activeEvents },
      );
    }
  });

  it('moves golden_ticket\'s name↔SID pairs of a real version 4 document to identities.nameSids', () => {
    const doc = v4();
    const golden = (doc['detectors'] as Record<string, Rec>)['golden_ticket'] as { sidNames: Record<string, { name: string; lastSeen: number }>; nameRids: Record<string, string> };
    const state = checkState(doc, 'state-v4');
    assert.equal('sidNames' in (state.detectors['golden_ticket'] as Rec), false);
    const pairs = new IdentityDirectory([], state.identities ?? undefined).nameSids;
    assert.equal(pairs.size, Object.keys(golden.sidNames).length);
    for (const [sid, known] of Object.entries(golden.sidNames)) {
      const pair = pairs.find(sid);
      assert.ok(pair !== undefined, sid);
      assert.equal(pairs.name(pair), known.name);
      assert.equal(pairs.lastSeen(pair), known.lastSeen);
    }
    for (const [key, rid] of Object.entries(golden.nameRids)) {
      const bar = key.indexOf('|');
      assert.equal(pairs.ridOf(key.slice(0, bar), key.slice(bar + 1)), rid, key);
    }
  });

  it('gives the same alerts, scores and users table after migrating a version 4 state as without it', async () => {
    const store = new MemoryStateStore();
    await pass(store, firstWeek());
    const v5 = (await store.load())?.state;
    assert.ok(v5);
    const old = asV4(v5);
    // Only the account part of `old` is in its version 4 shape (asV4), so only its step runs:
    // the other steps read their own parts' version 4 shapes, tested in their own files.
    const migrated = checkState({ ...migrateV4Accounts(old), version: 5 }, 'state-v4');
    assert.deepEqual(migrated.identities, v5.identities, 'the account table round-trips through its version 4 shape');
    assert.deepEqual(migrated.detectors, v5.detectors);

    const fromV4 = new MemoryStateStore();
    await fromV4.save(migrated, null);
    const events = secondPass();
    const a = await pass(store, events);
    const b = await pass(fromV4, events);
    const golden = a.alerts.filter((x) => x.detector === 'golden_ticket').map((x) => x.description);
    assert.ok(golden.some((d) => /jdoe was presented with RID 500, while the account's SID ends in 1105/.test(d)), 'the learned pairs still judge the forged PAC');
    assert.ok(golden.some((d) => /presented as svc_old, while that SID belongs to svc_new/.test(d)), 'the rename learned before the migration is kept');
    assert.equal(golden.length, 2, 'a name in other case is the same name');
    assert.deepEqual(b.alerts, a.alerts);
    assert.deepEqual(b.scores, a.scores);
    const table = (r: PassResult) => {
      const book = new ScoreBook(r.state.scores ?? undefined);
      return rankingTable(book.ranked(book.time ?? 0), book.time ?? 0, book.size);
    };
    assert.equal(table(b), table(a));
    assert.deepEqual(b.state.identities, a.state.identities);
  });

  it('carries a record of the wrong shape, and the restore refuses it naming its row', () => {
    const doc = v4();
    const identities = doc['identities'] as { records: unknown[] };
    const migrated = migrateV4Accounts({ ...doc, identities: { ...identities, records: [...identities.records, 'not a record'] } });
    const seqs = (migrated['identities'] as { seqs: unknown[] }).seqs;
    assert.equal(seqs[3], 'not a record');
    assert.throws(() => new IdentityDirectory([], migrated['identities'] as never), (e: unknown) => e instanceof StateInvalidError && /identities\.seqs\.3 must be a non-negative integer, is "not a record"/.test(e.message));
    const badSeq = migrateV4Accounts({ ...doc, identities: { ...identities, records: [{ ...(identities.records[0] as Rec), seq: 'x' }] } });
    assert.throws(() => new IdentityDirectory([], badSeq['identities'] as never), /identities\.seqs\.0 must be a non-negative integer/);
    const badTime = migrateV4Accounts({ ...doc, identities: { ...identities, records: [identities.records[0], { ...(identities.records[1] as Rec), lastSeen: 'soon' }] } });
    assert.throws(() => new IdentityDirectory([], badTime['identities'] as never), /identities\.lastSeen\.1 must be a finite number, is "soon"/);
    const badKeys = migrateV4Accounts({ ...doc, identities: { ...identities, records: [{ ...(identities.records[0] as Rec), keys: 'jdoe' }] } });
    assert.throws(() => new IdentityDirectory([], badKeys['identities'] as never), /identities\.keys\.0 must be a sid:, sam:, upn: or oid: key, is "jdoe"/);
  });

  it('carries golden_ticket pairs of the wrong shape for the restore to name', () => {
    const doc = v4();
    const detectors = doc['detectors'] as Record<string, Rec>;
    const bad = migrateV4({ ...doc, detectors: { ...detectors, golden_ticket: { ...detectors['golden_ticket'], nameRids: { 'S-1-5-21-1-2-3|bob': 'abc' } } } });
    assert.throws(() => new IdentityDirectory([], bad['identities'] as never), /identities\.nameSids\.rids\.rids\.0 must be a non-negative integer, is "abc"/);
    const settings = { thresholds: { ticketLifetimeHours: 10, coverageGapMinutes: 120, clockSkewMinutes: 5 }, learningPeriodMs: 0, testMode: false };
    assert.throws(() => goldenTicket.create(settings, { realms: [], sidNames: {} }), /detectors\.golden_ticket is invalid: sidNames is not a key of state version 5/);
  });

  it('carries golden_ticket\'s unknown names and waiting tickets of a version 4 document into its tables', () => {
    const doc = v4();
    const detectors = doc['detectors'] as Record<string, Rec>;
    const T = 1_710_300_000_000;
    const ticket = {
      kind: 'kerberos_service_ticket', time: T, host: 'DC01.corp.example', eventId: 4769, recordId: 12,
      account: { name: 'ghost', domain: 'CORP.EXAMPLE' }, ip: '10.0.0.9', serviceName: 'cifs/fs01', status: 0, ticketOptions: 0x40810000,
    };
    const golden = { ...detectors['golden_ticket'], unknownNames: { ghost: T - 1000, 'corp\\nobody': T - 2000 }, unknownCount: 2, missingTgt: [{ due: T + 300_000, item: ticket }] };
    const migrated = migrateV4({ ...doc, detectors: { ...detectors, golden_ticket: golden } });
    const section = (migrated['detectors'] as Record<string, Rec>)['golden_ticket'];
    assert.deepEqual(section, {
      realms: ['CORP.EXAMPLE'], since: detectors['golden_ticket']?.['since'],
      unknownNames: { keys: ['ghost', 'corp\\nobody'], rows: [T - 1000, T - 2000] },
      missingTgt: [[T + 300_000, [T, 'DC01.corp.example', 4769, 12], ['ghost', 'CORP.EXAMPLE', null], '10.0.0.9', 'cifs/fs01']],
    });
    const settings = { thresholds: { ticketLifetimeHours: 10, coverageGapMinutes: 120, clockSkewMinutes: 5 }, learningPeriodMs: 0, testMode: false };
    assert.deepEqual(goldenTicket.create(settings, JSON.parse(JSON.stringify(section))).snapshot(), section, 'the restore reads every row of it back');
  });

  it('refuses a golden_ticket section of the wrong shape naming the path', () => {
    const settings = { thresholds: { ticketLifetimeHours: 10, coverageGapMinutes: 120, clockSkewMinutes: 5 }, learningPeriodMs: 0, testMode: false };
    assert.throws(() => goldenTicket.create(settings, { unknownNames: { keys: ['ghost'], rows: ['soon'] } }), /detectors\.golden_ticket is invalid: unknownNames\.rows\.0 must be a finite number/);
    assert.throws(() => goldenTicket.create(settings, { missingTgt: [[1, [1, 'DC01', 4769, null], ['ghost', null, null], null, 7]] }), /detectors\.golden_ticket is invalid: missingTgt\.0\.4 must be a string/);
    assert.throws(() => goldenTicket.create(settings, { unknownNames: { ghost: 1 } }), /detectors\.golden_ticket is invalid: unknownNames must be/);
  });

  it('moves golden_ticket\'s pairs when the document has no identities yet', () => {
    const doc = v4();
    const migrated = migrateV4Accounts({ ...doc, identities: null });
    const identities = migrated['identities'] as { seqs: unknown[]; keys: unknown[]; nameSids: { pairs: { domains: unknown[] } } };
    assert.deepEqual([identities.seqs, identities.keys], [[], []]);
    assert.equal(identities.nameSids.pairs.domains.length, 3);
  });
});

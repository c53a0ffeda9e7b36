import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import type { DetectorModule, DetectorSettings } from '../../../core/detectors/detector';
import { kerberoasting } from '../../../core/detectors/kerberoasting';
import { overpassTheHash } from '../../../core/detectors/overpass_the_hash';
import { runPass } from '../../../core/engine/engine';
import { KerberosLedger } from '../../../core/estate/kerberos-ledger';
import { expandEtypeTable } from '../../../core/estate/kerberos-ledger-snapshot';
import { daysOf } from '../../../core/state/day-bits';
import { migrateV1 } from '../../../core/state/migrate-v1';
import { migrateV2 } from '../../../core/state/migrate-v2';
import { migrateV3 } from '../../../core/state/migrate-v3';
import { migrateV4Kerberos } from '../../../core/state/migrate-v4-kerberos';
import type { NumericTableSnapshot } from '../../../core/state/numeric-table';
import { checkState } from '../../../core/state/state';
import { StateInvalidError } from '../../../core/state/state-errors';
import { MemorySource } from '../../support/memory-source';
import { tgt } from '../detectors/kerberos.fixtures';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'state-v1.json');
const MINUTE = 60_000;
/** The harness epoch (test/core/detectors/harness.ts): `at` counts minutes from it. */
const EPOCH = Date.UTC(2024, 2, 4, 9);

/** The real version 1 fixture carried to version 4: overpass_the_hash's etype days in its own section. */
function v4(): Record<string, unknown> {
  return migrateV3(migrateV2(migrateV1(JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>)));
}

function settings(m: DetectorModule): DetectorSettings {
  return { thresholds: Object.fromEntries(Object.entries(m.declaration.thresholds).map(([k, t]) => [k, t.default])), learningPeriodMs: 14 * 86_400_000, testMode: false };
}

type Doc = { kerberos: Record<string, unknown> | null; detectors: Record<string, Record<string, unknown>> };

describe('migrate v4 → v5: the Kerberos facts in the ledger', () => {
  it('moves overpass_the_hash\'s account and source etype days into the ledger, every day carried', () => {
    const before = v4() as Doc;
    const overpass = before.detectors['overpass_the_hash'] as { accounts: NumericTableSnapshot; sources: NumericTableSnapshot };
    assert.ok(overpass.accounts.keys.length > 0 && overpass.sources.keys.length > 0, 'the fixture has etype days to move');
    const after = migrateV4Kerberos(v4()) as Doc;
    const etypes = after.kerberos?.['etypes'] as Record<'accounts' | 'sources', unknown>;
    assert.deepEqual(expandEtypeTable(etypes.accounts, 'test', 'accounts'), overpass.accounts, 'every value carried exactly');
    assert.deepEqual(expandEtypeTable(etypes.sources, 'test', 'sources'), overpass.sources);
    assert.ok(JSON.stringify(etypes).length < JSON.stringify({ a: overpass.accounts, s: overpass.sources }).length, 'and smaller');
    assert.deepEqual(Object.keys(after.detectors['overpass_the_hash'] ?? {}).sort(), ['newCredentials', 'org', 'since', 'weakTgts']);
    for (const f of ['strings', 'keys', 'tgts', 'coverage']) assert.deepEqual(after.kerberos?.[f], before.kerberos?.[f], `the TGT half's ${f} is kept`);
    const aes = overpass.accounts.columns['aes'] ?? [];
    assert.ok(aes.some((d) => daysOf(d).length > 1), 'an account with several AES days keeps them');
  });

  it('makes a ledger from the etype days of a document that had no TGT half', () => {
    const doc = { ...v4(), kerberos: null };
    const after = migrateV4Kerberos(doc) as Doc;
    assert.deepEqual(Object.keys(after.kerberos ?? {}), ['etypes']);
    const ledger = new KerberosLedger({ etypes: true }, after.kerberos);
    const ev = { kind: 'kerberos_tgt_request', time: Date.UTC(2024, 2, 12), host: 'DC01', eventId: 4768, recordId: null, account: { name: 'ws9504$' }, status: 0, encryptionType: 0x17, preAuthType: 2 } as const;
    assert.deepEqual(daysOf(ledger.etypesBefore(ev).account.aes).length, 2, 'the learned AES days are read back');
  });

  it('carries a part of the wrong shape as it is, and the restore refuses it naming the key', () => {
    const doc = v4() as Doc;
    (doc.detectors['overpass_the_hash'] as Record<string, unknown>)['accounts'] = { keys: ['a'], columns: { aes: ['x'] } };
    const after = migrateV4Kerberos(doc) as Doc;
    assert.throws(() => new KerberosLedger({ etypes: true }, after.kerberos, 'state-v4'), (e: unknown) => e instanceof StateInvalidError && /kerberos\.etypes\.accounts/.test(e.message));
    const odd = { ...v4(), kerberos: 'broken' } as unknown as Doc;
    const kept = migrateV4Kerberos(odd as unknown as Record<string, unknown>) as Doc;
    assert.equal(kept.kerberos, 'broken', 'a malformed ledger is left for the schema');
    assert.equal(kept.detectors['overpass_the_hash'], odd.detectors['overpass_the_hash'], 'and the days stay where they were');
  });

  it('carries overpass_the_hash\'s estate mix, new-credentials logons and waiting RC4 TGTs into their compact form', () => {
    const doc = v4() as Doc;
    const real = doc.detectors['overpass_the_hash'] as { org: { aes: number; weak: number }; since: number };
    assert.ok(real.org.aes > 0, 'the fixture has learned the estate\'s mix');
    const T = Date.UTC(2024, 2, 13, 9);
    const origin = { time: T, host: 'WS01.corp.example', eventId: 4624, recordId: 5 };
    const ev = { kind: 'kerberos_tgt_request', time: T - MINUTE, host: 'DC01.corp.example', eventId: 4768, recordId: 9, account: { name: 'alice', domain: 'CORP' }, ip: '10.0.0.7', status: 0, encryptionType: 0x17, preAuthType: 2 };
    doc.detectors['overpass_the_hash'] = {
      ...real,
      newCredentials: [{ host: 'WS01.corp.example', time: T, origin }],
      weakTgts: [{ ip: '10.0.0.7', time: T - MINUTE, ev, why: 'a downgrade' }],
    };
    const section = (migrateV4Kerberos(doc) as Doc).detectors['overpass_the_hash'];
    assert.deepEqual(section, {
      since: real.since, org: [real.org.aes, real.org.weak],
      newCredentials: [['WS01.corp.example', [T, 'WS01.corp.example', 4624, 5]]],
      weakTgts: [['10.0.0.7', [T - MINUTE, 'DC01.corp.example', 4768, 9], ['alice', 'CORP', null], 0x17, 2, 'a downgrade']],
    });
    assert.deepEqual(overpassTheHash.create(settings(overpassTheHash), JSON.parse(JSON.stringify(section))).snapshot(), section, 'the restore reads every row of it back');
  });

  it('refuses an overpass_the_hash section of the wrong shape, naming the path', () => {
    const s = settings(overpassTheHash);
    assert.throws(() => overpassTheHash.create(s, { org: { aes: 1, weak: 0 } }), /detectors\.overpass_the_hash is invalid: org must be an array of 2/);
    assert.throws(() => overpassTheHash.create(s, { org: [1, -1] }), /detectors\.overpass_the_hash is invalid: org\.1 must be a non-negative integer/);
    assert.throws(() => overpassTheHash.create(s, { newCredentials: [['WS01', [1, 'WS01', '4624', null]]] }), /detectors\.overpass_the_hash is invalid: newCredentials\.0\.1\.2 must be a non-negative integer/);
    assert.throws(() => overpassTheHash.create(s, { weakTgts: [['10.0.0.7', [1, 'DC01', 4768, null], ['alice', null, null], 23, 2, null]] }), /detectors\.overpass_the_hash is invalid: weakTgts\.0\.5 must be a string/);
  });

  it('carries kerberoasting\'s services, devices and recent tickets into its tables, every day kept', () => {
    const before = v4() as Doc;
    const old = before.detectors['kerberoasting'] as { services: Record<string, { lastSeen: number; aes: number; rc4: number; requesters: string[] }>; devices: Record<string, { lastSeen: number; aes: number; rc4: number }> };
    const after = (migrateV4Kerberos(v4()) as Doc).detectors['kerberoasting'] as { services: { keys: string[]; rows: unknown[] }; devices: NumericTableSnapshot; recent: { keys: string[]; rows: unknown[] } };
    assert.deepEqual(after.services.keys, Object.keys(old.services));
    assert.deepEqual(after.services.rows, Object.values(old.services).map((h) => [h.lastSeen, h.aes, h.rc4, h.requesters]));
    assert.deepEqual(after.devices.keys, Object.keys(old.devices));
    assert.deepEqual(after.devices.columns['rc4'], Object.values(old.devices).map((d) => d.rc4));
    assert.deepEqual(after.recent, { keys: ['legacy01$'], rows: [[1710202620011, ['svc-legacyapp', 1710202620011]]] });
    const d = kerberoasting.create(settings(kerberoasting), JSON.parse(JSON.stringify(after)));
    assert.deepEqual(d.snapshot(), after, 'the restore reads every row of it back');
  });

  it('refuses a kerberoasting row of the wrong shape, naming it', () => {
    const doc = v4() as Doc;
    (doc.detectors['kerberoasting'] as { services: Record<string, unknown> }).services['svc-sql'] = 'not a service';
    const after = (migrateV4Kerberos(doc) as Doc).detectors['kerberoasting'];
    assert.throws(() => kerberoasting.create(settings(kerberoasting), after), /detectors\.kerberoasting is invalid: services\.rows\.1 must be an array of 4/);
    const badDay = { services: { keys: [], rows: [] }, recent: { keys: [], rows: [] }, devices: { keys: ['10.0.0.1'], columns: { lastSeen: [1], aes: [2 ** 31], rc4: [0] } } };
    assert.throws(() => kerberoasting.create(settings(kerberoasting), badDay), /devices\.columns\.aes\.0 must be a day set/);
  });

  it('runs a pass on the migrated document: the learned AES baseline still makes an RC4 TGT a downgrade', async () => {
    const store = new MemoryStateStore();
    await store.save(checkState(v4(), 'state-v4'), null);
    // The day after the fixture's, from the address that negotiated AES that day: not learning, a downgrade.
    const at = (Date.UTC(2024, 2, 13, 9) - EPOCH) / MINUTE;
    const result = await runPass({
      source: new MemorySource([tgt(at, 'ws9504$', '10.16.37.106', { etype: '0x17' })]), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
      config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => Date.UTC(2024, 2, 14),
    });
    assert.equal(result.state.version, 5);
    const alert = result.alerts.find((a) => a.detector === overpassTheHash.declaration.id);
    assert.match(alert?.description ?? '', /received AES tickets on 2 earlier day\(s\)/);
    assert.ok((result.state.kerberos?.etypes?.accounts.keys ?? []).includes('ws9504$'));
    const org = (v4() as Doc).detectors['overpass_the_hash']?.['org'] as { aes: number; weak: number };
    assert.deepEqual(result.state.detectors['overpass_the_hash']?.['org' as never], [org.aes, org.weak + 1], 'the estate\'s mix carried, and the RC4 TGT counted in it');
  });
});

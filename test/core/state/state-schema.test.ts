import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { FileStateStore, MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { checkState, emptyState, STATE_MIGRATIONS, StateInvalidError, StateVersionError, type StateStore } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';
import { securityEvent } from '../detectors/harness';

const config = resolveConfig({}, DECLARATIONS);
const events = [
  ...['svc-a', 'svc-b', 'svc-c'].map((s, i) => securityEvent(4769, i * 0.1, { TargetUserName: 'jdoe@CORP.EXAMPLE', ServiceName: s, TicketEncryptionType: '0x17', Status: '0x0', IpAddress: '::ffff:10.0.4.21' })),
  securityEvent(4624, 1, { TargetUserName: 'jdoe', TargetDomainName: 'CORP', LogonType: '3', IpAddress: '::ffff:10.0.4.21', TargetLogonId: '0x1' }),
];

async function pass(store: StateStore, sink = new MemorySink()) {
  return runPass({ source: new MemorySource(events), sink, store, quarantine: new MemoryQuarantine(), config, modules: DETECTOR_MODULES, clock: () => Date.UTC(2024, 2, 5) });
}

function problem(doc: unknown): string {
  try {
    checkState(doc, 'state.json');
  } catch (e) {
    assert.ok(e instanceof StateInvalidError || e instanceof StateVersionError, `unexpected ${String(e)}`);
    assert.equal((e as { exitCode?: number }).exitCode, 3);
    return (e as Error).message;
  }
  return 'accepted';
}

describe('state schema', () => {
  it('accepts the state a real pass writes, scores and identities included', async () => {
    const store = new MemoryStateStore();
    const { state } = await pass(store);
    assert.ok(state.scores && state.scores.entries.length > 0, 'the fixture scores someone');
    assert.equal(problem(JSON.parse(JSON.stringify(state))), 'accepted');
  });

  it('names the missing key of a state holding only its version', () => {
    assert.match(problem({ version: 1 }), /state at state\.json is invalid: checkpoint is missing/);
  });

  it('names a watermark that is not a time', () => {
    assert.match(problem({ ...emptyState(), watermark: 'abc' }), /invalid: watermark must be number,null/);
  });

  it('names garbage inside the directory model, delivered ids and scores', () => {
    // A version 5 machine table is an object, checked row by row by its restore (test/core/estate/machine-table.test.ts).
    assert.match(problem({ ...emptyState(), directory: { learnedDcs: ['dc1'], machines: [['ws1', 'x']] } }), /directory\.machines must be object/);
    assert.match(problem({ ...emptyState(), directory: { learnedDcs: ['dc1'], machines: { keys: [], rows: [], ips: [], addressRows: [] }, frontEnds: 'x' } }), /directory\.frontEnds must be object/);
    assert.match(problem({ ...emptyState(), delivered: { 'tz-1': 'yesterday' } }), /delivered\.tz-1 must be number/);
    assert.match(problem({ ...emptyState(), scores: { at: 1, activeIdentities: 1, precision: {}, entries: [{ id: 'x' }] } }), /scores\.entries\[0\]\.identity is missing/);
    assert.match(problem({ ...emptyState(), detectors: { brute_force: 'junk' } }), /detectors\.brute_force must be object,null/);
    assert.match(problem({ ...emptyState(), extra: 1 }), /extra is not a known key/);
  });

  it('refuses a document that is not an object, and a version it cannot migrate', () => {
    assert.match(problem([1]), /\(document\) must be a JSON object/);
    assert.match(problem({ ...emptyState(), version: 99 }), /has version 99/);
  });

  it('migrates an older version through the registered steps before validating', () => {
    const v0 = { version: 0, checkpoint: null, watermark: null, directory: null, detectors: {}, alerts: { 'tz-1': 5 } };
    const migrated = checkState(v0, 'state.json', { ...STATE_MIGRATIONS, 0: ({ alerts, ...rest }) => ({ ...rest, version: 1, delivered: alerts }) });
    assert.deepEqual(migrated.delivered, { 'tz-1': 5 });
  });

  it('loads nothing and delivers nothing from an invalid state file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tz-schema-')), 'state.json');
    writeFileSync(path, JSON.stringify({ ...emptyState(), watermark: 'abc' }));
    const sink = new MemorySink();
    await assert.rejects(pass(new FileStateStore(path), sink), (e: Error) => e instanceof StateInvalidError && e.message.includes(path) && /watermark/.test(e.message));
    assert.equal(sink.alerts.length, 0);
  });

  it('names the detector whose saved snapshot cannot be restored', async () => {
    const store = new MemoryStateStore();
    await store.save({ ...emptyState(), detectors: { kerberoasting: { services: 7 } } }, null);
    await assert.rejects(pass(store), (e: Error) => e instanceof StateInvalidError && /detectors\.kerberoasting/.test(e.message));
  });

  it('refuses a saved day set that is not one, naming the record, instead of reading it as no days', async () => {
    const store = new MemoryStateStore();
    const account = [1, [19794], null]; // a version 1 day list in a version 5 row ([lastSeen, roaming, forwardedAt])
    await store.save({ ...emptyState(), detectors: { pass_the_ticket: { accounts: { keys: ['jdoe'], rows: [account] }, sources: { keys: [], rows: [] }, unexplained: [] } } }, null);
    await assert.rejects(pass(store), (e: Error) => e instanceof StateInvalidError && /detectors\.pass_the_ticket/.test(e.message) && /accounts\.rows\.0\.1 must be a day set/.test(e.message));
  });
});

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { DirectoryModel } from '../../../core/estate/directory-model';
import { migrateV1 } from '../../../core/state/migrate-v1';
import { migrateV2 } from '../../../core/state/migrate-v2';
import { migrateV3 } from '../../../core/state/migrate-v3';
import { checkState, STATE_VERSION, StateInvalidError } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';

/** The real version 1 fixture, migrated to version 3 as a version 3 tierzero wrote it. */
function v3(): Record<string, unknown> {
  return migrateV2(migrateV1(JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'state-v1.json'), 'utf8')) as Record<string, unknown>));
}

type V3Session = [string, { account: string; time: number; ip?: string; workstation?: string; logonType?: number }];
type V3Machine = [string, { ip: string; firstSeen: number; lastSeen: number }[]];
const facts = { domainControllers: [], honeytokens: [], directorySyncAccounts: [] };

describe('state version 3 → 4', () => {
  it('carries every logon session, field for field, into the compact form', () => {
    const old = v3();
    const sessions = (old['directory'] as { sessions: V3Session[] }).sessions;
    assert.ok(sessions.length > 0, 'the fixture has sessions');
    const migrated = checkState(v3(), 'state-v3');
    assert.equal(migrated.version, STATE_VERSION);
    const directory = new DirectoryModel(facts, migrated.directory ?? undefined);
    for (const [key, s] of sessions) {
      const [host, logonId] = key.split('|') as [string, string];
      assert.deepEqual(directory.logonSession(host, logonId), s, key);
    }
  });

  it('folds ntlm_relay\'s machines into the directory, keeping the earlier first sighting, and leaves ntlm_relay no state', () => {
    const old = v3();
    const relay = (old['detectors'] as Record<string, { machines: Record<string, { firstSeen: number; lastSeen: number }> }>)['ntlm_relay']?.machines ?? {};
    const machines = (old['directory'] as { machines: V3Machine[] }).machines;
    assert.ok(Object.keys(relay).length > 0, 'the fixture has ntlm_relay machines');
    const migrated = checkState(v3(), 'state-v3');
    assert.deepEqual(migrated.detectors['ntlm_relay'], {});
    const directory = new DirectoryModel(facts, migrated.directory ?? undefined);
    for (const [host, seen] of Object.entries(relay)) {
      const addresses = machines.find(([h]) => h === host)?.[1] ?? [];
      assert.equal(directory.machineFirstSeen(host), Math.min(seen.firstSeen, ...addresses.map((a) => a.firstSeen)), host);
    }
    for (const [host, addresses] of machines) assert.deepEqual(directory.machineAddresses(host).slice(0, 1), addresses.slice(0, 1).map((a) => a.ip), host);
  });

  it('keeps the age of a machine only ntlm_relay still remembered', () => {
    const doc = v3() as { directory: { machines: V3Machine[] }; detectors: Record<string, unknown> };
    doc.directory.machines = [];
    doc.detectors['ntlm_relay'] = { machines: { ws1: { firstSeen: 5, lastSeen: 9 } } };
    const migrated = checkState(doc, 'state-v3');
    assert.deepEqual(migrated.directory?.machines, { keys: ['ws1'], rows: [5, 9, 0], ips: [], addressRows: [] }, 'in the version 5 table');
  });

  it('leaves a malformed session section for the restore to refuse, naming the key', () => {
    const doc = v3() as { directory: { sessions: unknown[] } };
    doc.directory.sessions.push(['dc01|0x9', { time: 'noon' }]);
    const migrated = migrateV3(doc as unknown as Record<string, unknown>);
    assert.ok(Array.isArray((migrated['directory'] as { sessions: unknown }).sessions), 'carried as it was, nothing guessed');
    assert.throws(() => checkState(doc, 'state-v3'), (e: unknown) => e instanceof StateInvalidError && /directory\.sessions must be object/.test(e.message));
  });

  it('runs a pass on the migrated state and writes version 4', async () => {
    const store = new MemoryStateStore();
    await store.save(checkState(v3(), 'state-v3'), null);
    const result = await runPass({
      source: new MemorySource([]), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
      config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => Date.UTC(2024, 2, 13),
    });
    assert.equal(result.state.version, STATE_VERSION);
    assert.ok((result.state.directory?.sessions?.rows.length ?? 0) > 0, 'sessions within their horizon survive the pass');
  });
});

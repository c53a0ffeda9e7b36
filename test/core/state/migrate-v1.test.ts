import { strict as assert } from 'node:assert';
import { expandEtypeTable } from '../../../core/estate/kerberos-ledger-snapshot';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { FileStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { daysOf } from '../../../core/state/day-bits';
import type { NumericTableSnapshot } from '../../../core/state/numeric-table';
import { checkState, STATE_VERSION, StateVersionError } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';

/** A real version 1 state, written by tierzero before issue 13 over a slice of the bench workload, trimmed to a few entries per table. */
const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'state-v1.json');

/** `detectors[id][name]`, a table of records keyed by entity. */
function table<T>(detectors: unknown, id: string, name: string): Record<string, T> {
  return ((detectors as Record<string, Record<string, unknown>>)[id]?.[name] ?? {}) as Record<string, T>;
}

function v1(): Record<string, unknown> {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
}

describe('state version 1 → 2', () => {
  it('migrates the day lists of every baseline into day bitsets, keeping each day', () => {
    const old = v1();
    const migrated = checkState(v1(), 'state-v1.json');
    assert.equal(migrated.version, STATE_VERSION);
    const before = table<{ aesDays: number[]; rc4Days: number[] }>(old['detectors'], 'overpass_the_hash', 'accounts');
    // Carried on to version 5, where the etype days are the Kerberos ledger's (core/state/migrate-v4-kerberos.ts).
    const after = expandEtypeTable(migrated.kerberos?.etypes?.accounts, 'state-v1.json', 'accounts');
    assert.deepEqual(after.keys, Object.keys(before));
    Object.values(before).forEach((history, i) => {
      assert.deepEqual(daysOf(after.columns['aes']?.[i] ?? 0), history.aesDays);
      assert.deepEqual(daysOf(after.columns['rc4']?.[i] ?? 0), history.rc4Days);
    });
    const roamingBefore = table<{ roamingDays: number[] }>(old['detectors'], 'pass_the_ticket', 'accounts');
    // Version 5 keeps them as a table of [lastSeen, roaming, forwardedAt] (core/state/migrate-v4/pass-the-ticket.ts).
    const roamingAfter = (migrated.detectors['pass_the_ticket'] as { accounts: { keys: string[]; rows: number[][] } }).accounts;
    assert.ok(Object.values(roamingBefore).some((a) => a.roamingDays.length > 1), 'the fixture has roaming days to convert');
    for (const [account, a] of Object.entries(roamingBefore)) assert.deepEqual(daysOf(roamingAfter.rows[roamingAfter.keys.indexOf(account)]?.[1] ?? 0), a.roamingDays);
    // On to version 5, kerberoasting's devices are a numeric table (core/state/migrate-v4-kerberos.ts).
    const devices = (migrated.detectors['kerberoasting'] as { devices: NumericTableSnapshot }).devices;
    assert.ok(devices.keys.length > 0);
    assert.deepEqual(Object.keys(devices.columns).sort(), ['aes', 'lastSeen', 'rc4']);
    const machineDays = migrated.directory?.machines.addressRows[2];
    const oldMachine = ((old['directory'] as { machines: [string, { days: number[] }[]][] }).machines[0]?.[1][0]);
    assert.deepEqual(daysOf(machineDays ?? 0), oldMachine?.days);
  });

  it('runs a pass on a migrated state file and writes it back in the current version', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tz-migrate-')), 'state.json');
    copyFileSync(FIXTURE, path);
    const store = new FileStateStore(path);
    await runPass({
      source: new MemorySource([]), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
      config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => Date.UTC(2024, 2, 13),
    });
    assert.equal((JSON.parse(readFileSync(path, 'utf8')) as { version: number }).version, STATE_VERSION);
  });

  it('refuses, naming both versions, a state from a version it has no migration for', () => {
    assert.throws(() => checkState({ ...v1(), version: 0 }, 'state.json'), (e: unknown) => e instanceof StateVersionError && new RegExp(`has version 0, this tierzero reads version ${STATE_VERSION}`).test(e.message));
  });
});

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { KerberosLedger } from '../../../core/estate/kerberos-ledger';
import { migrateV1 } from '../../../core/state/migrate-v1';
import { migrateV2 } from '../../../core/state/migrate-v2';
import { checkState, STATE_VERSION, StateInvalidError, type EngineState } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';

/** The real version 1 fixture, migrated to version 2 as a version 2 tierzero wrote it. */
function v2(): Record<string, unknown> {
  return migrateV1(JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'state-v1.json'), 'utf8')) as Record<string, unknown>);
}

type Rec = Record<string, Record<string, unknown>>;
const options = { tickets: { horizonMs: 10 * 3_600_000, coverageGapMs: 2 * 3_600_000 }, etypes: false };

describe('state version 2 → 3', () => {
  it('carries every TGT of golden_ticket and every TGT address of pass_the_ticket into the Kerberos ledger', () => {
    const old = v2();
    const detectors = old['detectors'] as Rec;
    const goldenTgts = detectors['golden_ticket']?.['tgts'] as Record<string, number>;
    const pttAccounts = detectors['pass_the_ticket']?.['accounts'] as Record<string, { tgts: { ip: string; time: number }[] }>;
    assert.ok(Object.keys(goldenTgts).length > 0 && Object.keys(pttAccounts).length > 0, 'the fixture has TGTs of both');
    const migrated = checkState(v2(), 'state-v2');
    assert.equal(migrated.version, STATE_VERSION);
    const ledger = new KerberosLedger(options, migrated.kerberos);
    for (const [account, time] of Object.entries(goldenTgts)) assert.equal(ledger.hasTgtBetween(account, time, time), true, account);
    for (const [account, a] of Object.entries(pttAccounts)) {
      for (const t of a.tgts) assert.ok(ledger.tgtsOf(account).some((e) => e.ip === t.ip && e.time === t.time), `${account} ${t.ip}`);
    }
  });

  it('moves the coverage tracker to the ledger and leaves the detectors their verdict state only', () => {
    const oldCoverage = (v2()['detectors'] as Rec)['golden_ticket']?.['coverage'];
    const migrated = checkState(v2(), 'state-v2');
    assert.deepEqual(migrated.kerberos?.coverage, oldCoverage);
    const golden = migrated.detectors['golden_ticket'] as Record<string, unknown>;
    const ptt = migrated.detectors['pass_the_ticket'] as { accounts: { keys: string[]; rows: unknown[][] } };
    assert.equal('tgts' in golden || 'coverage' in golden, false);
    assert.equal('coverage' in ptt, false);
    // Version 5 rows are [lastSeen, roaming, forwardedAt] (core/state/migrate-v4/pass-the-ticket.ts): no TGTs.
    for (const row of ptt.accounts.rows) assert.equal(row.length, 3);
    assert.equal('sidNames' in golden, false, 'golden_ticket\'s name↔SID pairs moved to the account table (v4 → v5)');
    assert.ok((migrated.identities?.nameSids.pairs.domains.length ?? 0) > 0, 'the pairs carried over to identities.nameSids');
  });

  it('keeps pass_the_ticket accounts that roamed, and drops those kept only for their TGTs', () => {
    const old = (v2()['detectors'] as Rec)['pass_the_ticket']?.['accounts'] as Record<string, { roaming: number }>;
    const migrated = checkState(v2(), 'state-v2');
    // Version 5 keeps them as a table of [lastSeen, roaming, forwardedAt] (core/state/migrate-v4/pass-the-ticket.ts).
    const table = (migrated.detectors['pass_the_ticket'] as { accounts: { keys: string[]; rows: unknown[][] } }).accounts;
    const roaming = (k: string): unknown => table.rows[table.keys.indexOf(k)]?.[1];
    for (const [k, a] of Object.entries(old)) {
      if (a.roaming !== 0) assert.equal(roaming(k), a.roaming, k);
      else assert.equal(table.keys.includes(k), false, k);
    }
  });

  it('runs a pass on the migrated state: the TGTs carried over still explain service tickets', async () => {
    const store = new MemoryStateStore();
    await store.save(checkState(v2(), 'state-v2'), null);
    const result = await runPass({
      source: new MemorySource([]), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
      config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => Date.UTC(2024, 2, 13),
    });
    assert.equal(result.state.version, STATE_VERSION);
    assert.ok((result.state.kerberos?.keys?.length ?? 0) > 0);
  });

  it('refuses a migrated ledger whose TGT entries are malformed, naming the key', () => {
    const doc = migrateV2(v2()) as { kerberos: { tgts: number[][] } } & Record<string, unknown>;
    doc.kerberos.tgts[0] = [1, 2, 3];
    const state = checkState(doc, 'state-v2') as EngineState;
    assert.throws(() => new KerberosLedger(options, state.kerberos, 'state-v2'), (e: unknown) => e instanceof StateInvalidError && /kerberos\.tgtCounts\[0\] must be 1 to 8 TGT addresses, is 0\.5/.test(e.message));
  });
});

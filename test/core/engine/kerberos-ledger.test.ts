import { strict as assert } from 'node:assert';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import type { DetectorModule } from '../../../core/detectors/detector';
import { goldenTicket } from '../../../core/detectors/golden_ticket';
import { kerberoasting } from '../../../core/detectors/kerberoasting';
import { overpassTheHash } from '../../../core/detectors/overpass_the_hash';
import { passTheTicket } from '../../../core/detectors/pass_the_ticket';
import { DECLARATIONS } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { kerberosLedgerOptions } from '../../../core/engine/kerberos-ledger-options';
import type { StateStore } from '../../../core/state/state';
import { MemorySource } from '../../support/memory-source';
import { serviceTicket, tgt } from '../detectors/kerberos.fixtures';

const HOURS = 60;

async function pass(modules: readonly DetectorModule[], events: readonly object[], store: StateStore, config: unknown = { testMode: true }) {
  return runPass({
    source: new MemorySource(events), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
    config: resolveConfig(config, DECLARATIONS), modules,
  });
}

describe('the engine and the Kerberos ledger', () => {
  it('keeps one ledger for golden_ticket and pass_the_ticket, and neither detector saves TGTs or coverage of its own', async () => {
    const { state } = await pass([goldenTicket, passTheTicket], [tgt(0, 'alice', '10.0.0.2'), serviceTicket(1, 'alice', '10.0.0.2', 'fs01$')], new MemoryStateStore());
    assert.deepEqual(state.kerberos?.keys, ['alice']);
    assert.deepEqual(state.kerberos?.strings, ['10.0.0.2', 'dc01']);
    for (const id of ['golden_ticket', 'pass_the_ticket']) {
      const saved = state.detectors[id] as Record<string, unknown>;
      assert.equal('tgts' in saved || 'coverage' in saved, false, id);
    }
  });

  it('neither feeds nor drops the ledger while no detector that reads it is enabled', async () => {
    const store = new MemoryStateStore();
    const first = await pass([goldenTicket], [tgt(0, 'alice', '10.0.0.2')], store);
    const second = await pass([kerberoasting], [tgt(60, 'bob', '10.0.0.3')], store);
    assert.deepEqual(second.state.kerberos, first.state.kerberos);
  });

  it('refuses a saved ledger that is malformed, naming its key, before any event is judged', async () => {
    const store = new MemoryStateStore();
    const { state } = await pass([goldenTicket], [tgt(0, 'alice', '10.0.0.2')], store);
    const broken = new MemoryStateStore();
    await broken.save({ ...state, kerberos: { ...(state.kerberos as NonNullable<typeof state.kerberos>), keys: ['alice'], tgtCounts: [1], tgts: [99, 0, 0, 0, 0, 0] } }, null);
    await assert.rejects(pass([goldenTicket], [], broken), /kerberos\.tgts\[0\] refers to string 99/);
  });

  it('sets the horizon from the longest ticket lifetime and the coverage gap from the shortest, among enabled readers', () => {
    const config = resolveConfig({ detectors: {
      golden_ticket: { thresholds: { ticketLifetimeHours: 24, coverageGapMinutes: 60 } },
      pass_the_ticket: { thresholds: { ticketLifetimeHours: 10, coverageGapMinutes: 30, clockSkewMinutes: 10 } },
    } }, DECLARATIONS);
    assert.deepEqual(kerberosLedgerOptions(config, [goldenTicket, passTheTicket]), { tickets: { horizonMs: 24 * 3_600_000 + 2 * 5 * 60_000, coverageGapMs: 30 * 60_000 }, etypes: false });
    assert.deepEqual(kerberosLedgerOptions(config, [goldenTicket]), { tickets: { horizonMs: 24 * 3_600_000 + 2 * 5 * 60_000, coverageGapMs: 60 * 60_000 }, etypes: false });
    assert.equal(kerberosLedgerOptions(config, [kerberoasting]), undefined);
  });

  it('learns the etype half only while overpass_the_hash is enabled, the TGT half only while golden_ticket or pass_the_ticket is', () => {
    const config = resolveConfig({}, DECLARATIONS);
    assert.deepEqual(kerberosLedgerOptions(config, [overpassTheHash]), { etypes: true });
    assert.equal(kerberosLedgerOptions(config, [overpassTheHash, goldenTicket])?.etypes, true);
  });

  it('keeps overpass_the_hash\'s etype days in the ledger, and the detector saves only its verdict state', async () => {
    const { state } = await pass([overpassTheHash], [tgt(0, 'alice', '10.0.0.2'), tgt(60, 'bob', '10.0.0.3', { etype: '0x17' })], new MemoryStateStore());
    assert.deepEqual(state.kerberos?.etypes?.accounts.keys, ['alice', 'bob']);
    assert.deepEqual(state.kerberos?.etypes?.sources.keys, ['10.0.0.2', '10.0.0.3']);
    assert.equal(state.kerberos?.keys, undefined, 'no TGT reader ran: no TGTs are learned');
    assert.deepEqual(Object.keys(state.detectors['overpass_the_hash'] as object).sort(), ['newCredentials', 'org', 'since', 'weakTgts']);
  });

  it('passes a half whose readers are disabled through untouched, and learns the other', async () => {
    const store = new MemoryStateStore();
    const first = await pass([overpassTheHash, goldenTicket], [tgt(0, 'alice', '10.0.0.2')], store);
    const second = await pass([goldenTicket], [tgt(60, 'bob', '10.0.0.3')], store);
    assert.deepEqual(second.state.kerberos?.etypes, first.state.kerberos?.etypes, 'the etype days pass through');
    assert.deepEqual(second.state.kerberos?.keys, ['alice', 'bob'], 'the TGTs are learned');
    const third = await pass([overpassTheHash], [tgt(120, 'carol', '10.0.0.4')], store);
    assert.deepEqual(third.state.kerberos?.keys, ['alice', 'bob'], 'the TGTs pass through');
    assert.deepEqual(third.state.kerberos?.etypes?.accounts.keys, ['alice', 'carol']);
  });

  it('forgets a TGT past the horizon within the same pass', async () => {
    const events = [tgt(0, 'alice', '10.0.0.2')];
    for (let m = 20; m < 13 * HOURS; m += 20) events.push(tgt(m, 'WS1$', '10.0.1.1'));
    const { state } = await pass([passTheTicket], events, new MemoryStateStore());
    assert.deepEqual(state.kerberos?.keys, ['WS1$'.toLowerCase()]);
  });
});

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonChunks } from '../../../adapters/file/json-chunks';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { enabledModules } from '../../../core/engine/engine';
import { kerberosLedgerOptions } from '../../../core/engine/kerberos-ledger-options';
import { DirectoryModel } from '../../../core/estate/directory-model';
import { KerberosLedger } from '../../../core/estate/kerberos-ledger';
import { Identities } from '../../../core/identity/identities';

/**
 * test/fixtures/state-v5-owners.json: the directory, identities and Kerberos ledger sections of
 * a first pass over a small bench workload (2 660 events, 120 accounts, seeds for display
 * names, tiers, a role, a second SID domain and a merge), restored and saved once more, all at
 * commit 47008e7, when every snapshot was built whole before it was written. Restored again,
 * that code wrote these very bytes (the one restore renumbers the identities' keys and pairs
 * once; after it the document is a fixed point). Its `config` is the pass's raw config.
 */
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/state-v5-owners.json'), 'utf8')) as {
  config: unknown; directory: object; identities: object; kerberos: object;
};
const config = resolveConfig(fixture.config, DECLARATIONS);
const ledgerOptions = kerberosLedgerOptions(config, enabledModules(config, DETECTOR_MODULES));

const owners = {
  directory: () => new DirectoryModel(config, fixture.directory as never),
  identities: () => new Identities(config, fixture.identities as never),
  kerberos: () => new KerberosLedger(ledgerOptions ?? { etypes: false }, fixture.kerberos, 'the fixture'),
};

/** The document's text as the file store streams it. */
const streamed = (v: unknown): string => [...jsonChunks(v)].join('');

/** Every own property of `v` and its plain objects that is a getter, by path. */
function getterPaths(v: object, path = ''): string[] {
  const out: string[] = [];
  for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(v))) {
    if (d.get) out.push(`${path}${key}`);
    const value = d.get ? d.get.call(v) : d.value;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) out.push(...getterPaths(value as object, `${path}${key}.`));
  }
  return out;
}

describe('owners\' snapshots made when read (core/state/made-when-read.ts)', () => {
  for (const [name, restore] of Object.entries(owners)) {
    const saved = JSON.stringify(fixture[name as keyof typeof owners]);

    it(`writes the ${name} snapshot byte for byte as the eager writer did, streamed and through JSON.stringify`, () => {
      const snapshot = restore().snapshot();
      assert.equal(streamed(snapshot), saved);
      assert.equal(JSON.stringify(snapshot), saved);
    });

    it(`restores the ${name} snapshot, getters and all, to an owner that writes the same state`, () => {
      const again = new (restore().constructor as new (...a: unknown[]) => { snapshot(): unknown })(
        ...(name === 'kerberos' ? [ledgerOptions, restore().snapshot(), 'the snapshot'] : [config, restore().snapshot()]),
      );
      assert.deepStrictEqual(structuredClone(again.snapshot()), JSON.parse(saved));
    });
  }

  it('makes the large columns only when read: each is a getter of its snapshot', () => {
    const paths = [
      ...getterPaths(owners.directory().snapshot() as object).map((p) => `directory.${p}`),
      ...getterPaths(owners.identities().snapshot() as object).map((p) => `identities.${p}`),
      ...getterPaths(owners.kerberos().snapshot() as object).map((p) => `kerberos.${p}`),
    ];
    for (const column of [
      'directory.machines.keys', 'directory.machines.addressRows', 'directory.sessions.strings', 'directory.sessions.rows', 'directory.frontEnds.accounts',
      'identities.keys', 'identities.lastSeen', 'identities.nameSids.pairs.names', 'identities.nameSids.rids.rids',
      'kerberos.strings', 'kerberos.tgts', 'kerberos.etypes.accounts.keys', 'kerberos.etypes.sources.rc4',
    ]) assert.ok(paths.includes(column), `${column} is made when read (getters: ${paths.length})`);
  });

  it('gives a fresh column on each read, equal to the last, so no reader can change what the writer reads', () => {
    const snapshot = owners.identities().snapshot();
    assert.notEqual(snapshot.keys, snapshot.keys);
    assert.deepStrictEqual(snapshot.keys, snapshot.keys);
  });
});

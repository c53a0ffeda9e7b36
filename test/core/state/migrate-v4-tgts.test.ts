import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KerberosLedger } from '../../../core/estate/kerberos-ledger';
import { migrateV1 } from '../../../core/state/migrate-v1';
import { migrateV2 } from '../../../core/state/migrate-v2';
import { migrateV3 } from '../../../core/state/migrate-v3';
import { migrateV4 } from '../../../core/state/migrate-v4';
import { migrateV4Tgts } from '../../../core/state/migrate-v4-tgts';
import { StateInvalidError } from '../../../core/state/state-errors';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'state-v1.json');
const options = { tickets: { horizonMs: 1e15, coverageGapMs: 2 * 3_600_000 }, etypes: true };

/** The real version 1 fixture carried to version 4: the ledger's TGTs as one number list per key. */
function v4(): Record<string, unknown> {
  return migrateV3(migrateV2(migrateV1(JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>)));
}

type Kerberos = { keys: string[]; tgts: unknown[]; tgtCounts: unknown[] };

describe('migrate v4 → v5: the ledger\'s TGT lists flat', () => {
  it('carries every TGT address of a real version 4 document, in key order', () => {
    const before = v4()['kerberos'] as Kerberos;
    assert.ok(before.keys.length > 0, 'the fixture has TGTs to move');
    const after = migrateV4Tgts(v4())['kerberos'] as Kerberos;
    assert.deepEqual(after.tgts, (before.tgts as number[][]).flat());
    assert.deepEqual(after.tgtCounts, (before.tgts as number[][]).map((l) => l.length / 6));
    const ledger = new KerberosLedger(options, migrateV4(v4())['kerberos'] as never, 'test');
    const strings = (v4()['kerberos'] as { strings: string[] }).strings;
    for (const [i, k] of before.keys.entries()) {
      const list = before.tgts[i] as number[];
      const saved: string[] = [];
      for (let j = 0; j < list.length; j += 6) saved.push(`${strings[(list[j] as number) - 1]} ${list[j + 1]}`);
      assert.deepEqual(ledger.tgtsOf(k).map((t) => `${t.ip} ${t.time}`).sort(), saved.sort(), k);
    }
  });

  it('carries a list of the wrong shape as its count, for the restore to refuse naming the key', () => {
    const doc = v4();
    const kerberos = doc['kerberos'] as Kerberos;
    const bad = migrateV4({ ...doc, kerberos: { ...kerberos, tgts: ['soon', ...kerberos.tgts.slice(1)] } });
    assert.equal((bad['kerberos'] as Kerberos).tgtCounts[0], 'soon');
    assert.throws(() => new KerberosLedger(options, bad['kerberos'] as never, 'test'), (e: unknown) => e instanceof StateInvalidError && /kerberos\.tgtCounts\[0\] must be 1 to 8 TGT addresses, is "soon"/.test(e.message));
  });
});

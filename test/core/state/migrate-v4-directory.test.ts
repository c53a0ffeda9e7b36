import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryQuarantine } from '../../../adapters/file/file-quarantine';
import { MemorySink } from '../../../adapters/file/file-sink';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { resolveConfig } from '../../../core/config/config';
import { DECLARATIONS, DETECTOR_MODULES } from '../../../core/detectors/registry';
import { runPass } from '../../../core/engine/engine';
import { DirectoryModel, type DirectorySnapshot } from '../../../core/estate/directory-model';
import { FrontEnds, LEARN_MIN_IDENTITIES } from '../../../core/estate/front-ends';
import { migrateV1 } from '../../../core/state/migrate-v1';
import { migrateV2 } from '../../../core/state/migrate-v2';
import { migrateV3 } from '../../../core/state/migrate-v3';
import { migrateV4Directory } from '../../../core/state/migrate-v4-directory';
import { checkState } from '../../../core/state/state';
import { StateInvalidError } from '../../../core/state/state-errors';
import { MemorySource } from '../../support/memory-source';

const DAY = 86_400_000;
const facts = { domainControllers: [], honeytokens: [], directorySyncAccounts: [] };

interface V4Machine { firstSeen: number; lastSeen: number; addresses: { ip: string; firstSeen: number; lastSeen: number; days: number }[] }
interface V4Sessions { strings: string[]; keys: string[]; rows: number[] }
interface V4FrontEnd { day: number; today: string[]; days: number[] }
interface V4Directory { machines: [string, V4Machine][]; sessions: V4Sessions; frontEnds: [string, V4FrontEnd][] }

/**
 * The real version 1 fixture carried to version 4, its directory given what version 4 also
 * wrote: a learned front-end (two bar days), one on its way (29 accounts today), a 64-bit and
 * a non-hex logon id, and a machine on two addresses, one of them IPv6.
 */
function v4(): Record<string, unknown> {
  const doc = migrateV3(migrateV2(migrateV1(JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'state-v1.json'), 'utf8')) as Record<string, unknown>)));
  const directory = doc['directory'] as V4Directory;
  const t = doc['watermark'] as number;
  const today = Math.floor(t / DAY);
  const s = directory.sessions;
  const account = s.strings.push('CORP-ADM');
  s.keys.push('dc01|0x1fedcba98', 'dc02|opaque-7');
  s.rows.push(t - 1_000, account, 0, 0, 2, t - 500, account, 0, 0, -1);
  directory.machines.push(['srv0092', { firstSeen: t - 5 * DAY, lastSeen: t, addresses: [
    { ip: '10.0.1.92', firstSeen: t - 5 * DAY, lastSeen: t - DAY, days: today * 2 ** 31 + 0b11110 },
    { ip: 'fe80::92', firstSeen: t - 2 * DAY, lastSeen: t, days: today * 2 ** 31 + 0b101 },
  ] }]);
  directory.frontEnds.push(
    ['10.16.9.9', { day: today, today: [], days: [today - 3, today - 2, today - 1] }],
    ['adfs01', { day: today, today: Array.from({ length: LEARN_MIN_IDENTITIES - 1 }, (_, i) => `user${i}`), days: [today - 1] }],
  );
  return doc;
}

describe('migrate v4 → v5: the directory model in compact tables', () => {
  it('answers every question about machines, sessions and front-ends as version 4 did', () => {
    const old = v4();
    const before = old['directory'] as V4Directory;
    const state = checkState(old, 'state-v4');
    assert.equal(state.version, 5);
    const d = new DirectoryModel(facts, state.directory ?? undefined);
    for (const [host, m] of before.machines) {
      assert.equal(d.machineFirstSeen(host), m.firstSeen, host);
      assert.equal(d.machineAddresses(host)[0], m.addresses[0]?.ip, `${host}: its first address is trusted`);
    }
    assert.deepEqual(d.machineAddresses('srv0092'), ['10.0.1.92'], 'the IPv6 address was used on two days, not yet trusted');
    const text = (id: number): string | undefined => (id === 0 ? undefined : before.sessions.strings[id - 1]);
    before.sessions.keys.forEach((key, i) => {
      const [host, logonId] = [key.slice(0, key.indexOf('|')), key.slice(key.indexOf('|') + 1)];
      const [time, account, ip, ws, type] = before.sessions.rows.slice(i * 5, i * 5 + 5) as number[];
      const expected = { account: text(account as number), time, ...(ip ? { ip: text(ip) } : {}), ...(ws ? { workstation: text(ws) } : {}), ...(type !== -1 ? { logonType: type } : {}) };
      assert.deepEqual(d.logonSession(host, logonId), expected, key);
    });
    assert.equal(d.isFrontEnd({ ip: '10.16.9.9' }), true, 'a learned front-end stays learned');
    assert.equal(d.isFrontEnd({ name: 'ADFS01' }), false, 'one bar day so far');
  });

  it('carries today\'s accounts over: the same 29 count once, the 30th reaches the bar', () => {
    const state = checkState(v4(), 'state-v4');
    const saved = (state.directory as DirectorySnapshot).frontEnds;
    const f = new FrontEnds([], saved);
    const t = state.watermark as number;
    for (let i = 0; i < LEARN_MIN_IDENTITIES - 1; i++) f.observeSuccess('adfs01', `user${i}`, t);
    assert.equal(f.isFrontEnd({ name: 'adfs01' }), false, 'nobody new');
    f.observeSuccess('adfs01', 'someone-else', t);
    assert.equal(f.isFrontEnd({ name: 'adfs01' }), true, 'the second bar day, with yesterday\'s carried over');
  });

  it('carries a part of the wrong shape as it is, for the schema or the restore to refuse naming the key', () => {
    const badFrontEnds = v4();
    (badFrontEnds['directory'] as { frontEnds: unknown[] }).frontEnds.push(['10.0.0.1', 'x']);
    assert.ok(Array.isArray((migrateV4Directory(badFrontEnds)['directory'] as { frontEnds: unknown }).frontEnds), 'carried as it was');
    assert.throws(() => checkState(badFrontEnds, 'state-v4'), (e: unknown) => e instanceof StateInvalidError && /directory\.frontEnds must be object/.test(e.message));

    const badSession = v4();
    (badSession['directory'] as V4Directory).sessions.keys[0] = 'no-separator';
    const state = checkState(badSession, 'state-v4');
    assert.throws(() => new DirectoryModel(facts, state.directory ?? undefined), (e: unknown) => e instanceof StateInvalidError && /directory\.sessions\.rows must hold 8 numbers per session/.test(e.message));

    const badMachine = v4();
    (badMachine['directory'] as V4Directory).machines[0]![1].addresses[0]!.days = -3;
    const machineState = checkState(badMachine, 'state-v4');
    assert.throws(() => new DirectoryModel(facts, machineState.directory ?? undefined), (e: unknown) => e instanceof StateInvalidError && /directory\.machines\.addressRows\[2\] \(days of /.test(e.message));
  });

  it('runs a pass on the migrated state and writes the compact tables, learned front-ends and machines kept', async () => {
    const store = new MemoryStateStore();
    await store.save(checkState(v4(), 'state-v4'), null);
    const result = await runPass({
      source: new MemorySource([]), sink: new MemorySink(), store, quarantine: new MemoryQuarantine(),
      config: resolveConfig({}, DECLARATIONS), modules: DETECTOR_MODULES, clock: () => Date.UTC(2024, 2, 13),
    });
    const directory = result.state.directory as DirectorySnapshot;
    assert.equal(result.state.version, 5);
    assert.ok(directory.machines.keys.includes('srv0092'));
    assert.ok((directory.sessions?.rows.length ?? 0) > 0, 'sessions within their horizon survive the pass');
    const back = new DirectoryModel(facts, directory);
    assert.equal(back.isFrontEnd({ ip: '10.16.9.9' }), true);
    assert.equal(back.logonSession('DC01', '0x1fedcba98')?.account, 'CORP-ADM');
    assert.equal(back.logonSession('dc02', 'opaque-7')?.account, 'CORP-ADM');
  });
});

import { strict as assert } from 'node:assert';
import { IdentityDirectory, type IdentitySnapshot } from '../../../core/identity/identity-directory';
import { StateInvalidError } from '../../../core/state/state-errors';

const DOMAIN = 'S-1-5-21-1004336348-1177238915-682003330';
const OID = 'oid:2b7e1516-28ae-4d2a-a6ab-f7158809cf4f';

function learned(): IdentityDirectory {
  const dir = new IdentityDirectory([{ upn: 'ceo@corp.example', displayName: 'The CEO', tier: 'tier0', enabled: false }]);
  const jdoe = dir.link([`sid:${DOMAIN}-1105`, 'sam:jdoe'], 100);
  assert.ok(jdoe);
  dir.active(jdoe, 100);
  dir.active(jdoe, 200);
  dir.addReason(jdoe, 'tier0', 'member of Domain Admins');
  const cloud = dir.link(['upn:jdoe@corp.example', OID], 150);
  assert.ok(cloud);
  dir.link(['upn:jdoe@corp.example', 'sam:jdoe'], 300); // merges the cloud identity into jdoe's
  dir.nameSids.set(`${DOMAIN}-1105`, 'JDoe', 300);
  dir.nameSids.set(`${DOMAIN}-2201`, 'WS01$', 310);
  return dir;
}

/** Everything the directory says about an identity, through its public view. */
function described(dir: IdentityDirectory, id: string): object | undefined {
  const r = dir.get(id);
  return r && {
    id: r.id, seq: r.seq, keys: r.keys, lastSeen: r.lastSeen, firstActive: r.firstActive, lastActive: r.lastActive, activeEvents: r.activeEvents,
    tier0: r.tier0, tier1: r.tier1, disabled: r.disabled, seeded: r.seeded, displayName: r.displayName, configuredTier: r.configuredTier, label: dir.label(r),
  };
}

function bad(mutate: (s: { -readonly [K in keyof IdentitySnapshot]: unknown }) => void): () => IdentityDirectory {
  const s = JSON.parse(JSON.stringify(learned().snapshot())) as { -readonly [K in keyof IdentitySnapshot]: unknown };
  mutate(s);
  return () => new IdentityDirectory([], s as unknown as IdentitySnapshot);
}

describe('identity snapshot', () => {
  it('round-trips every identity, alias and name↔SID pair through JSON', () => {
    const dir = learned();
    const saved = JSON.parse(JSON.stringify(dir.snapshot())) as IdentitySnapshot;
    const back = new IdentityDirectory([], saved);
    assert.equal(back.size, dir.size);
    for (const id of [`sid:${DOMAIN}-1105`, 'upn:ceo@corp.example', OID]) assert.deepEqual(described(back, id), described(dir, id), id);
    assert.equal(back.canonicalId(OID), `sid:${DOMAIN}-1105`);
    assert.deepEqual(back.snapshot(), saved);
    const pair = back.nameSids.find(`${DOMAIN}-2201`);
    assert.equal(back.nameSids.name(pair as number), 'WS01$');
    assert.equal(back.nameSids.ridOf(DOMAIN, 'jdoe'), '1105');
  });

  it('writes a SID key as its domain index and RID, not its text', () => {
    const { keys, nameSids, domains } = learned().snapshot();
    assert.deepEqual(domains, [DOMAIN]);
    const json = JSON.stringify({ keys, nameSids });
    assert.equal(json.includes(DOMAIN), false, 'rows and pairs name the domain by its index');
    assert.match(json, /"#0-1105"/);
  });

  it('writes one column per field and the rare facts as sparse [row, value] lists', () => {
    const s = learned().snapshot();
    assert.deepEqual(s.seqs.length, 2);
    for (const c of [s.ids, s.keyCounts, s.lastSeen, s.firstActive, s.lastActive, s.activeEvents, s.flags]) assert.equal(c.length, 2);
    assert.equal(s.keys.length, s.keyCounts.reduce((a, b) => a + b, 0));
    const ceo = s.seqs.indexOf(Math.min(...s.seqs));
    assert.deepEqual([s.names, s.tiers], [[ceo, 'The CEO'], [ceo, 'tier0']]);
    assert.deepEqual(s.tier0, [1 - ceo, ['member of Domain Admins']]);
    assert.deepEqual(s.tier1, []);
  });

  it('writes a pair\'s SID as two numbers, one under no domain prefix as its text', () => {
    const dir = learned();
    dir.nameSids.set('S-1-5-18', 'SYSTEM', 320);
    dir.nameSids.set('S-1-5-21-9-0123', 'odd', 330); // a RID with a leading zero is no RID (core/estate/account-keys.ts splitSid)
    const { domains, nameSids: { pairs } } = dir.snapshot();
    assert.deepEqual([domains, pairs.domains, pairs.rids], [[DOMAIN, 'S-1-5'], [0, 0, 1, 'sid:S-1-5-21-9-0123'], [1105, 2201, 18, 0]]);
    const back = new IdentityDirectory([], JSON.parse(JSON.stringify(dir.snapshot())) as IdentitySnapshot);
    assert.equal(back.nameSids.name(back.nameSids.find('S-1-5-18') as number), 'SYSTEM');
    assert.equal(back.nameSids.name(back.nameSids.find('S-1-5-21-9-0123') as number), 'odd');
    assert.deepEqual(back.snapshot(), dir.snapshot());
  });

  it('keeps a seeded identity with no event (last seen never) and its configured facts', () => {
    const back = new IdentityDirectory([], JSON.parse(JSON.stringify(learned().snapshot())) as IdentitySnapshot);
    const ceo = back.find('upn:ceo@corp.example');
    assert.equal(ceo?.lastSeen, -Infinity);
    assert.deepEqual([ceo?.seeded, ceo?.displayName, ceo?.configuredTier, ceo?.disabled], [true, 'The CEO', 'tier0', true]);
  });

  it('gives evicted identities\' keys back to the pool', () => {
    const dir = new IdentityDirectory();
    for (let i = 0; i < 100; i++) dir.link([`sid:${DOMAIN}-${1000 + i}`, `sam:user${i}`], i);
    assert.equal(dir.table.keys.size, 200);
    dir.evictIdle(50);
    assert.equal(dir.size, 50);
    assert.equal(dir.table.keys.size, 100);
    assert.equal(dir.find('sam:user10'), undefined);
    assert.equal(dir.find('sam:user60')?.id, `sid:${DOMAIN}-1060`);
  });

  it('refuses a bad snapshot naming the path', () => {
    const cases: [(s: Record<string, unknown>) => void, RegExp][] = [
      [(s) => { s['seqs'] = 'x'; }, /identities\.seqs must be an array/],
      [(s) => { (s['lastSeen'] as unknown[])[0] = 'yesterday'; }, /identities\.lastSeen\.0 must be a finite number/],
      [(s) => { (s['lastSeen'] as unknown[]).push(1); }, /identities\.lastSeen must hold one item per identity \(2, as identities\.seqs\), holds 3/],
      [(s) => { (s['keys'] as unknown[])[1] = '#7-1105'; }, /identities\.keys\.1 must be #<index of identities\.domains>-<RID>/],
      [(s) => { (s['keys'] as unknown[])[1] = 'jdoe'; }, /identities\.keys\.1 must be a sid:, sam:, upn: or oid: key/],
      [(s) => { (s['keys'] as unknown[]).pop(); }, /identities\.keys must hold the \d+ keys identities\.keyCounts counts/],
      [(s) => { (s['keyCounts'] as unknown[])[0] = 0; }, /identities\.keyCounts\.0 must be 1 to 32 keys, is 0/],
      [(s) => { (s['ids'] as unknown[])[1] = 5; }, /identities\.ids\.1 must be the index of one of its/],
      [(s) => { (s['flags'] as unknown[])[1] = 9; }, /identities\.flags\.1 must be a sum of 1, 2 and 4/],
      [(s) => { s['tiers'] = [0, 'boss']; }, /identities\.tiers\.1 must be one of/],
      [(s) => { s['names'] = [2, 'x']; }, /identities\.names\.0 must be an identity's row \(below 2/],
      [(s) => { s['tier0'] = [1, ['a'], 1, ['b']]; }, /identities\.tier0\.2 must be an identity's row/],
      [(s) => { s['names'] = [0]; }, /identities\.names must be a flat list of pairs/],
      [(s) => {
        for (const c of ['ids', 'seqs', 'keyCounts', 'lastSeen', 'firstActive', 'lastActive', 'activeEvents', 'flags']) (s[c] as unknown[]).push((s[c] as unknown[])[1]);
        (s['keys'] as unknown[]).push(...(s['keys'] as unknown[]).slice(-((s['keyCounts'] as number[])[1] as number)));
      }, /identities\.keys\.\d+ repeats/],
      [(s) => { s['domains'] = ['corp']; }, /identities\.domains\.0 must be a SID domain prefix/],
      [(s) => { delete s['nameSids']; }, /identities\.nameSids must be an object/],
      [(s) => { const p = (s['nameSids'] as { pairs: Record<string, unknown[]> }).pairs; p['domains']!.push('sam:x'); p['rids']!.push(0); p['names']!.push('x'); p['seen']!.push(1); }, /identities\.nameSids\.pairs\.domains\.2 must be a domain index or a SID key/],
      [(s) => { const p = (s['nameSids'] as { pairs: Record<string, unknown[]> }).pairs; p['domains']![1] = 4; }, /identities\.nameSids\.pairs\.domains\.1 must be an index of identities\.domains/],
      [(s) => { const p = (s['nameSids'] as { pairs: Record<string, unknown[]> }).pairs; p['rids']![1] = p['rids']![0]; }, /identities\.nameSids\.pairs\.domains\.1 repeats the SID/],
      [(s) => { (s['nameSids'] as { pairs: Record<string, unknown[]> }).pairs['seen']!.push(1); }, /identities\.nameSids\.pairs\.seen must hold one item per row \(2, as identities\.nameSids\.pairs\.domains\), holds 3/],
      [(s) => { (s['nameSids'] as { pairs: Record<string, unknown[]> }).pairs['seen']![1] = 'later'; }, /identities\.nameSids\.pairs\.seen\.1 must be a finite number/],
      [(s) => { (s['nameSids'] as { rids: Record<string, unknown[]> }).rids['domains']![0] = 3; }, /identities\.nameSids\.rids\.domains\.0 must be an index of identities\.domains/],
      [(s) => { (s['nameSids'] as Record<string, unknown>)['rids'] = []; }, /identities\.nameSids\.rids must be an object/],
    ];
    for (const [mutate, message] of cases) {
      assert.throws(bad(mutate), (e: unknown) => e instanceof StateInvalidError && message.test(e.message), String(message));
    }
  });
});

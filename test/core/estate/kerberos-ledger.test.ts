import { strict as assert } from 'node:assert';
import { KerberosLedger, MAX_ADDRESSES } from '../../../core/estate/kerberos-ledger';
import { compactEtypeTable, expandEtypeTable, snapshotSource } from '../../../core/estate/kerberos-ledger-snapshot';
import type { KerberosServiceTicket, KerberosTgtRequest, KerberosTicketRenewal } from '../../../core/events/identity-event';
import { StateInvalidError } from '../../../core/state/state';
import { dayCount, NO_DAYS } from '../../../core/state/day-bits';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 2, 4, 9);
const options = { tickets: { horizonMs: 10 * HOUR + 10 * 60_000, coverageGapMs: 2 * HOUR }, etypes: false };

const tgt = (at: number, name: string, ip: string | undefined, extra: Partial<KerberosTgtRequest> = {}): KerberosTgtRequest => ({
  kind: 'kerberos_tgt_request', time: T0 + at, host: 'DC01.corp.example', eventId: 4768, recordId: null,
  account: { name, domain: 'CORP.EXAMPLE' }, status: 0, encryptionType: 0x12, preAuthType: 2, ...(ip ? { ip } : {}), ...extra,
});
const renewal = (at: number, name: string, ip: string, serviceName = 'krbtgt', extra: Partial<KerberosTicketRenewal> = {}): KerberosTicketRenewal => ({
  kind: 'kerberos_ticket_renewal', time: T0 + at, host: 'DC02.corp.example', eventId: 4770, recordId: null,
  account: { name }, ip, serviceName, ...extra,
});
const serviceTicket = (at: number, host = 'DC01.corp.example'): KerberosServiceTicket => ({
  kind: 'kerberos_service_ticket', time: T0 + at, host, eventId: 4769, recordId: null, account: { name: 'x' }, serviceName: 'fs01$', status: 0,
});

describe('Kerberos ledger', () => {
  it('records a TGT issue with its address, DC, etype and pre-auth type', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(0, 'alice', '10.0.0.2'));
    assert.deepEqual(l.tgtsOf('alice'), [{ ip: '10.0.0.2', time: T0, dc: 'dc01', etype: 0x12, preAuthType: 2, renewed: false }]);
  });

  it('ignores failed TGT requests and renewals of service tickets', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(0, 'alice', '10.0.0.2', { status: 0x18 }));
    l.observe(renewal(1, 'alice', '10.0.0.2', 'cifs/fs01'));
    assert.equal(l.knows('alice'), false);
  });

  it('records a krbtgt renewal as extending the TGT at that address, keeping the etype of the issue when the renewal logs none', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(0, 'alice', '10.0.0.2'));
    l.observe(renewal(60_000, 'alice', '10.0.0.2'));
    assert.deepEqual(l.tgtsOf('alice'), [{ ip: '10.0.0.2', time: T0 + 60_000, dc: 'dc02', etype: 0x12, preAuthType: 2, renewed: true }]);
  });

  it('keeps a TGT without a usable address (none or loopback) apart from the addressed ones', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(0, 'alice', '::1'));
    l.observe(tgt(1, 'alice', '10.0.0.2'));
    assert.deepEqual(l.tgtsOf('alice').map((t) => t.ip), [undefined, '10.0.0.2']);
  });

  it(`keeps the latest ${MAX_ADDRESSES} addresses of an account`, () => {
    const l = new KerberosLedger(options);
    for (let i = 0; i <= MAX_ADDRESSES; i++) l.observe(tgt(i * 1000, 'alice', `10.0.0.${i}`));
    const ips = l.tgtsOf('alice').map((t) => t.ip);
    assert.equal(ips.length, MAX_ADDRESSES);
    assert.equal(ips.includes('10.0.0.0'), false);
    assert.ok(ips.includes(`10.0.0.${MAX_ADDRESSES}`));
  });

  it('answers whether a TGT was issued or renewed within a span', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(HOUR, 'alice', '10.0.0.2'));
    assert.equal(l.hasTgtBetween('alice', T0, T0 + HOUR), true);
    assert.equal(l.hasTgtBetween('alice', T0, T0 + HOUR - 1), false);
    assert.equal(l.hasTgtBetween('bob', T0, T0 + 2 * HOUR), false);
  });

  it('forgets TGTs past its horizon, long before the state TTL, and keeps those within it', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(0, 'alice', '10.0.0.2'));
    l.observe(tgt(5 * HOUR, 'bob', '10.0.0.3'));
    const now = T0 + 11 * HOUR;
    l.evictIdle(now - 30 * 24 * HOUR, now);
    assert.equal(l.knows('alice'), false);
    assert.equal(l.knows('bob'), true);
  });

  it('covers a span only once the stream ran unbroken for it, and restarts after a silence longer than the gap', () => {
    const l = new KerberosLedger(options);
    for (let h = 0; h <= 11; h++) l.observe(serviceTicket(h * HOUR));
    assert.equal(l.coverage.covers(T0 + 11 * HOUR, 10 * HOUR), true);
    l.observe(serviceTicket(14 * HOUR));
    assert.equal(l.coverage.covers(T0 + 14 * HOUR, 10 * HOUR), false);
  });

  it('round-trips through its snapshot as JSON, writing only the strings still referenced', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(0, 'old', '10.9.9.9'));
    l.observe(tgt(5 * HOUR, 'alice', '10.0.0.2'));
    l.observe(serviceTicket(5 * HOUR));
    const now = T0 + 11 * HOUR;
    l.evictIdle(now - 30 * 24 * HOUR, now);
    const snap = JSON.parse(JSON.stringify(l.snapshot()));
    assert.equal(snap.strings.includes('10.9.9.9'), false);
    const again = new KerberosLedger(options, snap);
    assert.deepEqual(again.tgtsOf('alice'), l.tgtsOf('alice'));
    assert.deepEqual(again.snapshot(), l.snapshot());
    assert.equal(again.coverage.start, T0 + 5 * HOUR);
  });

  it('refuses a snapshot that refers to a string it does not hold, naming the entry', () => {
    const bad = { strings: ['10.0.0.2'], keys: ['alice'], tgtCounts: [1], tgts: [7, T0, 1, 0, 0, 0], coverage: {} };
    assert.throws(() => new KerberosLedger(options, bad, 'state.json'), (e: unknown) => e instanceof StateInvalidError && /kerberos\.tgts\[0\] refers to string 7/.test(e.message));
  });

  it('refuses a snapshot whose TGT list is not whole groups, or whose coverage is not times', () => {
    assert.throws(() => new KerberosLedger(options, { strings: [], keys: ['a'], tgtCounts: [1], tgts: [0, T0, 0], coverage: {} }), /kerberos\.tgts must be 6 numbers, 6 per TGT address/);
    assert.throws(() => new KerberosLedger(options, { strings: [], keys: ['a'], tgtCounts: [9], tgts: [], coverage: {} }), /kerberos\.tgtCounts\[0\] must be 1 to 8 TGT addresses, is 9/);
    assert.throws(() => new KerberosLedger(options, { strings: [], keys: ['a'], tgtCounts: [1], tgts: [0, T0, 0, 0, 0, 2], coverage: {} }), /kerberos\.tgts\[5\] is a renewed flag that is not 0 or 1/);
    assert.throws(() => new KerberosLedger(options, { strings: [], keys: ['a'], tgtCounts: [1], tgts: [0, 'soon', 0, 0, 0, 0], coverage: {} }), /kerberos\.tgts\[1\] must be a finite number/);
    assert.throws(() => new KerberosLedger(options, { strings: [], keys: [], tgtCounts: [], tgts: [], coverage: { start: 'yesterday' } }), /kerberos\.coverage\.start must be a time/);
    assert.throws(() => new KerberosLedger(options, { strings: [], keys: ['a', 'b'], tgtCounts: [1], tgts: [], coverage: {} }), /kerberos\.tgtCounts must be 2 counts, one per key/);
  });
});

describe('Kerberos ledger: etype days', () => {
  const DAY = 24 * HOUR;
  const both = { ...options, etypes: true };
  const rc4 = { encryptionType: 0x17 };

  it('answers with the days as they stood before the event it just learned', () => {
    const l = new KerberosLedger(both);
    l.observe(tgt(0, 'alice', '10.0.0.2'));
    l.observe(tgt(DAY, 'alice', '10.0.0.2'));
    const ev = tgt(2 * DAY, 'alice', '10.0.0.9', rc4);
    l.observe(ev);
    const { account, source } = l.etypesBefore(ev);
    assert.equal(dayCount(account.aes), 2);
    assert.equal(account.rc4, NO_DAYS, 'this RC4 day is not yet in what the reader judges on');
    assert.equal(account.firstSeen, T0);
    assert.deepEqual(source, { firstSeen: T0 + 2 * DAY, aes: NO_DAYS, rc4: NO_DAYS });
    const next = tgt(3 * DAY, 'alice', '10.0.0.9', rc4);
    l.observe(next);
    assert.equal(dayCount(l.etypesBefore(next).account.rc4), 1, 'the earlier RC4 day now counts');
  });

  it('learns RC4 only after key pre-authentication, and nothing while the half is off', () => {
    const l = new KerberosLedger(both);
    const pkinit = tgt(0, 'bob', '10.0.0.3', { ...rc4, preAuthType: 16 });
    l.observe(pkinit);
    assert.equal(l.etypesBefore(tgt(DAY, 'bob', '10.0.0.3', rc4)).account.rc4, NO_DAYS);
    const off = new KerberosLedger(options);
    off.observe(tgt(0, 'bob', '10.0.0.3'));
    assert.equal(off.etypesBefore(tgt(DAY, 'bob', '10.0.0.3', rc4)).account.aes, NO_DAYS);
    assert.equal(off.snapshot().etypes, undefined);
  });

  it('refuses saved etype days that are not two tables, naming the key', () => {
    for (const etypes of [7, { accounts: { keys: [], columns: {} } }]) {
      assert.throws(() => new KerberosLedger(both, { etypes }, 'state.json'), (e: unknown) => e instanceof StateInvalidError && /kerberos\.etypes must be/.test(e.message));
    }
  });

  it('saves its days relative to each table\'s base, every value read back exactly, and refuses a bad one naming it', () => {
    const l = new KerberosLedger(both);
    l.observe(tgt(0, 'alice', '10.0.0.2'));
    l.observe(tgt(3 * DAY + 7, 'bob', '10.0.0.2', rc4));
    const saved = l.snapshot().etypes;
    assert.deepEqual(saved?.accounts.firstSeen, [0, 3 * DAY + 7]);
    assert.equal(saved?.accounts.base, T0);
    const again = new KerberosLedger(both, JSON.parse(JSON.stringify(l.snapshot())));
    const next = tgt(4 * DAY, 'bob', '10.0.0.2', rc4);
    again.observe(next);
    l.observe(next);
    assert.deepEqual(again.etypesBefore(next), l.etypesBefore(next));
    const broken = { etypes: { ...saved, accounts: { ...saved?.accounts, aes: [-Math.floor(T0 / DAY) * 2 ** 31 - 5, 0] } } };
    assert.throws(() => new KerberosLedger(both, broken, 'state.json'), /kerberos\.etypes\.accounts\.aes\.0 must be a day set/);
  });

  it('restores its days from a snapshot and lets rows idle past the TTL go', () => {
    const l = new KerberosLedger(both);
    l.observe(tgt(0, 'alice', '10.0.0.2'));
    const again = new KerberosLedger(both, JSON.parse(JSON.stringify(l.snapshot())));
    assert.deepEqual(again.snapshot(), l.snapshot());
    again.evictIdle(T0 + 1, T0 + 30 * DAY);
    assert.deepEqual(again.snapshot().etypes?.accounts.keys, []);
  });
});

describe('Kerberos ledger: TGT rows in typed arrays', () => {
  it('answers whether a TGT went to one address within a span', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(HOUR, 'alice', '10.0.0.2'));
    l.observe(tgt(2 * HOUR, 'alice', '10.0.0.3'));
    assert.equal(l.hasTgtAt('alice', '10.0.0.2', T0, T0 + HOUR), true);
    assert.equal(l.hasTgtAt('alice', '10.0.0.3', T0, T0 + HOUR), false, 'the second address got its TGT later');
    assert.equal(l.hasTgtAt('alice', '10.0.0.9', T0, T0 + 3 * HOUR), false, 'an address the ledger never saw');
    assert.equal(l.hasTgtAt('bob', '10.0.0.2', T0, T0 + 3 * HOUR), false);
  });

  it('answers whether a TGT went to any address within a span, or to one that passes a test, as the address list would', () => {
    const l = new KerberosLedger(options);
    l.observe(tgt(0, 'alice', '::1'));
    assert.equal(l.hasAddressBetween('alice', -Infinity, Infinity), false, 'a TGT without a usable address is not one to an address');
    l.observe(tgt(HOUR, 'alice', '10.0.0.2'));
    l.observe(tgt(2 * HOUR, 'alice', 'fe80::5'));
    assert.equal(l.hasAddressBetween('alice', T0 + HOUR, T0 + HOUR), true, 'both ends count');
    assert.equal(l.hasAddressBetween('alice', T0 + HOUR + 1, T0 + 2 * HOUR - 1), false);
    assert.equal(l.hasAddressBetween('alice', T0, T0 + 3 * HOUR, (ip) => ip.includes(':')), true);
    assert.equal(l.hasAddressBetween('alice', T0, T0 + HOUR, (ip) => ip.includes(':')), false, 'the IPv6 TGT came later');
    assert.equal(l.hasAddressBetween('bob', -Infinity, Infinity), false);
    for (const [from, to] of [[-Infinity, Infinity], [T0, T0 + HOUR], [T0 + HOUR + 1, T0 + 3 * HOUR]] as const) {
      assert.equal(l.hasAddressBetween('alice', from, to), l.addressesBetween('alice', from, to).length > 0);
    }
  });

  it('keeps addresses in first-issued order when a full list evicts its oldest, and refuses one older than all', () => {
    const l = new KerberosLedger(options);
    for (let i = 0; i < MAX_ADDRESSES; i++) l.observe(tgt(10 + i, 'alice', `10.0.0.${i}`));
    l.observe(tgt(5, 'alice', '10.0.1.1'));
    assert.equal(l.tgtsOf('alice').some((t) => t.ip === '10.0.1.1'), false, 'older than every kept address: not taken');
    l.observe(tgt(30, 'alice', '10.0.0.3'));
    l.observe(tgt(40, 'alice', '10.0.1.2'));
    assert.deepEqual(l.tgtsOf('alice').map((t) => t.ip), ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.1.2']);
  });

  it('frees the strings of evicted TGTs and reuses their rows, holding every account of a large estate', () => {
    const l = new KerberosLedger(options);
    for (let i = 0; i < 5000; i++) l.observe(tgt(0, `user${i}`, `10.1.${i >> 8}.${i & 255}`));
    for (let i = 0; i < 5000; i += 2) l.observe(tgt(6 * HOUR, `user${i}`, `10.2.${i >> 8}.${i & 255}`, { host: `DC0${i % 3}.corp.example` }));
    const now = T0 + 11 * HOUR;
    l.evictIdle(now - 30 * 24 * HOUR, now);
    assert.equal(l.size, 2500);
    assert.equal(l.knows('user1'), false);
    assert.deepEqual(l.tgtsOf('user4998').map((t) => [t.ip, t.dc]), [['10.2.19.134', 'dc00']]);
    const snap = l.snapshot();
    assert.equal(snap.strings?.length, 2500 + 3, 'only the live addresses and DCs are written');
    for (let i = 1; i < 5000; i += 2) l.observe(tgt(12 * HOUR, `user${i}`, '10.3.0.1'));
    assert.equal(l.size, 5000);
    assert.deepEqual(new KerberosLedger(options, JSON.parse(JSON.stringify(l.snapshot()))).snapshot(), l.snapshot());
  });
});

describe('Kerberos ledger: snapshot at estate scale', () => {
  it('saves and restores an etype table of 200 k accounts (no argument spread over the rows)', () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `acct${i}`);
    const firstSeen = keys.map((_, i) => 1_700_000_000_000 + (i % 1000) * 60_000);
    const table = { keys, columns: { firstSeen, lastSeen: firstSeen.map((f) => f + 1), aes: keys.map(() => NO_DAYS), rc4: keys.map(() => NO_DAYS) } };
    const compact = compactEtypeTable(snapshotSource(table));
    assert.equal(compact.base, 1_700_000_000_000);
    assert.deepEqual(expandEtypeTable(JSON.parse(JSON.stringify(compact)), 'state', 'kerberos.etypes.accounts'), table);
  });
});

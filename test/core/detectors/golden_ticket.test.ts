import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { goldenTicket } from '../../../core/detectors/golden_ticket';
import { detect, securityEvent } from './harness';
import { DOMAIN_SID, networkLogon, renewal, serviceTicket, tgt } from './kerberos.fixtures';

const HOURS = 60;
const testMode = { config: { testMode: true } };

/** Ordinary Kerberos traffic on two DCs every 20 minutes, so the stream covers a ticket lifetime. */
function chatter(fromHour: number, toHour: number): object[] {
  const out: object[] = [];
  for (let m = fromHour * HOURS; m < toHour * HOURS; m += 20) out.push(tgt(m, `WS${m % 7}$`, `10.0.1.${m % 7}`, { dc: m % 40 ? 'DC01.corp.example' : 'DC02.corp.example' }));
  return out;
}

/** Some ordinary traffic a few minutes later: verdicts that wait out DC clock skew are released. */
const settle = (hour: number) => tgt(hour * HOURS + 6, 'WS9$', '10.0.1.9');

/** A Kerberos network logon on a server, carrying the name and SID from the ticket's PAC. */
const ticketLogon = (at: number, user: string, rid: number, ip = '10.23.23.9') => networkLogon(at, user, ip, { sid: `${DOMAIN_SID}-${rid}`, computer: 'FS02.corp.example' });

describe('golden_ticket', () => {
  describe('forged realm', () => {
    it('fires on service tickets whose realm is not in the upper case a Windows KDC writes', async () => {
      const alerts = await detect(goldenTicket, [
        serviceTicket(0, 'gold-non-existing-user', '10.23.23.9', 'ROOTDC2$', { realm: 'corp.example' }),
        serviceTicket(1, 'gold-non-existing-user', '10.23.23.9', 'FS02$', { realm: 'corp.example' }),
      ]);
      assert.equal(alerts.length, 1);
      const [a] = alerts;
      assert.equal(a?.severity, 'high');
      assert.equal(a?.learning, undefined);
      assert.equal(a?.evidence.count, 2);
      assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['gold-non-existing-user', 'actor']]);
      assert.ok(a?.entities.hosts.some((h) => h.ip === '10.23.23.9' && h.role === 'source'));
      assert.match(a?.description ?? '', /realm "corp.example"/);
    });

    it('ignores a lower-case AS-REQ realm in 4768, which the client typed and the KDC corrects', async () => {
      assert.deepEqual(await detect(goldenTicket, [tgt(0, 'alice', '10.0.0.2', { realm: 'corp.example' }), serviceTicket(1, 'alice', '10.0.0.2', 'sql01$')]), []);
    });

    it('leaves clients of another realm alone once the local realm is known', async () => {
      const alerts = await detect(goldenTicket, [tgt(0, 'alice', '10.0.0.2'), serviceTicket(1, 'bob', '10.0.0.3', 'sql01$', { realm: 'mit.example' })]);
      assert.deepEqual(alerts, []);
    });
  });

  describe('no TGT from any DC', () => {
    it('fires on a service ticket for an account no DC issued a TGT to within the lifetime', async () => {
      const alerts = await detect(goldenTicket, [...chatter(0, 11), serviceTicket(11 * HOURS, 'ghost', '10.0.0.66', 'fs01$'), settle(11)], testMode);
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]?.evidence.details?.['reason'], 'no_tgt');
      assert.match(alerts[0]?.description ?? '', /no domain controller issued or renewed a TGT for ghost in the 10 h before/);
    });

    it('does not judge before the stream has covered a whole ticket lifetime', async () => {
      assert.deepEqual(await detect(goldenTicket, [...chatter(0, 9), serviceTicket(9 * HOURS, 'ghost', '10.0.0.66', 'fs01$'), settle(9)], testMode), []);
    });

    it('accepts a TGT issued by another DC: the join spans every DC', async () => {
      const events = [...chatter(0, 11), tgt(10 * HOURS + 1, 'alice', '10.0.0.2', { dc: 'DC02.corp.example' }), serviceTicket(11 * HOURS, 'alice', '10.0.0.2', 'fs01$'), settle(11)];
      assert.deepEqual(await detect(goldenTicket, events, testMode), []);
    });

    it('fires when the only TGT is older than the lifetime, unless it was renewed', async () => {
      const old = [tgt(0, 'alice', '10.0.0.2'), ...chatter(0, 12)];
      const stale = await detect(goldenTicket, [...old, serviceTicket(12 * HOURS, 'alice', '10.0.0.2', 'fs01$'), settle(12)], testMode);
      assert.equal(stale.length, 1);
      const renewed = await detect(goldenTicket, [...old, renewal(9 * HOURS, 'alice', '10.0.0.2'), serviceTicket(12 * HOURS, 'alice', '10.0.0.2', 'fs01$'), settle(12)].sort(byTime), testMode);
      assert.deepEqual(renewed, []);
    });

    it('honours a longer ticket lifetime from config', async () => {
      const events = [tgt(0, 'alice', '10.0.0.2'), ...chatter(0, 12), serviceTicket(12 * HOURS, 'alice', '10.0.0.2', 'fs01$'), settle(12)];
      assert.deepEqual(await detect(goldenTicket, events, { config: { testMode: true, detectors: { golden_ticket: { thresholds: { ticketLifetimeHours: 24 } } } } }), []);
    });

    it('restarts coverage after a silence in the DC logs', async () => {
      const events = [...chatter(0, 6), ...chatter(9, 14), serviceTicket(14 * HOURS, 'ghost', '10.0.0.66', 'fs01$'), settle(14)];
      assert.deepEqual(await detect(goldenTicket, events, testMode), [], 'a TGT issued during the 3 h gap would be invisible');
    });

    it('does not judge while a DC whose log joined the stream later may hold the TGT', async () => {
      const events = [...chatter(0, 11), tgt(9 * HOURS, 'bob', '10.0.0.4', { dc: 'DC03.corp.example' }), serviceTicket(11 * HOURS, 'ghost', '10.0.0.66', 'fs01$'), settle(11)].sort(byTime);
      assert.deepEqual(await detect(goldenTicket, events, testMode), []);
    });

    it('ignores delegated (S4U2Proxy) requests, which ride on the service\'s own TGT', async () => {
      const events = [...chatter(0, 11), serviceTicket(11 * HOURS, 'web01$', '10.0.0.8', 'sql01$', { transited: 'HTTP/web01.corp.example@CORP.EXAMPLE' }), settle(11)];
      assert.deepEqual(await detect(goldenTicket, events, testMode), []);
    });

    it('accepts a TGT logged shortly after the service ticket it explains (DC clock skew)', async () => {
      const events = [...chatter(0, 11), serviceTicket(11 * HOURS, 'alice', '10.0.0.2', 'fs01$'), tgt(11 * HOURS + 2, 'alice', '10.0.0.2', { dc: 'DC02.corp.example' }), settle(11)];
      assert.deepEqual(await detect(goldenTicket, events, testMode), []);
    });

    it('keeps a verdict waiting out the skew across passes', async () => {
      const store = new MemoryStateStore();
      assert.deepEqual(await detect(goldenTicket, [...chatter(0, 11), serviceTicket(11 * HOURS, 'ghost', '10.0.0.66', 'fs01$')], { ...testMode, store }), []);
      const next = await detect(goldenTicket, [settle(11)], { ...testMode, store });
      assert.deepEqual(next.map((a) => a.entities.accounts[0]?.name), ['ghost']);
    });

    it('releases a verdict still waiting out the skew when a one-shot pass reaches the end of its input', async () => {
      const alerts = await detect(goldenTicket, [...chatter(0, 11), serviceTicket(11 * HOURS, 'ghost', '10.0.0.66', 'fs01$')], { ...testMode, finalInput: true });
      assert.deepEqual(alerts.map((a) => a.entities.accounts[0]?.name), ['ghost']);
    });

    it('still accepts a TGT logged after the ticket when the input ends right after it', async () => {
      const events = [...chatter(0, 11), serviceTicket(11 * HOURS, 'alice', '10.0.0.2', 'fs01$'), tgt(11 * HOURS + 2, 'alice', '10.0.0.2', { dc: 'DC02.corp.example' })];
      assert.deepEqual(await detect(goldenTicket, events, { ...testMode, finalInput: true }), []);
    });

    it('forgets a TGT once it is past the ticket lifetime, long before the state TTL', async () => {
      const store = new MemoryStateStore();
      await detect(goldenTicket, [tgt(0, 'alice', '10.0.0.2'), ...chatter(1, 12)], { ...testMode, store });
      const ledger = (await store.load())?.state.kerberos;
      assert.ok(ledger, 'the Kerberos ledger is saved');
      assert.equal(ledger.keys?.includes('alice'), false);
      assert.ok((ledger.keys?.length ?? 0) > 0, 'TGTs within the lifetime are kept');
    });

    it('lowers the alert during the learning period', async () => {
      const alerts = await detect(goldenTicket, [...chatter(0, 11), serviceTicket(11 * HOURS, 'ghost', '10.0.0.66', 'fs01$'), settle(11)]);
      assert.equal(alerts[0]?.learning, true);
      assert.equal(alerts[0]?.severity, 'informational');
      assert.equal(alerts[0]?.verdictSeverity, 'high');
    });

    it('keeps TGTs and coverage across passes', async () => {
      const store = new MemoryStateStore();
      assert.deepEqual(await detect(goldenTicket, [...chatter(0, 8), tgt(8 * HOURS, 'alice', '10.0.0.2')], { ...testMode, store }), []);
      const later = await detect(goldenTicket, [...chatter(8, 12), serviceTicket(12 * HOURS, 'alice', '10.0.0.2', 'fs01$'), serviceTicket(12 * HOURS, 'ghost', '10.0.0.66', 'fs01$'), settle(12)], { ...testMode, store });
      assert.deepEqual(later.map((a) => a.entities.accounts[0]?.name), ['ghost']);
    });
  });

  it('fires when a name the KDC called unknown (4768 0x6) later holds tickets', async () => {
    const alerts = await detect(goldenTicket, [tgt(0, 'ghost', '10.0.0.66', { status: '0x6' }), serviceTicket(5, 'ghost', '10.0.0.66', 'fs01$')]);
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.description ?? '', /principal unknown/);
  });

  describe('name and SID mismatch', () => {
    it('fires when a SID shows up under another account\'s name', async () => {
      const alerts = await detect(goldenTicket, [networkLogon(0, 'Administrator', '10.0.0.5', { sid: `${DOMAIN_SID}-500` }), ticketLogon(60, 'not_existing_user', 500)]);
      assert.equal(alerts.length, 1);
      assert.deepEqual(alerts[0]?.entities.accounts.map((a) => a.name), ['not_existing_user']);
      assert.ok(alerts[0]?.entities.hosts.some((h) => h.ip === '10.23.23.9'));
      assert.match(alerts[0]?.description ?? '', /belongs to Administrator/);
    });

    it('fires when a name shows up with another RID of the same domain', async () => {
      const alerts = await detect(goldenTicket, [networkLogon(0, 'jdoe', '10.0.0.5', { sid: `${DOMAIN_SID}-1105` }), ticketLogon(60, 'jdoe', 500)]);
      assert.match(alerts[0]?.description ?? '', /presented with RID 500, while the account's SID ends in 1105/);
    });

    it('keeps what it learned about names and SIDs across passes', async () => {
      const store = new MemoryStateStore();
      assert.deepEqual(await detect(goldenTicket, [networkLogon(0, 'jdoe', '10.0.0.5', { sid: `${DOMAIN_SID}-1105` })], { store }), []);
      const later = await detect(goldenTicket, [ticketLogon(60, 'jdoe', 500)], { store });
      assert.equal(later.length, 1);
    });

    it('forgets accounts idle for longer than the state TTL, name and SID together', async () => {
      const store = new MemoryStateStore();
      await detect(goldenTicket, [networkLogon(0, 'jdoe', '10.0.0.5', { sid: `${DOMAIN_SID}-1105` })], { store });
      await detect(goldenTicket, [networkLogon(40 * 24 * HOURS, 'bob', '10.0.0.6', { sid: `${DOMAIN_SID}-1106` })], { store });
      // The pairs are the account table's (ctx.nameSids), saved with the identities.
      const state = JSON.stringify((await store.load())?.state.identities?.nameSids);
      assert.doesNotMatch(state, /jdoe|-1105/);
      assert.match(state, /bob/);
    });

    it('follows a rename (4781) instead of alerting', async () => {
      const rename = securityEvent(4781, 30, { OldTargetUserName: 'Administrator', NewTargetUserName: 'wardog', TargetDomainName: 'CORP', TargetSid: `${DOMAIN_SID}-500` });
      assert.deepEqual(await detect(goldenTicket, [networkLogon(0, 'Administrator', '10.0.0.5', { sid: `${DOMAIN_SID}-500` }), rename, ticketLogon(60, 'wardog', 500)]), []);
    });

    it('ignores well-known SIDs, which each machine logs under its own name', async () => {
      const system = (at: number, name: string) => networkLogon(at, name, '::1', { sid: 'S-1-5-18', computer: `${name.slice(0, -1)}.corp.example` });
      assert.deepEqual(await detect(goldenTicket, [system(0, 'DC01$'), system(1, 'FS01$')]), []);
    });

    it('treats the same name in two machines\' local SAMs as two accounts', async () => {
      const local = (at: number, machineSid: string) => networkLogon(at, 'Administrator', '10.0.0.5', { sid: `${machineSid}-500`, domain: 'WS' });
      assert.deepEqual(await detect(goldenTicket, [local(0, 'S-1-5-21-1-2-3'), local(1, 'S-1-5-21-4-5-6')]), []);
    });
  });
});

function byTime(a: object, b: object): number {
  return String((a as { TimeCreated: string }).TimeCreated).localeCompare(String((b as { TimeCreated: string }).TimeCreated));
}

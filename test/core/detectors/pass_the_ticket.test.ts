import { strict as assert } from 'node:assert';
import { MemoryStateStore } from '../../../adapters/file/file-state-store';
import { passTheTicket } from '../../../core/detectors/pass_the_ticket';
import { DAYS, detect } from './harness';
import { renewal, serviceTicket, tgt } from './kerberos.fixtures';

const HOURS = 60;
const testMode = { config: { testMode: true } };

/** Ordinary Kerberos traffic on two DCs every 20 minutes from `fromHour`, so the stream covers a lifetime. */
function chatter(fromHour: number, toHour: number, dayOffset = 0): object[] {
  const out: object[] = [];
  for (let m = fromHour * HOURS; m < toHour * HOURS; m += 20) out.push(tgt(dayOffset + m, `WS${m % 7}$`, `10.0.1.${m % 7}`, { dc: m % 40 ? 'DC01.corp.example' : 'DC02.corp.example' }));
  return out;
}

/** jdoe's TGT goes to her workstation at 10 h; at 10.5 h a ticket is requested as jdoe from `ip`. */
function ticketUsedFrom(ip: string, day = 0, o: Parameters<typeof serviceTicket>[4] = {}): object[] {
  const at = day * DAYS;
  return [...chatter(0, 11, at).slice(0, 30), tgt(at + 10 * HOURS, 'jdoe', '10.0.0.21'), ...chatter(10, 11, at).slice(0, 1), serviceTicket(at + 10.5 * HOURS, 'jdoe', ip, 'cifs/fs01.corp.example', o), settle(at + 10.5 * HOURS)].sort(byTime);
}

/** Ordinary traffic a few minutes after `at`: verdicts that wait out DC clock skew are released. */
const settle = (at: number) => tgt(at + 6, 'WS9$', '10.0.1.9');

describe('pass_the_ticket', () => {
  it('fires when a TGT issued to one address is used from another within its lifetime', async () => {
    const alerts = await detect(passTheTicket, ticketUsedFrom('10.0.0.66'), testMode);
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.severity, 'high');
    assert.deepEqual(a?.entities.accounts.map((x) => [x.name, x.role]), [['jdoe', 'actor']]);
    assert.ok(a?.entities.hosts.some((h) => h.ip === '10.0.0.66' && h.role === 'source'));
    assert.ok(a?.entities.hosts.some((h) => h.ip === '10.0.0.21' && h.role === 'target'));
    assert.match(a?.description ?? '', /issued .*jdoe's TGT to 10.0.0.21 \(30 min before\) and never to 10.0.0.66/);
  });

  it('ignores service tickets from the address that received the TGT', async () => {
    assert.deepEqual(await detect(passTheTicket, ticketUsedFrom('10.0.0.21'), testMode), []);
  });

  it('does not judge before the stream has covered a whole ticket lifetime', async () => {
    const early = [tgt(0, 'jdoe', '10.0.0.21'), serviceTicket(30, 'jdoe', '10.0.0.66', 'cifs/fs01.corp.example'), settle(30)];
    assert.deepEqual(await detect(passTheTicket, early, testMode), []);
  });

  it('accepts a second TGT issued to the other address by another DC: the join spans every DC', async () => {
    const events = [...ticketUsedFrom('10.0.0.66'), tgt(10.2 * HOURS, 'jdoe', '10.0.0.66', { dc: 'DC02.corp.example' })].sort(byTime);
    assert.deepEqual(await detect(passTheTicket, events, testMode), []);
  });

  it('accepts a TGT to the other address logged shortly after the service ticket (DC clock skew)', async () => {
    const events = [...ticketUsedFrom('10.0.0.66'), tgt(10.5 * HOURS + 2, 'jdoe', '10.0.0.66', { dc: 'DC02.corp.example' })].sort(byTime);
    assert.deepEqual(await detect(passTheTicket, events, testMode), []);
  });

  it('accepts a TGT renewed (4770) from the other address', async () => {
    const events = [...ticketUsedFrom('10.0.0.66'), renewal(10.2 * HOURS, 'jdoe', '10.0.0.66', 'DC02.corp.example')].sort(byTime);
    assert.deepEqual(await detect(passTheTicket, events, testMode), []);
  });

  it('ignores a server using a TGT the client forwarded to it (unconstrained delegation)', async () => {
    const forward = serviceTicket(10.1 * HOURS, 'jdoe', '10.0.0.21', 'krbtgt', { options: '0x60810010' });
    assert.deepEqual(await detect(passTheTicket, [...ticketUsedFrom('10.0.0.80'), forward].sort(byTime), testMode), []);
  });

  it('ignores S4U2Proxy requests, which name their transited services', async () => {
    assert.deepEqual(await detect(passTheTicket, ticketUsedFrom('10.0.0.80', 0, { transited: 'HTTP/web01.corp.example@CORP.EXAMPLE' }), testMode), []);
  });

  it('does not compare an IPv6 request with an IPv4 TGT (dual-stack clients)', async () => {
    assert.deepEqual(await detect(passTheTicket, ticketUsedFrom('2001:db8::21'), testMode), []);
  });

  it('leaves accounts with no live TGT at all to golden_ticket', async () => {
    const events = [tgt(0, 'jdoe', '10.0.0.21'), ...chatter(0, 12), serviceTicket(12 * HOURS, 'jdoe', '10.0.0.66', 'cifs/fs01.corp.example'), settle(12 * HOURS)].sort(byTime);
    assert.deepEqual(await detect(passTheTicket, events, testMode), []);
  });

  it('excludes NAT and VPN ranges listed in exclusions.ips', async () => {
    const config = { testMode: true, detectors: { pass_the_ticket: { exclusions: { ips: ['10.0.0.64/26'] } } } };
    assert.deepEqual(await detect(passTheTicket, ticketUsedFrom('10.0.0.66'), { config }), []);
  });

  it('learns a roaming account once it presents its tickets from a second address on roamingDays days', async () => {
    const days = [0, 1, 2, 3].flatMap((d) => ticketUsedFrom(`10.0.2.${d + 1}`, d));
    const alerts = await detect(passTheTicket, days, testMode);
    assert.deepEqual(alerts.map((a) => a.firstSeen.slice(0, 10)), ['2024-03-04', '2024-03-05', '2024-03-06']);
  });

  it('learns a delegation front-end that presents tickets for many accounts', async () => {
    const events: object[] = [...chatter(0, 11)];
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    users.forEach((u, i) => events.push(tgt(10 * HOURS + i, u, `10.0.3.${i + 1}`), serviceTicket(10 * HOURS + 30 + i, u, '10.0.0.80', 'http/app.corp.example')));
    events.push(settle(10 * HOURS + 40));
    const alerts = await detect(passTheTicket, events.sort(byTime), testMode);
    assert.equal(alerts.length, 5, 'the sixth account is the front-end\'s habit');
  });

  it('lowers the alert during the learning period', async () => {
    const alerts = await detect(passTheTicket, ticketUsedFrom('10.0.0.66'));
    assert.equal(alerts[0]?.learning, true);
    assert.equal(alerts[0]?.severity, 'informational');
    assert.equal(alerts[0]?.verdictSeverity, 'high');
  });

  it('releases a verdict still waiting out the skew when a one-shot pass reaches the end of its input', async () => {
    const events = ticketUsedFrom('10.0.0.66').slice(0, -1); // no settling traffic after the ticket
    assert.deepEqual(await detect(passTheTicket, events, testMode), []);
    const alerts = await detect(passTheTicket, events, { ...testMode, finalInput: true });
    assert.deepEqual(alerts.map((a) => a.evidence.details?.['usedFrom']), ['10.0.0.66']);
  });

  it('drops an account whose TGTs are all past the ticket lifetime and that learned nothing else', async () => {
    const store = new MemoryStateStore();
    await detect(passTheTicket, [tgt(0, 'jdoe', '10.0.0.21'), ...chatter(1, 12)], { ...testMode, store });
    const state = (await store.load())?.state;
    const saved = state?.detectors['pass_the_ticket'] as { accounts: Record<string, unknown> };
    assert.equal(saved.accounts['jdoe'], undefined);
    assert.equal(state?.kerberos?.keys?.includes('jdoe'), false);
    assert.ok((state?.kerberos?.keys?.length ?? 0) > 0, 'accounts with a live TGT are kept in the ledger');
  });

  it('keeps issued TGTs and coverage across passes', async () => {
    const store = new MemoryStateStore();
    const events = ticketUsedFrom('10.0.0.66');
    const after = events.splice(-2);
    assert.deepEqual(await detect(passTheTicket, events, { ...testMode, store }), []);
    assert.equal((await detect(passTheTicket, after, { ...testMode, store })).length, 1);
  });
});

function byTime(a: object, b: object): number {
  return String((a as { TimeCreated: string }).TimeCreated).localeCompare(String((b as { TimeCreated: string }).TimeCreated));
}

import { strict as assert } from 'node:assert';
import { planAttack, type AttackKind, type AttackLabel, type AttackSpec } from '../../bench/attacks';
import { buildDomain, type Domain } from '../../bench/domain';
import { Prng } from '../../bench/prng';
import { GET_CHANGES, GET_CHANGES_ALL, Sim } from '../../bench/sim';
import { Timeline } from '../../bench/timeline';
import type { GeneratedEvent } from '../../bench/windows-events';

const SEED = 'attack-tests';
const AT = '2024-05-07T14:00:00.000Z';
const domain = buildDomain(SEED, { users: 80, workstations: 80, servers: 10, domainControllers: 2, serviceAccounts: 10 });

/** Only the events one injection adds, in time order. */
function inject(spec: Omit<AttackSpec, 'at'> & { at?: string }): { label: AttackLabel; events: GeneratedEvent[] } {
  const planned = planAttack({ at: AT, ...spec }, 0, domain, SEED);
  const start = Date.parse(AT) - 3_600_000;
  const timeline = new Timeline(60_000, start, start + 4 * 3_600_000);
  planned.inject(new Sim(domain, timeline, new Prng('benign')));
  return { label: planned.label, events: [...timeline.releaseAll()] };
}

const of = (events: readonly GeneratedEvent[], id: number): GeneratedEvent[] => events.filter((e) => e.EventID === id);
const field = (e: GeneratedEvent | undefined, k: string): string => String(e?.[k] ?? '');
const seconds = (a: GeneratedEvent, b: GeneratedEvent): number => (Date.parse(b.TimeCreated) - Date.parse(a.TimeCreated)) / 1000;
const accountNames = (d: Domain): Set<string> => new Set([...d.users, ...d.admins, ...d.serviceAccounts].map((p) => p.name));

describe('bench attack injections', () => {
  it('dcsync: a normal user logs on to a DC from a workstation and asks for both replication rights in that session', () => {
    const { label, events } = inject({ kind: 'dcsync' });
    const logon = of(events, 4624).find((e) => field(e, 'TargetUserName') === label.actor);
    assert.ok(logon && logon.Computer.startsWith('DC') && field(logon, 'IpAddress') === label.sourceIp);
    const rights = of(events, 4662).filter((e) => field(e, 'SubjectLogonId') === field(logon, 'TargetLogonId'));
    assert.ok(rights.some((e) => field(e, 'Properties').includes(GET_CHANGES)));
    assert.ok(rights.some((e) => field(e, 'Properties').includes(GET_CHANGES_ALL)));
    assert.ok(rights.every((e) => field(e, 'AccessMask') === '0x100' && field(e, 'SubjectUserName') === label.actor && !label.actor.endsWith('$')));
  });

  it('kerberoasting: one requester gets RC4 tickets for five or more user-account services within a minute', () => {
    const { label, events } = inject({ kind: 'kerberoasting' });
    const tickets = of(events, 4769).filter((e) => field(e, 'TicketEncryptionType') === '0x17');
    const services = new Set(tickets.map((e) => field(e, 'ServiceName')));
    assert.ok(services.size >= 5);
    for (const s of services) assert.ok(!s.endsWith('$') && s !== 'krbtgt' && domain.serviceAccounts.some((a) => a.name === s && a.spn));
    assert.ok(tickets.every((e) => field(e, 'TargetUserName').startsWith(`${label.actor}@`) && field(e, 'TicketOptions') === '0x40810000'));
    assert.ok(seconds(tickets[0] as GeneratedEvent, tickets[tickets.length - 1] as GeneratedEvent) < 60);
  });

  it('asrep_roasting: DONT_REQ_PREAUTH is set on the account, then its TGT is issued without pre-authentication, in RC4', () => {
    const { label, events } = inject({ kind: 'asrep_roasting' });
    const flag = of(events, 4738).find((e) => field(e, 'TargetUserName') === label.actor);
    assert.match(field(flag, 'UserAccountControl'), /%%2096/);
    const roast = of(events, 4768).find((e) => field(e, 'TargetUserName') === label.actor);
    assert.deepEqual([field(roast, 'PreAuthType'), field(roast, 'TicketEncryptionType'), field(roast, 'Status')], ['0', '0x17', '0x0']);
    assert.ok(roast && flag && seconds(flag, roast) > 0);
  });

  it('asrep_roasting without setup: only the AS-REP request, for an account that already had the flag', () => {
    const { label, events } = inject({ kind: 'asrep_roasting', setup: false });
    assert.equal(of(events, 4738).length, 0);
    assert.deepEqual(events.map((e) => [e.EventID, field(e, 'TargetUserName'), field(e, 'PreAuthType')]), [[4768, label.actor, '0']]);
    assert.equal(events[0]?.TimeCreated, label.time);
  });

  it('brute_force: thirty or more wrong passwords for one account from one address within minutes, then a success', () => {
    const { label, events } = inject({ kind: 'brute_force' });
    const failures = of(events, 4771);
    assert.ok(failures.length >= 30 && failures.every((e) => field(e, 'Status') === '0x18' && field(e, 'TargetUserName') === label.actor));
    assert.equal(new Set(failures.map((e) => field(e, 'IpAddress'))).size, 1);
    assert.ok(seconds(failures[0] as GeneratedEvent, failures[failures.length - 1] as GeneratedEvent) < 5 * 60);
    const success = of(events, 4768).at(-1);
    assert.ok(success && field(success, 'Status') === '0x0' && field(success, 'TargetUserName') === label.actor && seconds(failures.at(-1) as GeneratedEvent, success) > 0);
  });

  it('password_spray: one address, forty accounts, one or two wrong passwords each', () => {
    const { label, events } = inject({ kind: 'password_spray' });
    const failures = of(events, 4771);
    const perAccount = new Map<string, number>();
    for (const e of failures) perAccount.set(field(e, 'TargetUserName'), (perAccount.get(field(e, 'TargetUserName')) ?? 0) + 1);
    assert.equal(perAccount.size, 40);
    assert.ok([...perAccount.values()].every((n) => n <= 2));
    assert.deepEqual(new Set(failures.map((e) => field(e, 'IpAddress'))), new Set([`::ffff:${label.sourceIp}`]));
  });

  it('account_enumeration: many names that do not exist, each refused with 0x6', () => {
    const { events } = inject({ kind: 'account_enumeration' });
    const probes = of(events, 4768);
    const known = accountNames(domain);
    assert.ok(probes.length >= 30);
    assert.ok(probes.every((e) => field(e, 'Status') === '0x6' && field(e, 'TargetSid') === 'S-1-0-0' && !known.has(field(e, 'TargetUserName'))));
  });

  it('pass_the_hash: NTLM logon with no session key from a device the account never uses, after a seclogo logon on that device', () => {
    const { label, events } = inject({ kind: 'pass_the_hash' });
    const admin = domain.admins.find((a) => a.name === label.actor);
    assert.ok(admin && label.source !== admin.owner.workstation.name && label.source !== domain.roles.jump.name);
    const injected = of(events, 4624).find((e) => field(e, 'LogonType') === '9');
    assert.ok(injected && injected.Computer.startsWith(label.source) && field(injected, 'TargetOutboundUserName') === label.actor);
    assert.equal(field(of(events, 4776)[0], 'Workstation'), label.source);
    const network = of(events, 4624).find((e) => field(e, 'LogonType') === '3');
    assert.deepEqual([field(network, 'AuthenticationPackageName'), field(network, 'KeyLength'), field(network, 'IpAddress'), field(network, 'TargetUserName')], ['NTLM', '0', label.sourceIp, label.actor]);
  });

  it('overpass_the_hash: an RC4 TGT with pre-authentication for an account that uses AES, requested from the source', () => {
    const { label, events } = inject({ kind: 'overpass_the_hash' });
    const tgt = of(events, 4768).find((e) => field(e, 'TargetUserName') === label.actor);
    assert.deepEqual([field(tgt, 'TicketEncryptionType'), field(tgt, 'PreAuthType'), field(tgt, 'IpAddress')], ['0x17', '2', `::ffff:${label.sourceIp}`]);
    assert.ok(of(events, 4624).some((e) => field(e, 'LogonProcessName') === 'seclogo' && e.Computer.startsWith(label.source)));
  });

  it('golden_ticket: service tickets for a name that does not exist, with no TGT issued to it', () => {
    const { label, events } = inject({ kind: 'golden_ticket' });
    assert.ok(!accountNames(domain).has(label.actor));
    assert.ok(of(events, 4769).length >= 3 && of(events, 4769).every((e) => field(e, 'TargetUserName').startsWith(`${label.actor}@`)));
    assert.equal(of(events, 4768).length, 0);
  });

  it('remote_code_execution: a service installed on a DC inside a network logon from a workstation', () => {
    const { label, events } = inject({ kind: 'remote_code_execution' });
    const logon = of(events, 4624)[0];
    assert.ok(logon && logon.Computer.startsWith('DC') && field(logon, 'IpAddress') === label.sourceIp && field(logon, 'LogonType') === '3');
    const installed = of(events, 4697)[0];
    assert.equal(field(installed, 'SubjectLogonId'), field(logon, 'TargetLogonId'));
    assert.ok(of(events, 7045).some((e) => e.Computer === logon.Computer && field(e, 'ServiceName') === field(installed, 'ServiceName')));
    assert.ok(of(events, 5145).some((e) => field(e, 'RelativeTargetName') === 'svcctl'));
  });

  it('samr_recon: SAM handles on the privileged groups and RID 500, in a session from the source', () => {
    const { label, events } = inject({ kind: 'samr_recon' });
    const logon = of(events, 4624)[0];
    assert.equal(field(logon, 'IpAddress'), label.sourceIp);
    const names = of(events, 4661).filter((e) => field(e, 'SubjectLogonId') === field(logon, 'TargetLogonId')).map((e) => field(e, 'ObjectName'));
    for (const rid of ['-512', '-519', '-500']) assert.ok(names.some((n) => n.endsWith(rid)), rid);
  });

  it('honeytoken_activity: the decoy object is read and its password tried', () => {
    const { events } = inject({ kind: 'honeytoken_activity' });
    assert.ok(of(events, 4662).some((e) => field(e, 'ObjectName') === `%{${domain.honeytoken.guid}}`));
    assert.ok(of(events, 4771).every((e) => field(e, 'TargetUserName') === domain.honeytoken.name) && of(events, 4771).length > 0);
  });

  it('sensitive_group_change: a member added to Domain Admins by the actor', () => {
    const { label, events } = inject({ kind: 'sensitive_group_change' });
    const added = of(events, 4728)[0];
    assert.ok(field(added, 'TargetSid').endsWith('-512') && field(added, 'SubjectUserName') === label.actor);
    assert.ok(of(events, 5136).some((e) => field(e, 'ObjectDN').startsWith('CN=Domain Admins,') && field(e, 'AttributeLDAPDisplayName') === 'member'));
  });

  it('uses the actor, source and time it is given', () => {
    const user = domain.users[7];
    const ws = domain.workstations[30];
    const { label, events } = inject({ kind: 'dcsync', actor: user?.name, source: ws?.name, at: '2024-05-07T15:30:00.000Z' });
    assert.deepEqual([label.actor, label.source, label.sourceIp, label.time], [user?.name, ws?.name, ws?.ip, '2024-05-07T15:30:00.000Z']);
    assert.ok(events.every((e) => e.TimeCreated >= '2024-05-07T15:20:00.000Z'));
  });

  it('refuses an actor that does not exist', () => {
    assert.throws(() => inject({ kind: 'kerberoasting', actor: 'nobody.here' }), /no account named "nobody.here"/);
  });

  it('gives each attack of a workload its own actor and source when none is named', () => {
    const taken = new Set<string>();
    const kinds: AttackKind[] = ['dcsync', 'kerberoasting', 'samr_recon', 'honeytoken_activity'];
    const labels = kinds.map((kind, i) => planAttack({ kind, at: AT }, i, domain, SEED, taken).label);
    assert.equal(new Set(labels.map((l) => l.actor)).size, kinds.length);
    assert.equal(new Set(labels.map((l) => l.source)).size, kinds.length);
  });
});

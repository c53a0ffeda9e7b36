import type { AttackDefinition, AttackKind, Participants } from './attacks';
import type { Host, Principal } from './domain';
import { GET_CHANGES, GET_CHANGES_ALL, kerberosAddress, MINUTE, type Sim } from './sim';
import * as win from './windows-events';

/** Credential theft against the DC: replication, roasting, guessing. */
export const CREDENTIAL_ATTACKS: Pick<Record<AttackKind, AttackDefinition>, 'dcsync' | 'kerberoasting' | 'asrep_roasting' | 'brute_force' | 'password_spray' | 'account_enumeration'> = {
  dcsync: {
    labelActor: 'attacker', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `${p.attacker.name} on ${p.source.name} replicates secrets from ${p.dc.name} (DRSUAPI GetNCChanges, as mimikatz lsadump::dcsync)`,
    inject: dcsync,
  },
  kerberoasting: {
    labelActor: 'attacker', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `${p.attacker.name} on ${p.source.name} requests RC4 service tickets for every user-account SPN within seconds (Rubeus kerberoast)`,
    inject: kerberoasting,
  },
  asrep_roasting: {
    labelActor: 'target', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `${p.attacker.name} sets DONT_REQ_PREAUTH on ${p.target.name}, then ${p.source.name} asks for its AS-REP with RC4 and no pre-authentication`,
    inject: asrepRoasting,
  },
  brute_force: {
    labelActor: 'target', attackerKind: 'user', targetKind: 'admin',
    describe: (p) => `${p.source.name} guesses ${p.target.name}'s password over Kerberos (4771 0x18 every few seconds) until one works`,
    inject: bruteForce,
  },
  password_spray: {
    labelActor: 'unknown', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `${p.source.name} tries one or two passwords against 40 accounts over Kerberos; one succeeds`,
    inject: passwordSpray,
  },
  account_enumeration: {
    labelActor: 'unknown', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `${p.source.name} probes 40 account names that do not exist (4768 0x6, as kerbrute userenum)`,
    inject: accountEnumeration,
  },
};

/** The attacker's own, ordinary-looking sign-in before the attack. */
export function attackerTgt(sim: Sim, p: Participants, at: number): void {
  sim.tgt(at - 2 * MINUTE, p.dc, p.attacker, p.source.ip);
}

function dcsync(sim: Sim, p: Participants, at: number): void {
  attackerTgt(sim, p, at);
  // DRSUAPI is bound with a ticket for the DC's E3514235-…/DC01 SPN, held by DC01$.
  sim.serviceTicket(at, p.dc, p.attacker, p.dc.account, p.source.ip);
  const id = sim.logon(at + 20, p.dc, p.attacker, p.source.ip, { auth: 'kerberos' });
  const s = sim.subject(p.attacker, id);
  sim.replicationRight(at + 150, p.dc, s, GET_CHANGES);
  sim.replicationRight(at + 150, p.dc, s, GET_CHANGES);
  sim.replicationRight(at + 151, p.dc, s, GET_CHANGES_ALL);
  sim.logoff(at + 3000, p.dc, p.attacker, id);
}

function kerberoasting(sim: Sim, p: Participants, at: number): void {
  attackerTgt(sim, p, at);
  const spns = sim.rng.sample(sim.domain.serviceAccounts.filter((s) => s.spn !== undefined), 6);
  let t = at;
  for (const service of spns) {
    // The tool asks for RC4 only, so the DC seals each ticket with the account's NT hash.
    sim.serviceTicket(t, p.dc, p.attacker, service, p.source.ip, { etype: '0x17', ticketOptions: '0x40810000' });
    t += sim.rng.int(80, 900);
  }
}

function asrepRoasting(sim: Sim, p: Participants, at: number): void {
  if (p.setup) setDontRequirePreauth(sim, p, at);
  // No PA-DATA in the AS-REQ, RC4 asked for: the AS-REP's enc-part is crackable offline.
  sim.tgt(p.setup ? at + 3 * MINUTE : at, p.dc, p.target, p.source.ip, { preAuthType: '0', etype: '0x17', ticketOptions: '0x40800010' });
}

/** Targeted AS-REP roasting: with GenericWrite on the target, the attacker turns pre-authentication off. */
function setDontRequirePreauth(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  attackerTgt(sim, p, at);
  sim.serviceTicket(at - MINUTE, p.dc, p.attacker, p.dc.account, p.source.ip);
  const id = sim.logon(at - MINUTE + 20, p.dc, p.attacker, p.source.ip, { auth: 'kerberos' });
  const s = sim.subject(p.attacker, id);
  // 4738 renders SAM account flags: 0x10000 is ACB_DONT_REQUIRE_PREAUTH, %%2096 "'Don't Require Preauth' - Enabled".
  sim.emit(at, win.userChanged(p.dc.fqdn, s, { account: p.target.name, domain: d.netbios, sid: p.target.sid, oldUac: '0x210', newUac: '0x10210', uacChanges: '\n\t\t%%2096' }));
  const correlation = sim.rng.guid();
  // The same change as 5136: userAccountControl 0x10200 → 0x410200 (DONT_REQ_PREAUTH is 0x400000 there).
  for (const [value, op] of [['66048', '%%14675'], ['4260352', '%%14674']] as const) {
    sim.emit(at + 1, win.directoryChange(p.dc.fqdn, s, {
      dnsName: d.dnsName, objectDn: p.target.dn, objectGuid: p.target.guid, objectClass: 'user', attribute: 'userAccountControl',
      syntaxOid: '2.5.5.9', value, correlationId: correlation, operation: op,
    }));
  }
  sim.logoff(at + 5000, p.dc, p.attacker, id);
}

function bruteForce(sim: Sim, p: Participants, at: number): void {
  let t = at;
  for (let n = sim.rng.int(32, 45); n > 0; n--) {
    sim.preauthFailure(t, p.dc, p.target, p.source.ip);
    t += sim.rng.int(2500, 6000);
  }
  sim.tgt(t + sim.rng.int(2000, 5000), p.dc, p.target, p.source.ip);
}

function passwordSpray(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  const victims = sim.rng.sample(d.users.filter((u) => u !== p.sourceUser), 40);
  let t = at;
  for (const victim of victims) {
    for (let n = sim.rng.int(1, 2); n > 0; n--) {
      sim.preauthFailure(t, p.dc, victim, p.source.ip);
      t += sim.rng.int(800, 4000);
    }
  }
  const lucky = victims[victims.length - 1] as Principal;
  sim.tgt(t + sim.rng.int(500, 2000), p.dc, lucky, p.source.ip);
}

const GUESSED_NAMES = [
  'admin', 'administrator1', 'test', 'test1', 'backup', 'sqladmin', 'svc_sql', 'helpdesk', 'jsmith', 'jdoe', 'webadmin', 'guest1',
  'scanner', 'oracle', 'ftp', 'root', 'support', 'it-admin', 'sysadmin', 'user1', 'user2', 'temp', 'training', 'sales', 'hr',
  'finance', 'exchange', 'vpn', 'dev', 'devops', 'ops', 'monitor', 'print', 'mail', 'noc', 'soc', 'audit', 'ldap', 'svc-test', 'demo',
];

function accountEnumeration(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  const dc: Host = p.dc;
  let t = at;
  for (const name of GUESSED_NAMES) {
    sim.emit(t, win.tgtRequest(dc.fqdn, {
      account: name, realm: d.realm, sid: '', krbtgtSid: '', status: '0x6', etype: '', preAuthType: '', ticketOptions: '0x50800000',
      ip: kerberosAddress(p.source.ip), port: sim.port(),
    }));
    t += sim.rng.int(40, 400);
  }
}

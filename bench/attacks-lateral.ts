import { attackerTgt } from './attacks-credential';
import type { AttackDefinition, AttackKind, Participants } from './attacks';
import type { Host, Principal } from './domain';
import { kerberosAddress, MINUTE, USER_CLASS, handleId, type Sim } from './sim';
import * as win from './windows-events';

/** Stolen credentials used elsewhere, forged tickets, code run on a DC, recon, persistence. */
export const LATERAL_ATTACKS: Pick<Record<AttackKind, AttackDefinition>, 'pass_the_hash' | 'overpass_the_hash' | 'golden_ticket' | 'remote_code_execution' | 'samr_recon' | 'honeytoken_activity' | 'sensitive_group_change'> = {
  pass_the_hash: {
    labelActor: 'attacker', attackerKind: 'admin', targetKind: 'user',
    describe: (p) => `${p.attacker.name}'s NT hash is used from ${p.source.name} (mimikatz sekurlsa::pth) to reach a file server over NTLM`,
    inject: passTheHash,
  },
  overpass_the_hash: {
    labelActor: 'attacker', attackerKind: 'admin', targetKind: 'user',
    describe: (p) => `${p.attacker.name}'s NT hash is turned into an RC4 TGT on ${p.source.name} (Rubeus asktgt /rc4), where that account always used AES`,
    inject: overpassTheHash,
  },
  golden_ticket: {
    labelActor: 'attacker', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `a forged TGT for ${p.attacker.name} (no such account; RID 500 in the PAC) is used from ${p.source.name}: service tickets without any TGT issued`,
    inject: goldenTicket,
  },
  remote_code_execution: {
    labelActor: 'attacker', attackerKind: 'admin', targetKind: 'user',
    describe: (p) => `${p.attacker.name} from ${p.source.name} copies a binary over ADMIN$ and runs it as a service on ${p.dc.name} (impacket psexec)`,
    inject: remoteCodeExecution,
  },
  samr_recon: {
    labelActor: 'attacker', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `${p.attacker.name} on ${p.source.name} enumerates Domain Admins, Enterprise Admins, Administrators and RID 500 over SAMR on ${p.dc.name} (net group /domain)`,
    inject: samrRecon,
  },
  honeytoken_activity: {
    labelActor: 'attacker', attackerKind: 'user', targetKind: 'user',
    describe: (p) => `${p.attacker.name} on ${p.source.name} reads the decoy admin's directory object, then tries passwords for it`,
    inject: honeytokenActivity,
  },
  sensitive_group_change: {
    labelActor: 'attacker', attackerKind: 'admin', targetKind: 'user',
    describe: (p) => `${p.attacker.name}, signed in from ${p.source.name}, adds ${p.sourceUser.name} to Domain Admins`,
    inject: sensitiveGroupChange,
  },
};

/** The source host's own log when a hash is injected: a NewCredentials (type 9) logon by seclogo. */
function newCredentialsLogon(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  const local = sim.subject(p.sourceUser, sim.logonId(p.source.name));
  const id = sim.logonId(p.source.name);
  sim.emit(at, win.logon(p.source.fqdn, {
    account: p.sourceUser.name, sid: p.sourceUser.sid, domain: d.netbios, logonId: id, logonType: 9, auth: 'newcredentials', ip: '::1', port: 0,
    subject: local, processName: 'C:\\Windows\\System32\\svchost.exe', outboundAccount: p.attacker.name, outboundDomain: d.netbios,
  }));
  sim.emit(at, win.specialLogon(p.source.fqdn, sim.subject(p.sourceUser, id)));
}

function passTheHash(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  const server = p.source === d.roles.fileServer ? d.roles.sqlServer : d.roles.fileServer;
  newCredentialsLogon(sim, p, at);
  const t = at + sim.rng.int(10_000, 40_000);
  sim.emit(t, win.ntlmValidation(p.dc.fqdn, { account: p.attacker.name, workstation: p.source.name, status: '0x0' }));
  // The injected hash answers the NTLM challenge; no session key is negotiated, hence KeyLength 0.
  const id = sim.logon(t + 3, server, p.attacker, p.source.ip, { auth: 'ntlm', workstation: p.source.name, keyLength: 0 });
  sim.emit(t + 3, win.specialLogon(server.fqdn, sim.subject(p.attacker, id)));
  sim.emit(t + 10, win.shareAccess(server.fqdn, sim.subject(p.attacker, id), { ip: p.source.ip, port: sim.port(), share: 'C$', localPath: '\\??\\C:\\' }));
  sim.logoff(t + sim.rng.int(20_000, 90_000), server, p.attacker, id);
}

function overpassTheHash(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  newCredentialsLogon(sim, p, at);
  const t = at + sim.rng.int(5000, 20_000);
  // The NT hash is the RC4 key: the AS-REQ's timestamp is encrypted with RC4, so the TGT is RC4.
  sim.tgt(t, p.dc, p.attacker, p.source.ip, { etype: '0x17' });
  for (const [k, host] of [d.roles.fileServer, p.dc].entries()) {
    sim.serviceTicket(t + 500 + k * 400, p.dc, p.attacker, host.account, p.source.ip);
    const id = sim.kerberosSession(t + 520 + k * 400, host, p.attacker, p.source.ip, sim.rng.int(5000, 60_000));
    sim.emit(t + 520 + k * 400, win.specialLogon(host.fqdn, sim.subject(p.attacker, id)));
  }
}

function goldenTicket(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  // Forged tickets carry whatever the tool was given: here the realm in lower case, as mimikatz /domain: writes it.
  const realm = d.dnsName;
  const services: Host[] = [p.dc, d.roles.fileServer, d.dcs[1] ?? p.dc];
  let t = at;
  for (const host of services) {
    sim.emit(t, win.serviceTicket(p.dc.fqdn, {
      account: p.attacker.name, realm, service: host.account.name, serviceSid: host.account.sid, ticketOptions: '0x40810000', etype: '0x12',
      ip: kerberosAddress(p.source.ip), port: sim.port(), logonGuid: sim.rng.guid(),
    }));
    const id = sim.logonId(host.name);
    sim.emit(t + 15, win.logon(host.fqdn, {
      account: p.attacker.name, sid: p.attacker.sid, domain: realm, logonId: id, logonType: 3, auth: 'kerberos', ip: p.source.ip, port: sim.port(), logonGuid: sim.rng.guid(),
    }));
    sim.emit(t + 15, win.specialLogon(host.fqdn, { sid: p.attacker.sid, name: p.attacker.name, domain: realm, logonId: id }));
    sim.emit(t + 30, win.shareAccess(host.fqdn, { sid: p.attacker.sid, name: p.attacker.name, domain: realm, logonId: id }, { ip: p.source.ip, port: sim.port(), share: 'C$', localPath: '\\??\\C:\\' }));
    t += sim.rng.int(5000, 30_000);
  }
}

function remoteCodeExecution(sim: Sim, p: Participants, at: number): void {
  attackerTgt(sim, p, at);
  const dc = p.dc;
  sim.serviceTicket(at, p.dc, p.attacker, dc.account, p.source.ip);
  const id = sim.logon(at + 20, dc, p.attacker, p.source.ip, { auth: 'kerberos' });
  const s = sim.subject(p.attacker, id);
  const ip = p.source.ip;
  sim.emit(at + 20, win.specialLogon(dc.fqdn, s));
  sim.emit(at + 40, win.shareAccess(dc.fqdn, s, { ip, port: sim.port(), share: 'ADMIN$', localPath: '\\??\\C:\\Windows' }));
  // impacket psexec: a random 8-letter binary and a random 4-letter service name.
  const exe = `${randomLetters(sim, 8)}.exe`;
  const service = randomLetters(sim, 4);
  sim.emit(at + 60, win.shareObjectCheck(dc.fqdn, s, { ip, port: sim.port(), share: 'ADMIN$', localPath: '\\??\\C:\\Windows', target: exe, accessMask: '0x2', accessList: '%%4417\n\t\t\t\t' }));
  sim.emit(at + 300, win.shareAccess(dc.fqdn, s, { ip, port: sim.port(), share: 'IPC$', localPath: '' }));
  sim.emit(at + 310, win.shareObjectCheck(dc.fqdn, s, { ip, port: sim.port(), share: 'IPC$', localPath: '', target: 'svcctl', accessMask: '0x3', accessList: '%%4416\n\t\t\t\t%%4417\n\t\t\t\t' }));
  sim.emit(at + 700, win.serviceInstalledSystem(dc.fqdn, { installerSid: p.attacker.sid, serviceName: service, imagePath: `%systemroot%\\${exe}`, startType: 'demand start', account: 'LocalSystem' }));
  sim.emit(at + 700, win.serviceInstalledSecurity(dc.fqdn, s, { serviceName: service, imagePath: `%systemroot%\\${exe}`, startType: '3', account: 'LocalSystem' }));
  sim.logoff(at + sim.rng.int(30_000, 120_000), dc, p.attacker, id);
}

function samrRecon(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  attackerTgt(sim, p, at);
  sim.serviceTicket(at, p.dc, p.attacker, p.dc.account, p.source.ip);
  const id = sim.logon(at + 20, p.dc, p.attacker, p.source.ip, { auth: 'kerberos' });
  const s = sim.subject(p.attacker, id);
  sim.emit(at + 30, win.shareAccess(p.dc.fqdn, s, { ip: p.source.ip, port: sim.port(), share: 'IPC$', localPath: '' }));
  sim.emit(at + 31, win.shareObjectCheck(p.dc.fqdn, s, { ip: p.source.ip, port: sim.port(), share: 'IPC$', localPath: '', target: 'samr', accessMask: '0x3', accessList: '%%4416\n\t\t\t\t%%4417\n\t\t\t\t' }));
  const objects: [string, string, string][] = [
    ['SAM_SERVER', `CN=Server,CN=System,${d.baseDn}`, '0x20031'],
    ['SAM_DOMAIN', d.baseDn, '0x20385'],
    ['SAM_GROUP', `${d.sid}-512`, '0x2001f'],
    ['SAM_GROUP', `${d.sid}-519`, '0x2001f'],
    ['SAM_ALIAS', 'S-1-5-32-544', '0x2000c'],
    ['SAM_USER', `${d.sid}-500`, '0x2011b'],
  ];
  let t = at + 40;
  for (const [objectType, objectName, accessMask] of objects) {
    sim.emit(t, win.samAccess(p.dc.fqdn, s, { objectType, objectName, accessMask, handleId: handleId(sim), properties: '---\n\t{bf967aba-0de6-11d0-a285-00aa003049e2}\n' }));
    t += sim.rng.int(2, 40);
  }
  sim.logoff(t + sim.rng.int(500, 3000), p.dc, p.attacker, id);
}

function honeytokenActivity(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  const decoy: Principal = d.honeytoken;
  attackerTgt(sim, p, at);
  sim.serviceTicket(at - 30_000, p.dc, p.attacker, p.dc.account, p.source.ip);
  const id = sim.logon(at - 29_000, p.dc, p.attacker, p.source.ip, { auth: 'kerberos' });
  const s = sim.subject(p.attacker, id);
  // A read-property SACL on the decoy makes any LDAP read of it a 4662 naming its objectGUID.
  for (let k = 0; k < 2; k++) {
    sim.emit(at + k * 40, win.directoryAccess(p.dc.fqdn, s, {
      objectClassGuid: USER_CLASS, objectGuid: decoy.guid, accessMask: '0x10', accessCode: '%%7684',
      properties: `%%7684\n\t\t{59ba2f42-79a2-11d0-9020-00c04fc2d3cf}\n\t\t\t{bf967a00-0de6-11d0-a285-00aa003049e2}\n\t{${USER_CLASS}}\n`,
    }));
  }
  sim.logoff(at + 2000, p.dc, p.attacker, id);
  for (let k = 0; k < 2; k++) sim.preauthFailure(at + 2 * MINUTE + k * 4000, p.dc, decoy, p.source.ip);
}

function sensitiveGroupChange(sim: Sim, p: Participants, at: number): void {
  const d = sim.domain;
  const group = d.sensitiveGroups.domainAdmins;
  attackerTgt(sim, p, at);
  sim.serviceTicket(at - 30_000, p.dc, p.attacker, p.dc.account, p.source.ip);
  const id = sim.logon(at - 29_000, p.dc, p.attacker, p.source.ip, { auth: 'kerberos' });
  const s = sim.subject(p.attacker, id);
  sim.emit(at - 29_000, win.specialLogon(p.dc.fqdn, s));
  sim.emit(at, win.memberAdded(p.dc.fqdn, s, { scope: group.scope, memberDn: p.sourceUser.dn, memberSid: p.sourceUser.sid, group: group.name, groupDomain: group.domainName, groupSid: group.sid }));
  sim.emit(at + 1, win.directoryChange(p.dc.fqdn, s, {
    dnsName: d.dnsName, objectDn: group.dn, objectGuid: group.guid, objectClass: 'group', attribute: 'member', syntaxOid: '2.5.5.1',
    value: p.sourceUser.dn, correlationId: sim.rng.guid(), operation: '%%14674',
  }));
  sim.logoff(at + sim.rng.int(10_000, 60_000), p.dc, p.attacker, id);
}

function randomLetters(sim: Sim, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(65 + sim.rng.int(0, 25));
  return s;
}

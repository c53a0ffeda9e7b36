import type { Admin, Host, Principal } from './domain';
import { MINUTE, type Sim } from './sim';
import * as win from './windows-events';

/**
 * IT operations on the estate: the nightly backup that installs its helper service on each
 * DC, SCCM inventory and client push, Windows Update registering tasks, and admins changing
 * ordinary things in the directory from the jump server. Each is the benign twin of an
 * attack (remote service creation, admin logons, group changes).
 */
export class Operations {
  private readonly gpo: { readonly dn: string; readonly guid: string };
  /** Group additions go round the ordinary groups, so each scope (4728, 4732, 4756) shows up daily. */
  private groupChanges = 0;

  constructor(private readonly sim: Sim) {
    this.gpo = { dn: `CN={6AC1786C-016F-11D2-945F-00C04FB984F9},CN=Policies,CN=System,${sim.domain.baseDn}`, guid: sim.rng.guid() };
  }

  /** SCCM hardware inventory and client health: svc-sccm logs on as local admin to a few servers. */
  sccmInventory(time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const targets = sim.rng.sample(d.servers.filter((s) => s !== d.roles.sccm), sim.rng.int(1, 3));
    let t = time;
    for (const server of targets) {
      const id = this.adminSession(d.sccmAccount, d.roles.sccm.ip, server, t, sim.rng.int(10_000, 120_000));
      sim.emit(t + 30, win.shareAccess(server.fqdn, sim.subject(d.sccmAccount, id), { ip: d.roles.sccm.ip, port: sim.port(), share: 'ADMIN$', localPath: '\\??\\C:\\Windows' }));
      t += sim.rng.int(2000, 60_000);
    }
  }

  /** SCCM client push: copies ccmsetup over ADMIN$ and installs it as a service (7045 + 4697). */
  sccmClientPush(time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const server = d.servers[d.servers.length - 1] as Host;
    const src = d.roles.sccm.ip;
    const id = this.adminSession(d.sccmAccount, src, server, time, 4 * MINUTE);
    this.installService(server, d.sccmAccount, id, src, time + 200, {
      share: 'ADMIN$', file: 'ccmsetup\\ccmsetup.exe', serviceName: 'ccmsetup',
      imagePath: '"C:\\Windows\\ccmsetup\\ccmsetup.exe" /runservice /config:MobileClient.tcf', startType: 'auto start',
    });
  }

  /** Veeam application-aware backup: its guest helper is pushed over ADMIN$ and run as a service on each DC and server. */
  backup(time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const src = d.roles.backup.ip;
    let t = time;
    for (const host of [...d.dcs, d.roles.fileServer, d.roles.sqlServer]) {
      const id = this.adminSession(d.backupAccount, src, host, t, sim.rng.int(8 * MINUTE, 15 * MINUTE));
      this.installService(host, d.backupAccount, id, src, t + 500, {
        share: 'ADMIN$', file: 'VeeamVssSupport\\VeeamGuestHelper.exe', serviceName: 'VeeamVssSupport',
        imagePath: 'C:\\Windows\\VeeamVssSupport\\VeeamGuestHelper.exe', startType: 'demand start',
      });
      const system = win.systemSubject(host.account.name, d.netbios);
      for (const [group, sid] of [['Administrators', 'S-1-5-32-544'], ['Backup Operators', 'S-1-5-32-551']] as const) {
        sim.emit(t + 4000, win.localGroupEnumerated(host.fqdn, system, { group, groupSid: sid, process: 'C:\\Windows\\System32\\VSSVC.exe' }));
      }
      t += sim.rng.int(3 * MINUTE, 8 * MINUTE);
    }
  }

  /** Windows Update registering its scan task: a local SYSTEM task creation on a DC. */
  updateTask(dc: Host, time: number): void {
    const d = this.sim.domain;
    this.sim.emit(time, win.taskCreated(dc.fqdn, win.systemSubject(dc.account.name, d.netbios), {
      taskName: '\\Microsoft\\Windows\\UpdateOrchestrator\\Schedule Scan Static Task', command: '%systemroot%\\system32\\usoclient.exe StartScan',
      author: 'Microsoft Corporation', date: new Date(time).toISOString().slice(0, 19), fqdn: dc.fqdn, remote: false,
    }));
  }

  /** An admin on the jump server changing something ordinary in the directory. */
  adminChange(admin: Admin, kind: AdminChange, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const jump = d.roles.jump;
    const dc = sim.rng.pick(d.dcs);
    let t = time;
    if (sim.needsTgt(admin.name, t)) {
      sim.tgt(t, dc, admin, jump.ip);
      const rdp = sim.logon(t + 200, jump, admin, admin.owner.workstation.ip, {
        auth: 'interactive', logonType: 10, workstation: jump.name, subject: win.systemSubject(jump.account.name, d.netbios),
        processName: 'C:\\Windows\\System32\\svchost.exe', logonGuid: sim.logonGuid(admin.name),
      });
      sim.emit(t + 201, win.specialLogon(jump.fqdn, sim.subject(admin, rdp)));
      t += sim.rng.int(MINUTE, 5 * MINUTE);
    }
    const id = this.adminSession(admin, jump.ip, dc, t, sim.rng.int(5 * MINUTE, 30 * MINUTE));
    const s = sim.subject(admin, id);
    const user = sim.rng.pick(d.users);
    t += sim.rng.int(2000, 60_000);
    if (kind === 'group') {
      const group = d.ordinaryGroups[this.groupChanges++ % d.ordinaryGroups.length] as (typeof d.ordinaryGroups)[number];
      sim.emit(t, win.memberAdded(dc.fqdn, s, { scope: group.scope, memberDn: user.dn, memberSid: user.sid, group: group.name, groupDomain: group.domainName, groupSid: group.sid }));
      sim.emit(t + 1, this.attributeChange(dc, s, group, 'group', 'member', '2.5.5.1', user.dn, '%%14674'));
    } else if (kind === 'password') {
      sim.emit(t, win.passwordReset(dc.fqdn, s, { account: user.name, domain: d.netbios, sid: user.sid }));
      sim.emit(t + 2, win.userChanged(dc.fqdn, s, { account: user.name, domain: d.netbios, sid: user.sid, passwordLastSet: windowsDate(t) }));
    } else if (kind === 'description') {
      sim.emit(t, this.attributeChange(dc, s, user, 'user', 'description', '2.5.5.12', sim.rng.pick(['Finance', 'Sales', 'Engineering', 'Support']), '%%14674'));
    } else {
      const gpo = this.gpo;
      const version = String(sim.rng.int(2, 90));
      const correlation = sim.rng.guid();
      sim.emit(t, this.attributeChange(dc, s, gpo, 'groupPolicyContainer', 'versionNumber', '2.5.5.9', version, '%%14675', correlation));
      sim.emit(t + 1, this.attributeChange(dc, s, gpo, 'groupPolicyContainer', 'versionNumber', '2.5.5.9', String(Number(version) + 1), '%%14674', correlation));
    }
  }

  /** A privileged network logon (4769, 4624 type 3, 4672) with its logoff; returns the logon id. Also used by traffic-lookalikes.ts. */
  adminSession(account: Principal, sourceIp: string, host: Host, time: number, durationMs: number): string {
    const { sim } = this;
    const dc = sim.domain.dcs[0] as Host;
    if (sim.needsTgt(account.name, time)) sim.tgt(time, dc, account, sourceIp);
    sim.serviceTicket(time + 20, dc, account, host.account, sourceIp);
    const id = sim.kerberosSession(time + 40, host, account, sourceIp, durationMs);
    sim.emit(time + 40, win.specialLogon(host.fqdn, sim.subject(account, id)));
    return id;
  }

  /** A file copied over `share` and installed as a service (5140, 5145, 7045, 4697), as a deployment tool does it. */
  installService(host: Host, installer: Principal, logonId: string, ip: string, time: number, o: {
    share: string; file: string; serviceName: string; imagePath: string; startType: string;
  }): void {
    const { sim } = this;
    const s = sim.subject(installer, logonId);
    sim.emit(time, win.shareAccess(host.fqdn, s, { ip, port: sim.port(), share: o.share, localPath: '\\??\\C:\\Windows' }));
    sim.emit(time + 40, win.shareObjectCheck(host.fqdn, s, { ip, port: sim.port(), share: o.share, localPath: '\\??\\C:\\Windows', target: o.file, accessMask: '0x2', accessList: '%%4417\n\t\t\t\t' }));
    sim.emit(time + 900, win.serviceInstalledSystem(host.fqdn, { installerSid: installer.sid, serviceName: o.serviceName, imagePath: o.imagePath, startType: o.startType, account: 'LocalSystem' }));
    sim.emit(time + 900, win.serviceInstalledSecurity(host.fqdn, s, { serviceName: o.serviceName, imagePath: o.imagePath, startType: o.startType === 'auto start' ? '2' : '3', account: 'LocalSystem' }));
  }

  private attributeChange(dc: Host, s: win.Subject, object: { readonly dn: string; readonly guid: string }, objectClass: string, attribute: string, syntaxOid: string, value: string, operation: '%%14674' | '%%14675', correlationId?: string): win.GeneratedEvent {
    return win.directoryChange(dc.fqdn, s, {
      dnsName: this.sim.domain.dnsName, objectDn: object.dn, objectGuid: object.guid, objectClass, attribute, syntaxOid, value,
      correlationId: correlationId ?? this.sim.rng.guid(), operation,
    });
  }
}

/** What the admins do in a day, in proportion: group memberships most, then password resets. */
export const ADMIN_CHANGES = ['group', 'password', 'group', 'description', 'password', 'group', 'gpo'] as const;
export type AdminChange = (typeof ADMIN_CHANGES)[number];

/** `PasswordLastSet` as 4738 renders it: `3/14/2024 9:05:12 AM`. */
export function windowsDate(time: number): string {
  const d = new Date(time);
  const h = d.getUTCHours();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}


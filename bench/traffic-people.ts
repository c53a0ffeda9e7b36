import type { Host, Principal, User } from './domain';
import { noiseEvent, type NoiseHost } from './noise';
import { HOUR, MINUTE, type Sim } from './sim';
import * as win from './windows-events';

/**
 * The traffic that scales with the estate: people signing in and reaching file shares,
 * databases and web apps; computers refreshing group policy; and the unrelated noise.
 * Each call is one short burst at `time`, so a pacer can spread as many as it needs.
 */
export class PeopleTraffic {
  private readonly resources: readonly Resource[];

  constructor(private readonly sim: Sim) {
    const d = sim.domain;
    const r = d.roles;
    const svc = (name: string): Principal => d.serviceAccounts.find((s) => s.name === name) ?? r.fileServer.account;
    this.resources = [
      ...repeat(6, { service: r.fileServer.account, host: r.fileServer, share: 'Projects' }),
      ...repeat(2, { service: r.fileServer.account, host: r.fileServer, share: 'Home$' }),
      ...repeat(2, { service: svc('svc-sql'), host: r.sqlServer }),
      ...repeat(3, { service: svc('svc-web'), host: r.webServer }),
      ...repeat(2, { service: svc('svc-sharepoint'), host: r.webServer }),
      ...repeat(2, { service: svc('svc-crm'), host: r.appServer }),
      { service: svc('svc-report'), host: r.sqlServer },
      // Extra application services of a bigger estate, each on its own server.
      ...d.serviceAccounts.filter((s) => s.name.startsWith('svc-app')).map((s) => ({ service: s, host: s.host })),
    ];
  }

  /** A user picked at random who is at work at `time`, or undefined after a few misses. */
  activeUser(time: number): User | undefined {
    const users = this.sim.domain.users;
    const hour = (time % (24 * HOUR)) / HOUR;
    for (let tries = 0; tries < 6; tries++) {
      const u = this.sim.rng.pick(users);
      if (u.anyHours || (hour >= u.workStart && hour < u.workEnd)) return u;
    }
    return undefined;
  }

  userBurst(u: User, time: number): void {
    const { sim } = this;
    const kdc = sim.rng.chance(0.85) ? u.kdc : sim.rng.pick(sim.domain.dcs);
    if (sim.needsTgt(u.name, time)) {
      this.signIn(u, kdc, time);
    } else if (u.ntlmServer && sim.rng.chance(0.3)) {
      this.ntlmAccess(u, u.ntlmServer, kdc, time);
    } else {
      let t = time;
      for (let n = sim.rng.int(1, 3); n > 0; n--) {
        this.kerberosAccess(u, kdc, sim.rng.pick(this.resources), t);
        t += sim.rng.int(200, 20_000);
      }
    }
  }

  /** A computer's periodic group policy refresh: TGT when due, LDAP and SYSVOL on its DC. */
  machineBurst(host: Host, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const kdc = d.dcs[hostHash(host.name) % d.dcs.length] as Host;
    let t = time;
    if (sim.needsTgt(host.account.name, t)) {
      sim.tgt(t, kdc, host.account, host.ip);
      t += sim.rng.int(5, 40);
    }
    sim.serviceTicket(t, kdc, host.account, kdc.account, host.ip);
    const id = sim.logon(t + sim.rng.int(2, 30), kdc, host.account, host.ip, { auth: 'kerberos' });
    const s = sim.subject(host.account, id);
    this.sysvolRead(kdc, s, host.ip, t + 40);
    if (sim.rng.chance(0.2)) {
      sim.emit(t + 60, win.shareObjectCheck(kdc.fqdn, s, { ip: host.ip, port: sim.port(), share: 'IPC$', localPath: '', target: 'lsarpc', accessMask: '0x3', accessList: '%%4416\n\t\t\t\t%%4417\n\t\t\t\t' }));
    }
    sim.logoff(t + sim.rng.int(1000, 4000), kdc, host.account, id);
  }

  /** A handful of unrelated events on one host. */
  noiseBurst(time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const r = sim.rng.float();
    const pool = r < 0.6 ? d.workstations : r < 0.85 ? d.servers : d.dcs;
    const index = sim.rng.int(0, pool.length - 1);
    const host = pool[index] as Host;
    const user = host.role === 'workstation' ? (d.users[index % d.users.length] as User) : host.account;
    const noiseHost: NoiseHost = { fqdn: host.fqdn, ip: host.ip, netbios: d.netbios, user: `${d.netbios}\\${user.name}`, userSid: user.sid };
    let t = time;
    for (let n = sim.rng.int(1, 4); n > 0; n--) {
      sim.emit(t, noiseEvent(noiseHost, t, sim.rng));
      t += sim.rng.int(1, 900);
    }
  }

  /** Morning sign-in: maybe a mistyped password or two, the TGT, the workstation, then policy from the DC. */
  private signIn(u: User, kdc: Host, time: number): void {
    const { sim } = this;
    const ws = u.workstation;
    let t = time;
    if (sim.rng.chance(0.05)) {
      for (let n = sim.rng.int(1, 2); n > 0; n--) {
        sim.preauthFailure(t, kdc, u, ws.ip);
        t += sim.rng.int(2500, 9000);
      }
    }
    sim.tgt(t, kdc, u, ws.ip);
    sim.serviceTicket(t + sim.rng.int(5, 20), kdc, u, ws.account, ws.ip);
    sim.emit(t + sim.rng.int(30, 80), win.logon(ws.fqdn, {
      account: u.name, sid: u.sid, domain: sim.domain.netbios, logonId: sim.logonId(ws.name), logonType: 2, auth: 'interactive',
      ip: '127.0.0.1', port: 0, workstation: ws.name, logonGuid: sim.logonGuid(u.name), subject: win.systemSubject(ws.account.name, sim.domain.netbios),
      processName: 'C:\\Windows\\System32\\winlogon.exe', elevated: false,
    }));
    t += sim.rng.int(300, 1500);
    sim.serviceTicket(t, kdc, u, kdc.account, ws.ip);
    const id = sim.logon(t + sim.rng.int(2, 30), kdc, u, ws.ip, { auth: 'kerberos' });
    this.sysvolRead(kdc, sim.subject(u, id), ws.ip, t + 40);
    sim.logoff(t + sim.rng.int(2000, 8000), kdc, u, id);
  }

  private kerberosAccess(u: User, kdc: Host, r: Resource, time: number): void {
    const { sim } = this;
    const ip = u.workstation.ip;
    sim.serviceTicket(time, kdc, u, r.service, ip);
    const t = time + sim.rng.int(3, 60);
    const id = sim.logon(t, r.host, u, ip, { auth: 'kerberos' });
    if (r.share) sim.emit(t + 2, win.shareAccess(r.host.fqdn, sim.subject(u, id), { ip, port: sim.port(), share: r.share, localPath: `\\??\\D:\\Shares\\${r.share.replace('$', '')}` }));
    sim.logoff(t + sim.rng.int(1000, 15 * MINUTE), r.host, u, id);
  }

  /** A server reached by IP address (or from an old client) falls back to NTLM: 4776 on the DC, 4624 NTLM on the server. */
  private ntlmAccess(u: User, server: Host, kdc: Host, time: number): void {
    const { sim } = this;
    const ws = u.workstation;
    let t = time;
    if (sim.rng.chance(0.08)) {
      sim.emit(t, win.ntlmValidation(kdc.fqdn, { account: u.name, workstation: ws.name, status: '0xc000006a' }));
      sim.emit(t + 2, win.logonFailure(server.fqdn, {
        account: u.name, domain: sim.domain.netbios, status: '0xc000006d', subStatus: '0xc000006a', logonType: 3, auth: 'ntlm', workstation: ws.name, ip: ws.ip, port: sim.port(),
      }));
      t += sim.rng.int(3000, 15_000);
    }
    sim.emit(t, win.ntlmValidation(kdc.fqdn, { account: u.name, workstation: ws.name, status: '0x0' }));
    const id = sim.logon(t + sim.rng.int(1, 10), server, u, ws.ip, { auth: 'ntlm', workstation: ws.name, keyLength: 128 });
    if (server === sim.domain.roles.fileServer) {
      sim.emit(t + 12, win.shareAccess(server.fqdn, sim.subject(u, id), { ip: ws.ip, port: sim.port(), share: 'Projects', localPath: '\\??\\D:\\Shares\\Projects' }));
    } else if (server.role === 'dc') {
      sim.emit(t + 12, win.shareAccess(server.fqdn, sim.subject(u, id), { ip: ws.ip, port: sim.port(), share: 'NETLOGON', localPath: `\\??\\C:\\Windows\\SYSVOL\\sysvol\\${sim.domain.dnsName}\\SCRIPTS` }));
    }
    sim.logoff(t + sim.rng.int(1000, 10 * MINUTE), server, u, id);
  }

  private sysvolRead(dc: Host, s: win.Subject, ip: string, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    sim.emit(time, win.shareAccess(dc.fqdn, s, { ip, port: sim.port(), share: 'SYSVOL', localPath: '\\??\\C:\\Windows\\SYSVOL\\sysvol' }));
    sim.emit(time + sim.rng.int(1, 20), win.shareObjectCheck(dc.fqdn, s, {
      ip, port: sim.port(), share: 'SYSVOL', localPath: '\\??\\C:\\Windows\\SYSVOL\\sysvol',
      target: `${d.dnsName}\\Policies\\{31B2F340-016D-11D2-945F-00C04FB984F9}\\gpt.ini`, accessMask: '0x120089', accessList: '%%1538\n\t\t\t\t%%1541\n\t\t\t\t%%4416\n\t\t\t\t%%4419\n\t\t\t\t%%4423\n\t\t\t\t',
    }));
  }
}

interface Resource {
  readonly service: Principal;
  readonly host: Host;
  readonly share?: string;
}

function repeat<T>(n: number, item: T): T[] {
  return new Array<T>(n).fill(item);
}

function hostHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return h;
}

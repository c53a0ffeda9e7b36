import { buildBenignEstate, RATES, type BenignEstate, type Rc4Device } from './benign-estate';
import type { Host, User } from './domain';
import { handleId, HOUR, MINUTE, type Sim } from './sim';
import { Operations, windowsDate } from './traffic-operations';
import * as win from './windows-events';

/**
 * The benign week's look-alikes (benign-estate.ts has the estate and the rates): each day is
 * planned at its start, as a time-sorted list of small activities, and run as the generator's
 * clock passes them. Every one is legitimate and every one resembles an attack in the logs.
 */
export class LookalikeTraffic {
  readonly estate: BenignEstate;
  private readonly ops: Operations;
  private plan: { readonly at: number; readonly run: (t: number) => void }[] = [];
  private next = 0;
  private plannedUntil: number;

  constructor(private readonly sim: Sim, seed: string, start: number, private readonly end: number) {
    this.estate = buildBenignEstate(sim.domain, seed);
    this.ops = new Operations(sim);
    this.plannedUntil = Math.floor(start / DAY) * DAY;
  }

  /** Runs every planned activity due before `until`, planning each day as it begins. */
  runUntil(until: number): void {
    for (;;) {
      while (this.next < this.plan.length && (this.plan[this.next] as Planned).at < until) {
        const p = this.plan[this.next++] as Planned;
        if (p.at >= this.sim.timeline.openFrom) p.run(p.at);
      }
      if (this.plannedUntil >= until || this.plannedUntil >= this.end) return;
      this.planDay(this.plannedUntil);
      this.plannedUntil += DAY;
    }
  }

  private planDay(day: number): void {
    const { sim, estate: e } = this;
    const d = sim.domain;
    const rng = sim.rng;
    const plan: Planned[] = [];
    const add = (at: number, run: (t: number) => void): void => { plan.push({ at, run }); };
    const atWork = (u: User): number => day + (u.workStart + rng.float() * (u.workEnd - u.workStart)) * HOUR;
    const office = (): number => day + (8 + rng.float() * 9) * HOUR;
    // A rate times the estate, at least once a day so a small estate shows every look-alike.
    const daily = (share: number, of: number): number => Math.max(1, Math.round(share * of));

    for (const device of e.rc4Devices) {
      for (const u of device.regulars) if (rng.chance(0.7)) add(atWork(u), (t) => this.panelSignIn(device, u, t));
    }
    e.scanners.forEach((scanner, i) => {
      const dcs = d.dcs.filter((_, k) => k % e.scanners.length === i);
      const servers = rng.sample(d.servers, Math.max(1, Math.round(d.servers.length * RATES.serverShareScannedPerDay / e.scanners.length)));
      let t = day + 22 * HOUR + rng.int(0, 30 * MINUTE);
      for (const target of [...dcs, ...servers]) {
        add(t, (at) => this.defaultCredentialProbe(scanner, target, at));
        t += rng.int(20_000, 3 * MINUTE);
      }
    });
    for (const u of rng.sample(d.users, daily(RATES.stalePhoneShare, d.users.length))) {
      const [lo, hi] = RATES.stalePhoneRetryMinutes;
      const mail = rng.pick(e.mailServers);
      let t = day + (7 + rng.float() * 5) * HOUR;
      const stop = t + (RATES.stalePhoneHours[0] + rng.float() * (RATES.stalePhoneHours[1] - RATES.stalePhoneHours[0])) * HOUR;
      for (; t < stop; t += rng.int(lo * MINUTE, hi * MINUTE)) add(t, (at) => this.stalePhone(u, mail, at));
    }
    for (const u of rng.sample(d.users, daily(RATES.mailSignInShare, d.users.length))) add(atWork(u), (t) => this.frontEndSignIn(u, rng.pick(e.mailServers), 'mail', t));
    for (const u of rng.sample(d.users, daily(RATES.adfsSignInShare, d.users.length))) add(atWork(u), (t) => this.frontEndSignIn(u, rng.pick(e.adfsServers), 'adfs', t));
    for (let n = daily(RATES.resetShare, d.users.length); n > 0; n--) add(office(), (t) => this.helpDesk('reset', t));
    for (let n = daily(RATES.unlockShare, d.users.length); n > 0; n--) add(office(), (t) => this.helpDesk('unlock', t));
    for (const ws of rng.sample(d.workstations, daily(RATES.pushShare, d.workstations.length))) add(office(), (t) => this.softwarePush(ws, t));
    for (const u of rng.sample(d.users, daily(RATES.srvsvcShare, d.users.length))) add(atWork(u), (t) => this.dcPipe(u, 'srvsvc', t));
    for (const u of rng.sample(d.users, daily(RATES.passwordChangeShare, d.users.length))) add(atWork(u), (t) => this.passwordChange(u, t));
    for (const u of e.legacyAppUsers) if (rng.chance(0.8)) add(atWork(u), (t) => this.legacyAppUse(u, t));

    plan.sort((a, b) => a.at - b.at);
    this.plan = [...this.plan.slice(this.next), ...plan];
    this.next = 0;
  }

  /** A user's AES TGT from their workstation when they have none yet, so every 4769 has its 4768. */
  private ensureTgt(u: User, time: number): void {
    if (this.sim.needsTgt(u.name, time)) this.sim.tgt(time, u.kdc, u, u.workstation.ip);
  }

  /** Sign-in at an old MFP's panel, then scan-to-folder: an RC4 (0x17) TGT and ticket from the device, with the user's password. */
  private panelSignIn(device: Rc4Device, u: User, time: number): void {
    const { sim } = this;
    const dc = sim.rng.pick(sim.domain.dcs);
    const fs = sim.domain.roles.fileServer;
    sim.tgt(time, dc, u, device.host.ip, { etype: '0x17' });
    sim.serviceTicket(time + sim.rng.int(200, 2000), dc, u, fs.account, device.host.ip, { etype: '0x17' });
    sim.kerberosSession(time + sim.rng.int(2100, 4000), fs, u, device.host.ip, sim.rng.int(3000, 40_000));
  }

  /** A default-credential check of Administrator: NTLM, named SCANxx on the DC's 4776, by address on the target's 4625. */
  private defaultCredentialProbe(scanner: Host, target: Host, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const dc = target.role === 'dc' ? target : (d.dcs[0] as Host);
    let t = time;
    for (let n = 0; n < RATES.probesPerTarget; n++) {
      sim.emit(t, win.ntlmValidation(dc.fqdn, { account: this.estate.administrator.name, workstation: scanner.name, status: '0xc000006a' }));
      sim.emit(t + 3, win.logonFailure(target.fqdn, {
        account: this.estate.administrator.name, domain: d.netbios, status: '0xc000006d', subStatus: '0xc000006a', logonType: 3, auth: 'ntlm', workstation: scanner.name, ip: scanner.ip, port: sim.port(),
      }));
      t += sim.rng.int(300, 4000);
    }
  }

  /** ActiveSync with the old password: Exchange tries Kerberos for the user (4771 from MAILxx on the DC) and logs 4625 type 8. */
  private stalePhone(u: User, mail: Host, time: number): void {
    const { sim } = this;
    sim.preauthFailure(time, u.kdc, u, mail.ip);
    sim.emit(time + 4, frontEndFailure(mail, u, sim.domain.netbios, 8, this.estate.mailLoadBalancerIp, sim.port(), W3WP));
  }

  /** A user's own sign-in through OWA or AD FS forms: the front-end asks the DC for the user's TGT; a typo first, sometimes. */
  private frontEndSignIn(u: User, host: Host, kind: 'mail' | 'adfs', time: number): void {
    const { sim, estate: e } = this;
    const client = kind === 'mail' ? e.mailLoadBalancerIp : e.wapIp;
    const logonType = kind === 'mail' ? 8 : 3;
    const process = kind === 'mail' ? W3WP : ADFS_HOST;
    let t = time;
    if (sim.rng.chance(RATES.typoShare)) {
      for (let n = sim.rng.int(1, 2); n > 0; n--) {
        sim.preauthFailure(t, u.kdc, u, host.ip);
        sim.emit(t + 4, frontEndFailure(host, u, sim.domain.netbios, logonType, client, sim.port(), process));
        t += sim.rng.int(4000, 20_000);
      }
    }
    sim.tgt(t, u.kdc, u, host.ip);
    const id = sim.logon(t + sim.rng.int(5, 40), host, u, client, { auth: 'interactive', logonType, processName: process, workstation: host.name, subject: win.systemSubject(host.account.name, sim.domain.netbios) });
    sim.logoff(t + sim.rng.int(1000, 5000), host, u, id, logonType);
  }

  /** A help desk agent resets a caller's password (4724, 4738) or unlocks the account (4767), from their workstation over LDAP. */
  private helpDesk(kind: 'reset' | 'unlock', time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const agent = sim.rng.pick(this.estate.helpDesk);
    const caller = sim.rng.pick(d.users);
    this.ensureTgt(agent, time);
    sim.serviceTicket(time + 5, agent.kdc, agent, agent.kdc.account, agent.workstation.ip);
    const id = sim.logon(time + 20, agent.kdc, agent, agent.workstation.ip, { auth: 'kerberos' });
    const s = sim.subject(agent, id);
    const t = time + sim.rng.int(500, 5000);
    if (kind === 'reset') {
      sim.emit(t, win.passwordReset(agent.kdc.fqdn, s, { account: caller.name, domain: d.netbios, sid: caller.sid }));
      sim.emit(t + 2, win.userChanged(agent.kdc.fqdn, s, { account: caller.name, domain: d.netbios, sid: caller.sid, passwordLastSet: windowsDate(t) }));
    } else {
      sim.emit(t, win.security(agent.kdc.fqdn, 4767, {
        TargetUserName: caller.name, TargetDomainName: d.netbios, TargetSid: caller.sid,
        SubjectUserSid: s.sid, SubjectUserName: s.name, SubjectDomainName: s.domain, SubjectLogonId: s.logonId,
      }));
    }
    sim.logoff(t + sim.rng.int(1000, 20_000), agent.kdc, agent, id);
  }

  /** The known deployment server (SCCM01, as svc-sccm) installs its client on a reimaged workstation: ADMIN$ and a service. */
  private softwarePush(ws: Host, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const src = d.roles.sccm.ip;
    const id = this.ops.adminSession(d.sccmAccount, src, ws, time, 4 * MINUTE);
    this.ops.installService(ws, d.sccmAccount, id, src, time + 200, {
      share: 'ADMIN$', file: 'ccmsetup\\ccmsetup.exe', serviceName: 'ccmsetup',
      imagePath: '"C:\\Windows\\ccmsetup\\ccmsetup.exe" /runservice /config:MobileClient.tcf', startType: 'auto start',
    });
  }

  /** Explorer listing a DC's shares: a network logon and the srvsvc pipe on IPC$ (NetShareEnum, which 5145 cannot tell from NetSessionEnum). */
  private dcPipe(u: User, pipe: 'srvsvc' | 'samr', time: number): string {
    const { sim } = this;
    const ip = u.workstation.ip;
    this.ensureTgt(u, time);
    sim.serviceTicket(time + 2, u.kdc, u, u.kdc.account, ip);
    const id = sim.logon(time + 10, u.kdc, u, ip, { auth: 'kerberos' });
    const s = sim.subject(u, id);
    sim.emit(time + 20, win.shareAccess(u.kdc.fqdn, s, { ip, port: sim.port(), share: 'IPC$', localPath: '' }));
    sim.emit(time + 21, win.shareObjectCheck(u.kdc.fqdn, s, { ip, port: sim.port(), share: 'IPC$', localPath: '', target: pipe, accessMask: '0x3', accessList: '%%4416\n\t\t\t\t%%4417\n\t\t\t\t' }));
    sim.logoff(time + sim.rng.int(1000, 8000) + 100, u.kdc, u, id);
    return id;
  }

  /** Ctrl+Alt+Del → Change a password: SAMR to the DC, the domain and the user's own object, then 4723 and 4738. */
  private passwordChange(u: User, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const id = this.dcPipe(u, 'samr', time);
    const s = sim.subject(u, id);
    const props = '---\n\t{bf967aba-0de6-11d0-a285-00aa003049e2}\n';
    sim.emit(time + 30, win.samAccess(u.kdc.fqdn, s, { objectType: 'SAM_DOMAIN', objectName: d.baseDn, accessMask: '0x205', handleId: handleId(sim), properties: props }));
    sim.emit(time + 35, win.samAccess(u.kdc.fqdn, s, { objectType: 'SAM_USER', objectName: u.sid, accessMask: '0x20044', handleId: handleId(sim), properties: props }));
    sim.emit(time + 40, win.security(u.kdc.fqdn, 4723, {
      TargetUserName: u.name, TargetDomainName: d.netbios, TargetSid: u.sid, SubjectUserSid: s.sid, SubjectUserName: s.name, SubjectDomainName: s.domain, SubjectLogonId: s.logonId, PrivilegeList: '-',
    }));
    sim.emit(time + 42, win.userChanged(u.kdc.fqdn, s, { account: u.name, domain: d.netbios, sid: u.sid, passwordLastSet: windowsDate(time + 42) }));
  }

  /** A user of the legacy app: its account has no AES keys, so each ticket for it is RC4 (0x17). */
  private legacyAppUse(u: User, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    let t = time + 5;
    for (let n = sim.rng.int(1, 3); n > 0; n--) {
      // The uses spread over hours: a client whose TGT has expired asks for a new one before the
      // service ticket, as Windows does, rather than presenting a TGT no DC issued in 10 hours.
      this.ensureTgt(u, t - 5);
      sim.serviceTicket(t, u.kdc, u, d.legacyService, u.workstation.ip, { etype: '0x17' });
      sim.kerberosSession(t + sim.rng.int(5, 40), d.legacyService.host, u, u.workstation.ip, sim.rng.int(5000, 20 * MINUTE));
      t += sim.rng.int(20 * MINUTE, 2 * HOUR);
    }
  }
}

interface Planned {
  readonly at: number;
  readonly run: (t: number) => void;
}

const DAY = 24 * HOUR;
const W3WP = 'C:\\Windows\\System32\\inetsrv\\w3wp.exe';
const ADFS_HOST = 'C:\\Windows\\ADFS\\Microsoft.IdentityServer.ServiceHost.exe';

/** 4625 on a front-end as LogonUser writes it there: Advapi / Negotiate, the service's process, the address it saw. */
function frontEndFailure(host: Host, u: User, netbios: string, logonType: number, ip: string, port: number, process: string): win.GeneratedEvent {
  return {
    ...win.logonFailure(host.fqdn, { account: u.name, domain: netbios, status: '0xc000006d', subStatus: '0xc000006a', logonType, auth: 'kerberos', workstation: host.name, ip, port }),
    LogonProcessName: 'Advapi  ', AuthenticationPackageName: 'Negotiate', ProcessName: process,
  };
}

import type { Host, User } from './domain';
import { GET_CHANGES, GET_CHANGES_ALL, HOUR, MINUTE, handleId, type Sim } from './sim';
import { ADMIN_CHANGES, Operations, type AdminChange } from './traffic-operations';
import * as win from './windows-events';

/**
 * The estate's own machinery, on its real schedules: DCs replicating from each other, Entra
 * Connect syncing every 30 minutes, a legacy app asking for an RC4 ticket every hour, a
 * Linux app whose account skips pre-authentication, a drive mapped with an old password,
 * and the daily IT operations (traffic-operations.ts). Several are benign look-alikes of
 * attacks; they start in the first hours so a learning detector sees them before anything else.
 */
export class InfrastructureTraffic {
  private readonly tasks: Task[] = [];
  private readonly ops: Operations;

  constructor(private readonly sim: Sim, start: number, private readonly end: number) {
    const d = sim.domain;
    const rng = sim.rng;
    this.ops = new Operations(sim);
    for (const [src, dst] of replicationPairs(d.dcs)) {
      this.every(start + rng.int(0, 10 * MINUTE), () => rng.int(5 * MINUTE, 15 * MINUTE), (t) => this.replicate(src, dst, t));
    }
    for (const dc of d.dcs) this.every(start + rng.int(0, 20 * MINUTE), () => rng.int(15 * MINUTE, 25 * MINUTE), (t) => this.dcHousekeeping(dc, t));
    this.every(start + rng.int(1 * MINUTE, 4 * MINUTE), () => 30 * MINUTE + rng.int(-20_000, 20_000), (t) => this.entraConnectSync(t));
    this.every(alignTo(start, HOUR) + 17 * MINUTE, () => HOUR + rng.int(-30_000, 30_000), (t) => this.legacyAppTicket(t));
    this.every(alignTo(start, HOUR) + 42 * MINUTE, () => HOUR, (t) => this.linuxAppSignIn(t));
    this.every(start + rng.int(5 * MINUTE, 50 * MINUTE), () => HOUR + rng.int(-5 * MINUTE, 5 * MINUTE), (t) => this.ops.sccmInventory(t));
    this.every(start + rng.int(20 * MINUTE, 40 * MINUTE), () => rng.int(25 * MINUTE, 35 * MINUTE), (t) => this.staleCredential(d.staleCredentialUser, t));
    const firstDay = alignTo(start, 24 * HOUR);
    this.planDay(firstDay);
    this.every(firstDay + 24 * HOUR, () => 24 * HOUR, (t) => this.planDay(t));
  }

  /** Runs every task due before `until`. */
  runUntil(until: number): void {
    for (let i = 0; i < this.tasks.length; i++) {
      const task = this.tasks[i] as Task;
      while (task.next < until) {
        const t = task.next;
        // A schedule that began before the data did: its earlier runs are not in the file.
        if (t >= this.sim.timeline.openFrom) task.run(t);
        task.next = task.interval ? t + task.interval() : Infinity;
      }
    }
  }

  private every(first: number, interval: () => number, run: (t: number) => void): void {
    this.tasks.push({ next: first, interval, run });
  }

  private once(at: number, run: (t: number) => void): void {
    if (at >= this.sim.timeline.openFrom && at < this.end) this.tasks.push({ next: at, run });
  }

  /** Daily jobs: backup at 01:00, SCCM client push, Windows Update tasks, and the admins' changes. */
  private planDay(day: number): void {
    const { sim } = this;
    const d = sim.domain;
    const rng = sim.rng;
    this.once(day + HOUR + rng.int(0, 5 * MINUTE), (t) => this.ops.backup(t));
    this.once(day + 2 * HOUR + rng.int(5 * MINUTE, 20 * MINUTE), (t) => this.ops.sccmClientPush(t));
    for (const dc of d.dcs) this.once(day + 3 * HOUR + rng.int(0, 40 * MINUTE), (t) => this.ops.updateTask(dc, t));
    const changes = Math.max(8, Math.min(400, Math.round(d.users.length / 40)));
    for (let i = 0; i < changes; i++) {
      const admin = rng.pick(d.admins);
      const kind = ADMIN_CHANGES[i % ADMIN_CHANGES.length] as AdminChange;
      this.once(day + 8 * HOUR + rng.int(0, 9 * HOUR), (t) => this.ops.adminChange(admin, kind, t));
    }
  }

  /** DRSUAPI replication: `dst` pulls changes from `src`, which audits it as 4662 by `DST$`. */
  private replicate(src: Host, dst: Host, time: number): void {
    const { sim } = this;
    let t = time;
    if (sim.needsTgt(dst.account.name, t)) sim.tgt(t, dst, dst.account, '::1');
    if (sim.rng.chance(0.25)) sim.serviceTicket(t += 3, dst, dst.account, src.account, '::1');
    const id = sim.logon(t += sim.rng.int(5, 40), src, dst.account, dst.ip, { auth: 'kerberos' });
    const s = sim.subject(dst.account, id);
    sim.replicationRight(t += sim.rng.int(1, 20), src, s, GET_CHANGES);
    // Get-Changes-All shows up when secrets (password changes) are part of the batch.
    if (sim.rng.chance(0.35)) sim.replicationRight(t + sim.rng.int(1, 5), src, s, GET_CHANGES_ALL);
    sim.logoff(t + sim.rng.int(1000, 30_000), src, dst.account, id);
  }

  /**
   * A drive mapped with saved credentials whose password has since changed: the workstation
   * retries it every half hour, all day, and fails (4776 on the DC, 4625 on the file server).
   */
  private staleCredential(u: User, time: number): void {
    const { sim } = this;
    const ws = u.workstation;
    const server = sim.domain.roles.fileServer;
    sim.emit(time, win.ntlmValidation(u.kdc.fqdn, { account: u.name, workstation: ws.name, status: '0xc000006a' }));
    sim.emit(time + 2, win.logonFailure(server.fqdn, {
      account: u.name, domain: sim.domain.netbios, status: '0xc000006d', subStatus: '0xc000006a', logonType: 3, auth: 'ntlm', workstation: ws.name, ip: ws.ip, port: sim.port(),
    }));
  }

  /** A DC's own machine TGT, and the SAM handles lsass opens for itself. */
  private dcHousekeeping(dc: Host, time: number): void {
    const { sim } = this;
    const d = sim.domain;
    if (sim.needsTgt(dc.account.name, time)) sim.tgt(time, dc, dc.account, '::1');
    const s = win.systemSubject(dc.account.name, d.netbios);
    sim.emit(time + 50, win.samAccess(dc.fqdn, s, {
      objectType: 'SAM_DOMAIN', objectName: d.baseDn, accessMask: '0x20385', handleId: handleId(sim),
      properties: '---\n\t{19195a5a-6da0-11d0-afd3-00c04fd930c9}\n',
    }));
  }

  /** Entra Connect password hash sync: replication of secrets by its MSOL_ account, from AADC01. */
  private entraConnectSync(time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const aadc = d.roles.entraConnect;
    const dc = sim.rng.chance(0.9) ? (d.dcs[0] as Host) : sim.rng.pick(d.dcs);
    let t = time;
    if (sim.needsTgt(d.syncAccount.name, t)) sim.tgt(t, dc, d.syncAccount, aadc.ip);
    sim.serviceTicket(t += sim.rng.int(5, 30), dc, d.syncAccount, dc.account, aadc.ip);
    const id = sim.logon(t += sim.rng.int(2, 20), dc, d.syncAccount, aadc.ip, { auth: 'kerberos' });
    const s = sim.subject(d.syncAccount, id);
    sim.replicationRight(t += sim.rng.int(20, 300), dc, s, GET_CHANGES);
    sim.replicationRight(t += sim.rng.int(1, 10), dc, s, GET_CHANGES_ALL);
    sim.logoff(t + sim.rng.int(5000, 40_000), dc, d.syncAccount, id);
  }

  /** The legacy app server's old client library can only do RC4 for svc-legacyapp. */
  private legacyAppTicket(time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const legacy = d.roles.legacyApp;
    const dc = d.dcs[1] ?? (d.dcs[0] as Host);
    let t = time;
    if (sim.needsTgt(legacy.account.name, t)) {
      sim.tgt(t, dc, legacy.account, legacy.ip);
      t += sim.rng.int(5, 30);
    }
    sim.serviceTicket(t, dc, legacy.account, d.legacyService, legacy.ip, { etype: '0x17', ticketOptions: '0x40810000' });
    sim.kerberosSession(t + sim.rng.int(5, 40), d.legacyService.host, legacy.account, legacy.ip, sim.rng.int(2000, 30_000));
  }

  /**
   * A Linux app authenticating from a keytab as svc-linuxkrb, which has DONT_REQ_PREAUTH set:
   * MIT kinit's first AS-REQ carries no pre-authentication and succeeds, with AES.
   */
  private linuxAppSignIn(time: number): void {
    const { sim } = this;
    const d = sim.domain;
    const dc = d.dcs[0] as Host;
    const account = d.noPreauthAccount;
    sim.tgt(time, dc, account, d.linuxHostIp, { preAuthType: '0', ticketOptions: '0x40800010' });
    const sql = d.serviceAccounts.find((s) => s.name === 'svc-sql') ?? d.legacyService;
    sim.serviceTicket(time + sim.rng.int(10, 50), dc, account, sql, d.linuxHostIp, { ticketOptions: '0x40800000' });
    sim.kerberosSession(time + sim.rng.int(60, 120), sql.host, account, d.linuxHostIp, sim.rng.int(1000, 20_000));
  }

}

interface Task {
  next: number;
  readonly interval?: () => number;
  readonly run: (t: number) => void;
}

/** Who pulls from whom: every pair in a small site, a two-way ring in a bigger one (as the KCC builds it). */
function replicationPairs(dcs: readonly Host[]): [Host, Host][] {
  const pairs: [Host, Host][] = [];
  if (dcs.length <= 3) {
    for (const a of dcs) for (const b of dcs) if (a !== b) pairs.push([a, b]);
    return pairs;
  }
  dcs.forEach((dc, i) => {
    pairs.push([dc, dcs[(i + 1) % dcs.length] as Host]);
    pairs.push([dc, dcs[(i + dcs.length - 1) % dcs.length] as Host]);
  });
  return pairs;
}

function alignTo(time: number, unit: number): number {
  return Math.floor(time / unit) * unit;
}


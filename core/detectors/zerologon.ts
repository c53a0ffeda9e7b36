import type { Severity } from '../alerts/alert';
import { accountKey, hostKey, isLoopback, type Account } from '../events/fields';
import type { AccountManagement, EventOrigin, IdentityEvent, Logon, NetlogonSecureChannel } from '../events/identity-event';
import { ANONYMOUS_SID } from '../estate/well-known-sids';
import { NETLOGON_EVENTS } from '../estate/netlogon';
import { MINUTE, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule } from './detector';
import { accountEntity, hostEntity, present } from '../alerts/entities';
import { originOf } from '../alerts/evidence';
import { and, anyOf, exists, security, type NativeQuery } from '../rules/tree';
import { KeyedTable, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeOrigin, encodeOrigin } from '../state/saved-events';

/**
 * Zerologon (CVE-2020-1472): Netlogon's AES-CFB8 with an all-zero IV lets an unauthenticated
 * caller pass NetrServerAuthenticate3 as a DC's machine account with an all-zero credential
 * after ~256 tries, then call NetrServerPasswordSet2 to reset that DC account's password, which
 * the DC audits as 4742 on its own account with a new PasswordLastSet and the subject ANONYMOUS
 * LOGON (S-1-5-7). The failed tries surface as Netlogon 5805 for the DC's own name; on patched
 * DCs the vulnerable (no secure RPC) channel is denied (5827/5828) or allowed by policy
 * (5829–5831). Member computers and legacy devices appear in those events too, which is not the
 * CVE: only a DC's account makes it one.
 */
const passwordSetAnonymously: NativeQuery = {
  name: 'anonymous-password-set',
  match: [{ source: security(4742), where: and(anyOf('SubjectUserSid', [ANONYMOUS_SID]), exists('PasswordLastSet')) }],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['TargetUserName'] }],
  riskObject: 'dest',
};

/** The failed tries and anonymous sessions that come before the password reset. */
const PRELUDE_MS = 15 * MINUTE;
const MAX_PRELUDE = 20;

export const declaration: DetectorDeclaration = {
  id: 'zerologon',
  title: 'Netlogon privilege elevation against a domain controller (Zerologon, CVE-2020-1472)',
  summary: 'A DC\'s machine account password was reset by ANONYMOUS LOGON (4742), or Netlogon reported failed or vulnerable secure channels claiming a DC\'s account (5805, 5827–5831).',
  severity: 'high',
  mitre: { tactics: ['privilege-escalation', 'lateral-movement'], techniques: ['T1210', 'T1068'] },
  requires: [{
    channel: 'Security', eventIds: [4742],
    fields: ['TargetUserName', 'TargetSid', 'SubjectUserSid', 'SubjectUserName', 'PasswordLastSet'],
    auditPolicy: 'Audit Computer Account Management (Success) on DCs',
  }, {
    channel: 'System', eventIds: NETLOGON_EVENTS,
    fields: ['Provider', 'Data'],
    auditPolicy: 'Always written by the Netlogon service to the System log on DCs (5827–5831 need the August 2020 update); collect the DCs\' System log',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetUserSid', 'LogonType', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs: anonymous network logons name the attacking machine',
  }],
  consumes: ['account_management', 'netlogon_secure_channel', 'logon'],
  falsePositives: [
    'A non-Windows device configured with the DC\'s name (5805 / 5829 for the DC\'s account): fix its configuration; exclude it by address meanwhile.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Install the August 2020 (or later) Netlogon update on every DC and enforce secure RPC (FullSecureChannelProtection = 1).',
    'Reset the DC\'s machine account password (Reset-ComputerMachinePassword) twice; an exploited DC fails replication until it is reset.',
    'Treat the domain as compromised from the reset on: the attacker can DCSync as the DC; isolate the source machine and reset krbtgt twice.',
  ],
  native: { kind: 'signal', queries: [passwordSetAnonymously], note: 'whether the account is a DC\'s needs the domain controllers the engine knows; an anonymous reset of a member\'s account is not the CVE' },
};

interface Prelude {
  time: number;
  event: EventOrigin;
  ip?: string;
  workstation?: string;
}

/** A DC's recent anonymous network logons and Netlogon failures, and the latest's time. */
interface Preludes {
  list: Prelude[];
  lastSeen: number;
}

/** `[latest, [[origin, ip, workstation], …]]` (a prelude's time is its event's), kept for PRELUDE_MS. */
const preludeTable: TableSpec<Preludes> = valueTable<'list', Prelude[]>('preludes', 'list', {
  horizonMs: PRELUDE_MS,
  write: (list) => list.map((p) => [encodeOrigin(p.event), p.ip ?? null, p.workstation ?? null]),
  read: (v, read, path) => read.list(v, path, MAX_PRELUDE, (x, p) => {
    const [origin, ip, workstation] = read.tuple(x, p, 3);
    const event = decodeOrigin(origin, read, `${p}.0`);
    const addr = read.optional(ip, `${p}.1`, (y, q) => read.string(y, q));
    const name = read.optional(workstation, `${p}.2`, (y, q) => read.string(y, q));
    return { time: event.time, event, ...(addr !== undefined ? { ip: addr } : {}), ...(name !== undefined ? { workstation: name } : {}) };
  }),
});

export const zerologon: DetectorModule = {
  declaration,
  create: (_settings, saved) => new ZerologonDetector(saved),
};

class ZerologonDetector implements Detector {
  readonly declaration = declaration;
  /** DC host key → its recent preludes. */
  private readonly preludes: KeyedTable<Preludes>;

  constructor(saved: unknown) {
    const { read, section } = openSection('zerologon', saved);
    this.preludes = new KeyedTable(preludeTable, section['preludes'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'logon') this.anonymousLogon(ev);
    else if (ev.kind === 'netlogon_secure_channel') this.secureChannel(ev, ctx);
    else if (ev.kind === 'account_management') this.passwordReset(ev, ctx);
  }

  /** An anonymous network logon to a DC: Netlogon over a null session, and the only place the source shows. */
  private anonymousLogon(ev: Logon): void {
    if (ev.account.sid !== ANONYMOUS_SID || ev.logonType !== 3 || !ev.ip || isLoopback(ev.ip)) return;
    this.remember(ev.host, { time: ev.time, event: originOf(ev), ip: ev.ip, ...(ev.workstation ? { workstation: ev.workstation } : {}) });
  }

  private secureChannel(ev: NetlogonSecureChannel, ctx: DetectionContext): void {
    if (!ev.accountName || !claimsDomainController(ev.accountName, ev.host, ctx)) return;
    this.remember(ev.host, { time: ev.time, event: originOf(ev) });
    const dc = ev.accountName.replace(/\$$/, '');
    const [severity, what]: [Severity, string] = ev.outcome === 'vulnerable_allowed'
      ? ['high', `allowed a vulnerable Netlogon secure channel (no secure RPC) for ${dc}'s account`]
      : ev.outcome === 'vulnerable_denied'
        ? ['medium', `denied a vulnerable Netlogon secure channel (no secure RPC) for ${dc}'s account`]
        : ['medium', `failed to authenticate a Netlogon session setup as ${dc}${ev.error ? ` (${ev.error === '%%5' ? 'access denied' : ev.error})` : ''}`];
    ctx.emit({
      keys: [hostKey(dc)],
      severity,
      description: `${ev.host} ${what}. A domain controller does not set up a Netlogon secure channel as itself; repeated failed authentications with a DC's name are how Zerologon brute-forces the all-zero credential.`,
      accounts: [accountEntity({ name: ev.accountName.endsWith('$') ? ev.accountName : `${ev.accountName}$` }, 'target')],
      hosts: [{ role: 'target', name: ev.host }],
      events: [originOf(ev)],
      details: { netlogonEvent: ev.eventId, ...(ev.accountType ? { accountType: ev.accountType } : {}), ...(ev.operatingSystem ? { operatingSystem: ev.operatingSystem } : {}) },
    });
  }

  /** NetrServerPasswordSet2 as ANONYMOUS LOGON on a DC's own account: the exploit's last step. */
  private passwordReset(ev: AccountManagement, ctx: DetectionContext): void {
    if (ev.action !== 'changed' || ev.objectClass !== 'computer' || !ev.passwordLastSet) return;
    if (ev.subject?.sid !== ANONYMOUS_SID || !isDomainControllerAccount(ev.target, ev.host, ctx)) return;
    const prelude = (this.preludes.get(hostKey(ev.host))?.list ?? []).filter((p) => ev.time - p.time <= PRELUDE_MS && p.time <= ev.time);
    const source = [...prelude].reverse().find((p) => p.ip);
    const dc = ev.target.name.replace(/\$$/, '');
    ctx.emit({
      keys: [hostKey(dc)],
      severity: 'high',
      title: 'Domain controller password reset by an anonymous Netlogon caller (Zerologon, CVE-2020-1472)',
      description: `The machine account ${ev.target.name} of the domain controller ${dc} had its password set by ANONYMOUS LOGON on ${ev.host}${source ? `, after an anonymous network logon from ${source.ip}${source.workstation ? ` (${source.workstation})` : ''}` : ''}. `
        + 'A DC changes its own password as itself; an unauthenticated caller can only do it through the Netlogon flaw. The attacker can now authenticate as the DC and replicate every secret.',
      accounts: [accountEntity(ev.subject, 'actor'), accountEntity(ev.target, 'target')],
      hosts: present([source ? hostEntity('source', source.workstation, source.ip) : undefined, hostEntity('target', ev.host)]),
      events: [originOf(ev), ...prelude.map((p) => p.event)],
      details: { passwordLastSet: ev.passwordLastSet, ...(source?.ip ? { anonymousLogonFrom: source.ip } : {}) },
    });
  }

  private remember(host: string, p: Prelude): void {
    const key = hostKey(host);
    const known = this.preludes.get(key);
    const list = (known?.list ?? []).filter((x) => p.time - x.time <= PRELUDE_MS);
    list.push(p);
    this.preludes.set(key, { list: list.slice(-MAX_PRELUDE), lastSeen: Math.max(known?.lastSeen ?? p.time, p.time) });
  }

  snapshot(): unknown {
    return { preludes: this.preludes.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.preludes.evict(before, watermark);
  }
}

/**
 * A DC's machine account: a known DC's `NAME$`, or the logging DC's own (4742 and Netlogon's
 * secure-channel events are written only by DCs, so the host that logs its own account is one).
 */
function isDomainControllerAccount(target: Account, host: string, ctx: DetectionContext): boolean {
  return ctx.directory.isDomainControllerAccount(target) || (target.name.endsWith('$') && accountKey(target) === `${hostKey(host)}$`);
}

/** Netlogon names the client as `NAME` (5805) or `NAME$` (5827–5831). */
function claimsDomainController(name: string, host: string, ctx: DetectionContext): boolean {
  const bare = name.replace(/\$$/, '');
  return hostKey(bare) === hostKey(host) || ctx.directory.isDomainController(bare);
}

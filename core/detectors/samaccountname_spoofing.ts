import type { Severity } from '../alerts/alert';
import { accountKey, hostKey, isLoopback, type Account } from '../events/fields';
import type { AccountManagement, EventOrigin, IdentityEvent, KerberosServiceTicket, KerberosTgtRequest } from '../events/identity-event';
import { HOUR, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { originOf } from '../alerts/evidence';
import { and, exists, not, security, suffix, type NativeQuery } from '../rules/tree';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../state/saved-events';

/**
 * sAMAccountName spoofing, "noPac" (CVE-2021-42278 / CVE-2021-42287): any user may create a
 * computer (MachineAccountQuota 10) and, as its owner, rename it. Unpatched DCs let the new
 * sAMAccountName drop the trailing `$` (42278), so the computer can be named like a DC (`DC01`).
 * A TGT requested for that name, kept after the computer is renamed back, is then accepted in
 * S4U2self, where the KDC, not finding `DC01`, retries `DC01$` and issues a ticket as the DC
 * (42287). The DC audits the rename (4781, and 4742 with the new SamAccountName), the TGT (4768
 * for the spoofed name) and the rename back; the computer's SPNs are usually cleared first
 * (4742 ServicePrincipalNames `<value not set>`), since they would collide with the DC's.
 * Renames that keep the `$`, and user renames, are ordinary.
 */
const NOT_SET = '%%1793';

/** A computer account renamed to a name without the trailing `$`: the 42278 condition itself. */
const renamedWithoutDollar: NativeQuery = {
  name: 'computer-name-without-dollar',
  match: [
    { source: security(4781), where: and(suffix('OldTargetUserName', '$'), exists('NewTargetUserName'), not(suffix('NewTargetUserName', '$'))) },
    { source: security(4742), where: and(exists('SamAccountName'), not(suffix('SamAccountName', '$'))) },
  ],
  outputs: [{ name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['NewTargetUserName', 'SamAccountName'] }],
  riskObject: 'user',
};

/** The steps of one run (create, clear SPNs, rename, TGT, rename back, S4U2self) take seconds; an hour is generous. */
const RUN_MS = HOUR;
const MAX_STEPS = 12;

export const declaration: DetectorDeclaration = {
  id: 'samaccountname_spoofing',
  title: 'Suspected sAMAccountName spoofing (noPac, CVE-2021-42278/42287)',
  summary: 'A computer account was renamed to a name without the trailing $ (4781 / 4742), high when the name is a DC\'s, with the TGT for the spoofed name (4768) and the rename back as evidence; a new computer whose SPNs were cleared (4741 then 4742) is the preparation.',
  severity: 'high',
  mitre: { tactics: ['privilege-escalation'], techniques: ['T1068', 'T1078.002'] },
  requires: [{
    channel: 'Security', eventIds: [4741, 4742, 4781],
    fields: ['TargetUserName', 'TargetSid', 'SamAccountName', 'ServicePrincipalNames', 'OldTargetUserName', 'NewTargetUserName', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Computer Account Management and Audit User Account Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [4768, 4769],
    fields: ['TargetUserName', 'TargetSid', 'IpAddress', 'Status', 'ServiceName'],
    auditPolicy: 'Audit Kerberos Authentication Service and Audit Kerberos Service Ticket Operations (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success) on DCs: traces the rename to its source address',
  }],
  consumes: ['account_management', 'kerberos_tgt_request', 'kerberos_service_ticket'],
  falsePositives: [
    'A provisioning script that writes computer names without the trailing $ by mistake: fix the script; exclude its account meanwhile.',
  ],
  thresholds: {},
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Install the November 2021 updates (KB5008102, KB5008380) on every DC and check that enforcement is on.',
    'Treat the actor as having obtained a ticket as the DC: reset its password, find the source machine, and look for DCSync from it.',
    'Delete the spoofing computer account and set ms-DS-MachineAccountQuota to 0 so users cannot create computers.',
  ],
  native: { kind: 'detector', queries: [renamedWithoutDollar] },
};

interface Run {
  actor: Account;
  /** Names the computer had during the run, lower case, `$` kept where it was. */
  names: string[];
  created?: EventOrigin;
  spnsCleared?: EventOrigin;
  spoofedDcName?: string;
  /** What the actor did, in order, for the alert's story. */
  steps: string[];
  last: number;
}

// Renames in one run: a handful; restore refuses only what no run could write.
const MAX_SAVED_NAMES = 10_000;

/** `[last, actor, names, created, spnsCleared, spoofedDcName, steps]` (null for absent), kept for RUN_MS: a later change starts a new run. */
const runTable: TableSpec<Run> = {
  name: 'runs',
  horizonMs: RUN_MS,
  lastSeen: (r) => r.last,
  encode: (r) => [r.last, encodeAccount(r.actor), r.names, r.created ? encodeOrigin(r.created) : null, r.spnsCleared ? encodeOrigin(r.spnsCleared) : null, r.spoofedDcName ?? null, r.steps],
  decode(v, read, path) {
    const [last, actor, names, created, spnsCleared, spoofedDcName, steps] = read.tuple(v, path, 7);
    const str = (x: unknown, p: string): string => read.string(x, p);
    const c = read.optional(created, `${path}.3`, (x, p) => decodeOrigin(x, read, p));
    const s = read.optional(spnsCleared, `${path}.4`, (x, p) => decodeOrigin(x, read, p));
    const dc = read.optional(spoofedDcName, `${path}.5`, str);
    return {
      last: read.number(last, `${path}.0`), actor: decodeAccount(actor, read, `${path}.1`), names: read.list(names, `${path}.2`, MAX_SAVED_NAMES, str),
      steps: read.list(steps, `${path}.6`, MAX_STEPS, str),
      ...(c ? { created: c } : {}), ...(s ? { spnsCleared: s } : {}), ...(dc !== undefined ? { spoofedDcName: dc } : {}),
    };
  },
};

export const samaccountnameSpoofing: DetectorModule = {
  declaration,
  create: (_settings, saved) => new SpoofingDetector(saved),
};

class SpoofingDetector implements Detector {
  readonly declaration = declaration;
  /** The computer's SID (or its name when the event has none) → what happened to it. */
  private readonly runs: KeyedTable<Run>;

  constructor(saved: unknown) {
    const { read, section } = openSection('samaccountname_spoofing', saved);
    this.runs = new KeyedTable(runTable, section['runs'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'account_management') this.accountChange(ev, ctx);
    else if (ev.kind === 'kerberos_tgt_request' || ev.kind === 'kerberos_service_ticket') this.ticketForSpoofedName(ev, ctx);
  }

  private accountChange(ev: AccountManagement, ctx: DetectionContext): void {
    const isComputer = ev.objectClass === 'computer' || (ev.action === 'renamed' && ev.oldName?.endsWith('$') === true);
    if (!isComputer || !ev.subject) return;
    const key = runKey(ev.target);
    if (ev.action === 'created') {
      this.runs.set(key, { actor: ev.subject, names: [ev.target.name.toLowerCase()], created: originOf(ev), steps: [`created the computer ${ev.target.name}`], last: ev.time });
      return;
    }
    const run = this.run(key, ev.subject, ev.time);
    if (ev.action === 'changed' && ev.servicePrincipalNames === NOT_SET && run.created) {
      run.spnsCleared = originOf(ev);
      this.emit(run, ev, ctx, 'medium', 'cleared its service principal names', 'Clearing them lets the computer be renamed like a domain controller without colliding with the DC\'s SPNs.');
      return;
    }
    const newName = ev.action === 'renamed' ? ev.target.name : ev.action === 'changed' ? ev.samAccountName : undefined;
    if (!newName || newName.endsWith('$')) return;
    if (!run.names.includes(newName.toLowerCase())) run.names.push(newName.toLowerCase());
    const dc = dcNamed(newName, ev.host, ctx);
    if (dc) run.spoofedDcName = newName.toLowerCase();
    const severity: Severity = dc || run.spoofedDcName ? 'high' : 'medium';
    const what = dc
      ? `${newName} (the domain controller ${dc}'s name without its $)`
      : run.spoofedDcName
        ? `${newName}, away from the DC-like name ${run.spoofedDcName}`
        : `${newName}, a computer name without the trailing $`;
    this.emit(run, ev, ctx, severity, `renamed it to ${what}`, 'Computer account names end in $; a TGT requested for a DC\'s name without it is taken, after the rename back, for the DC\'s own account in S4U2self.');
  }

  /** The TGT for the spoofed DC name (4768), and the S4U2self ticket it buys (4769). */
  private ticketForSpoofedName(ev: KerberosTgtRequest | KerberosServiceTicket, ctx: DetectionContext): void {
    if (ev.status !== 0 || ev.account.name.endsWith('$')) return;
    const name = ev.account.name.toLowerCase();
    const run = [...this.runs.values()].find((r) => r.spoofedDcName === name && ev.time - r.last <= RUN_MS);
    if (!run) return;
    run.last = ev.time;
    const ip = ev.ip && !isLoopback(ev.ip) ? ev.ip : undefined;
    const step = ev.kind === 'kerberos_tgt_request' ? `obtained a TGT for ${ev.account.name}` : `requested a service ticket to ${ev.serviceName} as ${ev.account.name}`;
    this.emit(run, ev, ctx, 'high', `${step}${ip ? ` from ${ip}` : ''}`, 'With a TGT for the DC\'s name, an S4U2self request after the rename back returns a ticket as the domain controller itself.', ip);
  }

  private run(key: string, actor: Account, time: number): Run {
    const known = this.runs.get(key);
    const run = known && time - known.last <= RUN_MS ? known : { actor, names: [], steps: [], last: time };
    run.last = time;
    this.runs.set(key, run);
    return run;
  }

  private emit(run: Run, ev: AccountManagement | KerberosTgtRequest | KerberosServiceTicket, ctx: DetectionContext, severity: Severity, step: string, why: string, ip?: string): void {
    if (run.steps.length < MAX_STEPS && run.steps[run.steps.length - 1] !== step) run.steps.push(step);
    const session = ev.kind === 'account_management' && ev.logonId ? ctx.directory.logonSession(ev.host, ev.logonId) : undefined;
    const source = ip ?? (session?.ip && !isLoopback(session.ip) ? session.ip : undefined);
    ctx.emit({
      keys: [accountKey(run.actor)],
      severity,
      description: `${qualified(run.actor)} ${run.steps.join(', then ')}. ${why}`,
      accounts: [accountEntity(run.actor, 'actor'), accountEntity(ev.kind === 'account_management' ? ev.target : ev.account, 'target')],
      hosts: present([hostEntity('source', session?.workstation, source), hostEntity('target', ev.host)]),
      events: [originOf(ev), ...present([run.created, run.spnsCleared])],
      details: { names: [...run.names], ...(run.spoofedDcName ? { spoofedDcName: run.spoofedDcName } : {}) },
    });
  }

  snapshot(): unknown {
    return { runs: this.runs.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.runs.evict(before, watermark);
  }
}

function runKey(target: Account): string {
  return target.sid ?? accountKey(target).replace(/\$$/, '');
}

/** The DC a `$`-less name copies: a known DC, or the DC logging the rename (4781/4742 are DC-only). */
function dcNamed(name: string, host: string, ctx: DetectionContext): string | undefined {
  if (hostKey(name) === hostKey(host)) return host;
  return ctx.directory.isDomainController(name) ? name : undefined;
}

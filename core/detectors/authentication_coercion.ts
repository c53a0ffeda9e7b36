import { accountKey, hostKey, isLoopback, serviceHostKey, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent, KerberosServiceTicket, Logon, LogonFailure, ShareAccess } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { and, anyOf, exists, not, or, security, suffix, type NativeQuery } from '../rules/tree';
import { ANONYMOUS_SID } from '../estate/well-known-sids';
import { COERCIBLE_PIPES, EFSR_SHARED_PIPES } from '../estate/rpc-pipes';
import { originOf } from '../alerts/evidence';
import { countDay, countedDaysTable, NO_DAYS, type CountedDays } from '../state/day-bits';
import { KeyedTable, seenTable, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../state/saved-events';

/** The share clients download printer drivers from (Point and Print): only print servers have it. */
const PRINT_DRIVER_SHARE = '\\print$';

/**
 * Authentication coercion (MDI "Suspicious network connection over Encrypting File System Remote
 * Protocol", "Suspected exploitation attempt on Windows Print Spooler service"; PrinterBug/SpoolSample, PetitPotam, DFSCoerce,
 * ShadowCoerce): an attacker calls an RPC method that makes the target open a file or a
 * notification channel on a path the attacker names, so the target's machine account
 * authenticates to the attacker's host, to be relayed (AD CS, LDAP) or captured by unconstrained
 * delegation. The call arrives as a remote open of the interface's named pipe over IPC$ (5145):
 * `spoolss` (MS-RPRN), `efsrpc` (MS-EFSR), `netdfs` (MS-DFSNM), `FssagentRpc` (MS-FSRVP). Those
 * pipes alone are reported unless the source is a learned print or file management server, or the
 * target is a server of that pipe: many clients open it, or (spoolss) clients download printer
 * drivers from its `print$` share, which only print servers have (Point and Print). MS-EFSR is also
 * reachable over `lsarpc`, `samr`, `lsass` and `netlogon`, which every domain member uses all
 * day: those count only when the target's machine account then authenticates to the source host,
 * or when the caller has no credentials at all (ANONYMOUS LOGON: unauthenticated PetitPotam,
 * CVE-2021-36942, before the August 2021 update).
 */

const DEFAULT_CORROBORATION_MINUTES = 2;
const MAX_SOURCES_PER_TARGET = 32;
const MAX_TRACKED = 20_000;

/** A remote open of a coercible pipe, or an anonymous one of an MS-EFSR pipe: every alert on a pipe alone satisfies it. */
const coerciblePipeOpen: NativeQuery = {
  name: 'coercible-pipe-open',
  match: [{
    source: security(5145),
    where: and(suffix('ShareName', 'IPC$'), exists('IpAddress'), not(anyOf('IpAddress', ['127.0.0.1', '::1'])),
      or(anyOf('RelativeTargetName', [...COERCIBLE_PIPES]), and(anyOf('RelativeTargetName', [...EFSR_SHARED_PIPES]), anyOf('SubjectUserSid', [ANONYMOUS_SID])))),
  }],
  outputs: [{ name: 'src', fields: ['IpAddress'] }, { name: 'user', fields: ['SubjectUserName'] }, { name: 'dest', fields: ['Computer'] }, { name: 'object', fields: ['RelativeTargetName'] }],
  riskObject: 'src',
};

export const declaration: DetectorDeclaration = {
  id: 'authentication_coercion',
  title: 'Authentication coercion over RPC (PrinterBug, PetitPotam, DFSCoerce)',
  summary: 'A remote open over IPC$ of a coercible RPC pipe (5145: spoolss, efsrpc, netdfs, FssagentRpc) from a host that is not a learned print/file management server, or of lsarpc/samr/lsass/netlogon followed by the target\'s machine account authenticating to that host (4624).',
  severity: 'medium',
  mitre: { tactics: ['credential-access'], techniques: ['T1187', 'T1557.001'] },
  requires: [{
    channel: 'Security', eventIds: [5145],
    fields: ['ShareName', 'RelativeTargetName', 'IpAddress', 'SubjectUserName', 'SubjectLogonId'],
    auditPolicy: 'Audit Detailed File Share (Success) on DCs and tier-0 servers: the remote pipe open',
  }, {
    channel: 'Security', eventIds: [5140],
    fields: ['ShareName', 'IpAddress'],
    // Only the print$ opens say anything here: the pull (and the file prefilter) skips the rest.
    where: suffix('ShareName', PRINT_DRIVER_SHARE),
    auditPolicy: 'Audit File Share (Success) on servers: clients downloading drivers from print$ identify print servers',
  }, {
    channel: 'Security', eventIds: [4624, 4625],
    fields: ['TargetUserName', 'IpAddress', 'LogonType', 'AuthenticationPackageName'],
    auditPolicy: 'Audit Logon (Success, Failure) on DCs and servers: the coerced machine account authenticating to the source',
  }, {
    channel: 'Security', eventIds: [4769],
    fields: ['TargetUserName', 'ServiceName'],
    auditPolicy: 'Audit Kerberos Service Ticket Operations (Success) on DCs: the coerced machine account asking for a ticket to the source host',
  }],
  consumes: ['share_access', 'logon', 'logon_failure', 'kerberos_service_ticket'],
  falsePositives: [
    'Print servers call back into clients\' spoolers (change notifications) and file-server management tools (FSRM, DFS Management, VSS backup agents) call netdfs/FssagentRpc: they are learned as management servers, or list their addresses in this detector\'s exclusions.ips.',
    'Clients opening spoolss on a print server: the server is known once clients download drivers from its print$ share, or once it serves several clients.',
  ],
  thresholds: {
    learnAfterDays: { default: 3, minimum: 2, integer: true, description: 'Distinct days a source must open coercible pipes, starting during the learning period, to be learned as a print or file management server' },
    serverClients: { default: 5, minimum: 2, maximum: 1000, integer: true, description: 'Distinct sources opening one pipe on a target after which the target is a server of that pipe (a print server)' },
    corroborationMinutes: { default: DEFAULT_CORROBORATION_MINUTES, minimum: 0.1, maximum: 60, integer: false, description: 'Minutes after the pipe open in which the target\'s machine account authenticating to the source confirms the coercion' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Find what the target authenticated to: an AD CS web enrolment endpoint (ESC8), LDAP, or a host with unconstrained delegation; revoke certificates issued to the target\'s machine account since.',
    'Stop the Print Spooler service on domain controllers and servers that do not print; apply the EFSRPC/PetitPotam mitigations (KB5005413: EPA on AD CS, RPC filters for MS-EFSR and MS-DFSNM).',
    'Isolate the source host and reset the credentials of the account that made the call.',
  ],
  native: { kind: 'signal', queries: [coerciblePipeOpen], note: 'the engine learns print and file management servers and print servers\' clients, and catches EFSRPC over lsarpc/samr/netlogon only when the target then authenticates to the source' },
};

interface PipeOpen {
  readonly source: string;
  readonly target: string;
  readonly pipe: string;
  readonly keys: string[];
  readonly actor?: Account;
  readonly time: number;
  readonly event: EventOrigin;
}

/** `source|dc` or `source|member`: the days it opened coercible pipes (a management server recurs), a day set and its count (at most 31). */
interface SourceDays extends CountedDays {
  lastSeen: number;
}

/** `target|pipe`: the distinct sources it served the pipe to (a print server serves many). */
interface Served {
  sources: string[];
  lastSeen: number;
}

/** A target machine account's pipe opens by source, awaiting the target's outward authentication. */
interface Pending {
  bySource: Map<string, PipeOpen>;
  lastSeen: number;
}

const MAX_DAYS = 31;

/** `[lastSeen, days, dayCount]`, for the state TTL: a learned management server. */
const sourceTable: TableSpec<SourceDays> = countedDaysTable('sources');

const servedTable: TableSpec<Served> = valueTable('served', 'sources', { read: (v, read, path) => read.list(v, path, MAX_SOURCES_PER_TARGET, (x, p) => read.string(x, p)) });

/**
 * Keyed by the target's machine account (`name$`), `[lastSeen, [[source, target, pipe, origin, actor], …]]`,
 * kept for corroborationMinutes: a later authentication cannot confirm an older open.
 */
function pendingTable(horizonMs: number): TableSpec<Pending> {
  return {
    name: 'pending',
    horizonMs,
    lastSeen: (p) => p.lastSeen,
    encode: (p) => [p.lastSeen, [...p.bySource.values()].map((o) => [o.source, o.target, o.pipe, encodeOrigin(o.event), o.actor ? encodeAccount(o.actor) : null])],
    decode(v, read, path) {
      const [lastSeen, opens] = read.tuple(v, path, 2);
      const bySource = new Map<string, PipeOpen>();
      read.list(opens, `${path}.1`, MAX_SOURCES_PER_TARGET, (x, p) => {
        const [source, target, pipe, origin, actor] = read.tuple(x, p, 5);
        const src = read.string(source, `${p}.0`);
        const tgt = read.string(target, `${p}.1`);
        const event = decodeOrigin(origin, read, `${p}.3`);
        const a = read.optional(actor, `${p}.4`, (y, q) => decodeAccount(y, read, q));
        // The time of an open is its event's (pipeOpened makes both from the 5145).
        bySource.set(src, { source: src, target: tgt, pipe: read.string(pipe, `${p}.2`), keys: [src, tgt], time: event.time, event, ...(a ? { actor: a } : {}) });
      });
      return { lastSeen: read.number(lastSeen, `${path}.0`), bySource };
    },
  };
}

export const authenticationCoercion: DetectorModule = {
  declaration,
  create: (settings, saved) => new CoercionDetector(settings, saved),
};

class CoercionDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly sources: KeyedTable<SourceDays>;
  private readonly served: KeyedTable<Served>;
  /** Hosts whose `print$` share clients download drivers from (Point and Print): print servers, saved as when last seen. */
  private readonly printServers: KeyedTable<{ lastSeen: number }>;
  private readonly pending: KeyedTable<Pending>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section, since } = openSection('authentication_coercion', saved);
    this.since = since;
    this.sources = new KeyedTable(sourceTable, section['sources'], read);
    this.served = new KeyedTable(servedTable, section['served'], read);
    this.printServers = new KeyedTable(seenTable('printServers'), section['printServers'], read);
    this.pending = new KeyedTable(pendingTable(threshold(settings, 'corroborationMinutes') * MINUTE), section['pending'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'share_access') this.pipeOpened(ev, ctx);
    else if ((ev.kind === 'logon' || ev.kind === 'logon_failure' || ev.kind === 'kerberos_service_ticket') && ev.account.name.endsWith('$')) this.machineAuthenticated(ev, ctx);
  }

  private pipeOpened(ev: ShareAccess, ctx: DetectionContext): void {
    if (!ev.ip || isLoopback(ev.ip)) return;
    if (ev.shareName.toLowerCase().endsWith(PRINT_DRIVER_SHARE)) {
      const host = hostKey(ev.host);
      if (!this.printServers.has(host)) this.printServers.capTo(MAX_TRACKED);
      this.printServers.set(host, { lastSeen: ev.time });
      return;
    }
    if (!ev.relativeTarget || !/IPC\$$/i.test(ev.shareName)) return;
    const pipe = ev.relativeTarget.toLowerCase().replace(/^\\+/, '');
    const shared = EFSR_SHARED_PIPES.includes(pipe);
    if (!shared && !COERCIBLE_PIPES.includes(pipe)) return;
    // A null session names no one: the caller is its address.
    const anonymous = ev.subject?.sid === ANONYMOUS_SID;
    this.since ??= ev.time;
    const target = hostKey(ev.host);
    const open: PipeOpen = {
      source: ev.ip, target, pipe, keys: [ev.ip, target], time: ev.time,
      event: originOf(ev), ...(ev.subject && !anonymous ? { actor: ev.subject } : {}),
    };
    const pending = capped(this.pending, `${target}$`, () => ({ bySource: new Map(), lastSeen: ev.time }));
    pending.lastSeen = ev.time;
    const { bySource } = pending;
    const known = bySource.has(ev.ip);
    bySource.delete(ev.ip);
    bySource.set(ev.ip, open);
    // One source added at a time: at most one over the cap, the oldest.
    if (!known && bySource.size > MAX_SOURCES_PER_TARGET) bySource.delete(bySource.keys().next().value as string);
    if (shared && !anonymous) return;
    const tier0 = ctx.directory.isTier0Host(ev.host);
    const printServer = pipe === 'spoolss' && !anonymous && this.printServers.has(target);
    const servesClients = this.serves(`${target}|${pipe}${anonymous ? '|anonymous' : ''}`, ev.ip, ev.time) || printServer;
    const managementServer = this.learnSource(`${ev.ip}|${tier0 ? 'dc' : 'member'}`, ev.time);
    if (servesClients || managementServer) return;
    ctx.emit({
      keys: open.keys,
      severity: tier0 ? 'high' : 'medium',
      description: `${anonymous ? 'An anonymous caller' : ev.subject ? qualified(ev.subject) : 'A caller'} from ${ev.ip} opened the ${pipe} pipe (${INTERFACES[pipe] ?? 'RPC'}) on ${ev.host}${tier0 ? ', a domain controller or tier-0 host' : ''}. `
        + (anonymous ? 'Without credentials this pipe serves no ordinary client; unauthenticated MS-EFSR calls are PetitPotam (CVE-2021-36942). ' : '')
        + 'Calls on this interface can make the target authenticate, with its machine account, to a host the caller names (authentication coercion), to be relayed or captured. '
        + 'The source is not a learned print or file management server.',
      accounts: open.actor ? [accountEntity(open.actor, 'actor')] : [],
      hosts: present([hostEntity('source', undefined, ev.ip), hostEntity('target', ev.host)]),
      events: [ev],
      details: { pipe, interface: INTERFACES[pipe], ...(anonymous ? { anonymous } : {}) },
    });
  }

  /**
   * The target's machine account authenticating to the source right after the pipe open: a logon
   * from the source's address (relayed through it), a logon on the source host itself, or (seen
   * on the KDC) a service ticket for the source host, as unconstrained-delegation abuse needs.
   */
  private machineAuthenticated(ev: Logon | LogonFailure | KerberosServiceTicket, ctx: DetectionContext): void {
    // Most machine logons follow no pipe open on that machine: one lookup and out.
    const bySource = this.pending.get(accountKey(ev.account))?.bySource;
    if (!bySource) return;
    // Relayed: the logon comes from the caller's address. Direct: it lands on the caller's host.
    const relayed = ev.kind !== 'kerberos_service_ticket' && ev.ip !== undefined && bySource.has(ev.ip);
    const toHost = ev.kind === 'kerberos_service_ticket' ? serviceHostKey(ev.serviceName) : ev.host;
    const source = relayed ? ev.ip : ctx.directory.machineAddresses(toHost).find((a) => bySource.has(a));
    const open = source ? bySource.get(source) : undefined;
    if (!source || !open || ev.time < open.time || ev.time - open.time > threshold(this.settings, 'corroborationMinutes') * MINUTE) return;
    bySource.delete(source);
    ctx.emit({
      keys: open.keys,
      severity: 'high',
      title: 'Authentication coercion confirmed: the target authenticated to the caller',
      description: `${open.actor ? `${qualified(open.actor)} from ` : ''}${open.source} opened the ${open.pipe} pipe on ${open.target}, and ${Math.max(1, Math.round((ev.time - open.time) / 1000))} s later `
        + `${qualified(ev.account)}, the target's machine account, ${relayed ? `authenticated to ${ev.host} from ${open.source}: its authentication was relayed by the caller`
          : ev.kind === 'kerberos_service_ticket' ? `asked the KDC for a service ticket to ${ev.serviceName}, the calling host` : `authenticated to ${ev.host}, the calling host`}. `
        + 'That is a coerced authentication (PrinterBug, PetitPotam, DFSCoerce).',
      accounts: present([open.actor ? accountEntity(open.actor, 'actor') : undefined, accountEntity(ev.account, 'target')]),
      // Relayed, the logon lands on the relay's victim (AD CS, LDAP); direct, on the calling host itself.
      hosts: present([hostEntity('source', relayed ? undefined : toHost, open.source), hostEntity('target', open.target), relayed ? hostEntity('target', ev.host) : undefined]),
      events: [open.event, ev],
      details: { pipe: open.pipe, interface: INTERFACES[open.pipe], relayed },
    });
  }

  /** Whether `target` serves this pipe to many clients (a print server); records `source` as one. */
  private serves(key: string, source: string, time: number): boolean {
    const s = capped(this.served, key, () => ({ sources: [], lastSeen: time }));
    s.lastSeen = time;
    if (!s.sources.includes(source) && s.sources.length < MAX_SOURCES_PER_TARGET) s.sources.push(source);
    return s.sources.length >= threshold(this.settings, 'serverClients');
  }

  /** Whether the source is a learned management server: coercible pipes on several days since learning began. */
  private learnSource(key: string, time: number): boolean {
    const learning = stillLearning(this.settings, this.since, time);
    if (!this.sources.has(key) && !learning) return false;
    const s = capped(this.sources, key, () => ({ days: NO_DAYS, dayCount: 0, lastSeen: time }));
    s.lastSeen = time;
    const day = Math.floor(time / DAY);
    countDay(s, day, MAX_DAYS);
    return s.dayCount >= threshold(this.settings, 'learnAfterDays');
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      sources: this.sources.snapshot(), served: this.served.snapshot(), printServers: this.printServers.snapshot(), pending: this.pending.snapshot(),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.sources.evict(before, watermark);
    this.served.evict(before, watermark);
    this.printServers.evict(before, watermark);
    this.pending.evict(before, watermark);
  }
}

const INTERFACES: Readonly<Record<string, string>> = {
  spoolss: 'MS-RPRN, print spooler', efsrpc: 'MS-EFSR, encrypting file system', netdfs: 'MS-DFSNM, DFS namespace management',
  fssagentrpc: 'MS-FSRVP, file server VSS agent', lsarpc: 'MS-LSAD / MS-EFSR', samr: 'MS-SAMR / MS-EFSR', lsass: 'MS-EFSR', netlogon: 'MS-NRPC / MS-EFSR',
};

/** The row of `key`, made by `fresh` when new; then the oldest inserted rows beyond MAX_TRACKED go. */
function capped<R>(table: KeyedTable<R>, key: string, fresh: () => R): R {
  let row = table.get(key);
  if (row === undefined) {
    row = fresh();
    table.set(key, row);
    table.capTo(MAX_TRACKED);
  }
  return row;
}

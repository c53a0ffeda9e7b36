import { accountKey, hostKey, isLoopback, isMachineAccount, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent, ShareAccess } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { DistinctWindow, isIpcPipe, judgeBreadth } from '../estate/source-profile';
import { newActorHabits, profileHabitsTable, type ProfileHabits } from '../estate/actor-habits';
import { KeyedTable, rowAt, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../state/saved-events';
import { originOf } from '../alerts/evidence';

import { none } from '../rules/tree';
import { LOCAL_SYSTEM_SID } from '../estate/well-known-sids';

/**
 * SMB session enumeration: NetSessionEnum (MS-SRVS, over \PIPE\srvsvc) lists who is connected
 * to a server and from where, and NetWkstaUserEnum (MS-WKST, \PIPE\wkssvc) who is logged on.
 * Run against a domain controller it tells an attacker where every user — and every admin —
 * currently is; run across many hosts it is user hunting (PowerView Invoke-UserHunter,
 * BloodHound session collection). The server audits the pipe open as 5145 on IPC$ with the
 * client's address. Each source is judged against its own history: its first such query to a
 * DC, or far more hosts than it usually touches, is reported.
 *
 * The 5145 names the pipe, not the call: Explorer listing a DC's shares (\\corp.example,
 * \\DC01) runs NetShareEnum over the same srvsvc pipe. Where many different sources open it on
 * a DC every week, one source's single open is that popular habit, not evidence (MDI filters
 * "popular activities" the same way, learn.microsoft.com/defender-for-identity/advanced-settings);
 * session collection still shows as opens on several DCs, or on many hosts, in one window.
 */

export const declaration: DetectorDeclaration = {
  id: 'smb_session_enumeration',
  title: 'User and IP address reconnaissance (SMB session enumeration)',
  summary: 'Session and logged-on user enumeration pipes (5145 IPC$ srvsvc/wkssvc) opened on a domain controller, or on many hosts, by a source with no such history.',
  severity: 'medium',
  mitre: { tactics: ['discovery'], techniques: ['T1049', 'T1087.002'] },
  requires: [{
    channel: 'Security', eventIds: [5145],
    fields: ['SubjectUserName', 'ShareName', 'RelativeTargetName', 'IpAddress'],
    auditPolicy: 'Audit Detailed File Share (Success) on DCs and servers',
  }],
  consumes: ['share_access'],
  falsePositives: [
    'Inventory, monitoring and vulnerability-scanning servers that query sessions on many hosts every day: their breadth and the DCs they query are learned per source.',
    'Users and administrators browsing a DC\'s shares from Explorer (NetShareEnum, the same srvsvc pipe): once many sources do it every week a single open on one DC is not reported; before that, learned for their workstation after a few days.',
  ],
  thresholds: {
    distinctHosts: { default: 5, minimum: 2, integer: true, description: 'Distinct hosts whose session pipes one source opened within the window' },
    windowMinutes: { default: 60, minimum: 1, integer: false, description: 'Sliding window' },
    learnAfterDays: { default: 3, minimum: 1, integer: true, description: 'Earlier days of such queries after which a source\'s habits are trusted' },
    growth: { default: 2, minimum: 1, integer: false, description: 'For a learned source, how many times its widest earlier day the number of hosts must reach' },
    popularSources: { default: 10, minimum: 2, maximum: 1000, integer: true, description: 'Distinct sources opening these pipes on DCs over the 7 earlier days that make a single open on one DC a popular habit of the estate, not reported alone' },
    dcsInWindow: { default: 2, minimum: 2, integer: true, description: 'In an estate where single DC opens are popular: distinct DCs one account opens them on from one source within the window that are still reported' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Find the process on the source that opened the pipes; PowerView, BloodHound/SharpHound and NetSess are typical.',
    'Restrict NetSessionEnum to administrators (NetCease, or the SrvsvcSessionInfo registry permissions) on DCs and servers.',
  ],
  native: none("needs the domain controllers learned from their own events, and the source's learned history of such opens"),
};

const PIPES = ['srvsvc', 'wkssvc'];
const CAP = 512;
const EVIDENCE = 10;

/** What the source opened the pipes on within the window, kept for the window past its last open. */
interface OpenWindow {
  hosts: DistinctWindow;
  /** Domain controllers it opened the pipes on within the window: `dc|account`, with when. */
  dcs: [string, number][];
  evidence: EventOrigin[];
  actor?: Account;
  lastSeen: number;
}

/** How far back the estate's DC openers are counted, and how many are kept (the bar is at most that). */
const POPULAR_SPAN_DAYS = 7;
/** popularSources' maximum: a day keeps at most that many openers. */
const MAX_OPENERS_A_DAY = 1000;
// The span's 8 days, plus any a late event opened before the next new day swept them: restore
// refuses only what no run could have written.
const MAX_OPENER_DAYS = 10_000;

/** `[lastSeen, hosts, [dc|account, time, …], evidence, actor]`. */
function windowTable(horizonMs: number): TableSpec<OpenWindow> {
  return {
    name: 'windows',
    horizonMs,
    lastSeen: (w) => w.lastSeen,
    encode: (w) => [w.lastSeen, w.hosts.encode(), w.dcs.flat(), w.evidence.map(encodeOrigin), w.actor ? encodeAccount(w.actor) : null],
    decode(v, read, path) {
      const [lastSeen, hosts, dcs, evidence, actor] = read.tuple(v, path, 5);
      const a = read.optional(actor, `${path}.4`, (x, p) => decodeAccount(x, read, p));
      return {
        lastSeen: read.number(lastSeen, `${path}.0`), hosts: DistinctWindow.decode(hosts, read, `${path}.1`, CAP),
        dcs: read.pairs(dcs, `${path}.2`, CAP, (x, p) => read.string(x, p), (x, p) => read.number(x, p)),
        evidence: read.list(evidence, `${path}.3`, EVIDENCE, (x, p) => decodeOrigin(x, read, p)),
        ...(a ? { actor: a } : {}),
      };
    },
  };
}

export const smbSessionEnumeration: DetectorModule = {
  declaration,
  create: (settings, saved) => new SmbSessionEnumerationDetector(settings, saved),
};

class SmbSessionEnumerationDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly sources: KeyedTable<ProfileHabits>;
  private readonly windows: KeyedTable<OpenWindow>;
  /** Per epoch day, sources that opened the pipes on a DC (at most popularSources a day): the estate's habit. Saved as `[[day, ips]]`. */
  private readonly dcOpeners: Map<number, string[]>;
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    const { read, section, since } = openSection('smb_session_enumeration', saved);
    this.since = since;
    this.sources = new KeyedTable(profileHabitsTable, section['sources'], read);
    this.windows = new KeyedTable(windowTable(this.windowMs), section['windows'], read);
    this.dcOpeners = new Map(read.list(section['dcOpeners'] ?? [], 'dcOpeners', MAX_OPENER_DAYS, (v, p) => {
      const [day, ips] = read.tuple(v, p, 2);
      return [read.count(day, `${p}.0`), read.list(ips, `${p}.1`, MAX_OPENERS_A_DAY, (x, q) => read.string(x, q))] as const;
    }));
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'share_access') return;
    const pipe = PIPES.find((p) => isIpcPipe(ev.shareName, ev.relativeTarget, p));
    if (!pipe || !ev.subject || isMachineAccount(ev.subject) || ev.subject.sid === LOCAL_SYSTEM_SID) return;
    // A server querying itself over loopback is not a client looking at it.
    if (!ev.ip || isLoopback(ev.ip)) return;
    this.since ??= ev.time;
    const { habits: h, window: s } = this.source(ev.ip, ev.time);
    s.actor = ev.subject;
    const target = hostKey(ev.host);
    const breadth = s.hosts.touch(target, ev.time, this.windowMs, CAP);
    if (s.evidence.length < EVIDENCE) s.evidence.push(originOf(ev));

    const judged = judgeBreadth(h.profile, breadth, ev.time, threshold(this.settings, 'distinctHosts'), threshold(this.settings, 'learnAfterDays'), threshold(this.settings, 'growth'));
    const regular = judged.regular;
    const dc = ctx.directory.isDomainController(ev.host);
    const why: string[] = [];
    const dcsNow = dc ? this.touchDc(s, `${target}|${accountKey(ev.subject)}`, ev.time) : 0;
    const popular = dc && this.popular(ev.time);
    if (dc && !(regular && h.profile.knewBefore('dc', ev.time)) && (!popular || dcsNow >= threshold(this.settings, 'dcsInWindow'))) {
      why.push(popular
        ? `opened session-enumeration pipes on ${dcsNow} domain controllers within ${this.windowMs / MINUTE} minutes (browsing a DC's shares touches one)`
        : `opened ${pipe} on the domain controller ${ev.host}, which lists ${pipe === 'srvsvc' ? 'every session on it and the address it comes from' : 'every user logged on to it'}`);
    }
    if (dc) this.rememberDcOpener(ev.ip, ev.time);
    if (judged.abnormal) {
      why.push(`opened session-enumeration pipes on ${breadth} hosts within ${this.windowMs / MINUTE} minutes${regular ? ` (its widest earlier day: ${judged.usual})` : ''}`);
    }
    h.profile.observe(ev.time, breadth);
    if (dc) h.profile.remember('dc', ev.time);
    if (why.length === 0) return;
    this.emit(ctx, ev, s, why, regular, breadth);
  }

  /**
   * Records a DC the source opened the pipes on as this account; returns on how many distinct
   * DCs the account did so from there within the window. Per account, because a terminal
   * server or a shared desk's users each browse the DC their logon found.
   */
  private touchDc(s: OpenWindow, dcAccount: string, time: number): number {
    s.dcs = [...s.dcs.filter(([k, t]) => k !== dcAccount && t >= time - this.windowMs), [dcAccount, time]];
    const account = dcAccount.slice(dcAccount.indexOf('|'));
    return s.dcs.filter(([k]) => k.endsWith(account)).length;
  }

  /** Whether, over the earlier days of the span, enough different sources opened these pipes on DCs. */
  private popular(time: number): boolean {
    const today = Math.floor(time / DAY);
    const seen = new Set<string>();
    for (const [day, ips] of this.dcOpeners) if (day < today && day >= today - POPULAR_SPAN_DAYS) for (const ip of ips) seen.add(ip);
    return seen.size >= threshold(this.settings, 'popularSources');
  }

  /** Each day keeps at most the bar's worth of sources (more cannot change the verdict) and only the span's days are kept. */
  private rememberDcOpener(ip: string, time: number): void {
    const today = Math.floor(time / DAY);
    let ips = this.dcOpeners.get(today);
    if (!ips) {
      ips = [];
      this.dcOpeners.set(today, ips);
      for (const day of this.dcOpeners.keys()) if (day < today - POPULAR_SPAN_DAYS) this.dcOpeners.delete(day);
    }
    if (ips.length < threshold(this.settings, 'popularSources') && !ips.includes(ip)) ips.push(ip);
  }

  private emit(ctx: DetectionContext, ev: ShareAccess, s: OpenWindow, why: readonly string[], regular: boolean, breadth: number): void {
    const actor = s.actor;
    ctx.emit({
      keys: [ev.ip ?? ''],
      severity: 'medium',
      description: `${actor ? qualified(actor) : 'A client'} from ${ev.ip} ${why.join('; ')}. `
        + (regular ? 'This is outside what the source has done on earlier days.' : 'The source has no history of such queries; attackers enumerate sessions to find where privileged users are logged on.'),
      accounts: present([actor ? accountEntity(actor, 'actor') : undefined]),
      hosts: present([hostEntity('source', undefined, ev.ip), hostEntity('target', ev.host)]),
      events: [originOf(ev), ...s.evidence],
      details: { pipe: ev.relativeTarget, hosts: s.hosts.recent(20), distinctHosts: breadth, domainController: ctx.directory.isDomainController(ev.host) },
      learning: !regular && stillLearning(this.settings, this.since, ev.time),
    });
  }

  /** The source's habits and its window; a window idle past windowMs starts afresh. */
  private source(ip: string, time: number): { habits: ProfileHabits; window: OpenWindow } {
    const habits = rowAt(this.sources, ip, time, () => newActorHabits(time));
    let w = this.windows.get(ip);
    if (!w || time - w.lastSeen > this.windowMs) {
      w ??= { hosts: new DistinctWindow(), dcs: [], evidence: [], lastSeen: time };
      w.evidence = [];
      this.windows.set(ip, w);
    }
    w.lastSeen = time;
    return { habits, window: w };
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      sources: this.sources.snapshot(),
      windows: this.windows.snapshot(),
      dcOpeners: [...this.dcOpeners],
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.sources.evict(before, watermark);
    this.windows.evict(before, watermark);
  }
}

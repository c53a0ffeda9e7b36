import { accountKey, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent } from '../events/identity-event';
import { ATTEMPT_KINDS, attemptOf, describeSource, type AuthAttempt } from '../estate/auth-attempts';
import { MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present } from '../alerts/entities';
import { DistinctWindow, judgeBreadth, SourceProfile } from '../estate/source-profile';
import { profileHabitsTable, type ProfileHabits } from '../estate/actor-habits';
import { KeyedTable, rowAt, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../state/saved-events';
import { originOf, duration } from '../alerts/evidence';

import { none } from '../rules/tree';

/**
 * Account enumeration: before guessing passwords an attacker finds which names exist, by
 * asking the KDC for a TGT (or a DC for an NTLM check) with names from a list. Names that do
 * not exist come back as KDC_ERR_C_PRINCIPAL_UNKNOWN (4768 0x6) or STATUS_NO_SUCH_USER
 * (4776/4625 0xC0000064); names that exist answer differently, which is the leak. A person
 * mistypes their own name now and then; a list produces many distinct unknown names from one
 * source, outnumbering the failures for real accounts (MDI's unknown-to-known ratio).
 */

export const declaration: DetectorDeclaration = {
  id: 'account_enumeration',
  title: 'Account enumeration reconnaissance',
  summary: 'Many distinct non-existent user names (4768 0x6, 4776/4625 0xC0000064) from one source, outnumbering its failures for real accounts.',
  severity: 'medium',
  mitre: { tactics: ['discovery'], techniques: ['T1087.002'] },
  requires: [{
    channel: 'Security', eventIds: [4768, 4771],
    fields: ['TargetUserName', 'Status', 'IpAddress', 'PreAuthType'],
    auditPolicy: 'Audit Kerberos Authentication Service (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4776],
    fields: ['TargetUserName', 'Workstation', 'Status'],
    auditPolicy: 'Audit Credential Validation (Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4625],
    fields: ['TargetUserName', 'SubjectUserName', 'Status', 'SubStatus', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Failure)',
  }],
  consumes: ATTEMPT_KINDS.filter((k) => k !== 'logon'),
  falsePositives: [
    'Servers that check many names on behalf of users (Exchange, mail gateways, identity tools reconciling leavers): their usual number of unknown names is learned per source.',
    'A misconfigured application retrying one stale account name: that is one name, not many, and does not fire.',
  ],
  thresholds: {
    minUnknownNames: { default: 10, minimum: 2, integer: true, description: 'Distinct non-existent names from one source within the window' },
    minUnknownShare: { default: 0.5, minimum: 0, maximum: 1, integer: false, description: 'Share of the source\'s failing names that do not exist (unknown / (unknown + real accounts that failed))' },
    windowMinutes: { default: 60, minimum: 1, integer: false, description: 'Sliding window' },
    learnAfterDays: { default: 3, minimum: 1, integer: true, description: 'Earlier days with unknown names after which a source\'s usual number is trusted' },
    growth: { default: 2, minimum: 1, integer: false, description: 'For a learned source, how many times its widest earlier day the number of unknown names must reach' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Find the process on the source that sent the requests; enumeration usually precedes password spraying against the names that exist.',
    'Watch the confirmed names (listed in the alert) for failures and successes from the source.',
  ],
  native: none("weighs a source's failures for non-existent names against its failures for real accounts, learned over 7 days"),
};

const CAP = 1024;
const FOUND_NAMES = 20;
const EVIDENCE = 10;

/** The names tried from a source within the window; it lives for the window past its last touch. */
interface NameWindow {
  unknown: DistinctWindow;
  /** Real accounts that failed from the source: the other side of the ratio. */
  known: DistinctWindow;
  /** Names the enumeration confirmed to exist (any answer but "no such user"), as logged. */
  found: string[];
  evidence: EventOrigin[];
  actor?: Account;
  sourceIp?: string;
  sourceName?: string;
  lastSeen: number;
}

function windowTable(horizonMs: number): TableSpec<NameWindow> {
  return {
    name: 'windows',
    horizonMs,
    lastSeen: (w) => w.lastSeen,
    encode: (w) => [w.lastSeen, w.unknown.encode(), w.known.encode(), w.found, w.evidence.map(encodeOrigin), w.actor ? encodeAccount(w.actor) : null, w.sourceIp ?? null, w.sourceName ?? null],
    decode(v, read, path) {
      const [lastSeen, unknown, known, found, evidence, actor, sourceIp, sourceName] = read.tuple(v, path, 8);
      const str = (x: unknown, p: string): string => read.string(x, p);
      const w: NameWindow = {
        lastSeen: read.number(lastSeen, `${path}.0`),
        unknown: DistinctWindow.decode(unknown, read, `${path}.1`, CAP),
        known: DistinctWindow.decode(known, read, `${path}.2`, CAP),
        found: read.list(found, `${path}.3`, FOUND_NAMES, str),
        evidence: read.list(evidence, `${path}.4`, EVIDENCE, (x, p) => decodeOrigin(x, read, p)),
      };
      const a = read.optional(actor, `${path}.5`, (x, p) => decodeAccount(x, read, p));
      const ip = read.optional(sourceIp, `${path}.6`, str);
      const name = read.optional(sourceName, `${path}.7`, str);
      if (a) w.actor = a;
      if (ip !== undefined) w.sourceIp = ip;
      if (name !== undefined) w.sourceName = name;
      return w;
    },
  };
}

export const accountEnumeration: DetectorModule = {
  declaration,
  create: (settings, saved) => new AccountEnumerationDetector(settings, saved),
};

class AccountEnumerationDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly sources: KeyedTable<ProfileHabits>;
  private readonly windows: KeyedTable<NameWindow>;
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    const { read, section, since } = openSection('account_enumeration', saved);
    this.since = since;
    this.sources = new KeyedTable(profileHabitsTable, section['sources'], read);
    this.windows = new KeyedTable(windowTable(this.windowMs), section['windows'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    const a = attemptOf(ev, ctx.directory);
    if (!a) return;
    if (a.outcome !== 'unknown_user') {
      // Failures for real accounts are the other side of the ratio; successes, the bulk of all
      // authentication, only matter for a source already guessing names (they confirm a name).
      const s = a.outcome === 'success' ? this.windows.get(a.source) : this.window(a.source, ev.time);
      if (!s) return;
      s.lastSeen = ev.time;
      const h = this.sources.get(a.source);
      if (h) h.lastSeen = ev.time;
      if (a.outcome !== 'success') s.known.touch(accountKey(a.account), ev.time, this.windowMs, CAP);
      s.unknown.expire(ev.time - this.windowMs);
      if (s.unknown.size > 0 && !s.found.includes(a.account.name) && s.found.length < FOUND_NAMES) s.found.push(a.account.name);
      return;
    }
    this.since ??= ev.time;
    const h = this.habits(a.source, ev.time);
    const s = this.window(a.source, ev.time);
    s.known.expire(ev.time - this.windowMs);
    s.unknown.expire(ev.time - this.windowMs);
    if (s.unknown.size === 0) {
      s.evidence = [];
      s.found = [];
    }
    const unknown = s.unknown.touch(accountKey(a.account), ev.time, this.windowMs, CAP);
    if (s.evidence.length < EVIDENCE) s.evidence.push(originOf(ev));
    if (a.actor) s.actor = a.actor;
    if (a.sourceIp) s.sourceIp = a.sourceIp;
    if (a.sourceName) s.sourceName ??= a.sourceName;

    const judged = judgeBreadth(h.profile, unknown, ev.time, threshold(this.settings, 'minUnknownNames'), threshold(this.settings, 'learnAfterDays'), threshold(this.settings, 'growth'));
    h.profile.observe(ev.time, unknown);
    const share = unknown / (unknown + s.known.size);
    if (!judged.abnormal || share < threshold(this.settings, 'minUnknownShare')) return;
    this.emit(ctx, s, a, ev, unknown, share, judged.regular, judged.usual, !judged.regular && stillLearning(this.settings, this.since, ev.time));
  }

  private emit(ctx: DetectionContext, s: NameWindow, a: AuthAttempt, ev: IdentityEvent, unknown: number, share: number, regular: boolean, usual: number, learning: boolean): void {
    const from = describeSource({ ...s, source: a.source });
    const baseline = regular ? `; it usually produces at most ${usual} a day` : '; the source has no history of unknown names on this scale';
    ctx.emit({
      keys: [a.source],
      severity: 'medium',
      description: `${unknown} different user names that do not exist were tried from ${from} within ${duration(ev.time - (s.unknown.since ?? ev.time))} `
        + `(${Math.round(share * 100)}% of the names that failed from it), e.g. ${s.unknown.recent(5).join(', ')}: someone is testing a list of names to learn which exist${baseline}.`
        + (s.found.length ? ` Names confirmed to exist: ${s.found.slice(0, 10).join(', ')}.` : ''),
      accounts: present([s.actor ? accountEntity(s.actor, 'actor') : undefined, ...s.found.slice(0, 10).map((name) => accountEntity({ name }, 'target'))]),
      hosts: present([hostEntity('source', s.sourceName, s.sourceIp), hostEntity('destination', ev.host)]),
      events: [originOf(ev), ...s.evidence],
      details: { unknownNames: unknown, knownFailures: s.known.size, unknownShare: Number(share.toFixed(2)), confirmedNames: s.found, usualUnknownNames: usual },
      learning,
    });
  }

  private habits(source: string, time: number): ProfileHabits {
    return rowAt(this.sources, source, time, () => ({ profile: new SourceProfile(), lastSeen: time }));
  }

  private window(source: string, time: number): NameWindow {
    return rowAt(this.windows, source, time, () => ({ unknown: new DistinctWindow(), known: new DistinctWindow(), found: [], evidence: [], lastSeen: time }));
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      sources: this.sources.snapshot(),
      windows: this.windows.snapshot(),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.sources.evict(before, watermark);
    this.windows.evict(before, watermark);
  }
}

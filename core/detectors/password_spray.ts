import type { Severity } from '../alerts/alert';
import { accountKey, hostKey, type Account } from '../events/fields';
import type { EventOrigin, IdentityEvent } from '../events/identity-event';
import { ATTEMPT_KINDS, attemptOf, describeSource, type AuthAttempt } from '../estate/auth-attempts';
import { MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { judgeBreadth, SourceProfile } from '../estate/source-profile';
import { KeyedTable, rowAt, type TableSpec } from '../state/keyed-table';
import { openSection, pushCapped } from '../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../state/saved-events';
import { originOf, duration } from '../alerts/evidence';
import { none } from '../rules/tree';

/**
 * Password spray: one source tries one password (or a few) against many accounts, staying
 * under every per-account lockout. Each account sees one or two failures, so per-account
 * rules (and brute_force's vertical mode) never fire; the signal is the breadth per source,
 * counted across Kerberos and NTLM because spray tools use either and fall back between them.
 * brute_force's horizontal mode covers the other shape: several accounts with many guesses each.
 */

export const declaration: DetectorDeclaration = {
  id: 'password_spray',
  title: 'Suspected password spray',
  summary: 'Failed authentications for many different accounts from one source, few attempts each, Kerberos (4771/4768) and NTLM (4776/4625) together; escalated when an account then succeeds from that source.',
  severity: 'medium',
  mitre: { tactics: ['credential-access'], techniques: ['T1110.003'] },
  requires: [{
    channel: 'Security', eventIds: [4771, 4768],
    fields: ['TargetUserName', 'Status', 'IpAddress', 'PreAuthType'],
    auditPolicy: 'Audit Kerberos Authentication Service (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4776],
    fields: ['TargetUserName', 'Workstation', 'Status'],
    auditPolicy: 'Audit Credential Validation (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4625, 4624],
    fields: ['TargetUserName', 'SubjectUserName', 'Status', 'SubStatus', 'LogonType', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success, Failure) on DCs and member servers',
  }],
  consumes: [...ATTEMPT_KINDS],
  falsePositives: [
    'People mistyping and then getting in: an account that authenticates from the same source after failing is not counted in the breadth, whatever the source.',
    'Front-ends where many users mistype every day (Exchange, AD FS, VPN, VDI or RDS gateways, NAT): configured in `frontEnds` or learned (30+ accounts authenticating through them on 2+ days). A failure that names the client behind the front-end is judged as that client\'s; without client evidence only failures that are not followed by the user\'s own success, far beyond the front-end\'s usual, are reported, at a lower severity.',
    'Password-audit tools run by the security team: exclude their host.',
  ],
  thresholds: {
    minAccounts: { default: 5, minimum: 2, integer: true, description: 'Distinct accounts that failed from one source within the window (names that do not exist included)' },
    maxMeanAttempts: { default: 2.5, minimum: 1, integer: false, description: 'Average attempts per account at most this: more is brute_force\'s horizontal shape, not a spray' },
    highAccounts: { default: 20, minimum: 3, integer: true, description: 'Distinct accounts that make the alert high severity' },
    windowMinutes: { default: 60, minimum: 1, integer: false, description: 'Sliding window; sprays pace their rounds (often 30 min apart) to dodge lockout' },
    successWindowMinutes: { default: 60, minimum: 1, integer: false, description: 'How long after the spray a success from the source means a sprayed password worked' },
    learnAfterDays: { default: 3, minimum: 1, integer: true, description: 'Earlier days with failures after which a source\'s usual breadth is trusted' },
    growth: { default: 2, minimum: 1, integer: false, description: 'For a learned source, how many times its widest earlier day the breadth must reach' },
    frontEndMinAccounts: { default: 50, minimum: 5, integer: true, description: 'Through a front-end (configured `frontEnds` or learned) with no client evidence: accounts that failed and did not then succeed, within the window, before a spray is considered' },
    frontEndGrowth: { default: 4, minimum: 1, integer: false, description: 'Through a front-end with failure history: how many times its widest earlier day those unrecovered accounts must reach' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Block or isolate the source; find the process that sent the attempts (4625 names it on the member).',
    'Reset the passwords of accounts that authenticated successfully from the source during or after the spray.',
    'Ban common and seasonal passwords (Entra Password Protection on-prem, or a custom filter).',
  ],
  native: none("weighs failures for many accounts from one source against what that source and the front-ends it relays for normally fail (learned over 7 days)"),
};

/**
 * An attempt whose source is a front-end, judged by its client where the event says who that
 * is: a 4625 from the front-end's address naming the client's workstation, or a 4776 naming
 * a client that is not the front-end, is that client's attempt. Otherwise the attempt stays
 * the front-end's, marked so the front-end's own, higher bar applies.
 */
type RelayedAttempt = AuthAttempt & { readonly frontEnd?: boolean };

function throughFrontEnd(a: AuthAttempt, ctx: DetectionContext): RelayedAttempt {
  const viaIp = a.sourceIp !== undefined && ctx.directory.isFrontEnd({ ip: a.sourceIp });
  if (!viaIp && !ctx.directory.isFrontEnd({ ...(a.sourceName ? { name: a.sourceName } : {}) })) return a;
  const client = a.sourceName && viaIp && !ctx.directory.isFrontEnd({ name: a.sourceName }) ? a.sourceName : undefined;
  if (client) {
    const { sourceIp: _frontEnd, ...rest } = a;
    return { ...rest, source: hostKey(client), sourceName: client };
  }
  return { ...a, frontEnd: true };
}

/** Events of one attempt (a 4771, the NTLM fallback's 4776 on the DC and 4625 on the member) land within this of each other. */
const SAME_ATTEMPT_MS = 5_000;
const MAX_ACCOUNTS_PER_SOURCE = 512;
const MAX_USUAL_USERS = 16;
const EVIDENCE = 10;
/** The events of one attempt remembered to tell it from the next (a 4771, 4776 and 4625 at most, and one spare). */
const SEEN_PER_ATTEMPT = 4;

interface TriedAccount {
  /** The name as logged, for descriptions and entities. */
  readonly name: string;
  attempts: number;
  last: number;
  /** host|EventID of the events in the current attempt, to tell a new attempt from another log of the same one. */
  seen: string[];
  tested: boolean;
  unknown: boolean;
  /** The account then authenticated through the source: a typo its owner corrected, not a guess. */
  recovered?: boolean;
}

/**
 * What the source is doing now: the accounts failing from it within the window, and the spray
 * judged on them. It lives for the window plus the success window past its last failure
 * (`burstHorizonMs`): by then every account in it would be expired by the next failure and no
 * success could follow the spray, so only the learned habits below need the state TTL.
 */
interface Burst {
  accounts: Map<string, TriedAccount>;
  attempts: number;
  tested: number;
  unknown: number;
  recovered: number;
  first: number;
  evidence: EventOrigin[];
  actor?: Account;
  sourceIp?: string;
  sourceName?: string;
  sprayedAt?: number;
  sprayedAccounts?: number;
  /** The spray was judged while its baseline was still learning: its success alert is too. */
  sprayLearning?: boolean;
  lastSeen: number;
}

/** What the source usually does, kept for the state TTL. */
interface Habits {
  /** Accounts that authenticated from this source before it sprayed: its usual users. */
  usual: string[];
  profile: SourceProfile;
  /** The source is a front-end relaying other clients' attempts (core/estate/front-ends.ts). */
  frontEnd: boolean;
  lastSeen: number;
}

const TESTED = 1;
const UNKNOWN = 2;
const RECOVERED = 4;

const habitsTable: TableSpec<Habits> = {
  name: 'sources',
  lastSeen: (h) => h.lastSeen,
  encode: (h) => [h.lastSeen, h.profile.encode(), h.usual, h.frontEnd ? 1 : 0],
  decode(v, read, path) {
    const [lastSeen, profile, usual, frontEnd] = read.tuple(v, path, 4);
    return {
      lastSeen: read.number(lastSeen, `${path}.0`),
      profile: SourceProfile.decode(profile, read, `${path}.1`),
      usual: read.list(usual, `${path}.2`, MAX_USUAL_USERS, (x, p) => read.string(x, p)),
      frontEnd: read.count(frontEnd, `${path}.3`) === 1,
    };
  },
};

function burstTable(horizonMs: number): TableSpec<Burst> {
  return {
    name: 'bursts',
    horizonMs,
    lastSeen: (b) => b.lastSeen,
    encode: (b) => [
      b.lastSeen, b.first,
      [...b.accounts].map(([k, t]) => [k, t.name, t.attempts, t.last, t.seen, (t.tested ? TESTED : 0) | (t.unknown ? UNKNOWN : 0) | (t.recovered ? RECOVERED : 0)]),
      b.evidence.map(encodeOrigin), b.actor ? encodeAccount(b.actor) : null, b.sourceIp ?? null, b.sourceName ?? null,
      b.sprayedAt ?? null, b.sprayedAccounts ?? null, b.sprayLearning ? 1 : 0,
    ],
    decode(v, read, path) {
      const [lastSeen, first, accounts, evidence, actor, sourceIp, sourceName, sprayedAt, sprayedAccounts, sprayLearning] = read.tuple(v, path, 10);
      const str = (x: unknown, p: string): string => read.string(x, p);
      const b: Burst = {
        accounts: new Map(), attempts: 0, tested: 0, unknown: 0, recovered: 0,
        lastSeen: read.number(lastSeen, `${path}.0`), first: read.number(first, `${path}.1`),
        evidence: read.list(evidence, `${path}.3`, EVIDENCE, (x, p) => decodeOrigin(x, read, p)),
      };
      read.list(accounts, `${path}.2`, MAX_ACCOUNTS_PER_SOURCE, (x, p) => {
        const [key, name, attempts, last, seen, flags] = read.tuple(x, p, 6);
        const f = read.count(flags, `${p}.5`);
        const t: TriedAccount = {
          name: str(name, `${p}.1`), attempts: read.count(attempts, `${p}.2`), last: read.number(last, `${p}.3`),
          seen: read.list(seen, `${p}.4`, SEEN_PER_ATTEMPT, str), tested: (f & TESTED) !== 0, unknown: (f & UNKNOWN) !== 0,
          ...((f & RECOVERED) !== 0 ? { recovered: true } : {}),
        };
        // The counters are the sums over the accounts: derived, never saved, so they cannot disagree.
        b.accounts.set(str(key, `${p}.0`), t);
        b.attempts += t.attempts;
        if (t.tested) b.tested++;
        if (t.unknown) b.unknown++;
        if (t.recovered) b.recovered++;
      });
      const a = read.optional(actor, `${path}.4`, (x, p) => decodeAccount(x, read, p));
      const ip = read.optional(sourceIp, `${path}.5`, str);
      const name = read.optional(sourceName, `${path}.6`, str);
      const at = read.optional(sprayedAt, `${path}.7`, (x, p) => read.number(x, p));
      const n = read.optional(sprayedAccounts, `${path}.8`, (x, p) => read.count(x, p));
      if (a) b.actor = a;
      if (ip !== undefined) b.sourceIp = ip;
      if (name !== undefined) b.sourceName = name;
      if (at !== undefined) b.sprayedAt = at;
      if (n !== undefined) b.sprayedAccounts = n;
      if (read.count(sprayLearning, `${path}.9`) === 1) b.sprayLearning = true;
      return b;
    },
  };
}

export const passwordSpray: DetectorModule = {
  declaration,
  create: (settings, saved) => new PasswordSprayDetector(settings, saved),
};

class PasswordSprayDetector implements Detector {
  readonly declaration = declaration;
  private since: number | undefined;
  private readonly sources: KeyedTable<Habits>;
  private readonly bursts: KeyedTable<Burst>;
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    const burstHorizonMs = this.windowMs + threshold(settings, 'successWindowMinutes') * MINUTE;
    const { read, section, since } = openSection('password_spray', saved);
    this.since = since;
    this.sources = new KeyedTable(habitsTable, section['sources'], read);
    this.bursts = new KeyedTable(burstTable(burstHorizonMs), section['bursts'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    const attempt = attemptOf(ev, ctx.directory);
    if (!attempt) return;
    const a = throughFrontEnd(attempt, ctx);
    if (a.outcome === 'success') this.onSuccess(ev, a, ctx);
    else if (a.outcome !== 'exists') this.onFailure(ev, a, ctx);
  }

  private onFailure(ev: IdentityEvent, a: RelayedAttempt, ctx: DetectionContext): void {
    this.since ??= ev.time;
    const h = this.habits(a.source, ev.time);
    const s = this.burst(a.source, ev.time);
    this.expire(s, ev.time);
    const key = accountKey(a.account);
    const eventKey = `${ev.host.toLowerCase()}|${ev.eventId}`;
    let tried = s.accounts.get(key);
    if (tried) {
      s.accounts.delete(key); // re-inserted below: the map stays in last-touch order
      if (ev.time - tried.last > SAME_ATTEMPT_MS || tried.seen.includes(eventKey)) {
        tried.attempts++;
        s.attempts++;
        tried.seen = [];
      }
    } else {
      tried = { name: a.account.name, attempts: 1, last: ev.time, seen: [], tested: false, unknown: false };
      s.attempts++;
      if (s.accounts.size === 0) { s.first = ev.time; s.evidence = []; }
    }
    tried.last = ev.time;
    if (tried.seen.length < SEEN_PER_ATTEMPT) tried.seen.push(eventKey);
    if (a.outcome === 'wrong_password' && !tried.tested) { tried.tested = true; s.tested++; }
    if (a.outcome === 'unknown_user' && !tried.unknown) { tried.unknown = true; s.unknown++; }
    s.accounts.set(key, tried);
    this.trimAccounts(s);
    if (s.evidence.length < EVIDENCE) s.evidence.push(originOf(ev));
    if (a.actor) s.actor = a.actor;
    if (a.sourceIp) s.sourceIp = a.sourceIp;
    if (a.sourceName) s.sourceName ??= a.sourceName;

    if (a.frontEnd) h.frontEnd = true;
    const distinct = s.accounts.size;
    // A spray victim is an account that failed and did not then get in: a typo its owner
    // corrected from the same place a moment later is a person, not a guess. So the breadth is
    // the accounts still failing. Behind a front-end (no client evidence) users' own typos are
    // its normal day, and a far higher bar applies too (issue 15).
    const breadth = distinct - s.recovered;
    const judged = h.frontEnd
      ? judgeBreadth(h.profile, breadth, ev.time, threshold(this.settings, 'frontEndMinAccounts'), threshold(this.settings, 'learnAfterDays'), threshold(this.settings, 'frontEndGrowth'))
      : judgeBreadth(h.profile, breadth, ev.time, threshold(this.settings, 'minAccounts'), threshold(this.settings, 'learnAfterDays'), threshold(this.settings, 'growth'));
    h.profile.observe(ev.time, breadth);
    const mean = s.attempts / distinct;
    // Names that all fail as unknown are account_enumeration's; a spray tests passwords on real accounts.
    if (!judged.abnormal || s.tested === 0 || mean > threshold(this.settings, 'maxMeanAttempts')) return;
    const learning = !judged.regular && stillLearning(this.settings, this.since, ev.time);
    s.sprayedAt = ev.time;
    s.sprayedAccounts = distinct;
    // The success that follows is judged on the same baseline: while the spray itself could
    // only be reported as learning, so is "the sprayed password worked".
    if (learning) s.sprayLearning = true; else delete s.sprayLearning;
    const severity: Severity = h.frontEnd
      ? (breadth >= 2 * threshold(this.settings, 'frontEndMinAccounts') ? 'medium' : 'low')
      : breadth >= threshold(this.settings, 'highAccounts') ? 'high' : 'medium';
    const baseline = (h.frontEnd ? `; the source is a front-end many users authenticate through, and ${breadth} of these accounts did not then succeed` : '')
      + (judged.regular
        ? `; this source usually reaches at most ${judged.usual} failing accounts a day`
        : '; the source has no history of failing this widely');
    this.emit(ctx, s, a, ev, severity,
      `${distinct} different accounts failed to authenticate from ${describeSource({ ...s, source: a.source })} within ${duration(ev.time - s.first)} `
      + `(${s.tested} with a wrong password${s.unknown ? `, ${s.unknown} names that do not exist` : ''}), ${mean.toFixed(1)} attempt(s) per account: `
      + `a few passwords tried across many accounts, staying under the lockout threshold${baseline}.`,
      { accounts: distinct, unrecovered: breadth, wrongPassword: s.tested, unknownNames: s.unknown, meanAttempts: Number(mean.toFixed(2)), usualBreadth: judged.usual, ...(h.frontEnd ? { frontEnd: true } : {}) },
      learning);
  }

  /**
   * A success from a source that just sprayed, for an account that was not already one of its
   * usual users: the sprayed password worked for that account.
   */
  private onSuccess(ev: IdentityEvent, a: AuthAttempt, ctx: DetectionContext): void {
    // Successes are the bulk of authentication traffic: only sources already failing are tracked.
    const h = this.sources.get(a.source);
    if (!h) return;
    h.lastSeen = ev.time;
    const s = this.bursts.get(a.source);
    const key = accountKey(a.account);
    const tried = s?.accounts.get(key);
    if (s && tried && !tried.recovered) { tried.recovered = true; s.recovered++; }
    if (h.usual.includes(key)) return;
    const sprayed = s?.sprayedAt !== undefined && ev.time - s.sprayedAt <= threshold(this.settings, 'successWindowMinutes') * MINUTE
      // Through a front-end, everyone succeeds all day: only a sprayed account's success says the password worked.
      && (!h.frontEnd || tried !== undefined);
    if (!s || !sprayed) {
      pushCapped(h.usual, key, MAX_USUAL_USERS);
      return;
    }
    this.emit(ctx, s, a, ev, 'high',
      `${qualified(a.account)} authenticated successfully from ${describeSource({ ...s, source: a.source })} right after that source failed against ${s.sprayedAccounts ?? s.accounts.size} different accounts: `
      + 'the sprayed password probably worked for this account.',
      { compromised: a.account.name, accounts: s.accounts.size, wrongPassword: s.tested, unknownNames: s.unknown },
      s.sprayLearning === true, [a.account]);
  }

  private emit(ctx: DetectionContext, s: Burst, a: AuthAttempt, ev: IdentityEvent, severity: Severity, description: string, details: Record<string, unknown>, learning: boolean, compromised: readonly Account[] = []): void {
    const targets = [...s.accounts.values()].filter((t) => !t.unknown).slice(-10).map((t) => ({ name: t.name }));
    ctx.emit({
      keys: [a.source],
      severity,
      description,
      accounts: present([
        s.actor ? accountEntity(s.actor, 'actor') : undefined,
        ...compromised.map((c) => accountEntity(c, 'target')),
        ...targets.map((t) => accountEntity(t, 'target')),
      ]),
      hosts: present([hostEntity('source', s.sourceName, s.sourceIp), hostEntity('destination', ev.host)]),
      events: [originOf(ev), ...s.evidence],
      details,
      learning,
    });
  }

  private habits(source: string, time: number): Habits {
    return rowAt(this.sources, source, time, () => ({ usual: [], profile: new SourceProfile(), frontEnd: false, lastSeen: time }));
  }

  private burst(source: string, time: number): Burst {
    return rowAt(this.bursts, source, time, () => ({ accounts: new Map(), attempts: 0, tested: 0, unknown: 0, recovered: 0, first: time, evidence: [], lastSeen: time }));
  }

  /** Forgets accounts whose last attempt left the window; the map is in last-touch order. */
  private expire(s: Burst, time: number): void {
    for (const [k, t] of s.accounts) {
      if (t.last >= time - this.windowMs) break;
      this.forget(s, k, t);
    }
  }

  private trimAccounts(s: Burst): void {
    while (s.accounts.size > MAX_ACCOUNTS_PER_SOURCE) {
      const first = s.accounts.entries().next().value;
      if (!first) break;
      this.forget(s, first[0], first[1]);
    }
  }

  private forget(s: Burst, key: string, t: TriedAccount): void {
    s.accounts.delete(key);
    s.attempts -= t.attempts;
    if (t.tested) s.tested--;
    if (t.unknown) s.unknown--;
    if (t.recovered) s.recovered--;
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      sources: this.sources.snapshot(),
      bursts: this.bursts.snapshot(),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.sources.evict(before, watermark);
    this.bursts.evict(before, watermark);
  }
}

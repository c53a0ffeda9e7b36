import type { Severity } from '../alerts/alert';
import { accountKey, type Account } from '../events/fields';
import { clientSource, currentSourceKey, isAddress, type ClientSource } from '../estate/auth-attempts';
import type { DirectoryView } from '../estate/directory-model';
import type { EventOrigin, IdentityEvent } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { TimeWindow } from '../state/time-window';
import { and, codeIn, exists, not, or, security, type NativeQuery } from '../rules/tree';
import { LOCAL_SYSTEM_SID } from '../estate/well-known-sids';
import { KDC_ERR_CLIENT_REVOKED, KDC_ERR_PREAUTH_FAILED, STATUS_ACCOUNT_LOCKED_OUT, STATUS_WRONG_PASSWORD } from '../estate/status-codes';
import { duration, originOf } from '../alerts/evidence';

/**
 * Brute force: wrong-password failures at machine speed — against one account from one
 * source (vertical), against several accounts from one source with several guesses each
 * (horizontal), or against one account from several sources (distributed). A success for the
 * same account from the same source afterwards means the guess probably worked.
 */

/** Failure codes that mean "the password was wrong" (or the account locked by wrong guesses). */
const KERBEROS_BAD_PASSWORD: ReadonlySet<number> = new Set([KDC_ERR_PREAUTH_FAILED]);
const KERBEROS_LOCKED = KDC_ERR_CLIENT_REVOKED; // locked out, guesses go on
const NT_BAD_PASSWORD: ReadonlySet<number> = new Set([STATUS_WRONG_PASSWORD, STATUS_ACCOUNT_LOCKED_OUT]);

/**
 * The vertical case as a native rule: wrong-password failures per (account, source) within the
 * window, from the same code sets `attemptOf` reads. The source is the client address, else
 * its name, else the logging host (a console attempt), as `withSource` picks it.
 */
const wrongPassword: NativeQuery = {
  name: 'vertical',
  match: [
    { source: security(4771), where: codeIn('Status', [...KERBEROS_BAD_PASSWORD, KERBEROS_LOCKED]) },
    { source: security(4768), where: codeIn('Status', KERBEROS_BAD_PASSWORD) },
    { source: security(4776), where: codeIn('Status', NT_BAD_PASSWORD) },
    // 4625 names the precise reason in SubStatus; Status alone when SubStatus is 0 or absent.
    { source: security(4625), where: or(codeIn('SubStatus', NT_BAD_PASSWORD), and(not(exists('SubStatus')), codeIn('Status', NT_BAD_PASSWORD)), and(codeIn('SubStatus', [0]), codeIn('Status', NT_BAD_PASSWORD))) },
  ],
  outputs: [
    { name: 'user', fields: ['TargetUserName'] },
    { name: 'src', fields: ['IpAddress', 'WorkstationName', 'Workstation', 'Computer'] },
    { name: 'dest', fields: ['Computer'] },
  ],
  aggregate: { by: ['user', 'src'], threshold: 'failuresPerAccount', window: 'windowMinutes' },
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'brute_force',
  title: 'Suspected brute-force attack',
  summary: 'Wrong-password failures (4771 0x18, 4768/4776/4625 bad password) at machine speed per source and per account, escalated when a success follows.',
  severity: 'medium',
  mitre: { tactics: ['credential-access'], techniques: ['T1110.001'] },
  requires: [{
    channel: 'Security', eventIds: [4771, 4768],
    fields: ['TargetUserName', 'Status', 'IpAddress'],
    auditPolicy: 'Audit Kerberos Authentication Service (Success, Failure) on DCs',
  }, {
    channel: 'Security', eventIds: [4776],
    fields: ['TargetUserName', 'Workstation', 'Status'],
    auditPolicy: 'Audit Credential Validation (Success, Failure)',
  }, {
    channel: 'Security', eventIds: [4625, 4624],
    fields: ['TargetUserName', 'SubjectUserName', 'Status', 'SubStatus', 'LogonType', 'IpAddress', 'WorkstationName'],
    auditPolicy: 'Audit Logon (Success, Failure)',
  }],
  consumes: ['kerberos_preauth_failure', 'kerberos_tgt_request', 'ntlm_validation', 'logon_failure', 'logon'],
  falsePositives: [
    'A device retrying a stale password (phone mail client, mapped drive) or a vulnerability scanner checking default credentials every night: the same source failing for the same account on 3 earlier days becomes the baseline and is no longer reported; a success after its failures still is.',
    'Password-audit tools run by the security team: exclude their host.',
  ],
  thresholds: {
    failuresPerAccount: { default: 6, minimum: 2, integer: true, description: 'Wrong-password failures for one account from one source within the window (a person stops after 2–3; lockout policies allow 5–10)' },
    highFailures: { default: 20, minimum: 3, integer: true, description: 'Failures for one account from one source that make the alert high severity' },
    accountsPerSource: { default: 5, minimum: 2, integer: true, description: 'Accounts with at least 3 failures each from one source within the window: horizontal brute force' },
    sourcesPerAccount: { default: 3, minimum: 2, integer: true, description: 'Distinct sources that together pass failuresDistributed against one account' },
    failuresDistributed: { default: 20, minimum: 3, integer: true, description: 'Failures for one account from several sources within the window' },
    windowMinutes: { default: 10, minimum: 1, integer: false, description: 'Sliding window for counting failures' },
    successWindowMinutes: { default: 60, minimum: 1, integer: false, description: 'How long after the attack a success counts as the password being guessed' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Check whether the targeted accounts later authenticated from the source; if so, reset their passwords.',
    'Block or isolate the source; it is running a password-guessing tool.',
    'Confirm an account lockout policy applies to the targeted accounts.',
  ],
  // Horizontal and distributed guessing need per-source and per-account indexes across accounts: engine only.
  native: { kind: 'detector', queries: [wrongPassword] },
};

interface PairState {
  failures: number[];
  /** The current run of failures (gaps shorter than the window): its length, start and first events. */
  streak: number;
  streakStart: number;
  firstEvents: EventOrigin[];
  /** Days on which this pair reached the vertical threshold: many days = a stale credential or a scanner, not an attack. */
  days: number[];
  attackedAt?: number;
  lastSeen: number;
}

interface SourceState {
  accounts: Map<string, PairState>;
  /** Accounts that reached HORIZONTAL_MIN_PER_ACCOUNT failures, with when: the horizontal index. */
  hot: Map<string, number>;
  lastSeen: number;
}

interface AccountSources {
  sources: string[];
  lastSeen: number;
}

/** Working state in Maps (fast lookups, deletes and iteration); snapshots are plain JSON. */
interface BruteForceState {
  /** First event the detector saw: the deployment's learning period runs from here (not per pair). */
  since?: number;
  sources: Map<string, SourceState>;
  /** account → sources that failed for it recently: the distributed index (bounded). */
  accountSources: Map<string, AccountSources>;
}

interface BruteForceSnapshot {
  since?: number;
  sources: Record<string, { accounts: Record<string, PairState>; hot: Record<string, number>; lastSeen: number }>;
  accountSources: Record<string, AccountSources>;
}

const HORIZONTAL_MIN_PER_ACCOUNT = 3;
const STALE_CREDENTIAL_DAYS = 3;
const MAX_SOURCES_PER_ACCOUNT = 32;
const EVIDENCE_PER_PAIR = 10;


export const bruteForce: DetectorModule = {
  declaration,
  create: (settings, saved) => new BruteForceDetector(settings, restore(saved as BruteForceSnapshot | undefined)),
};

interface Attempt {
  readonly account: Account;
  readonly subject?: Account;
  readonly source: string;
  readonly sourceIp?: string;
  readonly sourceName?: string;
}

class BruteForceDetector implements Detector {
  readonly declaration = declaration;
  private readonly windowMs: number;
  private readonly cap: number;

  constructor(private readonly settings: DetectorSettings, private readonly state: BruteForceState) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    this.cap = Math.max(threshold(settings, 'highFailures'), threshold(settings, 'failuresDistributed')) + 1;
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    const attempt = attemptOf(ev, ctx.directory);
    if (!attempt) return;
    if (attempt.outcome === 'success') this.onSuccess(ev, attempt, ctx);
    else this.onFailure(ev, attempt, ctx);
  }

  private onFailure(ev: IdentityEvent, a: Attempt, ctx: DetectionContext): void {
    this.state.since ??= ev.time;
    const account = accountKey(a.account);
    const source = this.source(a.source, ev.time);
    let pair = source.accounts.get(account);
    if (!pair) {
      pair = { failures: [], streak: 0, streakStart: ev.time, firstEvents: [], days: [], lastSeen: ev.time };
      source.accounts.set(account, pair);
    }
    if (pair.streak === 0 || ev.time - pair.lastSeen > this.windowMs) {
      pair.streak = 0;
      pair.streakStart = ev.time;
      pair.firstEvents = [];
    }
    pair.streak++;
    if (pair.firstEvents.length < EVIDENCE_PER_PAIR) pair.firstEvents.push(originOf(ev));
    pair.lastSeen = ev.time;
    const count = new TimeWindow(pair.failures).push(ev.time, this.windowMs, this.cap);
    if (count >= HORIZONTAL_MIN_PER_ACCOUNT) source.hot.set(account, ev.time);
    this.indexAccountSource(account, a.source, ev.time);
    const day = Math.floor(ev.time / DAY);
    const perAccount = threshold(this.settings, 'failuresPerAccount');
    if (count >= perAccount && !pair.days.includes(day)) pair.days.push(day);
    if (pair.days.length > STALE_CREDENTIAL_DAYS + 1) pair.days.shift();

    // A pair that burst on STALE_CREDENTIAL_DAYS earlier days is the baseline: a phone or a
    // mapped drive with an old password, a scanner's nightly default-credential check. An
    // attacker guessing from a new place is reported on each of those days first, and a success
    // after a burst (onSuccess) is reported whatever the pair's history.
    const earlierDays = pair.days.filter((d) => d < day).length;
    if (count >= perAccount && earlierDays < STALE_CREDENTIAL_DAYS) {
      pair.attackedAt = ev.time;
      const severity: Severity = count >= threshold(this.settings, 'highFailures') ? 'high' : 'medium';
      this.emit(ctx, [ev, ...pair.firstEvents], a, severity, [a.account],
        `${pair.streak} wrong-password attempts for ${qualified(a.account)} from ${describeSource(a)} in ${duration(ev.time - pair.streakStart)}`
        + (earlierDays > 0 ? `; this source also failed for this account on ${earlierDays} earlier day(s), not yet enough to be a device with a stale password` : ''),
        { failures: pair.streak, mode: 'vertical', earlierDays },
        // Whether a pair is a stale device can only be told after days: while the deployment's
        // learning period runs (from its first event, not per pair, as MDI's does), the verdict is learning.
        stillLearning(this.settings, this.state.since, ev.time));
    }
    this.horizontal(ev, a, source, ctx);
    this.distributed(ev, a, account, ctx);
  }

  private horizontal(ev: IdentityEvent, a: Attempt, source: SourceState, ctx: DetectionContext): void {
    const hit: string[] = [];
    for (const [account, t] of source.hot) {
      if (t < ev.time - this.windowMs) source.hot.delete(account);
      else hit.push(account);
    }
    if (hit.length < threshold(this.settings, 'accountsPerSource')) return;
    this.emit(ctx, [ev], a, 'high', hit.map((name) => ({ name })),
      `${hit.length} accounts each got at least ${HORIZONTAL_MIN_PER_ACCOUNT} wrong-password attempts from ${describeSource(a)} within ${this.windowMs / MINUTE} minutes`,
      { accounts: hit, mode: 'horizontal' });
  }

  private distributed(ev: IdentityEvent, a: Attempt, account: string, ctx: DetectionContext): void {
    // One host is one source however the events keyed it: a name counted before its address
    // was learned folds into that address now (core/estate/host-addresses.ts).
    let total = 0;
    const bySource = new Map<string, number>();
    for (const s of this.state.accountSources.get(account)?.sources ?? []) {
      const failures = this.state.sources.get(s)?.accounts.get(account)?.failures ?? [];
      const n = failures.filter((t) => t >= ev.time - this.windowMs).length;
      if (n === 0) continue;
      total += n;
      const key = currentSourceKey(s, ev.time, ctx.directory);
      bySource.set(key, (bySource.get(key) ?? 0) + n);
    }
    const sources = [...bySource.keys()];
    if (sources.length < threshold(this.settings, 'sourcesPerAccount') || total < threshold(this.settings, 'failuresDistributed')) return;
    ctx.emit({
      keys: ['distributed', account],
      severity: 'high',
      description: `${total} wrong-password attempts for ${qualified(a.account)} from ${sources.length} sources (${sources.slice(0, 5).join(', ')}) within ${this.windowMs / MINUTE} minutes: a distributed guessing attack on one account.`,
      accounts: [accountEntity(a.account, 'target')],
      hosts: sources.slice(0, 10).map((s) => ({ role: 'source' as const, ...(isAddress(s) ? { ip: s } : { name: s }) })),
      events: [ev],
      details: { failures: total, sources, mode: 'distributed' },
    });
  }

  private onSuccess(ev: IdentityEvent, a: Attempt, ctx: DetectionContext): void {
    const p = this.state.sources.get(a.source)?.accounts.get(accountKey(a.account));
    if (p?.attackedAt === undefined) return;
    if (ev.time - p.attackedAt > threshold(this.settings, 'successWindowMinutes') * MINUTE || ev.time < p.attackedAt) return;
    this.emit(ctx, [ev], a, 'high', [a.account],
      `${qualified(a.account)} authenticated successfully from ${describeSource(a)} after a run of wrong-password attempts: the password was probably guessed`,
      { compromised: true });
  }

  private emit(ctx: DetectionContext, events: readonly EventOrigin[], a: Attempt, severity: Severity, targets: readonly Account[], what: string, details: Record<string, unknown>, learning = false): void {
    ctx.emit({
      keys: [a.source],
      severity,
      description: `${what}.`,
      accounts: present([
        ...targets.map((t) => accountEntity(t, 'target')),
        a.subject && accountKey(a.subject) !== accountKey(a.account) ? accountEntity(a.subject, 'actor') : undefined,
      ]),
      hosts: present([hostEntity('source', a.sourceName, a.sourceIp), ...events.slice(0, 1).map((e) => hostEntity('destination', e.host))]),
      events,
      details,
      ...(learning ? { learning: true } : {}),
    });
  }

  private source(source: string, time: number): SourceState {
    let s = this.state.sources.get(source);
    if (!s) {
      s = { accounts: new Map(), hot: new Map(), lastSeen: time };
      this.state.sources.set(source, s);
    }
    s.lastSeen = time;
    return s;
  }

  private indexAccountSource(account: string, source: string, time: number): void {
    let entry = this.state.accountSources.get(account);
    if (!entry) {
      entry = { sources: [], lastSeen: time };
      this.state.accountSources.set(account, entry);
    }
    entry.lastSeen = time;
    if (entry.sources.includes(source)) return;
    entry.sources.push(source);
    if (entry.sources.length > MAX_SOURCES_PER_ACCOUNT) entry.sources.shift();
  }

  snapshot(): BruteForceSnapshot {
    const sources: BruteForceSnapshot['sources'] = {};
    for (const [k, v] of this.state.sources) sources[k] = { accounts: Object.fromEntries(v.accounts), hot: Object.fromEntries(v.hot), lastSeen: v.lastSeen };
    return { ...(this.state.since !== undefined ? { since: this.state.since } : {}), sources, accountSources: Object.fromEntries(this.state.accountSources) };
  }

  evictIdle(before: number): void {
    for (const [k, s] of this.state.sources) {
      if (s.lastSeen < before) { this.state.sources.delete(k); continue; }
      for (const [a, p] of s.accounts) if (p.lastSeen < before) s.accounts.delete(a);
    }
    for (const [k, e] of this.state.accountSources) if (e.lastSeen < before) this.state.accountSources.delete(k);
  }
}

function restore(saved: BruteForceSnapshot | undefined): BruteForceState {
  const sources = new Map<string, SourceState>();
  for (const [k, v] of Object.entries(saved?.sources ?? {})) {
    sources.set(k, { accounts: new Map(Object.entries(v.accounts)), hot: new Map(Object.entries(v.hot)), lastSeen: v.lastSeen });
  }
  return { ...(saved?.since !== undefined ? { since: saved.since } : {}), sources, accountSources: new Map(Object.entries(saved?.accountSources ?? {})) };
}

type Outcome = Attempt & { readonly outcome: 'failure' | 'success' };

/** The attempt an event records, or undefined when it is neither a guess nor a success. */
function attemptOf(ev: IdentityEvent, directory: DirectoryView): Outcome | undefined {
  const at = (account: Account, subject: Account | undefined, ip: string | undefined, workstation: string | undefined, outcome: Outcome['outcome']): Outcome =>
    withSource(account, subject, clientSource(ip, workstation, ev.host, ev.time, directory), outcome);
  switch (ev.kind) {
    case 'kerberos_preauth_failure':
      if (!KERBEROS_BAD_PASSWORD.has(ev.status) && ev.status !== KERBEROS_LOCKED) return undefined;
      return at(ev.account, undefined, ev.ip, undefined, 'failure');
    case 'kerberos_tgt_request':
      if (ev.status === 0) return at(ev.account, undefined, ev.ip, undefined, 'success');
      return KERBEROS_BAD_PASSWORD.has(ev.status) ? at(ev.account, undefined, ev.ip, undefined, 'failure') : undefined;
    case 'ntlm_validation':
      if (ev.status === 0) return at(ev.account, undefined, undefined, ev.workstation, 'success');
      return NT_BAD_PASSWORD.has(ev.status) ? at(ev.account, undefined, undefined, ev.workstation, 'failure') : undefined;
    case 'logon_failure': {
      const code = ev.subStatus && ev.subStatus !== 0 ? ev.subStatus : ev.status;
      if (code === undefined || !NT_BAD_PASSWORD.has(code)) return undefined;
      return at(ev.account, ev.subject, ev.ip, ev.workstation, 'failure');
    }
    case 'logon':
      return at(ev.account, undefined, ev.ip, ev.workstation, 'success');
    default:
      return undefined;
  }
}

/**
 * Where the guesses come from: one key per host, named or addressed (auth-attempts.ts
 * `clientSource`, shared with password_spray and account_enumeration).
 */
function withSource(account: Account, subject: Account | undefined, where: ClientSource, outcome: 'failure' | 'success'): Outcome {
  const usefulSubject = subject && !subject.name.endsWith('$') && subject.sid !== LOCAL_SYSTEM_SID ? subject : undefined;
  return { account, outcome, ...where, ...(usefulSubject ? { subject: usefulSubject } : {}) };
}

function describeSource(a: Attempt): string {
  if (a.sourceIp && a.sourceName) return `${a.sourceName} (${a.sourceIp})`;
  return a.sourceIp ?? a.sourceName ?? a.source;
}

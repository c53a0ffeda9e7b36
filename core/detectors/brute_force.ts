import type { Severity } from '../alerts/alert';
import { accountKey, type Account } from '../events/fields';
import { clientSource, currentSourceKey, isAddress, type ClientSource } from '../estate/auth-attempts';
import type { DirectoryView } from '../estate/directory-model';
import type { EventOrigin, IdentityEvent } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { TimeWindow } from '../state/time-window';
import { KeyedTable, rowAt, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection, pushCapped } from '../state/saved-value';
import { decodeOrigin, encodeOrigin } from '../state/saved-events';
import { addDay, daysBefore, NO_DAYS, readDayBits, type DayBits } from '../state/day-bits';
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

/** One source's current run of failures against one account: it lives for max(window, success window). */
interface Streak {
  failures: number[];
  /** The current run of failures (gaps shorter than the window): its length, start and first events. */
  streak: number;
  streakStart: number;
  firstEvents: EventOrigin[];
  attackedAt?: number;
  lastSeen: number;
}

/**
 * Days on which a source/account pair reached the vertical threshold, as a day set (many days =
 * a stale credential or a scanner, not an attack). Kept for the state TTL, and only for the
 * pairs that ever burst: most failing pairs never do, and their streak goes with its window.
 */
interface BurstDays {
  days: DayBits;
  lastSeen: number;
}

/** Accounts of one source that reached HORIZONTAL_MIN_PER_ACCOUNT failures, with when: the horizontal index. */
interface HotAccounts {
  accounts: Map<string, number>;
  lastSeen: number;
}

/** Sources that failed for one account within the window: the distributed index (bounded). */
interface AccountSources {
  sources: string[];
  lastSeen: number;
}

/** The key of a source/account pair in the pair tables. */
function pairKey(source: string, account: string): string {
  return `${source}\t${account}`;
}

const HORIZONTAL_MIN_PER_ACCOUNT = 3;
const STALE_CREDENTIAL_DAYS = 3;
const MAX_SOURCES_PER_ACCOUNT = 32;
const EVIDENCE_PER_PAIR = 10;


export const bruteForce: DetectorModule = {
  declaration,
  create: (settings, saved) => new BruteForceDetector(settings, saved),
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
  private since: number | undefined;
  private readonly streaks: KeyedTable<Streak>;
  private readonly burstDays: KeyedTable<BurstDays>;
  private readonly hot: KeyedTable<HotAccounts>;
  private readonly accountSources: KeyedTable<AccountSources>;
  /** Accounts with a streak that reached the vertical threshold: derived from `streaks`, never saved. */
  private attacked = new Set<string>();

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    this.cap = Math.max(threshold(settings, 'highFailures'), threshold(settings, 'failuresDistributed')) + 1;
    const { read, section, since } = openSection('brute_force', saved);
    this.since = since;
    this.streaks = new KeyedTable(streakTable(Math.max(this.windowMs, threshold(settings, 'successWindowMinutes') * MINUTE), this.cap), section['streaks'], read);
    this.burstDays = new KeyedTable(burstDaysTable, section['burstDays'], read);
    this.hot = new KeyedTable(hotTable(this.windowMs), section['hot'], read);
    this.accountSources = new KeyedTable(accountSourcesTable(this.windowMs), section['accountSources'], read);
    this.indexAttacked();
  }

  private indexAttacked(): void {
    this.attacked = new Set();
    for (const [key, p] of this.streaks.entries()) if (p.attackedAt !== undefined) this.attacked.add(key.slice(key.indexOf('\t') + 1));
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    // Successes are most of the traffic and matter only for an account under attack: skip the
    // rest before resolving their source (the CPU profile at 1 M events had 0.8 s of 2.5 s in
    // building attempts, nearly all of them successes of accounts nobody was guessing).
    if (isSuccess(ev) && !this.attacked.has(accountKey(ev.account))) return;
    const attempt = attemptOf(ev, ctx.directory);
    if (!attempt) return;
    if (attempt.outcome === 'success') this.onSuccess(ev, attempt, ctx);
    else this.onFailure(ev, attempt, ctx);
  }

  private onFailure(ev: IdentityEvent, a: Attempt, ctx: DetectionContext): void {
    this.since ??= ev.time;
    const account = accountKey(a.account);
    const key = pairKey(a.source, account);
    let pair = this.streaks.get(key);
    if (!pair) {
      pair = { failures: [], streak: 0, streakStart: ev.time, firstEvents: [], lastSeen: ev.time };
      this.streaks.set(key, pair);
    }
    const source = this.hotOf(a.source, ev.time);
    if (pair.streak === 0 || ev.time - pair.lastSeen > this.windowMs) {
      pair.streak = 0;
      pair.streakStart = ev.time;
      pair.firstEvents = [];
    }
    pair.streak++;
    if (pair.firstEvents.length < EVIDENCE_PER_PAIR) pair.firstEvents.push(originOf(ev));
    pair.lastSeen = ev.time;
    const count = new TimeWindow(pair.failures).push(ev.time, this.windowMs, this.cap);
    if (count >= HORIZONTAL_MIN_PER_ACCOUNT) source.accounts.set(account, ev.time);
    this.indexAccountSource(account, a.source, ev.time);
    const day = Math.floor(ev.time / DAY);
    const perAccount = threshold(this.settings, 'failuresPerAccount');
    let burst = this.burstDays.get(key);
    if (count >= perAccount) {
      burst ??= { days: NO_DAYS, lastSeen: ev.time };
      burst.days = addDay(burst.days, day);
      burst.lastSeen = ev.time;
      this.burstDays.set(key, burst);
    }

    // A pair that burst on STALE_CREDENTIAL_DAYS earlier days is the baseline: a phone or a
    // mapped drive with an old password, a scanner's nightly default-credential check. An
    // attacker guessing from a new place is reported on each of those days first, and a success
    // after a burst (onSuccess) is reported whatever the pair's history.
    const earlierDays = burst ? daysBefore(burst.days, day) : 0;
    if (count >= perAccount && earlierDays < STALE_CREDENTIAL_DAYS) {
      pair.attackedAt = ev.time;
      this.attacked.add(account);
      const severity: Severity = count >= threshold(this.settings, 'highFailures') ? 'high' : 'medium';
      this.emit(ctx, [ev, ...pair.firstEvents], a, severity, [a.account],
        `${pair.streak} wrong-password attempts for ${qualified(a.account)} from ${describeSource(a)} in ${duration(ev.time - pair.streakStart)}`
        + (earlierDays > 0 ? `; this source also failed for this account on ${earlierDays} earlier day(s), not yet enough to be a device with a stale password` : ''),
        { failures: pair.streak, mode: 'vertical', earlierDays },
        // Whether a pair is a stale device can only be told after days: while the deployment's
        // learning period runs (from its first event, not per pair, as MDI's does), the verdict is learning.
        stillLearning(this.settings, this.since, ev.time));
    }
    this.horizontal(ev, a, source, ctx);
    this.distributed(ev, a, account, ctx);
  }

  private horizontal(ev: IdentityEvent, a: Attempt, source: HotAccounts, ctx: DetectionContext): void {
    const hit: string[] = [];
    for (const [account, t] of source.accounts) {
      if (t < ev.time - this.windowMs) source.accounts.delete(account);
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
    for (const s of this.accountSources.get(account)?.sources ?? []) {
      const failures = this.streaks.get(pairKey(s, account))?.failures ?? [];
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
    const p = this.streaks.get(pairKey(a.source, accountKey(a.account)));
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

  private hotOf(source: string, time: number): HotAccounts {
    return rowAt(this.hot, source, time, () => ({ accounts: new Map(), lastSeen: time }));
  }

  private indexAccountSource(account: string, source: string, time: number): void {
    const entry = rowAt(this.accountSources, account, time, () => ({ sources: [], lastSeen: time }));
    if (!entry.sources.includes(source)) pushCapped(entry.sources, source, MAX_SOURCES_PER_ACCOUNT);
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      streaks: this.streaks.snapshot(), burstDays: this.burstDays.snapshot(), hot: this.hot.snapshot(), accountSources: this.accountSources.snapshot(),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    for (const t of [this.streaks, this.burstDays, this.hot, this.accountSources] as const) t.evict(before, watermark);
    this.indexAttacked();
  }
}

function streakTable(horizonMs: number, cap: number): TableSpec<Streak> {
  return {
    name: 'streaks',
    horizonMs,
    lastSeen: (p) => p.lastSeen,
    encode: (p) => [p.lastSeen, p.failures, p.streak, p.streakStart, p.firstEvents.map(encodeOrigin), p.attackedAt ?? null],
    decode(v, read, path) {
      const [lastSeen, failures, streak, streakStart, firstEvents, attackedAt] = read.tuple(v, path, 6);
      const at = read.optional(attackedAt, `${path}.5`, (x, p) => read.number(x, p));
      return {
        lastSeen: read.number(lastSeen, `${path}.0`), failures: read.list(failures, `${path}.1`, cap, (x, p) => read.number(x, p)),
        streak: read.count(streak, `${path}.2`), streakStart: read.number(streakStart, `${path}.3`),
        firstEvents: read.list(firstEvents, `${path}.4`, EVIDENCE_PER_PAIR, (x, p) => decodeOrigin(x, read, p)),
        ...(at !== undefined ? { attackedAt: at } : {}),
      };
    },
  };
}

const burstDaysTable: TableSpec<BurstDays> = valueTable('burstDays', 'days', { read: readDayBits });

function hotTable(horizonMs: number): TableSpec<HotAccounts> {
  return {
    name: 'hot',
    horizonMs,
    lastSeen: (h) => h.lastSeen,
    encode: (h) => [h.lastSeen, [...h.accounts].flat()],
    decode(v, read, path) {
      const [lastSeen, flat] = read.tuple(v, path, 2);
      const items = read.list(flat, `${path}.1`, Number.MAX_SAFE_INTEGER, (x) => x);
      if (items.length % 2 !== 0) read.fail(`${path}.1`, 'must alternate accounts and times');
      const accounts = new Map<string, number>();
      for (let i = 0; i < items.length; i += 2) accounts.set(read.string(items[i], `${path}.1.${i}`), read.number(items[i + 1], `${path}.1.${i + 1}`));
      return { lastSeen: read.number(lastSeen, `${path}.0`), accounts };
    },
  };
}

function accountSourcesTable(horizonMs: number): TableSpec<AccountSources> {
  return {
    name: 'accountSources',
    horizonMs,
    lastSeen: (e) => e.lastSeen,
    encode: (e) => [e.lastSeen, e.sources],
    decode(v, read, path) {
      const [lastSeen, sources] = read.tuple(v, path, 2);
      return { lastSeen: read.number(lastSeen, `${path}.0`), sources: read.list(sources, `${path}.1`, MAX_SOURCES_PER_ACCOUNT, (x, p) => read.string(x, p)) };
    },
  };
}

/** The events attemptOf reads as a success. */
function isSuccess(ev: IdentityEvent): ev is IdentityEvent & { readonly account: Account } {
  return ev.kind === 'logon' || ((ev.kind === 'kerberos_tgt_request' || ev.kind === 'ntlm_validation') && ev.status === 0);
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

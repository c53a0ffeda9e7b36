import type { Severity } from '../alerts/alert';
import type { CloudSignInEvent, EventOrigin, IdentityEvent, MfaOutcome } from '../events/identity-event';
import { placeOf, recordKey, SeenRecords, sourceEntity, userEntity } from '../estate/cloud/sign-ins';
import { MINUTE, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { present } from '../alerts/entities';
import { anyOf, cloud, type NativeQuery } from '../rules/tree';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * MFA fatigue (push bombing): someone who has the password signs in again and again so the
 * user's phone keeps asking, until the user approves one to make it stop. In the sign-in log
 * that is a run of MFA prompts denied or left unanswered (500121 with "user declined" / "did
 * not respond") followed by an approved one. Approval from the address the prompts came from
 * is the attacker getting in; a user reporting a prompt as fraud is an alert by itself.
 */

/** Entra's "strong authentication failed" (500121): a prompt denied, unanswered or failed. */
const MFA_PROMPT_FAILED = 500121;

/** The bombing run alone; an approval after the run, and fraud reports, need the sequence the engine keeps. */
const promptRun: NativeQuery = {
  name: 'bombing',
  match: [{ source: cloud('SigninLogs'), where: anyOf('ResultType', [MFA_PROMPT_FAILED]) }],
  outputs: [{ name: 'user', fields: ['UserPrincipalName'] }, { name: 'src', fields: ['IPAddress'] }],
  aggregate: { by: ['user'], threshold: 'bombingPrompts', window: 'windowMinutes' },
  riskObject: 'user',
};

export const declaration: DetectorDeclaration = {
  id: 'mfa_fatigue',
  title: 'MFA fatigue: repeated MFA prompts, then an approval',
  summary: 'A run of denied or unanswered MFA prompts (500121, AuthenticationDetails) for one user followed by an approved sign-in, a long run without one, or a prompt reported as fraud.',
  severity: 'high',
  mitre: { tactics: ['credential-access'], techniques: ['T1621'] },
  requires: [{
    channel: 'SigninLogs', eventIds: [0],
    fields: ['UserPrincipalName', 'ResultType', 'IPAddress', 'Status', 'AuthenticationDetails', 'MfaDetail', 'AuthenticationRequirement'],
    auditPolicy: 'Entra ID diagnostic setting exporting SigninLogs to the SIEM (Entra ID P1/P2)',
  }],
  consumes: ['cloud_sign_in'],
  falsePositives: [
    'A user fumbling with a new phone or number matching: a few wrong answers, then success from their own address; reported at medium.',
  ],
  thresholds: {
    failedPrompts: { default: 3, minimum: 2, integer: true, description: 'Denied or unanswered MFA prompts within the window before an approval makes the alert' },
    bombingPrompts: { default: 10, minimum: 3, integer: true, description: 'Denied or unanswered prompts within the window that alert even without an approval' },
    windowMinutes: { default: 60, minimum: 1, integer: false, description: 'Window over which prompts are counted' },
  },
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'The user\'s password is known to someone else: reset it and revoke the user\'s sessions.',
    'Ask the user which prompts they approved; review MFA methods registered since.',
    'Turn on number matching and additional context for push notifications.',
  ],
  native: { kind: 'signal', queries: [promptRun], note: 'the prompt run without the approval that ends it; the engine also reads AuthenticationDetails for the outcome of each prompt' },
};

/** The refused prompts counted, saved by their index here. */
const FAILURE_OUTCOMES: readonly MfaOutcome[] = ['denied', 'timeout', 'failed', 'wrong_code'];
const PROMPT_FAILURES: ReadonlySet<MfaOutcome> = new Set(FAILURE_OUTCOMES);

interface Prompt {
  readonly t: number;
  readonly outcome: MfaOutcome;
  readonly ip?: string;
}

interface UserPrompts {
  prompts: Prompt[];
  lastSeen: number;
}

const MAX_PROMPTS = 200;

/** `[lastSeen, [[t, outcome index, ip], …]]`, kept for the window: older prompts are never counted. */
function userTable(horizonMs: number): TableSpec<UserPrompts> {
  return {
    name: 'users',
    horizonMs,
    lastSeen: (u) => u.lastSeen,
    encode: (u) => [u.lastSeen, u.prompts.map((p) => [p.t, FAILURE_OUTCOMES.indexOf(p.outcome), p.ip ?? null])],
    decode(v, read, path) {
      const [lastSeen, prompts] = read.tuple(v, path, 2);
      return {
        lastSeen: read.number(lastSeen, `${path}.0`),
        prompts: read.list(prompts, `${path}.1`, MAX_PROMPTS, (x, p) => {
          const [t, outcome, ip] = read.tuple(x, p, 3);
          const o = FAILURE_OUTCOMES[read.count(outcome, `${p}.1`)] ?? read.fail(`${p}.1`, `must be 0 … ${FAILURE_OUTCOMES.length - 1}`);
          const addr = read.optional(ip, `${p}.2`, (y, q) => read.string(y, q));
          return { t: read.number(t, `${p}.0`), outcome: o, ...(addr !== undefined ? { ip: addr } : {}) };
        }),
      };
    },
  };
}

export const mfaFatigue: DetectorModule = {
  declaration,
  create: (settings, saved) => new MfaFatigueDetector(settings, saved),
};

class MfaFatigueDetector implements Detector {
  readonly declaration = declaration;
  private readonly seen: SeenRecords;
  private readonly users: KeyedTable<UserPrompts>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section } = openSection('mfa_fatigue', saved);
    this.users = new KeyedTable(userTable(threshold(settings, 'windowMinutes') * MINUTE), section['users'], read);
    this.seen = SeenRecords.restore(section['seen'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'cloud_sign_in' || ev.mfa === undefined) return;
    if (!this.seen.add(recordKey(ev))) return;
    if (ev.mfa === 'fraud') {
      this.emit(ctx, ev, 'medium', [], 'fraud', `${ev.upn} reported an MFA prompt for a sign-in from ${placeOf(ev)} as fraud: someone else has the password.`);
      return;
    }
    let user = this.users.get(ev.upn);
    if (!user) {
      user = { prompts: [], lastSeen: ev.time };
      this.users.set(ev.upn, user);
    }
    user.lastSeen = Math.max(user.lastSeen, ev.time);
    const windowMs = threshold(this.settings, 'windowMinutes') * MINUTE;
    user.prompts = user.prompts.filter((p) => p.t >= ev.time - windowMs);
    if (PROMPT_FAILURES.has(ev.mfa)) {
      user.prompts.push({ t: ev.time, outcome: ev.mfa, ...(ev.ip ? { ip: ev.ip } : {}) });
      if (user.prompts.length > MAX_PROMPTS) user.prompts.shift();
      const failed = user.prompts.filter((p) => p.t <= ev.time);
      if (failed.length >= threshold(this.settings, 'bombingPrompts')) {
        this.emit(ctx, ev, 'medium', failed, 'bombing', `${failed.length} MFA prompts for ${ev.upn} were denied or left unanswered within ${threshold(this.settings, 'windowMinutes')} minutes, the latest for a sign-in from ${placeOf(ev)}: MFA bombing in progress.`);
      }
      return;
    }
    if (ev.mfa === 'approved' && ev.resultType === 0) this.onApproved(ev, user, ctx);
  }

  private onApproved(ev: CloudSignInEvent, user: UserPrompts, ctx: DetectionContext): void {
    const failed = user.prompts.filter((p) => p.t <= ev.time);
    if (failed.length < threshold(this.settings, 'failedPrompts')) return;
    const fromPrompter = ev.ip !== undefined && failed.some((p) => p.ip === ev.ip);
    const severity: Severity = fromPrompter ? 'high' : 'medium';
    const denied = failed.filter((p) => p.outcome === 'denied').length;
    const unanswered = failed.filter((p) => p.outcome === 'timeout').length;
    this.emit(ctx, ev, severity, failed, 'approved',
      `${ev.upn} approved an MFA prompt for a sign-in from ${placeOf(ev)} after ${failed.length} prompts within ${Math.max(1, Math.round((ev.time - (failed[0]?.t ?? ev.time)) / MINUTE))} minutes were refused `
      + `(${denied} denied, ${unanswered} unanswered, ${failed.length - denied - unanswered} failed). `
      + (fromPrompter ? 'The approved sign-in came from the address that raised the refused prompts: the attacker is signed in.' : 'The approval came from another address: the user may have signed in themselves, but the password is known to whoever raised the prompts.'));
    user.prompts = [];
  }

  private emit(ctx: DetectionContext, ev: CloudSignInEvent, severity: Severity, prompts: readonly Prompt[], mode: string, description: string): void {
    const earlier: EventOrigin[] = prompts.filter((p) => p.t !== ev.time).slice(-20).map((p) => ({ time: p.t, host: 'entra', eventId: 0, recordId: null }));
    const addresses = [...new Set(prompts.map((p) => p.ip).filter((x): x is string => x !== undefined))].filter((ip) => ip !== ev.ip);
    ctx.emit({
      keys: [ev.upn, mode === 'fraud' ? 'fraud' : 'prompts'],
      severity,
      ...(mode === 'fraud' ? { title: 'MFA prompt reported as fraud' } : {}),
      description,
      accounts: [userEntity(ev, 'target')],
      hosts: present([sourceEntity(ev), ...addresses.slice(0, 5).map((ip) => ({ ip, role: 'source' as const }))]),
      events: [ev, ...earlier],
      details: {
        mode, prompts: prompts.length,
        ...(ev.mfaMethod ? { method: ev.mfaMethod } : {}), ...(ev.mfaDetail ? { detail: ev.mfaDetail } : {}),
        ...(ev.app ? { app: ev.app } : {}), ...(ev.signInId ? { signInId: ev.signInId } : {}),
      },
    });
  }

  snapshot(): unknown {
    return { users: this.users.snapshot(), seen: this.seen.toJSON() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.users.evict(before, watermark);
  }
}

import { randomUUID } from 'node:crypto';
import { AuditLog, type AuditContext } from './audit-log';
import type { BreakerStatus, CircuitBreaker } from './circuit-breaker';
import { CircuitOpenError, describeError, ProtectedAccountError, ProviderNotConfiguredError } from './errors';
import { parseUserIdentifier } from './identifiers';
import { generatePassword } from './password';
import { planAction, type ActionName, type Plan, type PlannedStep, type StepId } from './plan';
import type { ProtectionPolicy } from './protection';
import type { ActiveDirectoryProvider, AdSession } from './providers/active-directory';
import type { ChangeReport, EntraProvider } from './providers/entra';
import { describeTarget, resolveTarget, summarise, type Target, type TargetSummary } from './target';

export interface ActionRequest {
  readonly action: ActionName;
  /** UPN, sAMAccountName (optionally DOMAIN\sam), SID, or Entra object id. */
  readonly user: string;
  readonly reason?: string;
  readonly alertId?: string;
  readonly dryRun?: boolean;
  /** Who asked: the OS user for the CLI, the authenticated caller for the responder service. */
  readonly actor: string;
}

export type StepStatus = 'changed' | 'unchanged' | 'failed' | 'planned';

export interface StepResult {
  readonly step: StepId;
  readonly status: StepStatus;
  readonly detail: string;
  readonly error?: { readonly type: string; readonly message: string };
}

export type Outcome = 'succeeded' | 'partial' | 'failed' | 'refused' | 'not-applicable' | 'dry-run';

export interface ActionResult {
  readonly actionId: string;
  readonly action: ActionName;
  readonly user: string;
  readonly dryRun: boolean;
  readonly outcome: Outcome;
  readonly message: string;
  readonly target?: TargetSummary;
  readonly steps: readonly StepResult[];
  readonly notes: readonly string[];
  readonly error?: { readonly type: string; readonly message: string };
  /** Set only by a reset that took effect; shown once by the caller, never logged. */
  readonly temporaryPassword?: string;
}

export interface ResponderDeps {
  readonly activeDirectory?: ActiveDirectoryProvider;
  readonly entra?: EntraProvider;
  readonly protection: ProtectionPolicy;
  readonly breaker: CircuitBreaker;
  readonly audit: AuditLog;
  readonly passwordLength: number;
  readonly newId?: () => string;
}

/**
 * Runs one response action end to end: resolve the target in AD and Entra, refuse protected
 * accounts, plan the steps, then (unless dry-run) pass the circuit breaker and run each step,
 * reading every change back. Every moment goes to the audit log as it happens. Steps are
 * independent: one failing does not stop the others, because partial containment beats none.
 */
export class Responder {
  constructor(private readonly deps: ResponderDeps) {}

  async run(req: ActionRequest): Promise<ActionResult> {
    const actionId = (this.deps.newId ?? randomUUID)();
    const ctx: AuditContext = {
      actionId,
      actor: req.actor,
      action: req.action,
      user: req.user,
      ...(req.reason !== undefined && { reason: req.reason }),
      ...(req.alertId !== undefined && { alertId: req.alertId }),
    };
    const dryRun = req.dryRun ?? false;
    const base = { actionId, action: req.action, user: req.user, dryRun };
    let session: AdSession | undefined;
    try {
      const id = parseUserIdentifier(req.user);
      session = this.deps.activeDirectory ? await this.deps.activeDirectory.open() : undefined;
      const dirs = { ...(session && { ad: session }), ...(this.deps.entra && { entra: this.deps.entra }) };
      const target = await resolveTarget(id, dirs);
      await this.deps.protection.assertNotProtected(target, dirs);
      const plan = planAction(req.action, target);
      await this.deps.audit.write(ctx, { event: 'action.started', dryRun, target: describeTarget(target) });
      const result = plan.blocked
        ? { ...base, outcome: 'not-applicable' as const, message: plan.blocked, target: summarise(target), steps: [], notes: plan.notes }
        : dryRun
          ? await this.dryRun(ctx, base, target, plan)
          : await this.execute(ctx, base, target, plan, req.action, session);
      await this.deps.audit.write(ctx, { event: 'action.finished', outcome: result.outcome, summary: result.message });
      return result;
    } catch (err) {
      const error = describeError(err);
      const refused = err instanceof ProtectedAccountError || err instanceof CircuitOpenError;
      await this.deps.audit.write(ctx, { event: 'action.refused', error });
      return { ...base, outcome: refused ? 'refused' : 'failed', message: error.message, steps: [], notes: [], error };
    } finally {
      await session?.close();
    }
  }

  /** Closes the breaker after an operator's review; audited like any action. */
  async resetBreaker(actor: string, reason: string): Promise<BreakerStatus> {
    const previous = await this.deps.breaker.reset();
    await this.deps.audit.write({ actionId: (this.deps.newId ?? randomUUID)(), actor, action: 'reset-breaker', user: '-', reason }, { event: 'breaker.reset', previous });
    return previous;
  }

  private async dryRun(ctx: AuditContext, base: Base, target: Target, plan: Plan): Promise<ActionResult> {
    const steps: StepResult[] = [];
    for (const s of plan.steps) {
      const r: StepResult = { step: s.id, status: 'planned', detail: `${wouldDo(s, target, base.action)} — ${s.why}` };
      steps.push(r);
      await this.deps.audit.write(ctx, { event: 'step', step: r.step, status: r.status, detail: r.detail });
    }
    return {
      ...base,
      outcome: 'dry-run',
      message: `dry run: nothing was changed. Target: ${describeTarget(target)}`,
      target: summarise(target),
      steps,
      notes: [...plan.notes, ...plan.gaps.map((g) => `gap: ${g}`)],
    };
  }

  private async execute(ctx: AuditContext, base: Base, target: Target, plan: Plan, action: ActionName, session: AdSession | undefined): Promise<ActionResult> {
    // enable is the rollback: it must stay possible while the breaker holds everything else.
    if (action !== 'enable') await this.deps.breaker.admit();
    const needsPassword = plan.steps.some((s) => s.id.endsWith('reset-password'));
    const password = needsPassword ? generatePassword(this.deps.passwordLength) : undefined;
    const steps: StepResult[] = [];
    const notes = [...plan.notes];
    for (const s of plan.steps) {
      let r: StepResult;
      try {
        const report = await this.runStep(s.id, target, session, password, action);
        r = { step: s.id, status: report.changed ? 'changed' : 'unchanged', detail: report.detail };
      } catch (err) {
        const error = describeError(err);
        r = { step: s.id, status: 'failed', detail: error.message, error };
        if (s.id === 'ad.disable' && target.kind === 'hybrid') {
          notes.push('the AD disable failed: the cloud disable below is only temporary, the next Entra Connect sync will undo it');
        }
      }
      steps.push(r);
      await this.deps.audit.write(ctx, { event: 'step', step: r.step, status: r.status, detail: r.detail, ...(r.error && { error: r.error }) });
    }
    const ok = steps.filter((s) => s.status !== 'failed').length;
    const failed = steps.length - ok;
    const outcome: Outcome = failed === 0 && plan.gaps.length === 0 ? 'succeeded' : ok > 0 ? 'partial' : 'failed';
    const changed = steps.filter((s) => s.status === 'changed').length;
    const passwordSet = steps.some((s) => s.step.endsWith('reset-password') && s.status === 'changed');
    return {
      ...base,
      outcome,
      message:
        outcome === 'succeeded'
          ? changed === 0
            ? `${action}: nothing to change, ${describeTarget(target)} is already in the requested state`
            : `${action}: done for ${describeTarget(target)}`
          : `${action}: ${outcome} — ${failed} of ${steps.length} steps failed${plan.gaps.length ? `; ${plan.gaps.join('; ')}` : ''}`,
      target: summarise(target),
      steps,
      notes: [...notes, ...plan.gaps.map((g) => `gap: ${g}`)],
      ...(passwordSet && password !== undefined && { temporaryPassword: password }),
    };
  }

  private async runStep(id: StepId, target: Target, session: AdSession | undefined, password: string | undefined, action: ActionName): Promise<ChangeReport> {
    if (id.startsWith('ad.')) {
      if (!session || !('ad' in target)) throw new ProviderNotConfiguredError('activeDirectory', 'this step needs the on-prem account');
      if (id === 'ad.disable') return session.setEnabled(target.ad, false);
      if (id === 'ad.enable') return session.setEnabled(target.ad, true);
      return session.resetPassword(target.ad, password as string);
    }
    const entra = this.deps.entra;
    if (!entra || !('entra' in target)) throw new ProviderNotConfiguredError('entra', 'this step needs the cloud account');
    switch (id) {
      case 'entra.disable':
        return entra.setAccountEnabled(target.entra, false);
      case 'entra.enable':
        return entra.setAccountEnabled(target.entra, true);
      case 'entra.reset-password':
        return entra.resetPassword(target.entra, password as string);
      default:
        // Suspend of an account that was already disabled: no session can have been issued or
        // refreshed since, so a second revoke would change nothing but the timestamp.
        if (action === 'suspend' && !target.entra.accountEnabled) {
          return { changed: false, detail: 'skipped: the account was already disabled in Entra, which stops token refresh' };
        }
        return entra.revokeSessions(target.entra);
    }
  }
}

type Base = Pick<ActionResult, 'actionId' | 'action' | 'user' | 'dryRun'>;

function wouldDo(s: PlannedStep, t: Target, action: ActionName): string {
  const ad = 'ad' in t ? t.ad : undefined;
  const entra = 'entra' in t ? t.entra : undefined;
  switch (s.id) {
    case 'ad.disable':
      return ad?.enabled ? `would disable ${ad.dn} (currently enabled)` : `no change: ${ad?.dn ?? 'AD account'} is already disabled`;
    case 'ad.enable':
      return ad && !ad.enabled ? `would enable ${ad.dn} (currently disabled)` : `no change: ${ad?.dn ?? 'AD account'} is already enabled`;
    case 'ad.reset-password':
      return `would set a new random password on ${ad?.dn ?? 'the AD account'} and require a change at next logon`;
    case 'entra.disable':
      return entra?.accountEnabled ? `would disable ${entra.userPrincipalName} in Entra (currently enabled)` : `no change: ${entra?.userPrincipalName} is already disabled in Entra`;
    case 'entra.enable':
      return entra && !entra.accountEnabled ? `would enable ${entra.userPrincipalName} in Entra (currently disabled)` : `no change: ${entra?.userPrincipalName} is already enabled in Entra`;
    case 'entra.revoke-sessions':
      return action === 'suspend' && entra && !entra.accountEnabled
        ? `no change: ${entra.userPrincipalName} is already disabled in Entra, which stops token refresh`
        : `would revoke the sign-in sessions of ${entra?.userPrincipalName}`;
    case 'entra.reset-password':
      return `would set a new random password on ${entra?.userPrincipalName} and force a change at next sign-in`;
  }
}

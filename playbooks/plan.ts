import type { Target } from './target';

export const ACTIONS = ['suspend', 'enable', 'revoke-sessions', 'reset-password'] as const;
export type ActionName = (typeof ACTIONS)[number];

export function isAction(s: string): s is ActionName {
  return (ACTIONS as readonly string[]).includes(s);
}

export type StepId =
  | 'ad.disable'
  | 'ad.enable'
  | 'ad.reset-password'
  | 'entra.disable'
  | 'entra.enable'
  | 'entra.revoke-sessions'
  | 'entra.reset-password';

export interface PlannedStep {
  readonly id: StepId;
  readonly why: string;
}

/**
 * What an action will do to a target, decided before anything changes (and all a dry run shows).
 * `gaps` are parts the action should cover but cannot here: they make the outcome partial.
 * `blocked` means nothing useful can be done, with the reason and what to do instead.
 */
export interface Plan {
  readonly steps: readonly PlannedStep[];
  readonly notes: readonly string[];
  readonly gaps: readonly string[];
  readonly blocked?: string;
}

const SOURCE_OF_AUTHORITY =
  'AD is the source of authority for a synced user: Entra Connect copies the AD enabled state to the cloud at every sync (about 30 minutes), so only an AD change sticks';
const KERBEROS_NOTE =
  'Kerberos tickets already issued on-prem stay valid until they expire (10 hours by default); the DC refuses new tickets and renewals to a disabled account';

export function planAction(action: ActionName, target: Target): Plan {
  switch (action) {
    case 'suspend':
      return planSuspend(target);
    case 'enable':
      return planEnable(target);
    case 'revoke-sessions':
      return planRevoke(target);
    case 'reset-password':
      return planReset(target);
  }
}

function planSuspend(t: Target): Plan {
  const cloud: PlannedStep[] = [
    { id: 'entra.disable', why: 'blocks new cloud sign-ins and token refreshes now' },
    { id: 'entra.revoke-sessions', why: 'ends refresh tokens and browser sessions issued before the disable' },
  ];
  switch (t.kind) {
    case 'hybrid':
      return { steps: [{ id: 'ad.disable', why: SOURCE_OF_AUTHORITY }, ...cloud], notes: [KERBEROS_NOTE], gaps: [] };
    case 'cloud-only':
      return { steps: cloud, notes: [], gaps: [] };
    case 'ad-only':
      return { steps: [{ id: 'ad.disable', why: 'sets ACCOUNTDISABLE (userAccountControl 0x2)' }], notes: [KERBEROS_NOTE], gaps: [] };
    case 'synced-without-ad':
      return {
        steps: cloud,
        notes: [],
        gaps: [`the on-prem AD account cannot be disabled (${t.why}): Entra Connect will re-enable the cloud account at its next sync`],
      };
  }
}

function planEnable(t: Target): Plan {
  switch (t.kind) {
    case 'hybrid':
      return {
        steps: [
          { id: 'ad.enable', why: 'clears ACCOUNTDISABLE at the source of authority' },
          { id: 'entra.enable', why: 'restores cloud access now rather than at the next sync' },
        ],
        notes: [],
        gaps: [],
      };
    case 'cloud-only':
      return { steps: [{ id: 'entra.enable', why: 'sets accountEnabled=true' }], notes: [], gaps: [] };
    case 'ad-only':
      return { steps: [{ id: 'ad.enable', why: 'clears ACCOUNTDISABLE (userAccountControl 0x2)' }], notes: [], gaps: [] };
    case 'synced-without-ad':
      return {
        steps: [{ id: 'entra.enable', why: 'sets accountEnabled=true' }],
        notes: [],
        gaps: [`the on-prem AD account cannot be enabled (${t.why}): if it is disabled there, the next sync disables the cloud account again`],
      };
  }
}

function planRevoke(t: Target): Plan {
  const revoke: PlannedStep = { id: 'entra.revoke-sessions', why: 'resets signInSessionsValidFromDateTime: refresh tokens and session cookies stop working' };
  switch (t.kind) {
    case 'hybrid':
      return { steps: [revoke], notes: [`on-prem: ${KERBEROS_NOTE.replace('; the DC', ' and AD cannot revoke them; the DC')}`], gaps: [] };
    case 'cloud-only':
    case 'synced-without-ad':
      return { steps: [revoke], notes: [], gaps: [] };
    case 'ad-only':
      return {
        steps: [],
        notes: [],
        gaps: [],
        blocked:
          `${t.ad.sam} exists only in Active Directory, which has no sign-in session to revoke: Kerberos tickets (TGTs) ` +
          'stay valid until they expire (10 hours by default) and NTLM has no session at all. To cut the user off, run ' +
          `'tierzero respond reset-password --user ${t.ad.sam}' (the old password stops working for every new logon and ticket) ` +
          `and, to stop ticket renewals too, 'tierzero respond suspend --user ${t.ad.sam}'.`,
      };
  }
}

function planReset(t: Target): Plan {
  switch (t.kind) {
    case 'hybrid':
      return {
        steps: [{ id: 'ad.reset-password', why: 'the password of a synced user is mastered in AD; password hash sync carries it to Entra' }],
        notes: ['Entra refuses password writes for synced users, so no cloud step is needed or possible'],
        gaps: [],
      };
    case 'cloud-only':
      return { steps: [{ id: 'entra.reset-password', why: 'passwordProfile with forceChangePasswordNextSignIn=true' }], notes: [], gaps: [] };
    case 'ad-only':
      return { steps: [{ id: 'ad.reset-password', why: 'unicodePwd replace plus pwdLastSet=0 (change at next logon)' }], notes: [], gaps: [] };
    case 'synced-without-ad':
      return {
        steps: [],
        notes: [],
        gaps: [],
        blocked: `${t.entra.userPrincipalName} is synced from AD, so its password can only be reset there, and ${t.why}. Reset it in AD, or configure response.activeDirectory.`,
      };
  }
}

import { AmbiguousUserError, UserNotFoundError } from './errors';
import { describeIdentifier, type UserIdentifier } from './identifiers';
import type { AdSession, AdUser } from './providers/active-directory';
import type { EntraProvider, EntraUser } from './providers/entra';

/**
 * Who the action is about, and where that identity lives. The kind decides the steps: for a
 * synced (hybrid) user AD is the source of authority, so containment must happen there too.
 */
export type Target =
  | { readonly kind: 'hybrid'; readonly ad: AdUser; readonly entra: EntraUser }
  | { readonly kind: 'cloud-only'; readonly entra: EntraUser }
  | { readonly kind: 'ad-only'; readonly ad: AdUser; readonly why: string }
  /** Synced from AD, but that AD object is out of our reach: cloud changes will not stick. */
  | { readonly kind: 'synced-without-ad'; readonly entra: EntraUser; readonly why: string };

export interface Directories {
  readonly ad?: AdSession;
  readonly entra?: EntraProvider;
}

export async function resolveTarget(id: UserIdentifier, dirs: Directories): Promise<Target> {
  let ad = dirs.ad ? await dirs.ad.findUser(id) : undefined;
  let entra: EntraUser | undefined;
  if (dirs.entra) {
    // The SID links an AD account to its synced cloud twin; names can differ between the two.
    entra = ad ? await dirs.entra.findBySid(ad.sid) : await dirs.entra.findUser(id);
    if (ad && !entra && id.kind === 'upn') {
      const sameUpn = await dirs.entra.getUser(id.upn);
      if (sameUpn) throw new AmbiguousUserError(id.upn, [`AD ${ad.dn}`, `unlinked Entra account ${sameUpn.id}`]);
    }
  }
  if (!ad && entra?.onPremisesSyncEnabled && entra.onPremisesSecurityIdentifier && dirs.ad) {
    ad = await dirs.ad.findBySid(entra.onPremisesSecurityIdentifier);
  }
  if (ad && entra) return { kind: 'hybrid', ad, entra };
  if (ad) {
    return { kind: 'ad-only', ad, why: dirs.entra ? 'no Entra user carries its SID (not synced)' : 'response.entra is not configured' };
  }
  if (entra) {
    if (!entra.onPremisesSyncEnabled) return { kind: 'cloud-only', entra };
    const why = dirs.ad
      ? `its AD object (${entra.onPremisesSecurityIdentifier ?? 'unknown SID'}) is not under response.activeDirectory.baseDn`
      : 'response.activeDirectory is not configured';
    return { kind: 'synced-without-ad', entra, why };
  }
  const where = [dirs.ad && 'Active Directory', dirs.entra && 'Entra ID'].filter(Boolean).join(' or ') || 'any configured directory';
  throw new UserNotFoundError(describeIdentifier(id), where);
}

/** Every name the target answers to, lower-cased, for protected-account matching. */
export function targetNames(t: Target): string[] {
  const names: (string | undefined)[] = [];
  if ('ad' in t) names.push(t.ad.dn, t.ad.sam, t.ad.upn, t.ad.sid);
  if ('entra' in t) {
    const e = t.entra;
    names.push(e.id, e.userPrincipalName, e.onPremisesSamAccountName, e.onPremisesSecurityIdentifier, e.onPremisesDistinguishedName);
  }
  return [...new Set(names.filter((n): n is string => n !== undefined && n !== '').map((n) => n.toLowerCase()))];
}

/** Plain summary for results and the audit log. */
export interface TargetSummary {
  readonly kind: Target['kind'];
  readonly ad?: { readonly dn: string; readonly sam: string; readonly sid: string; readonly upn?: string; readonly enabled: boolean };
  readonly entra?: { readonly id: string; readonly userPrincipalName: string; readonly accountEnabled: boolean; readonly onPremisesSyncEnabled: boolean };
}

export function summarise(t: Target): TargetSummary {
  return {
    kind: t.kind,
    ...('ad' in t && { ad: { dn: t.ad.dn, sam: t.ad.sam, sid: t.ad.sid, ...(t.ad.upn !== undefined && { upn: t.ad.upn }), enabled: t.ad.enabled } }),
    ...('entra' in t && {
      entra: { id: t.entra.id, userPrincipalName: t.entra.userPrincipalName, accountEnabled: t.entra.accountEnabled, onPremisesSyncEnabled: t.entra.onPremisesSyncEnabled },
    }),
  };
}

export function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'hybrid':
      return `${t.ad.sam} (${t.ad.sid}), synced to Entra as ${t.entra.userPrincipalName}: AD is the source of authority`;
    case 'cloud-only':
      return `${t.entra.userPrincipalName} (${t.entra.id}), cloud-only Entra user`;
    case 'ad-only':
      return `${t.ad.sam} (${t.ad.sid}), AD only: ${t.why}`;
    case 'synced-without-ad':
      return `${t.entra.userPrincipalName}, synced from AD but ${t.why}`;
  }
}

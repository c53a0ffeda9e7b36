import { ProtectedAccountError } from './errors';
import { ridOf } from './identifiers';
import type { Directories, Target } from './target';
import { targetNames } from './target';

export interface ProtectionRules {
  /** sam, DOMAIN\sam, UPN, SID, DN or Entra object id (response.protectedAccounts). */
  readonly protectedAccounts: readonly string[];
  /** The engine's own accounts (response.serviceAccounts). */
  readonly serviceAccounts: readonly string[];
  /** Our AD bind account: suspending it would end every later response. */
  readonly adBindDn?: string;
  readonly adBreakGlassGroups: readonly string[];
  readonly entraBreakGlassGroups: readonly string[];
}

/** Well-known RIDs (MS-DTYP 2.4.2.4): touching these breaks the domain or locks everyone out. */
const BUILT_IN_RIDS: ReadonlyMap<number, string> = new Map([
  [500, 'built-in Administrator (RID 500)'],
  [502, 'krbtgt, the Kerberos key account (RID 502)'],
]);

/**
 * Refuses actions on accounts that must never be touched, whatever the caller says. Group checks
 * fail closed: if membership cannot be read, the error propagates and nothing is changed.
 */
export class ProtectionPolicy {
  private readonly listed: ReadonlyMap<string, string>;

  constructor(private readonly rules: ProtectionRules) {
    const m = new Map<string, string>();
    for (const a of rules.serviceAccounts) m.set(normalise(a), "one of tierzero's own service accounts (response.serviceAccounts)");
    for (const a of rules.protectedAccounts) m.set(normalise(a), 'listed in response.protectedAccounts');
    this.listed = m;
  }

  async assertNotProtected(target: Target, dirs: Directories): Promise<void> {
    const shown = 'ad' in target ? target.ad.sam : target.entra.userPrincipalName;
    const sids = [('ad' in target && target.ad.sid) || undefined, ('entra' in target && target.entra.onPremisesSecurityIdentifier) || undefined];
    for (const sid of sids) {
      const rule = sid === undefined ? undefined : BUILT_IN_RIDS.get(ridOf(sid) ?? -1);
      if (rule) throw new ProtectedAccountError(shown, rule);
    }
    const names = targetNames(target);
    // Read-only DCs get their own krbtgt_NNNNN accounts; they are just as critical.
    if (names.some((n) => n === 'krbtgt' || /^krbtgt_\d+$/.test(n))) throw new ProtectedAccountError(shown, 'a krbtgt account');
    if (this.rules.adBindDn && 'ad' in target && target.ad.dn.toLowerCase() === this.rules.adBindDn.toLowerCase()) {
      throw new ProtectedAccountError(shown, "tierzero's own AD service account (response.activeDirectory.bindDn)");
    }
    for (const n of names) {
      const rule = this.listed.get(n);
      if (rule) throw new ProtectedAccountError(shown, rule);
    }
    if ('ad' in target && dirs.ad) {
      for (const group of this.rules.adBreakGlassGroups) {
        if (await dirs.ad.isMemberOf(target.ad, group)) throw new ProtectedAccountError(shown, `member of break-glass group ${group}`);
      }
    }
    if ('entra' in target && dirs.entra && this.rules.entraBreakGlassGroups.length > 0) {
      const hit = await dirs.entra.memberOfAny(target.entra, this.rules.entraBreakGlassGroups);
      if (hit[0] !== undefined) throw new ProtectedAccountError(shown, `member of Entra break-glass group ${hit[0]}`);
    }
  }
}

/** `CORP\jdoe` is matched by its account part; everything else case-insensitively as written. */
function normalise(name: string): string {
  const n = name.trim().toLowerCase();
  const slash = n.indexOf('\\');
  return slash > 0 ? n.slice(slash + 1) : n;
}

import type { DirectoryView } from '../estate/directory-model';
import { CRITICALITY_MULTIPLIER, type Criticality, type CriticalityTier } from '../scoring/model';
import type { ResolvedIdentities } from './identity-config';
import type { IdentityRecord } from './identity-directory';
import { keyValue, oidKey, samKey, sidKey, upnKey, type IdentityKey } from './identity-keys';

/**
 * An identity's criticality tier and why: a configured decoy is pinned high; configuration
 * wins over what the logs taught (an analyst said so); then tier 0 (sensitive groups, DC
 * privileges, replication rights, privileged Entra roles, DC and directory-sync accounts),
 * tier 1, and disabled or test accounts below normal.
 */
export class CriticalityRules {
  private readonly tier0: ReadonlySet<IdentityKey>;
  private readonly tier1: ReadonlySet<IdentityKey>;
  private readonly test: ReadonlySet<IdentityKey>;

  constructor(config: Pick<ResolvedIdentities, 'tier0' | 'tier1' | 'test'>) {
    this.tier0 = configuredKeys(config.tier0);
    this.tier1 = configuredKeys(config.tier1);
    this.test = configuredKeys(config.test);
  }

  of(record: IdentityRecord, directory: DirectoryView): Criticality {
    const keys = record.keys;
    const values = keys.map(keyValue);
    if (values.some((v) => directory.isHoneytoken(v))) return make('honeytoken', ['configured honeytoken: any use of it is an attack']);
    const configured = keys.some((k) => this.tier0.has(k)) ? 'tier0'
      : keys.some((k) => this.tier1.has(k)) ? 'tier1'
        : keys.some((k) => this.test.has(k)) ? 'test'
          : record.configuredTier;
    if (configured && configured !== 'normal') return make(configured, [`configured as ${configured}`]);
    if (configured === 'normal') return make('normal', ['configured as normal']);
    const reasons = [...(record.tier0 ?? [])];
    for (const sam of keys.filter((k) => k.startsWith('sam:')).map(keyValue)) {
      if (sam.endsWith('$') && directory.isDomainControllerAccount({ name: sam })) reasons.push('domain controller account');
      else if (sam.endsWith('$') && directory.isTier0Host(sam.slice(0, -1))) reasons.push('account of a tier-0 host');
      if (directory.isDirectorySyncAccount({ name: sam })) reasons.push('directory-sync account (replicates the directory)');
    }
    if (reasons.length) return make('tier0', reasons);
    if (record.tier1?.length) return make('tier1', record.tier1);
    if (record.disabled) return make('disabled', ['account disabled']);
    return make('normal', []);
  }
}

function make(tier: CriticalityTier, reasons: readonly string[]): Criticality {
  return { tier, multiplier: CRITICALITY_MULTIPLIER[tier], reasons };
}

/** A configured identifier in whatever form it was written, as the keys it could match. */
function configuredKeys(values: readonly string[]): Set<IdentityKey> {
  const out = new Set<IdentityKey>();
  for (const v of values) {
    for (const k of [sidKey(v), oidKey(v), upnKey(v), samKey(v)]) if (k) out.add(k);
  }
  return out;
}

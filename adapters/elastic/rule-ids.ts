import { createHash } from 'node:crypto';

/**
 * Stable identities for the rule pack. A rule's `rule_id` is what Kibana's import matches on
 * (`overwrite=true` replaces the rule with the same rule_id), so it must never change while the
 * rule means the same thing: a name-based UUID (RFC 4122 §4.3, version 5, SHA-1) of
 * `tierzero/<detector>/<query name>` in tierzero's own namespace. Renaming a detector or a
 * query makes a new rule, as it should.
 */
const NAMESPACE = '8b0f5d4e-6c3a-5f0e-9d1c-2a7e4b9c6f13';

export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`namespace ${namespace} is not a UUID`);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function nativeRuleId(detector: string, query: string): string {
  return uuidV5(`tierzero/${detector}/${query}`);
}

export const PROMOTION_RULE_ID = uuidV5('tierzero/promotion');

/**
 * Kibana's rule `version` (an integer ≥ 1; for custom rules informational — import with
 * overwrite replaces whatever is installed) from the package version, weighted so it only
 * grows: 0.1.0 → 1000, 0.10.0 → 10000, 1.0.0 → 1000000. Every rule of one release carries
 * the same version, so an installed rule's version says which pack it came from.
 */
export function ruleVersion(packageVersion: string): number {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(packageVersion);
  if (!m) throw new Error(`package version ${packageVersion} is not major.minor.patch`);
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  if (minor > 999 || patch > 999) throw new Error(`package version ${packageVersion}: minor and patch must be below 1000`);
  return Math.max(1, major * 1_000_000 + minor * 1_000 + patch);
}

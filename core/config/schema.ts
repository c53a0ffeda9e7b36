import type { DetectorDeclaration } from '../detectors/detector';
import { MAX_LINE_BYTES_MAXIMUM, thresholdMaximum } from './threshold-bounds';

/**
 * The config schema, built from the detector declarations so every threshold a detector
 * reads is a validated, documented key — a typo fails fast instead of silently defaulting.
 * `sections` are the schemas of sections owned by the edges (one per platform, from the
 * platform registry): core accepts them without knowing which platforms exist.
 */
export function configSchema(declarations: readonly DetectorDeclaration[], sections: Readonly<Record<string, object>> = {}): object {
  // At least one visible character: a blank entry (`" "`, or only zero-width/bidi marks that
  // render as nothing) would match nothing, or everything once trimmed — refuse it.
  const stringList = { type: 'array', items: { type: 'string', minLength: 1, pattern: '[^\\s\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff]' } };
  const detectorProps: Record<string, object> = {};
  for (const d of declarations) {
    const thresholds: Record<string, object> = {};
    for (const [name, spec] of Object.entries(d.thresholds)) {
      thresholds[name] = {
        type: spec.integer ? 'integer' : 'number',
        minimum: spec.minimum,
        maximum: thresholdMaximum(name, spec),
        description: spec.description,
      };
    }
    detectorProps[d.id] = {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        learningPeriodDays: { type: 'number', minimum: 0, maximum: 365 },
        thresholds: { type: 'object', additionalProperties: false, properties: thresholds },
        exclusions: {
          type: 'object',
          additionalProperties: false,
          properties: {
            accounts: stringList,
            hosts: stringList,
            ips: { type: 'array', items: { type: 'string', format: 'ip-or-cidr' } },
          },
        },
      },
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      honeytokens: { ...stringList, description: 'Account names, SIDs or directory object GUIDs of decoys' },
      domainControllers: { ...stringList, description: 'DC host names (short or FQDN) or IPs; merged with DCs learned from logs' },
      sensitiveGroups: { ...stringList, description: 'Groups treated as tier-0 in addition to the built-in ones' },
      directorySyncAccounts: { ...stringList, description: 'Accounts allowed to replicate directory secrets (e.g. the Entra Connect account)' },
      tier0Hosts: { ...stringList, description: 'Hosts as critical as a DC (AD CS, AD FS, Entra Connect, admin workstations): short or FQDN names' },
      migrationSourceDomains: { ...stringList, description: 'Domains accounts are being migrated from (ADMT): DNS or NetBIOS names, or domain SIDs (S-1-5-21-a-b-c); SID history from them is expected' },
      testMode: { type: 'boolean', description: 'Switch learning off: baselines are trusted from the first event' },
      learning: {
        type: 'object',
        additionalProperties: false,
        properties: { mode: { enum: ['informational', 'lower', 'hold'], description: 'While learning: deliver at informational (default), one severity lower, or hold the alert back' } },
      },
      stateTtlDays: { type: 'number', minimum: 1, maximum: 3650, description: 'Entities idle this long are evicted from state' },
      maxLineBytes: { type: 'integer', minimum: 1024, maximum: MAX_LINE_BYTES_MAXIMUM, description: 'Longer input lines are quarantined' },
      detectors: { type: 'object', additionalProperties: false, properties: detectorProps },
      // Sections owned and validated by the edges that read them (playbooks, platform adapters).
      response: { type: 'object', description: 'Response playbooks: see playbooks/README' },
      identities: { type: 'object', description: 'Known identities and tiers: validated by core/identity/identity-config.ts' },
      corporateNetworks: { type: 'object', description: 'Corporate/VPN/SASE egress: validated by core/config/corporate-networks.ts' },
      frontEnds: { type: 'array', description: 'Exchange, AD FS, VPN and RDS gateways many users authenticate through: host names, addresses or CIDRs; validated by core/estate/front-ends.ts' },
      scoring: { type: 'object', description: 'Priority score inputs (analyst verdicts): validated by core/scoring/scoring-config.ts' },
      ...sections,
    },
  };
}

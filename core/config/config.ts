import Ajv, { type ErrorObject } from 'ajv';
import type { LearningMode } from '../alerts/learning-mode';
import { resolveFrontEnds } from '../estate/front-ends';
import type { DetectorDeclaration, DetectorSettings } from '../detectors/detector';
import type { DetectorId } from '../detectors/detector-id';
import { DAY } from '../events/time';
import { resolveIdentities, type IdentitiesConfig, type ResolvedIdentities } from '../identity/identity-config';
import { resolveScoring, type ResolvedScoring, type ScoringConfig } from '../scoring/scoring-config';
import { compileAddresses, isAddressOrCidr, type AddressMatcher } from './cidr';
import { resolveCorporateNetworks, type CorporateNetworksConfig, type CorporateNetworkView } from './corporate-networks';
import { configSchema } from './schema';
import { ConfigError } from './config-error';

// ConfigError has its own module so modules config.ts reads (section errors, front-ends) need not import config.ts.
export { ConfigError } from './config-error';

export interface DetectorConfig {
  readonly enabled?: boolean;
  readonly learningPeriodDays?: number;
  readonly thresholds?: Readonly<Record<string, number>>;
  readonly exclusions?: { readonly accounts?: readonly string[]; readonly hosts?: readonly string[]; readonly ips?: readonly string[] };
}

/** The config file as written (every key optional). */
export interface TierzeroConfig {
  readonly honeytokens?: readonly string[];
  readonly domainControllers?: readonly string[];
  readonly sensitiveGroups?: readonly string[];
  readonly directorySyncAccounts?: readonly string[];
  readonly tier0Hosts?: readonly string[];
  readonly migrationSourceDomains?: readonly string[];
  readonly testMode?: boolean;
  readonly learning?: { readonly mode?: LearningMode };
  readonly stateTtlDays?: number;
  readonly maxLineBytes?: number;
  readonly detectors?: Readonly<Partial<Record<DetectorId, DetectorConfig>>>;
  readonly identities?: IdentitiesConfig;
  readonly corporateNetworks?: CorporateNetworksConfig;
  /** Hosts many identities authenticate through (Exchange, AD FS, VPN, RDS gateways): names, addresses, CIDRs. */
  readonly frontEnds?: readonly string[];
  readonly scoring?: ScoringConfig;
}

export interface Exclusions {
  readonly accounts: ReadonlySet<string>;
  readonly hosts: ReadonlySet<string>;
  readonly addresses: AddressMatcher;
}

/** Config after validation and defaults: what the engine runs on. */
export interface ResolvedConfig {
  readonly honeytokens: readonly string[];
  readonly domainControllers: readonly string[];
  readonly sensitiveGroups: readonly string[];
  readonly directorySyncAccounts: readonly string[];
  readonly tier0Hosts: readonly string[];
  readonly migrationSourceDomains: readonly string[];
  readonly testMode: boolean;
  readonly learningMode: LearningMode;
  readonly stateTtlMs: number;
  readonly maxLineBytes: number;
  readonly detectors: ReadonlyMap<DetectorId, { readonly settings: DetectorSettings; readonly exclusions: Exclusions }>;
  readonly identities: ResolvedIdentities;
  readonly corporateNetworks: CorporateNetworkView;
  readonly frontEnds: readonly string[];
  readonly scoring: ResolvedScoring;
}

export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

/** `sections`: schemas of the sections the edges own (platforms), accepted beside core's keys. */
export function resolveConfig(raw: unknown, declarations: readonly DetectorDeclaration[], sections: Readonly<Record<string, object>> = {}): ResolvedConfig {
  validate(raw, declarations, sections);
  const c = (raw ?? {}) as TierzeroConfig;
  const testMode = c.testMode ?? false;
  const detectors = new Map<DetectorId, { settings: DetectorSettings; exclusions: Exclusions }>();
  for (const d of declarations) {
    const dc = c.detectors?.[d.id];
    if (dc?.enabled === false) continue;
    const thresholds: Record<string, number> = {};
    for (const [name, spec] of Object.entries(d.thresholds)) thresholds[name] = dc?.thresholds?.[name] ?? spec.default;
    detectors.set(d.id, {
      settings: { thresholds, testMode, learningPeriodMs: (dc?.learningPeriodDays ?? d.learningPeriodDays) * DAY },
      exclusions: {
        accounts: new Set((dc?.exclusions?.accounts ?? []).map(normaliseAccountName)),
        hosts: new Set((dc?.exclusions?.hosts ?? []).map((h) => h.toLowerCase().split('.')[0] ?? h)),
        addresses: compileAddresses(dc?.exclusions?.ips ?? []),
      },
    });
  }
  return {
    honeytokens: c.honeytokens ?? [],
    domainControllers: c.domainControllers ?? [],
    sensitiveGroups: c.sensitiveGroups ?? [],
    directorySyncAccounts: c.directorySyncAccounts ?? [],
    tier0Hosts: c.tier0Hosts ?? [],
    migrationSourceDomains: c.migrationSourceDomains ?? [],
    testMode,
    learningMode: c.learning?.mode ?? 'informational',
    stateTtlMs: (c.stateTtlDays ?? 30) * DAY,
    maxLineBytes: c.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    detectors,
    identities: resolveIdentities(c.identities),
    corporateNetworks: resolveCorporateNetworks(c.corporateNetworks),
    frontEnds: resolveFrontEnds(c.frontEnds),
    scoring: resolveScoring(c.scoring),
  };
}

/** `CORP\jdoe`, `jdoe@corp.local`, `JDoe` → `jdoe`, matching how alerts key accounts. */
export function normaliseAccountName(name: string): string {
  const lower = name.trim().toLowerCase();
  const slash = lower.lastIndexOf('\\');
  if (slash >= 0) return lower.slice(slash + 1);
  const at = lower.lastIndexOf('@');
  return at > 0 ? lower.slice(0, at) : lower;
}

/**
 * Merges `over` onto `base` the way `eval` applies a dataset's `context`: objects merge
 * key by key, lists are unioned (a file's honeytokens add to the deployment's), scalars replace.
 */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(over)) return [...new Set([...base, ...over])];
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeConfig(base[k], v) : v;
    return out;
  }
  return over === undefined ? base : over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const validators = new WeakMap<readonly DetectorDeclaration[], Map<string, ReturnType<Ajv['compile']>>>();

function validate(raw: unknown, declarations: readonly DetectorDeclaration[], sections: Readonly<Record<string, object>>): void {
  const bySections = validators.get(declarations) ?? new Map<string, ReturnType<Ajv['compile']>>();
  validators.set(declarations, bySections);
  const key = JSON.stringify(sections);
  let check = bySections.get(key);
  if (!check) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    ajv.addFormat('ip-or-cidr', { type: 'string', validate: isAddressOrCidr });
    check = ajv.compile(configSchema(declarations, sections));
    bySections.set(key, check);
  }
  // A file holding `null` is not "no config": it is a mistake (often a failed templating step).
  if (check(raw === undefined ? {} : raw)) return;
  const first = (check.errors ?? [])[0];
  if (first) throw toConfigError(first);
}

function toConfigError(e: ErrorObject): ConfigError {
  const key = e.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  switch (e.keyword) {
    case 'additionalProperty':
    case 'additionalProperties': {
      const extra = String((e.params as { additionalProperty?: string }).additionalProperty);
      return new ConfigError(key ? `${key}.${extra}` : extra, 'is not a known key');
    }
    case 'enum':
      return new ConfigError(key, `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`);
    case 'format':
      return new ConfigError(key, 'must be an IP address or CIDR range (e.g. 10.0.0.0/8)');
    case 'pattern':
      return new ConfigError(key, 'must not be blank');
    case 'type':
      return new ConfigError(key, key ? (e.message ?? 'is invalid') : 'must be a JSON object');
    default:
      return new ConfigError(key, e.message ?? 'is invalid');
  }
}

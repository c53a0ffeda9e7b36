import Ajv from 'ajv';
import { sectionError } from '../config/section-error';

/**
 * `identities`: what the organisation already knows about who is who, so one person is one
 * identity from the first event on — accounts (any of UPN, SID, sAMAccountName, Entra object
 * id, as a directory export lists them), a directory export file the CLI reads and inlines,
 * and identities to treat as tier 0 / tier 1 / test whatever the logs show.
 */
export interface IdentitySeed {
  readonly upn?: string;
  readonly sid?: string;
  readonly sam?: string;
  readonly objectId?: string;
  readonly displayName?: string;
  readonly tier?: 'tier0' | 'tier1' | 'normal' | 'test';
  readonly enabled?: boolean;
  /** Entra directory roles held (privileged ones make the identity tier 0). */
  readonly roles?: readonly string[];
}

export interface IdentitiesConfig {
  readonly accounts?: readonly IdentitySeed[];
  /** A Graph `/users` export or UEBA `IdentityInfo` rows (Log Analytics) (JSON or JSONL); path relative to the config file. */
  readonly directoryExport?: string;
  readonly tier0?: readonly string[];
  readonly tier1?: readonly string[];
  readonly test?: readonly string[];
}

export interface ResolvedIdentities {
  readonly seeds: readonly IdentitySeed[];
  /** Account names, UPNs, SIDs or object ids, as configured. */
  readonly tier0: readonly string[];
  readonly tier1: readonly string[];
  readonly test: readonly string[];
}

const name = { type: 'string', minLength: 1 };
const seedSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    upn: name, sid: { type: 'string', pattern: '^[Ss]-1-\\d+(-\\d+)*$' }, sam: name,
    objectId: { type: 'string', pattern: '^\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}?$' },
    displayName: { type: 'string' },
    tier: { enum: ['tier0', 'tier1', 'normal', 'test'] },
    enabled: { type: 'boolean' },
    roles: { type: 'array', items: name },
  },
};

export const IDENTITIES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    accounts: { type: 'array', items: seedSchema },
    directoryExport: name,
    tier0: { type: 'array', items: name },
    tier1: { type: 'array', items: name },
    test: { type: 'array', items: name },
  },
};

let validator: ReturnType<Ajv['compile']> | undefined;

export function resolveIdentities(raw: unknown): ResolvedIdentities {
  if (raw === undefined) return { seeds: [], tier0: [], tier1: [], test: [] };
  validator ??= new Ajv({ allErrors: false, strict: true }).compile(IDENTITIES_SCHEMA);
  if (!validator(raw)) throw sectionError('identities', validator.errors?.[0]);
  const c = raw as IdentitiesConfig;
  return { seeds: c.accounts ?? [], tier0: c.tier0 ?? [], tier1: c.tier1 ?? [], test: c.test ?? [] };
}

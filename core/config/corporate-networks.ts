import Ajv from 'ajv';
import { compileAddresses, isAddressOrCidr } from './cidr';
import { sectionError } from './section-error';

/**
 * `corporateNetworks`: where the organisation's own traffic leaves for the internet — office
 * egress ranges, VPN concentrators, SASE/secure web gateway ASNs (Zscaler, Netskope, …).
 * A sign-in from there says nothing about where the user is, so cloud detectors neither
 * measure travel from it nor call it unfamiliar.
 */
export interface CorporateNetworksConfig {
  readonly asns?: readonly number[];
  readonly ranges?: readonly string[];
}

export interface CorporateNetworkView {
  isCorporate(ip: string | undefined, asn: number | undefined): boolean;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    asns: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 4294967295 } },
    ranges: { type: 'array', items: { type: 'string', format: 'ip-or-cidr' } },
  },
};

let validator: ReturnType<Ajv['compile']> | undefined;

export function resolveCorporateNetworks(raw: unknown): CorporateNetworkView {
  if (raw === undefined) return { isCorporate: () => false };
  validator ??= new Ajv({ allErrors: false, strict: true }).addFormat('ip-or-cidr', { type: 'string', validate: isAddressOrCidr }).compile(schema);
  if (!validator(raw)) throw sectionError('corporateNetworks', validator.errors?.[0]);
  const c = raw as CorporateNetworksConfig;
  const asns = new Set(c.asns ?? []);
  const ranges = compileAddresses(c.ranges ?? []);
  return {
    isCorporate: (ip, asn) => (asn !== undefined && asns.has(asn)) || (ip !== undefined && ranges.matches(ip)),
  };
}

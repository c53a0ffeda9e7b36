import type { Prng } from '../prng';

/**
 * Where Entra sign-ins come from, as geo-IP reports them: cities with their coordinates,
 * the residential and mobile networks users reach the internet through there, the SASE
 * gateway points of presence a corporate VPN egresses from, and the hosting networks attackers
 * rent. ASNs and prefixes are real allocations of those networks (documentation-grade
 * realism: geo-IP of a real address would say the same city), the host parts are made up.
 */

export interface City {
  readonly name: string;
  readonly country: string;
  readonly state: string;
  readonly lat: number;
  readonly lon: number;
}

export interface Network {
  readonly asn: number;
  readonly name: string;
  /** IPv4 /16 prefixes (`90.84`) or IPv6 /48 prefixes (`2a01:cb00:7`). */
  readonly prefixes: readonly string[];
  readonly kind: 'residential' | 'mobile' | 'sase' | 'hosting' | 'office';
}

export const CITIES = {
  paris: { name: 'Paris', country: 'FR', state: 'Paris', lat: 48.8566, lon: 2.3522 },
  lyon: { name: 'Lyon', country: 'FR', state: 'Auvergne-Rhone-Alpes', lat: 45.764, lon: 4.8357 },
  london: { name: 'London', country: 'GB', state: 'England', lat: 51.5072, lon: -0.1276 },
  manchester: { name: 'Manchester', country: 'GB', state: 'England', lat: 53.4808, lon: -2.2426 },
  berlin: { name: 'Berlin', country: 'DE', state: 'Berlin', lat: 52.52, lon: 13.405 },
  frankfurt: { name: 'Frankfurt am Main', country: 'DE', state: 'Hessen', lat: 50.1109, lon: 8.6821 },
  madrid: { name: 'Madrid', country: 'ES', state: 'Madrid', lat: 40.4168, lon: -3.7038 },
  newYork: { name: 'New York', country: 'US', state: 'New York', lat: 40.7128, lon: -74.006 },
  chicago: { name: 'Chicago', country: 'US', state: 'Illinois', lat: 41.8781, lon: -87.6298 },
  singapore: { name: 'Singapore', country: 'SG', state: 'Singapore', lat: 1.3521, lon: 103.8198 },
  tokyo: { name: 'Tokyo', country: 'JP', state: 'Tokyo', lat: 35.6762, lon: 139.6503 },
  amsterdam: { name: 'Amsterdam', country: 'NL', state: 'Noord-Holland', lat: 52.3676, lon: 4.9041 },
  lagos: { name: 'Lagos', country: 'NG', state: 'Lagos', lat: 6.5244, lon: 3.3792 },
  saoPaulo: { name: 'Sao Paulo', country: 'BR', state: 'Sao Paulo', lat: -23.5505, lon: -46.6333 },
  moscow: { name: 'Moscow', country: 'RU', state: 'Moscow', lat: 55.7558, lon: 37.6173 },
} satisfies Record<string, City>;

export type CityId = keyof typeof CITIES;

/** Residential and mobile access networks by country. */
export const ACCESS: Readonly<Record<string, readonly Network[]>> = {
  FR: [
    { asn: 3215, name: 'Orange', prefixes: ['90.84', '86.246', '2a01:cb00:7'], kind: 'residential' },
    { asn: 12322, name: 'Free', prefixes: ['82.64', '2a01:e0a:5'], kind: 'residential' },
    { asn: 51207, name: 'Free Mobile', prefixes: ['37.171', '2a04:cec0:10'], kind: 'mobile' },
  ],
  GB: [
    { asn: 2856, name: 'BT', prefixes: ['86.128', '81.128'], kind: 'residential' },
    { asn: 5378, name: 'Vodafone UK', prefixes: ['82.132', '2a01:4c8:5'], kind: 'mobile' },
  ],
  DE: [
    { asn: 3320, name: 'Deutsche Telekom', prefixes: ['91.64', '2003:e5:1f'], kind: 'residential' },
    { asn: 6805, name: 'Telefonica Germany', prefixes: ['89.204', '2a02:3033:4'], kind: 'mobile' },
  ],
  ES: [{ asn: 3352, name: 'Telefonica de Espana', prefixes: ['83.32'], kind: 'residential' }],
  US: [
    { asn: 7922, name: 'Comcast', prefixes: ['73.12', '2601:18c:4'], kind: 'residential' },
    { asn: 21928, name: 'T-Mobile USA', prefixes: ['172.58', '2607:fb90:7'], kind: 'mobile' },
  ],
  SG: [{ asn: 9506, name: 'Singtel', prefixes: ['116.14'], kind: 'residential' }],
  JP: [{ asn: 2516, name: 'KDDI', prefixes: ['106.128'], kind: 'residential' }],
  NL: [{ asn: 1136, name: 'KPN', prefixes: ['84.104'], kind: 'residential' }],
  NG: [{ asn: 29465, name: 'MTN Nigeria', prefixes: ['105.112'], kind: 'mobile' }],
  BR: [{ asn: 28573, name: 'Claro NXT', prefixes: ['177.32'], kind: 'residential' }],
  RU: [{ asn: 8359, name: 'MTS', prefixes: ['95.31'], kind: 'mobile' }],
};

/** Zscaler's egress: the VPN users' sign-ins come from whichever point of presence serves them. */
export const SASE: { readonly network: Network; readonly pops: readonly CityId[] } = {
  network: { asn: 53813, name: 'Zscaler', prefixes: ['165.225'], kind: 'sase' },
  pops: ['paris', 'frankfurt', 'london', 'amsterdam', 'newYork', 'singapore'],
};

/** The company's own office egress, a fixed range per office. */
export const OFFICES: Readonly<Partial<Record<CityId, { readonly range: string; readonly network: Network }>>> = {
  paris: { range: '198.51.100.0/24', network: { asn: 64500, name: 'Corp WAN', prefixes: ['198.51.100'], kind: 'office' } },
  london: { range: '203.0.113.0/24', network: { asn: 64500, name: 'Corp WAN', prefixes: ['203.0.113'], kind: 'office' } },
};

/** Where attackers rent their infrastructure. */
export const HOSTING: readonly { readonly network: Network; readonly city: CityId }[] = [
  { network: { asn: 14061, name: 'DigitalOcean', prefixes: ['188.166', '2a03:b0c0:2'], kind: 'hosting' }, city: 'amsterdam' },
  { network: { asn: 16276, name: 'OVH', prefixes: ['51.75'], kind: 'hosting' }, city: 'frankfurt' },
  { network: { asn: 9009, name: 'M247', prefixes: ['185.156'], kind: 'hosting' }, city: 'moscow' },
];

/** An address inside a network: the prefix plus random host bits. */
export function addressIn(network: Network, rng: Prng, preferV6 = false): string {
  const v6 = network.prefixes.filter((p) => p.includes(':'));
  const v4 = network.prefixes.filter((p) => !p.includes(':'));
  const prefix = preferV6 && v6.length ? rng.pick(v6) : v4.length ? rng.pick(v4) : rng.pick(v6);
  if (prefix.includes(':')) return `${prefix}:${rng.hex(4).replace(/^0+(?=.)/, '')}::${rng.hex(3).replace(/^0+(?=.)/, '')}`;
  const parts = prefix.split('.').length;
  return [prefix, ...Array.from({ length: 4 - parts }, () => String(rng.int(1, 254)))].join('.');
}

import { Prng } from '../prng';
import { ACCESS, CITIES, OFFICES, type CityId, type Network } from './places';

/**
 * The people of a synthetic Entra tenant and their habits: where they live and work, what
 * network they are on, their devices, the apps they use, whether they are on the corporate VPN
 * (SASE), and whether they travel. Deterministic from the seed.
 */

export interface Device {
  /** Registered (Entra joined / hybrid joined) devices have an id; a personal phone has none. */
  readonly deviceId?: string;
  readonly displayName?: string;
  readonly operatingSystem: string;
  readonly browser: string;
  readonly trustType?: string;
  readonly isCompliant: boolean;
  readonly isManaged: boolean;
}

export interface CloudUser {
  readonly upn: string;
  readonly displayName: string;
  readonly objectId: string;
  /** The synced AD account: the directory export links the two by this SID. */
  readonly sid: string;
  readonly sam: string;
  readonly home: CityId;
  readonly isp: Network;
  readonly mobile?: Network;
  readonly office?: CityId;
  readonly laptop: Device;
  readonly phone: Device;
  readonly apps: readonly string[];
  /** Works through the corporate SASE client: sign-ins egress from its points of presence. */
  readonly vpn: boolean;
  /** Takes a business trip during the period. */
  readonly traveller: boolean;
  readonly mfaMethod: 'Mobile app notification' | 'OATH verification code' | 'Text message';
  /** Holds an Entra admin role (in the directory export). */
  readonly roles: readonly string[];
}

const FIRST = ['anna', 'ben', 'chloe', 'david', 'emma', 'farid', 'grace', 'hugo', 'ines', 'jonas', 'kofi', 'lena', 'marco', 'nadia', 'omar', 'paula', 'quentin', 'rosa', 'sven', 'tara', 'ugo', 'vera', 'wei', 'xena', 'yusuf', 'zoe'];
const LAST = ['martin', 'bernard', 'smith', 'jones', 'muller', 'schmidt', 'garcia', 'lopez', 'rossi', 'dubois', 'silva', 'tanaka', 'kim', 'haddad', 'okafor', 'nielsen', 'novak', 'evans', 'berg', 'costa'];
const APPS = ['Office 365 Exchange Online', 'Microsoft Teams', 'Office 365 SharePoint Online', 'OneDrive SyncEngine', 'Azure Portal', 'Microsoft Office', 'Power BI', 'Workday'];
const HOMES: readonly CityId[] = ['paris', 'paris', 'paris', 'lyon', 'london', 'london', 'manchester', 'berlin', 'madrid', 'newYork', 'chicago'];
export const TENANT_DOMAIN = 'contoso-corp.example';
const DOMAIN_SID = 'S-1-5-21-2125716432-3158712446-1908402871';

export function buildTenant(seed: string, size: number): CloudUser[] {
  const rng = new Prng(seed).fork('tenant');
  const taken = new Set<string>();
  const users: CloudUser[] = [];
  for (let i = 0; i < size; i++) {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let sam = `${first}.${last}`;
    for (let n = 2; taken.has(sam); n++) sam = `${first}.${last}${n}`;
    taken.add(sam);
    const home = rng.pick(HOMES);
    const country = CITIES[home].country;
    const access = ACCESS[country] ?? [];
    const isp = access.find((a) => a.kind === 'residential') ?? (access[0] as Network);
    const mobile = access.find((a) => a.kind === 'mobile');
    const office = OFFICES[home] ? home : undefined;
    first = first[0]?.toUpperCase() + first.slice(1);
    last = last[0]?.toUpperCase() + last.slice(1);
    const windows = rng.chance(0.8);
    users.push({
      upn: `${sam}@${TENANT_DOMAIN}`,
      displayName: `${first} ${last}`,
      objectId: rng.guid(),
      sid: `${DOMAIN_SID}-${1100 + i}`,
      sam,
      home,
      isp,
      ...(mobile ? { mobile } : {}),
      ...(office ? { office } : {}),
      laptop: {
        deviceId: rng.guid(), displayName: `${windows ? 'LT' : 'MBP'}-${String(1000 + i)}`,
        operatingSystem: windows ? 'Windows10' : 'MacOs', browser: windows ? 'Edge 122.0.2365' : 'Safari 17.3',
        trustType: windows ? 'Hybrid Azure AD joined' : 'Azure AD registered', isCompliant: true, isManaged: true,
      },
      phone: { operatingSystem: rng.chance(0.6) ? 'Ios 17.3.1' : 'Android 14', browser: 'Mobile Safari', isCompliant: false, isManaged: false },
      apps: rng.sample(APPS, rng.int(2, 4)),
      vpn: rng.chance(0.2),
      traveller: rng.chance(0.08),
      mfaMethod: rng.pick(['Mobile app notification', 'Mobile app notification', 'OATH verification code', 'Text message'] as const),
      roles: i < Math.max(1, Math.round(size / 100)) ? ['Global Administrator'] : i < Math.round(size / 30) ? ['Helpdesk Administrator'] : [],
    });
  }
  return users;
}

/** The tenant as `GET /v1.0/users?$select=…` returns it: what `identities.directoryExport` reads. */
export function directoryExport(users: readonly CloudUser[]): object {
  return {
    '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,displayName,accountEnabled,onPremisesSecurityIdentifier,onPremisesSamAccountName)',
    value: users.map((u) => ({
      id: u.objectId, userPrincipalName: u.upn, displayName: u.displayName, accountEnabled: true,
      onPremisesSecurityIdentifier: u.sid, onPremisesSamAccountName: u.sam, onPremisesSyncEnabled: true,
    })),
  };
}

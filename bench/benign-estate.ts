import type { Domain, Host, HostRole, Principal, User } from './domain';
import { Prng } from './prng';

/**
 * What a real estate has beside the domain of domain.ts and that looks like attacks: RC4-only
 * multifunction printers, vulnerability scanners, mail and AD FS front-ends, help desk staff,
 * and users of a legacy app whose tickets are always RC4. Derived from the domain and the seed
 * (never stored in the domain, so the existing workloads' bytes do not move), the same every
 * day of a benign week.
 *
 * The rates, per day, and where they come from. Where no public figure exists the number is
 * an estimate stated as one, of the order the issue's benign day at 100 k accounts showed
 * (issue 15: 471 RC4 client alerts, 138 RC4 ticket alerts, 39 srvsvc opens, 5 front-end sprays).
 */
export const RATES = {
  /**
   * One RC4-only device that signs users in with their own password (an MFP's "log in at the
   * panel" with scan-to-folder) per 500 accounts. Office fleets run about one MFP per 10-25
   * staff, and older firmware that cannot do AES is a minority of them; Microsoft's RC4
   * retirement guidance (KB5021131, "Kerberos protocol changes related to CVE-2022-37966")
   * exists because such devices are still common. Estimate.
   */
  accountsPerRc4Device: 500,
  /** Distinct regulars per device, and panel sign-ins each on a working day. */
  usersPerRc4Device: 12,
  /** Vulnerability scanners (Nessus, Qualys, Rapid7): a fixed pair, not per account. */
  scanners: 2,
  /** Default-credential checks per target (blank, "admin", "password" for Administrator). */
  probesPerTarget: 3,
  /** A scanner covers the DCs every night and a seventh of the servers (a weekly full scan). */
  serverShareScannedPerDay: 1 / 7,
  /**
   * Phones retrying an old password through Exchange ActiveSync: ~1.1% of accounts change their
   * password each day under a 90-day expiry, about half of them have a phone on mail, and one
   * in ten of those phones keeps the old one for hours. Estimate: 0.05% of accounts a day.
   */
  stalePhoneShare: 0.0005,
  /** An ActiveSync client retries every 10-20 minutes; the user notices after 2-10 hours. */
  stalePhoneRetryMinutes: [10, 20] as const,
  stalePhoneHours: [2, 10] as const,
  /** Front-end servers: at least two of each, one per 25,000 accounts (load-balanced pairs). */
  accountsPerFrontEnd: 25_000,
  /** Share of accounts signing in through each front-end a day (OWA / ActiveSync basic; AD FS forms for M365). */
  mailSignInShare: 0.15,
  adfsSignInShare: 0.3,
  /** Mistyped passwords: the same 5% as traffic-people.ts's workstation sign-ins. */
  typoShare: 0.05,
  /** One help desk agent per 2,500 accounts (HDI staffing figures run 1 per 70-300 users; most are not AD operators). */
  accountsPerHelpDeskAgent: 2_500,
  /** Password resets and unlocks a day: 0.3% and 0.2% of accounts (20-50% of help desk calls are resets, Gartner). */
  resetShare: 0.003,
  unlockShare: 0.002,
  /** Workstations (re)installed by the deployment server a day: reimages, new machines, client repair. Estimate. */
  pushShare: 0.005,
  /** Users whose Explorer lists a DC's shares (\\corp.example, \\DC01) a day: a srvsvc NetShareEnum. Estimate. */
  srvsvcShare: 0.003,
  /** Users changing their own password a day (SAMR on a DC): 1/90 under a 90-day expiry. */
  passwordChangeShare: 1 / 90,
  /** Users of the legacy app whose account has no AES keys: every ticket for it is RC4. Estimate. */
  legacyAppUserShare: 0.02,
} as const;

export interface Rc4Device {
  readonly host: Host;
  readonly regulars: readonly User[];
}

export interface BenignEstate {
  readonly rc4Devices: readonly Rc4Device[];
  readonly scanners: readonly Host[];
  readonly mailServers: readonly Host[];
  readonly adfsServers: readonly Host[];
  /** The Web Application Proxy in the DMZ: what the AD FS servers see as the client's address. */
  readonly wapIp: string;
  /** The load balancer in front of Exchange, where ActiveSync and OWA clients appear to come from. */
  readonly mailLoadBalancerIp: string;
  readonly helpDesk: readonly User[];
  readonly legacyAppUsers: readonly User[];
  /** The built-in Administrator (RID 500), what default-credential checks try. */
  readonly administrator: Principal;
}

export function buildBenignEstate(d: Domain, seed: string): BenignEstate {
  const rng = new Prng(seed).fork('benign-estate');
  let rid = 40_000;
  const host = (name: string, role: HostRole, ip: string): Host => ({
    name, role, ip, fqdn: `${name}.${d.dnsName}`,
    account: { name: `${name}$`, sid: `${d.sid}-${rid++}`, displayName: name, dn: `CN=${name},OU=${role === 'server' ? 'Servers' : 'Devices'},${d.baseDn}`, guid: rng.guid() },
  });
  const users = d.users.length;
  const frontEnds = Math.max(2, Math.ceil(users / RATES.accountsPerFrontEnd));
  const rc4Devices = range(Math.max(1, Math.round(users / RATES.accountsPerRc4Device)), (i) => ({
    host: host(`MFP${pad(i + 1, 4)}`, 'workstation', `10.30.${Math.floor(i / 250)}.${(i % 250) + 1}`),
    regulars: rng.sample(d.users, Math.min(users, RATES.usersPerRc4Device)),
  }));
  return {
    rc4Devices,
    scanners: range(RATES.scanners, (i) => host(`SCAN${pad(i + 1, 2)}`, 'server', `10.20.1.${22 + i}`)),
    mailServers: range(frontEnds, (i) => host(`MAIL${pad(i + 1, 2)}`, 'server', `10.0.2.${10 + i}`)),
    adfsServers: range(frontEnds, (i) => host(`ADFS${pad(i + 1, 2)}`, 'server', `10.0.3.${10 + i}`)),
    wapIp: '172.16.10.5',
    mailLoadBalancerIp: '10.0.2.5',
    helpDesk: rng.sample(d.users, Math.max(2, Math.round(users / RATES.accountsPerHelpDeskAgent))),
    legacyAppUsers: rng.sample(d.users, Math.max(1, Math.round(users * RATES.legacyAppUserShare))),
    administrator: { name: 'Administrator', sid: `${d.sid}-500`, displayName: 'Administrator', dn: `CN=Administrator,CN=Users,${d.baseDn}`, guid: rng.guid() },
  };
}

function range<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

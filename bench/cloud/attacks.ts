import type { Prng } from '../prng';
import { addressIn, CITIES, HOSTING, type Network } from './places';
import { auditRecord, type SignInSpec } from './records';
import type { CloudUser, Device } from './tenant';

/**
 * The attacks injected into a cloud workload, after the baselines have had their week:
 * a stolen password used from abroad (impossible travel, unfamiliar sign-in), a password spray
 * in waves from a rented server with one password that works, MFA push bombing until the
 * victim approves, and a containment undone by directory sync. Each is labelled with the
 * detector that should fire and the user it should name.
 */

export type CloudDetector = 'impossible_travel' | 'unfamiliar_signin' | 'cloud_password_spray' | 'mfa_fatigue' | 'containment_reverted';

export interface CloudLabel {
  readonly detector: CloudDetector;
  /** The user the alert should name. */
  readonly user: string;
  readonly time: string;
  readonly source?: string;
  readonly description: string;
}

export interface CloudBenign {
  readonly resembles: CloudDetector;
  readonly user: string;
  readonly what: string;
}

export interface InjectedAttacks {
  readonly specs: SignInSpec[];
  readonly audits: { readonly time: number; readonly row: Record<string, unknown> }[];
  readonly labels: CloudLabel[];
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;
export const SYNC_PRINCIPAL = 'Sync_AADC01_5e2f9a0c1b7d@contosocorp.onmicrosoft.com';
const ATTACKER_BOX: Device = { operatingSystem: 'Linux', browser: 'Firefox 123.0', isCompliant: false, isManaged: false };

export function injectAttacks(users: readonly CloudUser[], start: number, days: number, rng: Prng): InjectedAttacks {
  const out: InjectedAttacks = { specs: [], audits: [], labels: [] };
  if (days < 13) return out;
  // Victims: ordinary European users at home, so the attack is the only oddity in their logs.
  const ordinary = users.filter((u) => !u.vpn && !u.traveller && u.roles.length === 0 && CITIES[u.home].lon > -10 && CITIES[u.home].lon < 20);
  const [stolen, sprayHit, bombed] = rng.sample(ordinary, 3);
  const analyst = users.find((u) => u.roles.includes('Global Administrator')) ?? (users[0] as CloudUser);
  if (!stolen || !sprayHit || !bombed) return out;

  // Day 9: the stolen password is used from Lagos 40 minutes after the user's own sign-in.
  const own = start + 9 * DAY + 8 * HOUR + 10 * MINUTE;
  const lagos: Network = { asn: 29465, name: 'MTN Nigeria', prefixes: ['105.112'], kind: 'mobile' };
  const lagosIp = addressIn(lagos, rng);
  out.specs.push({ time: own, user: stolen, city: stolen.home, network: stolen.isp, ip: addressIn(stolen.isp, rng), device: stolen.laptop, app: 'Microsoft Teams', result: 0 });
  out.specs.push({ time: own + 40 * MINUTE, user: stolen, city: 'lagos', network: lagos, ip: lagosIp, device: ATTACKER_BOX, app: 'Office 365 Exchange Online', result: 0 });
  for (const detector of ['impossible_travel', 'unfamiliar_signin'] as const) {
    out.labels.push({ detector, user: stolen.upn, time: iso(own + 40 * MINUTE), source: lagosIp, description: `${stolen.upn}'s password used from Lagos on a Linux box 40 minutes after the user signed in from ${CITIES[stolen.home].name}` });
  }

  // Day 10: three spray rounds 25 minutes apart from one rented server; sprayHit's password is the sprayed one.
  const sprayStart = start + 10 * DAY + 2 * HOUR;
  const host = HOSTING[0] as (typeof HOSTING)[number];
  const sprayIp = addressIn(host.network, rng);
  const targets = rng.sample(users.filter((u) => u !== sprayHit), 45);
  for (let round = 0; round < 3; round++) {
    const t0 = sprayStart + round * 25 * MINUTE;
    const wave = round === 1 ? [...targets.slice(0, 20), sprayHit, ...targets.slice(20)] : targets;
    wave.forEach((u, i) => {
      // The right password reaches the MFA prompt (50074): Entra asks only once the password is correct.
      const result = u === sprayHit ? 50074 : 50126;
      out.specs.push({ time: t0 + i * 1500, user: u, city: host.city, network: host.network, ip: sprayIp, device: ATTACKER_BOX, app: 'Office 365 Exchange Online', result, interactive: false });
    });
  }
  out.labels.push({ detector: 'cloud_password_spray', user: (targets[0] as CloudUser).upn, time: iso(sprayStart), source: sprayIp, description: `password spray from ${sprayIp} (AS${host.network.asn}) against ${targets.length + 1} users in 3 rounds` });
  out.labels.push({ detector: 'cloud_password_spray', user: sprayHit.upn, time: iso(sprayStart + 25 * MINUTE), source: sprayIp, description: `the sprayed password is ${sprayHit.upn}'s: Entra asks for MFA (50074)` });

  // Day 11: MFA push bombing from another rented server until the victim gives in.
  const bombStart = start + 11 * DAY + 21 * HOUR;
  const bomber = HOSTING[1] as (typeof HOSTING)[number];
  const bomberIp = addressIn(bomber.network, rng);
  const answers = ['MFA denied; user declined the authentication', 'MFA denied; user did not respond to mobile app notification', 'MFA denied; user declined the authentication',
    'MFA denied; user did not respond to mobile app notification', 'MFA denied; user declined the authentication', 'MFA denied; user declined the authentication'];
  answers.forEach((answer, i) => out.specs.push({ time: bombStart + i * 2 * MINUTE, user: bombed, city: bomber.city, network: bomber.network, ip: bomberIp, device: ATTACKER_BOX, app: 'Office 365 Exchange Online', result: 500121, mfa: answer }));
  out.specs.push({ time: bombStart + 13 * MINUTE, user: bombed, city: bomber.city, network: bomber.network, ip: bomberIp, device: ATTACKER_BOX, app: 'Office 365 Exchange Online', result: 0, mfa: 'MFA successfully completed' });
  out.labels.push({ detector: 'mfa_fatigue', user: bombed.upn, time: iso(bombStart + 13 * MINUTE), source: bomberIp, description: `6 refused pushes to ${bombed.upn} in 10 minutes, then an approval from ${bomberIp}` });

  // Day 12: the analyst disables the stolen account in Entra; Entra Connect enables it again 31 minutes later.
  const disableAt = start + 12 * DAY + 13 * HOUR;
  out.audits.push({ time: disableAt, row: auditRecord({ time: disableAt, operation: 'Disable account', target: stolen, byUser: { upn: analyst.upn, objectId: analyst.objectId } }, rng) });
  out.audits.push({ time: disableAt + 31 * MINUTE, row: auditRecord({
    time: disableAt + 31 * MINUTE, operation: 'Update user', target: stolen, byUser: { upn: SYNC_PRINCIPAL, objectId: rng.guid() },
    modified: [{ displayName: 'AccountEnabled', oldValue: '[false]', newValue: '[true]' }, { displayName: 'Included Updated Properties', oldValue: null, newValue: '"AccountEnabled"' }],
  }, rng) });
  out.labels.push({ detector: 'containment_reverted', user: stolen.upn, time: iso(disableAt + 31 * MINUTE), description: `${analyst.upn} disabled ${stolen.upn}; directory sync re-enabled it 31 minutes later` });

  // Benign directory work: the admin role on day 0, and a leaver disabled for good on day 5.
  out.audits.push({ time: start + HOUR, row: auditRecord({ time: start + HOUR, operation: 'Add member to role', target: analyst, byUser: { upn: analyst.upn, objectId: analyst.objectId }, modified: [{ displayName: 'Role.DisplayName', oldValue: null, newValue: '"Global Administrator"' }] }, rng) });
  const leaver = users[users.length - 1] as CloudUser;
  out.audits.push({ time: start + 5 * DAY + 16 * HOUR, row: auditRecord({ time: start + 5 * DAY + 16 * HOUR, operation: 'Disable account', target: leaver, byUser: { upn: analyst.upn, objectId: analyst.objectId } }, rng) });
  return out;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

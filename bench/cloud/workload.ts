import { Prng } from '../prng';
import { injectAttacks, type CloudBenign, type CloudLabel } from './attacks';
import { ACCESS, addressIn, CITIES, OFFICES, SASE, type CityId, type Network } from './places';
import { signInRecord, type SignInSpec } from './records';
import { buildTenant, directoryExport, type CloudUser, type Device } from './tenant';

/**
 * A synthetic Entra tenant's sign-in and audit logs over some days, for tests, benchmarks and
 * demos: people signing in from home, office, phone and the corporate SASE gateway, travellers
 * on a trip, mistyped passwords and MFA prompts, records exported twice or a few minutes out of
 * order — and, unless switched off, the attacks of `attacks.ts`, labelled. A pure function of
 * its options: no clock, no Math.random.
 */

export interface CloudWorkloadOptions {
  readonly seed: string;
  /** ISO-8601 midnight UTC of the first day. */
  readonly start: string;
  readonly days: number;
  readonly users: number;
  readonly attacks?: boolean;
}

export interface CloudWorkload {
  readonly users: readonly CloudUser[];
  readonly labels: readonly CloudLabel[];
  /** Benign activity that looks like an attack (travel), as the sample labels it. */
  readonly benign: readonly CloudBenign[];
  /** What a deployment would configure for this tenant: its office ranges and its SASE ASN. */
  readonly config: { readonly corporateNetworks: { readonly asns: readonly number[]; readonly ranges: readonly string[] } };
  /** SigninLogs and AuditLogs rows, by time (a few deliberately a little out of order). */
  readonly records: readonly Record<string, unknown>[];
  readonly directoryExport: object;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 24 * HOUR;

export function createCloudWorkload(o: CloudWorkloadOptions): CloudWorkload {
  const start = Date.parse(o.start);
  if (!Number.isFinite(start)) throw new RangeError(`start ${JSON.stringify(o.start)} is not an ISO-8601 time`);
  if (!(o.days >= 1) || !(o.users >= 10)) throw new RangeError('a cloud workload needs at least 1 day and 10 users');
  const users = buildTenant(o.seed, o.users);
  const rng = new Prng(o.seed).fork('sign-ins');
  const specs: SignInSpec[] = [];
  const benign: CloudBenign[] = [];
  for (const user of users) {
    const trip = user.traveller ? planTrip(user, start, o.days, rng) : undefined;
    if (trip) benign.push({ resembles: 'unfamiliar_signin', user: user.upn, what: `business trip to ${CITIES[trip.city].name} from ${new Date(trip.from).toISOString().slice(0, 10)}` });
    for (let d = 0; d < o.days; d++) specs.push(...dayOf(user, start + d * DAY, rng, trip));
  }
  const attacks = o.attacks === false ? { specs: [], audits: [], labels: [] } : injectAttacks(users, start, o.days, new Prng(o.seed).fork('attacks'));
  const rows = [...specs, ...attacks.specs].sort((a, b) => a.time - b.time).map((s) => ({ time: s.time, row: signInRecord(s, rng) }));
  rows.push(...attacks.audits);
  rows.sort((a, b) => a.time - b.time);
  return {
    users, labels: attacks.labels, benign,
    config: { corporateNetworks: { asns: [SASE.network.asn], ranges: Object.values(OFFICES).map((x) => x.range) } },
    records: exportQuirks(rows.map((r) => r.row), new Prng(o.seed).fork('export')),
    directoryExport: directoryExport(users),
  };
}

interface Trip {
  readonly city: CityId;
  readonly from: number;
  readonly to: number;
}

/** A three-day trip, far enough away to fly, leaving late morning and back three days later. */
function planTrip(user: CloudUser, start: number, days: number, rng: Prng): Trip | undefined {
  if (days < 5) return undefined;
  const city = rng.pick((['newYork', 'singapore', 'tokyo', 'saoPaulo', 'london', 'berlin'] as CityId[]).filter((c) => CITIES[c].country !== CITIES[user.home].country));
  const day = rng.int(1, days - 4);
  return { city, from: start + day * DAY + 11 * HOUR, to: start + (day + 3) * DAY + 11 * HOUR };
}

/** One user's sign-ins on one day: working hours on weekdays, a few on weekends. */
function dayOf(user: CloudUser, midnight: number, rng: Prng, trip: Trip | undefined): SignInSpec[] {
  const weekday = new Date(midnight).getUTCDay() % 6 !== 0;
  const count = weekday ? rng.int(3, 6) : rng.int(0, 2);
  const offsetH = Math.round(CITIES[user.home].lon / 15);
  const out: SignInSpec[] = [];
  for (let i = 0; i < count; i++) {
    const time = midnight + (8 - offsetH) * HOUR + rng.int(0, 10 * 60) * MINUTE + rng.int(0, 59_999);
    // The flights out and back: no sign-in while in the air.
    if (trip && ((time >= trip.from && time < trip.from + 14 * HOUR) || (time >= trip.to && time < trip.to + 14 * HOUR))) continue;
    const away = trip !== undefined && time >= trip.from && time < trip.to;
    out.push(...session(user, time, away ? (trip as Trip).city : undefined, weekday, rng));
  }
  return out;
}

/** One sign-in session: where from, on what, and the prompts and typos around it. */
function session(user: CloudUser, time: number, abroad: CityId | undefined, weekday: boolean, rng: Prng): SignInSpec[] {
  const onPhone = rng.chance(0.3);
  const device: Device = onPhone ? user.phone : user.laptop;
  let city: CityId = abroad ?? user.home;
  let network: Network;
  let ip: string;
  if (!onPhone && user.vpn && !abroad) {
    // SASE egress: mostly the nearest point of presence, now and then a farther one.
    network = SASE.network;
    city = rng.chance(0.9) ? nearestPop(user.home) : rng.pick(SASE.pops);
    ip = `165.225.${SASE.pops.indexOf(city) * 16 + 2}.${rng.int(2, 250)}`;
  } else if (!onPhone && !abroad && weekday && user.office && rng.chance(0.6)) {
    const office = OFFICES[user.office];
    network = office?.network as Network;
    ip = `${network.prefixes[0]}.${rng.int(10, 40)}`;
  } else if (onPhone && user.mobile && !abroad) {
    network = user.mobile;
    ip = addressIn(network, rng, rng.chance(0.5));
  } else if (abroad) {
    network = ACCESS[CITIES[abroad].country]?.[0] as Network;
    ip = addressIn(network, rng);
  } else {
    network = user.isp;
    ip = homeAddress(user, time);
  }
  const app = rng.pick(user.apps);
  const base = { user, city, network, ip, device, app, ...(onPhone && rng.chance(0.05) ? { noGeo: true } : {}) };
  const out: SignInSpec[] = [];
  let t = time;
  if (rng.chance(0.02)) {
    out.push({ ...base, time: t, result: 50126 });
    t += rng.int(20, 90) * 1000;
  }
  if (rng.chance(0.15)) {
    // A new session needs MFA: the prompt (50074), now and then a fumbled answer, then approval.
    out.push({ ...base, time: t, result: 50074 });
    t += rng.int(5, 30) * 1000;
    if (rng.chance(0.05)) {
      out.push({ ...base, time: t, result: 500121, mfa: 'MFA denied; user declined the authentication' });
      t += rng.int(20, 60) * 1000;
    }
    out.push({ ...base, time: t, result: 0, mfa: 'MFA successfully completed' });
  } else {
    out.push({ ...base, time: t, result: 0, ...(rng.chance(0.5) ? { mfa: 'MFA requirement satisfied by claim in the token' } : {}) });
  }
  return out;
}

const nearestPop = (home: CityId): CityId => {
  const h = CITIES[home];
  return [...SASE.pops].sort((a, b) => Math.hypot(CITIES[a].lat - h.lat, CITIES[a].lon - h.lon) - Math.hypot(CITIES[b].lat - h.lat, CITIES[b].lon - h.lon))[0] as CityId;
};

/** A home line keeps its address for a week or so (DHCP lease on the box). */
function homeAddress(user: CloudUser, time: number): string {
  const week = Math.floor(time / (7 * DAY));
  return addressIn(user.isp, new Prng(`${user.upn}/home/${week}`));
}

/** What exports do to logs: a few records twice, a few stamped minutes early by a skewed clock. */
function exportQuirks(rows: readonly Record<string, unknown>[], rng: Prng): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const row of rows) {
    if (rng.chance(0.003) && typeof row['TimeGenerated'] === 'string' && row['UserPrincipalName'] !== undefined) {
      out.push({ ...row, TimeGenerated: new Date(Date.parse(row['TimeGenerated']) - rng.int(60, 180) * 1000).toISOString() });
      continue;
    }
    out.push(row);
    if (rng.chance(0.005)) out.push(row);
  }
  return out;
}

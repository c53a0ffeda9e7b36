import type { Severity } from '../alerts/alert';
import type { CloudSignInEvent, EventOrigin, IdentityEvent } from '../events/identity-event';
import { distanceKm } from '../estate/cloud/geo';
import { iso, placeOf, sourceEntity, userEntity } from '../estate/cloud/sign-ins';
import { DAY, HOUR, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { present } from '../alerts/entities';

import { none } from '../rules/tree';
import { countDay, NO_DAYS, readDayBits, type CountedDays } from '../state/day-bits';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * Impossible travel: two successful sign-ins by one user from places farther apart than any
 * journey between their times allows. What geo-IP gets wrong is excluded, not thresholded:
 * corporate egress (VPN, SASE, office ranges: the location is the gateway's, not the user's),
 * the same device at both ends (a device does not teleport; its address moved, e.g. a mobile
 * carrier or VPN reconnect), and places closer than geo-IP's own error.
 */

export const declaration: DetectorDeclaration = {
  id: 'impossible_travel',
  title: 'Impossible travel',
  summary: 'Successful Entra sign-ins by one user from places farther apart than travel between their times allows; corporate/VPN/SASE egress and same-device pairs are not counted.',
  severity: 'medium',
  mitre: { tactics: ['initial-access'], techniques: ['T1078.004'] },
  requires: [{
    channel: 'SigninLogs', eventIds: [0],
    fields: ['UserPrincipalName', 'ResultType', 'IPAddress', 'LocationDetails', 'AutonomousSystemNumber', 'DeviceDetail'],
    auditPolicy: 'Entra ID diagnostic setting exporting SigninLogs to the SIEM (Entra ID P1/P2)',
  }],
  consumes: ['cloud_sign_in'],
  falsePositives: [
    'VPN, SASE or proxy egress not listed in corporateNetworks: add its ASN or ranges.',
    'A cloud-hosted desktop or jump host in another region that the user signs in from: exclude its addresses.',
  ],
  thresholds: {
    maxSpeedKmh: { default: 900, minimum: 100, integer: false, description: 'Travel speed above which two sign-ins are impossible (an airliner cruises at ~900 km/h, and a real trip adds airports)' },
    minDistanceKm: { default: 500, minimum: 0, integer: false, description: 'Places closer than this are never compared: city-level geo-IP is often this far off' },
    clockSkewMinutes: { default: 5, minimum: 0, integer: false, description: 'Sign-ins closer in time than this are treated as this far apart (exporter clocks and ordering)' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Ask the user whether they signed in from both places; if not, revoke their sessions and reset the password.',
    'Check the second sign-in\'s device and app: an unmanaged device with a browser is the usual pattern of a stolen password or token.',
    'If one end is a VPN or proxy the organisation uses, add it to corporateNetworks.',
  ],
  native: none("needs each user's previous successful sign-in and its place, then the speed between them, which no windowed count expresses"),
};

interface Visit {
  readonly t: number;
  readonly lat: number;
  readonly lon: number;
  readonly country?: string;
  readonly city?: string;
  readonly asn?: number;
  readonly ip?: string;
  readonly device?: string;
}

interface UserTravel {
  firstSeen: number;
  lastSeen: number;
  visits: Visit[];
  /** country → days the user signed in from it, counted up to FAMILIAR_DAYS + 1 (a few are enough to call it familiar). */
  countries: Map<string, CountedDays>;
}

const VISIT_HORIZON_MS = DAY;
const MAX_VISITS = 8;
const FAMILIAR_DAYS = 2;
// Countries one user signs in from within the TTL: restore refuses only what no run could write.
const MAX_SAVED_COUNTRIES = 1_000;

/**
 * `[lastSeen, firstSeen, visits, [country, days, dayCount, …]]`, for the state TTL (the countries
 * are learned); a visit `[t, lat, lon, country, city, asn, ip, device]` (null for absent).
 */
const userTable: TableSpec<UserTravel> = {
  name: 'users',
  lastSeen: (u) => u.lastSeen,
  encode: (u) => [
    u.lastSeen, u.firstSeen,
    u.visits.map((v) => [v.t, v.lat, v.lon, v.country ?? null, v.city ?? null, v.asn ?? null, v.ip ?? null, v.device ?? null]),
    [...u.countries].flatMap(([c, d]) => [c, d.days, d.dayCount]),
  ],
  decode(v, read, path) {
    const [lastSeen, firstSeen, visits, countries] = read.tuple(v, path, 4);
    const str = (x: unknown, p: string): string => read.string(x, p);
    const flat = read.list(countries, `${path}.3`, 3 * MAX_SAVED_COUNTRIES, (x) => x);
    if (flat.length % 3 !== 0) read.fail(`${path}.3`, 'must be [country, days, dayCount, …] triples');
    const byCountry = new Map<string, CountedDays>();
    for (let i = 0; i < flat.length; i += 3) {
      byCountry.set(str(flat[i], `${path}.3.${i}`), { days: readDayBits(flat[i + 1], read, `${path}.3.${i + 1}`), dayCount: read.count(flat[i + 2], `${path}.3.${i + 2}`) });
    }
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), firstSeen: read.number(firstSeen, `${path}.1`), countries: byCountry,
      visits: read.list(visits, `${path}.2`, MAX_VISITS, (x, p) => {
        const [t, lat, lon, country, city, asn, ip, device] = read.tuple(x, p, 8);
        const c = read.optional(country, `${p}.3`, str);
        const ci = read.optional(city, `${p}.4`, str);
        const a = read.optional(asn, `${p}.5`, (y, q) => read.count(y, q));
        const i = read.optional(ip, `${p}.6`, str);
        const d = read.optional(device, `${p}.7`, str);
        return {
          t: read.number(t, `${p}.0`), lat: read.number(lat, `${p}.1`), lon: read.number(lon, `${p}.2`),
          ...(c !== undefined ? { country: c } : {}), ...(ci !== undefined ? { city: ci } : {}), ...(a !== undefined ? { asn: a } : {}),
          ...(i !== undefined ? { ip: i } : {}), ...(d !== undefined ? { device: d } : {}),
        };
      }),
    };
  },
};

export const impossibleTravel: DetectorModule = {
  declaration,
  create: (settings, saved) => new ImpossibleTravelDetector(settings, saved),
};

interface Leg {
  readonly from: Visit;
  readonly km: number;
  readonly hours: number;
  readonly speed: number;
}

class ImpossibleTravelDetector implements Detector {
  readonly declaration = declaration;
  private readonly users: KeyedTable<UserTravel>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section } = openSection('impossible_travel', saved);
    this.users = new KeyedTable(userTable, section['users'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'cloud_sign_in' || ev.resultType !== 0) return;
    if (ev.latitude === undefined || ev.longitude === undefined) return;
    // The gateway's location is not the user's: such a sign-in neither starts nor ends a journey.
    if (ctx.network.isCorporate(ev.ip, ev.asn)) return;
    let user = this.users.get(ev.upn);
    if (!user) {
      user = { firstSeen: ev.time, lastSeen: ev.time, visits: [], countries: new Map() };
      this.users.set(ev.upn, user);
    }
    const here = visitOf(ev);
    const leg = this.fastestLeg(user, here);
    if (leg) this.emit(ev, user, here, leg, ctx);
    this.remember(user, here);
  }

  /** The least possible of the journeys between this sign-in and the recent ones, if any is impossible. */
  private fastestLeg(user: UserTravel, here: Visit): Leg | undefined {
    const skewMs = threshold(this.settings, 'clockSkewMinutes') * MINUTE;
    let worst: Leg | undefined;
    for (const v of user.visits) {
      if (Math.abs(here.t - v.t) > VISIT_HORIZON_MS) continue;
      if (here.device !== undefined && here.device === v.device) continue;
      if (here.ip !== undefined && here.ip === v.ip) continue;
      const km = distanceKm({ latitude: v.lat, longitude: v.lon }, { latitude: here.lat, longitude: here.lon });
      if (km < threshold(this.settings, 'minDistanceKm')) continue;
      // Records can arrive out of order, and exporters' clocks differ by minutes.
      const hours = Math.max(Math.abs(here.t - v.t), skewMs, 1) / HOUR;
      const speed = km / hours;
      if (speed > threshold(this.settings, 'maxSpeedKmh') && (!worst || speed > worst.speed)) worst = { from: v, km, hours, speed };
    }
    return worst;
  }

  private emit(ev: CloudSignInEvent, user: UserTravel, here: Visit, leg: Leg, ctx: DetectionContext): void {
    const [first, second] = leg.from.t <= here.t ? [leg.from, here] : [here, leg.from];
    const familiar = this.familiar(user, first.country) && this.familiar(user, second.country);
    const severity: Severity = familiar ? 'low' : 'medium';
    const gap = Math.abs(here.t - leg.from.t);
    const previous: EventOrigin = { time: leg.from.t, host: 'entra', eventId: 0, recordId: null };
    ctx.emit({
      keys: [ev.upn, [first.country ?? '?', second.country ?? '?'].sort().join('-')],
      severity,
      description: `${ev.upn} signed in from ${placeOf(second)} ${duration(gap)} after signing in from ${placeOf(first)}: `
        + `${Math.round(leg.km).toLocaleString('en-US')} km apart, ${Math.round(leg.speed).toLocaleString('en-US')} km/h, faster than any flight.`
        + (familiar ? ' The user has signed in from both countries before, so a proxy or remote desktop is a likely explanation.' : ''),
      accounts: [userEntity(ev, 'actor')],
      hosts: present([sourceEntity(ev), leg.from.ip ? { ip: leg.from.ip, role: 'source' as const } : undefined]),
      events: [ev, previous],
      details: {
        from: { time: iso(first.t), ...place(first) },
        to: { time: iso(second.t), ...place(second) },
        distanceKm: Math.round(leg.km),
        hours: Math.round(leg.hours * 100) / 100,
        speedKmh: Math.round(leg.speed),
        ...(ev.signInId ? { signInId: ev.signInId } : {}),
        ...(ev.app ? { app: ev.app } : {}),
      },
      learning: stillLearning(this.settings, user.firstSeen, ev.time),
    });
  }

  private familiar(user: UserTravel, country: string | undefined): boolean {
    return country !== undefined && (user.countries.get(country)?.dayCount ?? 0) >= FAMILIAR_DAYS;
  }

  private remember(user: UserTravel, here: Visit): void {
    user.lastSeen = Math.max(user.lastSeen, here.t);
    user.visits.push(here);
    user.visits = user.visits.filter((v) => v.t >= user.lastSeen - VISIT_HORIZON_MS).slice(-MAX_VISITS);
    if (here.country) {
      let days = user.countries.get(here.country);
      if (!days) {
        days = { days: NO_DAYS, dayCount: 0 };
        user.countries.set(here.country, days);
      }
      countDay(days, Math.floor(here.t / DAY), FAMILIAR_DAYS + 1);
    }
  }

  snapshot(): unknown {
    return { users: this.users.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.users.evict(before, watermark);
  }
}

function visitOf(ev: CloudSignInEvent): Visit {
  return {
    t: ev.time, lat: ev.latitude as number, lon: ev.longitude as number,
    ...(ev.country ? { country: ev.country } : {}), ...(ev.city ? { city: ev.city } : {}),
    ...(ev.asn !== undefined ? { asn: ev.asn } : {}), ...(ev.ip ? { ip: ev.ip } : {}),
    ...(ev.deviceId ? { device: ev.deviceId } : {}),
  };
}

function place(v: Visit): Record<string, unknown> {
  return { latitude: v.lat, longitude: v.lon, ...(v.city ? { city: v.city } : {}), ...(v.country ? { country: v.country } : {}), ...(v.asn !== undefined ? { asn: v.asn } : {}), ...(v.ip ? { ip: v.ip } : {}) };
}

function duration(ms: number): string {
  if (ms < 90 * MINUTE) return `${Math.max(1, Math.round(ms / MINUTE))} min`;
  return `${(ms / HOUR).toFixed(1)} h`;
}

import type { Severity } from '../alerts/alert';
import type { CloudSignInEvent, IdentityEvent } from '../events/identity-event';
import { iso, placeOf, sourceEntity, userEntity } from '../estate/cloud/sign-ins';
import { DAY, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { present } from '../alerts/entities';

import { none } from '../rules/tree';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * Unfamiliar sign-in properties: a successful sign-in whose country and network (ASN) — and
 * often device and app — are all new for the user against what they did during the learning
 * period and since. One new property is everyday life (a new phone, a hotel network); several
 * at once, including where it came from, is what a stolen password used elsewhere looks like.
 * An ASN many colleagues use (a new office ISP, a popular mobile carrier) is not unfamiliar.
 */

export const declaration: DetectorDeclaration = {
  id: 'unfamiliar_signin',
  title: 'Sign-in with unfamiliar properties',
  summary: 'A successful Entra sign-in whose country or network, together with other properties (device, app), is new for the user against a learned per-user baseline.',
  severity: 'medium',
  mitre: { tactics: ['initial-access'], techniques: ['T1078.004'] },
  requires: [{
    channel: 'SigninLogs', eventIds: [0],
    fields: ['UserPrincipalName', 'ResultType', 'IPAddress', 'LocationDetails', 'AutonomousSystemNumber', 'DeviceDetail', 'AppDisplayName'],
    auditPolicy: 'Entra ID diagnostic setting exporting SigninLogs to the SIEM (Entra ID P1/P2)',
  }],
  consumes: ['cloud_sign_in'],
  falsePositives: [
    'Travel: a registered device the user already uses is never unfamiliar, but a personal phone on a hotel network abroad is (new country and network).',
    'A new VPN or SASE provider: add its ASN to corporateNetworks.',
  ],
  thresholds: {
    minUnfamiliar: { default: 2, minimum: 1, integer: true, description: 'Unfamiliar properties (country, ASN, device, app) a sign-in needs, one of them its country or ASN' },
    minSignIns: { default: 5, minimum: 1, integer: true, description: 'Successful sign-ins a user needs after the learning period before their baseline is judged' },
    popularAsnUsers: { default: 10, minimum: 2, integer: true, description: 'Users sharing an ASN after which it is familiar to everyone (an office ISP, a big mobile carrier)' },
  },
  learningPeriodDays: 7,
  bucketHours: 24,
  recommendations: [
    'Confirm with the user that the sign-in was theirs (place, device, app).',
    'If not, revoke the user\'s sessions, reset the password and review MFA methods registered recently.',
  ],
  native: none("compares a sign-in's country, network, device and app with the user's learned per-user baseline"),
};

const MAX_VALUES = 24;

interface Profile {
  firstSeen: number;
  lastSeen: number;
  signIns: number;
  /** property kind → value → last seen. */
  seen: Record<Property, Record<string, number>>;
}

type Property = 'country' | 'asn' | 'device' | 'app';

const PROPERTIES: readonly Property[] = ['country', 'asn', 'device', 'app'];
// popularAsnUsers has no maximum; restore refuses only what no run could write.
const MAX_SAVED_ASN_USERS = 100_000;

/**
 * `[lastSeen, firstSeen, signIns, [country, last, …], [asn, last, …], [device, last, …], [app, last, …]]`,
 * for the state TTL: the user's baseline.
 */
const profileTable: TableSpec<Profile> = {
  name: 'users',
  lastSeen: (p) => p.lastSeen,
  encode: (p) => [p.lastSeen, p.firstSeen, p.signIns, ...PROPERTIES.map((k) => Object.entries(p.seen[k]).flat())],
  decode(v, read, path) {
    const [lastSeen, firstSeen, signIns, ...seen] = read.tuple(v, path, 3 + PROPERTIES.length);
    const values = (i: number): Record<string, number> => Object.fromEntries(read.pairs(seen[i], `${path}.${3 + i}`, MAX_VALUES, (x, p) => read.string(x, p), (x, p) => read.number(x, p)));
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), firstSeen: read.number(firstSeen, `${path}.1`), signIns: read.count(signIns, `${path}.2`),
      seen: { country: values(0), asn: values(1), device: values(2), app: values(3) },
    };
  },
};

export const unfamiliarSignin: DetectorModule = {
  declaration,
  create: (settings, saved) => new UnfamiliarSigninDetector(settings, saved),
};

class UnfamiliarSigninDetector implements Detector {
  readonly declaration = declaration;
  private readonly users: KeyedTable<Profile>;
  /** ASN → users seen on it, up to `popularAsnUsers`; a full list makes the ASN familiar org-wide. Never forgotten. */
  private readonly asnUsers: Record<string, string[]>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section } = openSection('unfamiliar_signin', saved);
    this.users = new KeyedTable(profileTable, section['users'], read);
    this.asnUsers = Object.fromEntries(Object.entries(read.record(section['asnUsers'] ?? {}, 'asnUsers'))
      .map(([asn, users]) => [asn, read.list(users, `asnUsers.${asn}`, MAX_SAVED_ASN_USERS, (x, p) => read.string(x, p))]));
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'cloud_sign_in' || ev.resultType !== 0) return;
    let profile = this.users.get(ev.upn);
    if (!profile) {
      profile = { firstSeen: ev.time, lastSeen: ev.time, signIns: 0, seen: { country: {}, asn: {}, device: {}, app: {} } };
      this.users.set(ev.upn, profile);
    }
    const values = propertiesOf(ev);
    // Corporate egress is where everyone comes from: it is neither unfamiliar nor a baseline.
    // A registered device the user already signs in from carries them abroad: that is travel.
    const ownDevice = ev.deviceId !== undefined && profile.seen.device[ev.deviceId] !== undefined;
    if (!ctx.network.isCorporate(ev.ip, ev.asn) && !ownDevice && this.judged(profile, ev.time)) {
      const unfamiliar = (Object.keys(values) as Property[]).filter((k) => this.unfamiliar(profile, k, values[k] as string));
      const whereFrom = unfamiliar.includes('country') || unfamiliar.includes('asn');
      if (whereFrom && unfamiliar.length >= threshold(this.settings, 'minUnfamiliar')) this.emit(ev, profile, unfamiliar, ctx);
    }
    this.learn(ev, profile, values);
  }

  /** Judged once the learning period is over and the user has enough history to compare with. */
  private judged(p: Profile, now: number): boolean {
    const learned = this.settings.testMode || now - p.firstSeen >= this.settings.learningPeriodMs;
    return learned && p.signIns >= threshold(this.settings, 'minSignIns');
  }

  private unfamiliar(p: Profile, kind: Property, value: string): boolean {
    if (p.seen[kind][value] !== undefined) return false;
    if (kind === 'asn' && (this.asnUsers[value]?.length ?? 0) >= threshold(this.settings, 'popularAsnUsers')) return false;
    return true;
  }

  private emit(ev: CloudSignInEvent, p: Profile, unfamiliar: readonly Property[], ctx: DetectionContext): void {
    const severity: Severity = unfamiliar.includes('country') ? 'medium' : 'low';
    const what = unfamiliar.map((k) => describeProperty(k, ev)).join(', ');
    ctx.emit({
      keys: [ev.upn, ev.country ?? '', String(ev.asn ?? '')],
      severity,
      description: `${ev.upn} signed in from ${placeOf(ev)} with properties never seen for this user in ${Math.round((ev.time - p.firstSeen) / DAY)} days of history: ${what}.`,
      accounts: [userEntity(ev, 'actor')],
      hosts: present([sourceEntity(ev)]),
      events: [ev],
      details: {
        unfamiliar,
        time: iso(ev.time),
        ...(ev.country ? { country: ev.country } : {}),
        ...(ev.asn !== undefined ? { asn: ev.asn } : {}),
        ...(ev.app ? { app: ev.app } : {}),
        ...(deviceOf(ev) ? { device: deviceOf(ev) } : {}),
        knownCountries: Object.keys(p.seen.country).slice(0, 10),
        ...(ev.signInId ? { signInId: ev.signInId } : {}),
      },
    });
  }

  private learn(ev: CloudSignInEvent, p: Profile, values: Partial<Record<Property, string>>): void {
    p.signIns++;
    p.lastSeen = Math.max(p.lastSeen, ev.time);
    for (const [kind, value] of Object.entries(values) as [Property, string][]) {
      const seen = p.seen[kind];
      seen[value] = ev.time;
      const keys = Object.keys(seen);
      if (keys.length > MAX_VALUES) {
        // Forget the value unused the longest, so a baseline follows the user.
        const stalest = keys.reduce((a, b) => ((seen[a] ?? 0) <= (seen[b] ?? 0) ? a : b));
        delete seen[stalest];
      }
    }
    if (values.asn !== undefined) {
      const users = (this.asnUsers[values.asn] ??= []);
      if (!users.includes(ev.upn) && users.length < threshold(this.settings, 'popularAsnUsers')) users.push(ev.upn);
    }
  }

  snapshot(): unknown {
    return { users: this.users.snapshot(), asnUsers: this.asnUsers };
  }

  evictIdle(before: number, watermark?: number): void {
    this.users.evict(before, watermark);
  }
}

function propertiesOf(ev: CloudSignInEvent): Partial<Record<Property, string>> {
  const out: Partial<Record<Property, string>> = {};
  if (ev.country) out.country = ev.country;
  if (ev.asn !== undefined) out.asn = String(ev.asn);
  const device = deviceOf(ev);
  if (device) out.device = device;
  if (ev.app) out.app = ev.app.toLowerCase();
  return out;
}

/** A registered device by its id; an unregistered one by what it says it runs. */
function deviceOf(ev: CloudSignInEvent): string | undefined {
  if (ev.deviceId) return ev.deviceId;
  const described = [ev.operatingSystem, ev.browser?.replace(/[\d.]+$/, '').trim()].filter(Boolean).join(' / ');
  return described ? described.toLowerCase() : undefined;
}

function describeProperty(kind: Property, ev: CloudSignInEvent): string {
  switch (kind) {
    case 'country': return `country ${ev.country}`;
    case 'asn': return `network AS${ev.asn}`;
    case 'device': return `device ${ev.deviceName ?? deviceOf(ev)}`;
    case 'app': return `app ${ev.app}`;
  }
}

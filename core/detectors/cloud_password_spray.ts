import type { CloudSignInEvent, EventOrigin, IdentityEvent } from '../events/identity-event';
import { PASSWORD_ACCEPTED, PASSWORD_GUESS_FAILED } from '../estate/cloud/entra-codes';
import { placeOf, recordKey, SeenRecords, userEntity } from '../estate/cloud/sign-ins';
import { HOUR, MINUTE, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { anyOf, cloud, type NativeQuery } from '../rules/tree';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * Cloud password spray: one password tried against many users, a few attempts each so no
 * account locks, from one address or from many addresses of one network (a hosting ASN or a
 * proxy pool). Entra answers each guess with 50126 (wrong password), 50053 (smart lockout),
 * 50034 (no such user). A user among the sprayed whose password is later accepted from the
 * spraying source — a success, or an MFA / Conditional Access step, which Entra reaches only
 * past a correct password — was compromised, and gets an alert of their own.
 */

/** Many users failing with wrong-password codes from one address (the engine adds networks and the per-user cap). */
const sprayFromAddress: NativeQuery = {
  name: 'address',
  match: [{ source: cloud('SigninLogs'), where: anyOf('ResultType', [...PASSWORD_GUESS_FAILED]) }],
  outputs: [{ name: 'src', fields: ['IPAddress'] }, { name: 'user', fields: ['UserPrincipalName'] }],
  aggregate: { by: ['src'], distinct: 'user', threshold: 'usersPerSource', window: 'windowMinutes' },
  // A spray's risk belongs to its source, not to one of its many victims.
  riskObject: 'src',
};

export const declaration: DetectorDeclaration = {
  id: 'cloud_password_spray',
  title: 'Password spray against Entra ID',
  summary: 'Many users failing Entra sign-in with wrong-password codes (50126, 50053, 50034) from one IP or ASN, few attempts each; escalated when a sprayed user\'s password is then accepted from the same source.',
  severity: 'medium',
  mitre: { tactics: ['credential-access'], techniques: ['T1110.003'] },
  requires: [{
    channel: 'SigninLogs', eventIds: [0],
    fields: ['UserPrincipalName', 'ResultType', 'IPAddress', 'AutonomousSystemNumber'],
    auditPolicy: 'Entra ID diagnostic setting exporting SigninLogs to the SIEM (Entra ID P1/P2)',
  }],
  consumes: ['cloud_sign_in'],
  falsePositives: [
    'A shared egress (office NAT, VDI) after a password-policy change: many users fail at once from it. Corporate ranges are never aggregated by ASN; exclude the NAT address if it recurs.',
    'Mail clients retrying an old password after a mass reset: many attempts each, which the per-user cap leaves out.',
  ],
  thresholds: {
    usersPerSource: { default: 10, minimum: 2, integer: true, description: 'Distinct users failing from one IP within the window' },
    usersPerAsn: { default: 25, minimum: 2, integer: true, description: 'Distinct users failing from one (non-corporate) ASN within the window, across its addresses' },
    maxAttemptsPerUser: { default: 3, minimum: 1, integer: true, description: 'Users tried more often than this from the source are brute force, not spray, and are not counted' },
    windowMinutes: { default: 60, minimum: 1, integer: false, description: 'Sliding window over which sprayed users are counted' },
    successWindowHours: { default: 24, minimum: 1, integer: false, description: 'How long after a spray an accepted password for a sprayed user from the same source counts as compromise' },
  },
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Block the source address or network at Conditional Access (named location) and the perimeter.',
    'For sprayed users whose password was accepted, reset the password and revoke sessions.',
    'Enforce MFA and smart lockout; review the users targeted for a shared weak password.',
  ],
  native: { kind: 'detector', queries: [sprayFromAddress] },
};

interface Attempts {
  n: number;
  last: number;
}

interface Source {
  users: Record<string, Attempts>;
  lastSeen: number;
  /** For a network: the addresses seen spraying from it (a single one is the address's own alert). */
  ips?: string[];
  /** When the source was last judged a spray, and whom it sprayed. */
  sprayedAt?: number;
  sprayed?: string[];
}


const MAX_USERS_PER_SOURCE = 2000;
const MAX_LISTED = 50;

/**
 * `[lastSeen, [upn, attempts, last, …], ips, sprayedAt, sprayed]` (null for absent), for the state
 * TTL: a network's spraying addresses are kept past the window.
 */
const sourceTable: TableSpec<Source> = {
  name: 'sources',
  lastSeen: (s) => s.lastSeen,
  encode: (s) => [s.lastSeen, Object.entries(s.users).flatMap(([upn, a]) => [upn, a.n, a.last]), s.ips ?? null, s.sprayedAt ?? null, s.sprayed ?? null],
  decode(v, read, path) {
    const [lastSeen, users, ips, sprayedAt, sprayed] = read.tuple(v, path, 5);
    const str = (x: unknown, p: string): string => read.string(x, p);
    const flat = read.list(users, `${path}.1`, 3 * MAX_USERS_PER_SOURCE, (x) => x);
    if (flat.length % 3 !== 0) read.fail(`${path}.1`, 'must be [user, attempts, last, …] triples');
    const byUser: Record<string, Attempts> = {};
    for (let i = 0; i < flat.length; i += 3) byUser[str(flat[i], `${path}.1.${i}`)] = { n: read.count(flat[i + 1], `${path}.1.${i + 1}`), last: read.number(flat[i + 2], `${path}.1.${i + 2}`) };
    const i = read.optional(ips, `${path}.2`, (x, p) => read.list(x, p, MAX_LISTED, str));
    const at = read.optional(sprayedAt, `${path}.3`, (x, p) => read.number(x, p));
    const who = read.optional(sprayed, `${path}.4`, (x, p) => read.list(x, p, MAX_USERS_PER_SOURCE, str));
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), users: byUser,
      ...(i ? { ips: i } : {}), ...(at !== undefined ? { sprayedAt: at } : {}), ...(who ? { sprayed: who } : {}),
    };
  },
};

export const cloudPasswordSpray: DetectorModule = {
  declaration,
  create: (settings, saved) => new CloudPasswordSprayDetector(settings, saved),
};

class CloudPasswordSprayDetector implements Detector {
  readonly declaration = declaration;
  private readonly seen: SeenRecords;
  /** `ip:…` or `asn:…` → the users failing from it within the window, and its spray. */
  private readonly sources: KeyedTable<Source>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section } = openSection('cloud_password_spray', saved);
    this.sources = new KeyedTable(sourceTable, section['sources'], read);
    this.seen = SeenRecords.restore(section['seen'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'cloud_sign_in' || !ev.ip) return;
    if (!this.seen.add(recordKey(ev))) return;
    const sources = this.sourcesOf(ev, ctx);
    if (PASSWORD_GUESS_FAILED.has(ev.resultType)) {
      for (const s of sources) this.onFailure(ev, s, ctx);
    } else if (PASSWORD_ACCEPTED.has(ev.resultType)) {
      // One compromise alert per sign-in: the address when it sprayed, else its network.
      sources.some((s) => this.onAccepted(ev, s, ctx));
    }
  }

  /** The address, and its network unless the network is the organisation's own. */
  private sourcesOf(ev: CloudSignInEvent, ctx: DetectionContext): string[] {
    const out = [`ip:${ev.ip}`];
    if (ev.asn !== undefined && !ctx.network.isCorporate(undefined, ev.asn)) out.push(`asn:${ev.asn}`);
    return out;
  }

  private onFailure(ev: CloudSignInEvent, key: string, ctx: DetectionContext): void {
    const windowMs = threshold(this.settings, 'windowMinutes') * MINUTE;
    let s = this.sources.get(key);
    if (!s) {
      s = { users: {}, lastSeen: ev.time };
      this.sources.set(key, s);
    }
    s.lastSeen = Math.max(s.lastSeen, ev.time);
    if (key.startsWith('asn:') && ev.ip && !(s.ips ??= []).includes(ev.ip) && s.ips.length < MAX_LISTED) s.ips.push(ev.ip);
    for (const [upn, a] of Object.entries(s.users)) if (a.last < ev.time - windowMs) delete s.users[upn];
    const a = s.users[ev.upn] ?? (Object.keys(s.users).length < MAX_USERS_PER_SOURCE ? (s.users[ev.upn] = { n: 0, last: ev.time }) : undefined);
    if (a) {
      a.n++;
      a.last = Math.max(a.last, ev.time);
    }
    const cap = threshold(this.settings, 'maxAttemptsPerUser');
    const sprayed = Object.entries(s.users).filter(([, x]) => x.n <= cap).map(([upn]) => upn);
    const needed = threshold(this.settings, key.startsWith('asn:') ? 'usersPerAsn' : 'usersPerSource');
    if (sprayed.length < needed || (key.startsWith('asn:') && (s.ips?.length ?? 0) < 2)) return;
    s.sprayedAt = ev.time;
    s.sprayed = [...new Set([...(s.sprayed ?? []), ...sprayed])].slice(-MAX_USERS_PER_SOURCE);
    const where = describeSource(key, ev);
    ctx.emit({
      keys: [key],
      severity: 'medium',
      description: `${sprayed.length} users failed to sign in to Entra ID with wrong-password or unknown-user codes from ${where} within ${threshold(this.settings, 'windowMinutes')} minutes, at most ${cap} attempts each: a password spray.`,
      accounts: sprayed.slice(0, MAX_LISTED).map((upn) => ({ name: upn, role: 'target' as const })),
      hosts: key.startsWith('ip:') ? [{ ip: ev.ip as string, role: 'source' }] : [],
      events: [ev],
      details: { users: sprayed.length, source: key, ...(ev.asn !== undefined ? { asn: ev.asn } : {}), ...(ev.country ? { country: ev.country } : {}), sample: sprayed.slice(0, 10) },
    });
  }

  private onAccepted(ev: CloudSignInEvent, key: string, ctx: DetectionContext): boolean {
    const s = this.sources.get(key);
    if (s?.sprayedAt === undefined) return false;
    // The right password works at its first try, so the compromised user need not have failed
    // before; but colleagues behind an office NAT sign in fine while others fail there.
    const sprayed = s.sprayed?.includes(ev.upn) ?? false;
    if (!sprayed && ctx.network.isCorporate(ev.ip, ev.asn)) return false;
    if (ev.time < s.sprayedAt - threshold(this.settings, 'windowMinutes') * MINUTE) return false;
    if (ev.time - s.sprayedAt > threshold(this.settings, 'successWindowHours') * HOUR) return false;
    const outcome = ev.resultType === 0 ? 'signed in successfully' : `got past the password (result ${ev.resultType}${ev.mfa ? `, MFA ${ev.mfa}` : ''})`;
    const spray: EventOrigin = { time: s.sprayedAt, host: 'entra', eventId: 0, recordId: null };
    ctx.emit({
      keys: [key, 'accepted', ev.upn],
      severity: 'high',
      title: 'Password spray: a password was accepted from the spraying source',
      description: `${ev.upn}${sprayed ? `, one of ${s.sprayed?.length ?? 0} users sprayed from ${describeSource(key, ev)},` : ` (from ${describeSource(key, ev)}, which was spraying ${s.sprayed?.length ?? 0} users)`} ${outcome} from ${placeOf(ev)}: the spray probably guessed this password.`,
      accounts: [userEntity(ev, 'target')],
      hosts: [{ ip: ev.ip as string, role: 'source' }],
      events: [ev, spray],
      details: { source: key, resultType: ev.resultType, compromised: true, ...(ev.app ? { app: ev.app } : {}) },
    });
    return true;
  }

  snapshot(): unknown {
    return { sources: this.sources.snapshot(), seen: this.seen.toJSON() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.sources.evict(before, watermark);
  }
}

function describeSource(key: string, ev: CloudSignInEvent): string {
  return key.startsWith('asn:') ? `network AS${key.slice(4)} (several addresses)` : placeOf(ev);
}

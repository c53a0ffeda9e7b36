import type { Severity } from '../alerts/alert';
import { accountKey } from '../events/fields';
import type { IdentityEvent } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { crackableEtypeName, isAesEtype, isCrackableEtype } from '../estate/kerberos-etypes';
import { addDay, dayCount, daysBefore, isDayBits, NO_DAYS, type DayBits } from '../state/day-bits';
import { KeyedTable, rowAt, type KeyedTableSnapshot, type TableSpec } from '../state/keyed-table';
import { EMPTY_TABLE, type NumericTableSnapshot } from '../state/numeric-table';
import { SlotTable } from '../state/slot-table';
import { SavedReader } from '../state/saved-value';
import { none } from '../rules/tree';

/**
 * Kerberoasting: any authenticated user can ask for a service ticket to any SPN, and a
 * ticket encrypted with RC4 (or DES) is sealed with the service account's NT hash, crackable
 * offline. The attack shows as weak-encryption 4769s for user-account services: a burst of
 * them, or a requester asking for one it has never needed.
 */


export const declaration: DetectorDeclaration = {
  id: 'kerberoasting',
  title: 'Suspected Kerberoasting (weak service tickets for user accounts)',
  summary: 'RC4/DES service tickets (4769) for user-account SPNs: a burst of distinct services from one requester, a request for a honey SPN, or a pair never seen before.',
  severity: 'high',
  mitre: { tactics: ['credential-access'], techniques: ['T1558.003'] },
  requires: [{
    channel: 'Security', eventIds: [4769],
    fields: ['TargetUserName', 'ServiceName', 'TicketEncryptionType', 'Status', 'IpAddress', 'TicketOptions'],
    auditPolicy: 'Audit Kerberos Service Ticket Operations (Success) on DCs',
  }],
  consumes: ['kerberos_service_ticket'],
  falsePositives: [
    'Legacy applications whose service account has no AES keys: every client gets RC4. Learned per service once several requesters use it, or once it got only RC4 tickets on legacyDays days.',
    'RC4-only client devices (old appliances, Java keytabs): every ticket they get is RC4. Learned per device address once it got only RC4 tickets on legacyDays days.',
    'Vulnerability scanners that enumerate SPNs: exclude the scanner host or account.',
  ],
  thresholds: {
    distinctServices: { default: 3, minimum: 2, integer: true, description: 'Distinct user-account services with weak tickets from one requester within the window that make a burst' },
    windowMinutes: { default: 10, minimum: 1, integer: false, description: 'Burst window' },
    popularRequesters: { default: 5, minimum: 2, integer: true, description: 'Distinct requesters after which a weak-ticket service is considered normal for RC4 (a legacy app)' },
    legacyDays: { default: 3, minimum: 1, integer: true, description: 'Distinct days a service (or a requesting device) must get only RC4 tickets before RC4 is its normal: a legacy service without AES keys, or an RC4-only client' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Check what ran on the source host when the tickets were requested.',
    'Reset the passwords of the targeted service accounts to long random values, and enable AES (msDS-SupportedEncryptionTypes) on them.',
    'Prefer group managed service accounts, whose passwords cannot be cracked.',
  ],
  native: none("judges a burst of RC4 service tickets against the requester's learned service pairs and each service's learned encryption types"),
};

/** Days with AES and with RC4/DES tickets, as day bitsets (core/state/day-bits.ts): a service's or a device's encryption baseline. */
interface EncryptionDays {
  readonly aes: DayBits;
  readonly rc4: DayBits;
}

interface ServiceHistory extends EncryptionDays {
  lastSeen: number;
  aes: DayBits;
  rc4: DayBits;
  /** Requesters that got weak tickets for it (bounded). */
  requesters: string[];
}

/** A requester's recent weak tickets: flat `[service, time, …]` in first-asked order, for bursts. */
interface RecentTickets {
  lastSeen: number;
  services: (string | number)[];
}

/** Past the popularity threshold more names add nothing; the bound keeps state small. */
const MAX_REQUESTERS = 64;

/** service → its encryption days and the requesters that got weak tickets for it; kept for the state TTL. */
const serviceTable: TableSpec<ServiceHistory> = {
  name: 'services',
  lastSeen: (h) => h.lastSeen,
  encode: (h) => [h.lastSeen, h.aes, h.rc4, h.requesters],
  decode(v, read, path) {
    const [lastSeen, aes, rc4, requesters] = read.tuple(v, path, 4);
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), aes: dayBits(aes, read, `${path}.1`), rc4: dayBits(rc4, read, `${path}.2`),
      requesters: read.list(requesters, `${path}.3`, MAX_REQUESTERS, (x, p) => read.string(x, p)),
    };
  },
};

/** Requesting device address → its ticket encryption days: numbers only, a SlotTable (most of this detector's rows). */
const DEVICE_COLUMNS = ['aes', 'rc4'] as const;

interface KerberoastingState {
  since?: number;
  services: KeyedTableSnapshot;
  /** requester → recent weak tickets; the burst window is its horizon. */
  recent: KeyedTableSnapshot;
  devices: NumericTableSnapshot;
}

export const kerberoasting: DetectorModule = {
  declaration,
  create: (settings, saved) => new KerberoastingDetector(settings, saved),
};

class KerberoastingDetector implements Detector {
  readonly declaration = declaration;
  private readonly windowMs: number;
  private since: number | undefined;
  private readonly services: KeyedTable<ServiceHistory>;
  private readonly recent: KeyedTable<RecentTickets>;
  private readonly devices: SlotTable<(typeof DEVICE_COLUMNS)[number]>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    const read = new SavedReader('detectors.kerberoasting');
    const section = saved === undefined ? {} : read.record(saved, '(section)');
    this.since = read.optional(section['since'], 'since', (v, p) => read.number(v, p));
    this.services = new KeyedTable(serviceTable, section['services'], read);
    this.recent = new KeyedTable(recentTable(this.windowMs), section['recent'], read);
    const devices = (section['devices'] ?? EMPTY_TABLE) as NumericTableSnapshot;
    this.devices = new SlotTable(DEVICE_COLUMNS, devices, 'detectors.kerberoasting: devices');
    checkDeviceDays(devices, read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'kerberos_service_ticket' || ev.status !== 0) return;
    const service = ev.serviceName.toLowerCase();
    // Computer accounts ($) have random 120-character passwords and krbtgt is not a service: neither is roastable.
    if (service.endsWith('$') || service === 'krbtgt' || service.startsWith('krbtgt/')) return;
    const requester = accountKey(ev.account);
    if (requester === service) return;
    const day = Math.floor(ev.time / DAY);
    if (isAesEtype(ev.encryptionType)) {
      // AES for a user-account service, and from a device: what RC4 is judged against.
      encryptionDay(this.service(service, ev.time), day, 'aes');
      if (ev.ip) this.deviceDay(ev.ip, ev.time, day, 'aes');
      return;
    }
    if (!isCrackableEtype(ev.encryptionType)) return;
    this.since ??= ev.time;

    const recentServices = this.recentFor(requester, service, ev.time);
    const known = this.services.get(service);
    // As it stood before this ticket: the service row is updated below.
    const history = known && { aes: known.aes, rc4: known.rc4, requesters: known.requesters };
    const device = ev.ip ? this.deviceDays(ev.ip) : undefined;
    const knownPair = history?.requesters.includes(requester) ?? false;
    const popular = (history?.requesters.length ?? 0) >= threshold(this.settings, 'popularRequesters');
    const legacyDays = threshold(this.settings, 'legacyDays');
    const rc4Only = (h: EncryptionDays | undefined) => h !== undefined && h.aes === NO_DAYS && dayCount(h.rc4) >= legacyDays;
    const earlierAes = (h: EncryptionDays | undefined) => (h ? daysBefore(h.aes, day) : 0);
    // A service that got AES before, asked for RC4 by a device that got AES before: the
    // requester's tool chose RC4, which is what a roast does (issue 15).
    const downgrade = earlierAes(history) > 0 && earlierAes(device) > 0;
    const legacy = rc4Only(history) || rc4Only(device);
    this.remember(service, requester, ev.time);
    encryptionDay(this.service(service, ev.time), day, 'rc4');
    if (ev.ip) this.deviceDay(ev.ip, ev.time, day, 'rc4');

    const honey = ctx.directory.isHoneytoken(ev.serviceName) || ctx.directory.isHoneytoken(ev.serviceSid);
    const burst = recentServices.length >= threshold(this.settings, 'distinctServices');
    // RC4 is the baseline of a legacy service (no AES keys) and of an RC4-only device.
    if (!honey && !burst && !downgrade && (knownPair || popular || legacy)) return;
    if (!honey && !burst && downgrade && knownPair) return;

    const learning = !honey && !burst && !downgrade && stillLearning(this.settings, this.since, ev.time);
    const severity: Severity = honey || burst ? 'high' : 'medium';
    const why = honey
      ? `${ev.serviceName} is a honeytoken service account that nothing legitimate asks for`
      : burst
        ? `${recentServices.length} distinct user-account services within ${this.windowMs / MINUTE} minutes is how roasting tools sweep SPNs`
        : downgrade
          ? `${ev.serviceName} got AES tickets on ${earlierAes(history)} earlier day(s) and the device at ${ev.ip ?? ''} on ${earlierAes(device)}: RC4 was asked for, not negotiated`
          : `${qualified(ev.account)} has never needed a weak ticket for ${ev.serviceName}, and few other accounts do`;
    ctx.emit({
      keys: [requester],
      severity,
      description: `${qualified(ev.account)}${ev.ip ? ` from ${ev.ip}` : ''} requested ${crackableEtypeName(ev.encryptionType)} service tickets for ${recentServices.join(', ')} `
        + `(tickets crackable offline for the service account's password): ${why}.`,
      accounts: [accountEntity(ev.account, 'actor'), { name: ev.serviceName, role: 'target', ...(ev.serviceSid ? { sid: ev.serviceSid } : {}) }],
      hosts: present([hostEntity('source', undefined, ev.ip), hostEntity('destination', ev.host)]),
      events: [ev],
      details: { services: recentServices, encryptionType: `0x${ev.encryptionType.toString(16)}`, ticketOptions: ev.ticketOptions === undefined ? undefined : `0x${ev.ticketOptions.toString(16)}`, honeytoken: honey },
      learning,
    });
  }

  /** Services this requester got weak tickets for within the window, including this one. */
  private recentFor(requester: string, service: string, time: number): string[] {
    const recent = rowAt(this.recent, requester, time, () => ({ lastSeen: time, services: [] }));
    const list = recent.services;
    let i = 0;
    while (i < list.length && list[i] !== service) i += 2;
    if (i < list.length) list[i + 1] = time;
    else list.push(service, time);
    const kept: (string | number)[] = [];
    const out: string[] = [];
    for (let j = 0; j < list.length; j += 2) {
      if ((list[j + 1] as number) < time - this.windowMs) continue;
      kept.push(list[j] as string, list[j + 1] as number);
      out.push(list[j] as string);
    }
    recent.services = kept;
    return out;
  }

  private service(service: string, time: number): ServiceHistory {
    return rowAt(this.services, service, time, () => ({ requesters: [], lastSeen: time, aes: NO_DAYS, rc4: NO_DAYS }));
  }

  private deviceDays(ip: string): EncryptionDays | undefined {
    const row = this.devices.row(ip);
    return row < 0 ? undefined : { aes: this.devices.get(row, 'aes'), rc4: this.devices.get(row, 'rc4') };
  }

  private deviceDay(ip: string, time: number, day: number, kind: 'aes' | 'rc4'): void {
    const row = this.devices.touch(ip, time);
    this.devices.set(row, kind, addDay(this.devices.get(row, kind), day));
  }

  private remember(service: string, requester: string, time: number): void {
    const h = this.service(service, time);
    if (!h.requesters.includes(requester) && h.requesters.length < MAX_REQUESTERS) h.requesters.push(requester);
  }

  snapshot(): KerberoastingState {
    return { ...(this.since !== undefined ? { since: this.since } : {}), services: this.services.snapshot(), recent: this.recent.snapshot(), devices: this.devices.snapshot() };
  }

  evictIdle(before: number, watermark = before): void {
    this.services.evict(before);
    this.devices.evictBefore(before);
    // A burst is counted over the window: older weak tickets count for nothing (their horizon, not the TTL).
    this.recent.evict(before, watermark);
  }
}

/** requester → its recent weak tickets; the window is the table's horizon. */
function recentTable(windowMs: number): TableSpec<RecentTickets> {
  return {
    name: 'recent',
    horizonMs: windowMs,
    lastSeen: (r) => r.lastSeen,
    encode: (r) => [r.lastSeen, r.services],
    decode(v, read, path) {
      const [lastSeen, services] = read.tuple(v, path, 2);
      const flat = read.list(services, `${path}.1`, 2 * 4096, (x, p) => (Number(p.slice(p.lastIndexOf('.') + 1)) % 2 === 0 ? read.string(x, p) : read.number(x, p)));
      if (flat.length % 2 !== 0) read.fail(`${path}.1`, 'must be [service, time, …] pairs');
      return { lastSeen: read.number(lastSeen, `${path}.0`), services: flat };
    },
  };
}

function encryptionDay(h: ServiceHistory, day: number, kind: 'aes' | 'rc4'): void {
  h[kind] = addDay(h[kind], day);
}

function dayBits(v: unknown, read: SavedReader, path: string): DayBits {
  return isDayBits(v) ? v : read.fail(path, `must be a day set (a non-negative integer), is ${JSON.stringify(v)}`);
}

/** The device columns are day sets: the table checks them as numbers, this as days. */
function checkDeviceDays(devices: NumericTableSnapshot, read: SavedReader): void {
  for (const c of DEVICE_COLUMNS) (devices.columns?.[c] ?? []).forEach((v, i) => dayBits(v, read, `devices.columns.${c}.${i}`));
}


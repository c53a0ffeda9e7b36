import type { Severity } from '../alerts/alert';
import { accountKey } from '../events/fields';
import type { IdentityEvent } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { crackableEtypeName, isAesEtype, isCrackableEtype } from '../estate/kerberos-etypes';
import { addDay, checkDayBitsIn, dayCount, daysBefore, NO_DAYS, type DayBits } from '../state/day-bits';
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
  lastSeen: number;
  aes: DayBits;
  rc4: DayBits;
}

interface ServiceHistory extends EncryptionDays {
  requesters: string[];
}

interface KerberoastingState {
  since?: number;
  /** service → requesters that got weak tickets for it (bounded). */
  services: Record<string, ServiceHistory>;
  /** requester → recent weak-ticket times per service, for bursts. */
  recent: Record<string, Record<string, number>>;
  /** Requesting device address → its ticket encryption days. */
  devices: Record<string, EncryptionDays>;
}

export const kerberoasting: DetectorModule = {
  declaration,
  create: (settings, saved) => {
    const state = (saved as KerberoastingState | undefined) ?? { services: {}, recent: {}, devices: {} };
    checkDayBitsIn(state.services, ['aes', 'rc4'], 'services');
    checkDayBitsIn(state.devices, ['aes', 'rc4'], 'devices');
    return new KerberoastingDetector(settings, state);
  },
};

class KerberoastingDetector implements Detector {
  readonly declaration = declaration;
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, private readonly state: KerberoastingState) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
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
      if (ev.ip) encryptionDay(this.device(ev.ip, ev.time), day, 'aes');
      return;
    }
    if (!isCrackableEtype(ev.encryptionType)) return;
    this.state.since ??= ev.time;

    const recentServices = this.recentFor(requester, service, ev.time);
    const history = this.state.services[service];
    const device = ev.ip ? this.state.devices[ev.ip] : undefined;
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
    if (ev.ip) encryptionDay(this.device(ev.ip, ev.time), day, 'rc4');

    const honey = ctx.directory.isHoneytoken(ev.serviceName) || ctx.directory.isHoneytoken(ev.serviceSid);
    const burst = recentServices.length >= threshold(this.settings, 'distinctServices');
    // RC4 is the baseline of a legacy service (no AES keys) and of an RC4-only device.
    if (!honey && !burst && !downgrade && (knownPair || popular || legacy)) return;
    if (!honey && !burst && downgrade && knownPair) return;

    const learning = !honey && !burst && !downgrade && stillLearning(this.settings, this.state.since, ev.time);
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
    const recent = (this.state.recent[requester] ??= {});
    recent[service] = time;
    const out: string[] = [];
    for (const [s, t] of Object.entries(recent)) {
      if (t < time - this.windowMs) delete recent[s];
      else out.push(s);
    }
    return out;
  }

  private service(service: string, time: number): ServiceHistory {
    const h = (this.state.services[service] ??= { requesters: [], lastSeen: time, aes: NO_DAYS, rc4: NO_DAYS });
    h.lastSeen = time;
    return h;
  }

  private device(ip: string, time: number): EncryptionDays {
    const h = (this.state.devices[ip] ??= { lastSeen: time, aes: NO_DAYS, rc4: NO_DAYS });
    h.lastSeen = time;
    return h;
  }

  private remember(service: string, requester: string, time: number): void {
    const h = this.service(service, time);
    // Past the popularity threshold more names add nothing; the bound keeps state small.
    if (!h.requesters.includes(requester) && h.requesters.length < 64) h.requesters.push(requester);
  }

  snapshot(): KerberoastingState {
    return this.state;
  }

  evictIdle(before: number, watermark = before): void {
    for (const [s, h] of Object.entries(this.state.services)) if (h.lastSeen < before) delete this.state.services[s];
    for (const [d, h] of Object.entries(this.state.devices)) if (h.lastSeen < before) delete this.state.devices[d];
    // A burst is counted over the window: older weak tickets count for nothing (their horizon, not the TTL).
    const burstHorizon = Math.max(before, watermark - this.windowMs);
    for (const [r, recent] of Object.entries(this.state.recent)) {
      if (Object.values(recent).every((t) => t < burstHorizon)) delete this.state.recent[r];
    }
  }
}

function encryptionDay(h: EncryptionDays, day: number, kind: 'aes' | 'rc4'): void {
  h[kind] = addDay(h[kind], day);
}


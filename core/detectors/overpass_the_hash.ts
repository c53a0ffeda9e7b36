import { accountKey } from '../events/fields';
import type { EventOrigin, IdentityEvent, KerberosTgtRequest, Logon } from '../events/identity-event';
import { DAY, MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { originOf } from '../alerts/evidence';
import type { EtypeHistory } from '../estate/kerberos-etype-days';
import { isAesEtype, isCrackableEtype, isKeyPreAuth } from '../estate/kerberos-etypes';
import { dayCount, daysBefore, NO_DAYS } from '../state/day-bits';
import { openSection, type SavedReader } from '../state/saved-value';
import { decodeAccount, decodeOrigin, encodeAccount, encodeOrigin } from '../state/saved-events';

import { none } from '../rules/tree';

/**
 * Overpass-the-hash: a tool that holds only an account's NT hash (mimikatz sekurlsa::pth,
 * Rubeus asktgt /rc4) can only pre-authenticate with RC4, because the NT hash *is* the RC4 key;
 * a Windows client that knows the password offers AES first. The DC shows it as a successful
 * 4768 with encrypted-timestamp pre-authentication and an RC4 ticket for an account (or from a
 * host) that normally gets AES. On the source, the tool usually runs in a new-credentials
 * logon (4624 type 9 via seclogo), which corroborates when the source's address is known.
 */

const MAX_RECENT = 64;

export const declaration: DetectorDeclaration = {
  id: 'overpass_the_hash',
  title: 'Suspected overpass-the-hash (Kerberos encryption downgrade)',
  summary: 'A TGT pre-authenticated with RC4 (4768 0x17, PreAuthType 2) for an account or from a host whose learned baseline is AES, corroborated by a new-credentials logon (4624 type 9, seclogo) on the source.',
  severity: 'medium',
  mitre: { tactics: ['lateral-movement', 'defense-evasion'], techniques: ['T1550.002', 'T1558'] },
  requires: [{
    channel: 'Security', eventIds: [4768],
    fields: ['TargetUserName', 'TargetSid', 'Status', 'TicketEncryptionType', 'PreAuthType', 'IpAddress'],
    auditPolicy: 'Audit Kerberos Authentication Service (Success) on every DC',
  }, {
    channel: 'Security', eventIds: [4624],
    fields: ['LogonType', 'LogonProcessName', 'SubjectUserName', 'TargetOutboundUserName', 'TargetUserName'],
    auditPolicy: 'Audit Logon (Success) on workstations and servers: new-credentials logons (type 9) on the source corroborate',
  }],
  consumes: ['kerberos_tgt_request', 'logon'],
  falsePositives: [
    'Applications and appliances that only support RC4 (old Java, NAS, Linux keytabs with arcfour): learned per account and per source once seen on legacyDays days.',
    'An account whose AES keys were never generated (password not changed since the domain reached 2008 functional level) gets RC4 everywhere: learned the same way; better, reset its password.',
    'Smartcard (PKINIT) logons are not judged.',
  ],
  thresholds: {
    legacyDays: { default: 3, minimum: 1, integer: true, description: 'Distinct days an account, or a source address, must receive RC4 TGTs before RC4 counts as its normal (a legacy application)' },
    orgAesPercent: { default: 90, minimum: 0, maximum: 100, integer: false, description: 'After learning, an RC4 TGT for an account with no history is an alert only when at least this share of the estate\'s TGTs were AES' },
    corroborationMinutes: { default: 5, minimum: 1, integer: false, description: 'How close a new-credentials logon (4624 type 9) on the source host must be to the RC4 TGT to corroborate it' },
  },
  learningPeriodDays: 30,
  bucketHours: 24,
  recommendations: [
    'Find the process on the source host that requested the ticket (it ran in a new-credentials logon if one is listed) and isolate the host.',
    'Reset the account\'s password: its NT hash is in the attacker\'s hands.',
    'Disable RC4 for accounts that do not need it (msDS-SupportedEncryptionTypes) so a hash alone cannot buy a TGT.',
  ],
  native: none("judges an RC4 pre-authentication against the account's and the host's learned AES baseline (30 days) and a new-credentials logon on the source"),
};

/**
 * What one account's or source's TGTs taught: the Kerberos ledger's etype days
 * (core/estate/kerberos-etype-days.ts), learned there once per event, read as they stood before it.
 */
type History = EtypeHistory;

/** A new-credentials logon on a host, kept briefly to corroborate an RC4 TGT from its address. */
interface NewCredentials {
  readonly host: string;
  readonly time: number;
  readonly origin: EventOrigin;
}

/** An RC4 TGT that alerted without corroboration, kept briefly in case the type-9 logon follows. */
interface WeakTgt {
  readonly ip: string;
  readonly time: number;
  readonly ev: KerberosTgtRequest;
  readonly why: string;
}

/**
 * Verdict state only: the etype days per account and per address are the Kerberos ledger's
 * (ctx.kerberos). Saved as `{since, org: [aes, weak], newCredentials: [[host, origin]],
 * weakTgts: [[ip, origin, account, etype, preAuthType, why]]}`: the estate's counts, and two
 * lists of at most MAX_RECENT that trim themselves to the corroboration window as they grow.
 */
interface OverpassState {
  since?: number;
  org: { aes: number; weak: number };
  newCredentials: NewCredentials[];
  weakTgts: WeakTgt[];
}

export const overpassTheHash: DetectorModule = {
  declaration,
  create: (settings, saved) => new OverpassDetector(settings, restoreState(saved)),
};

/** A saved section read whole: a bad one throws StateInvalidError naming its path, never a cast. */
function restoreState(saved: unknown): OverpassState {
  const { read, section, since } = openSection('overpass_the_hash', saved);
  const [aes, weak] = section['org'] === undefined ? [0, 0] : read.tuple(section['org'], 'org', 2);
  return {
    ...(since !== undefined ? { since } : {}),
    org: { aes: read.count(aes, 'org.0'), weak: read.count(weak, 'org.1') },
    newCredentials: section['newCredentials'] === undefined ? [] : read.list(section['newCredentials'], 'newCredentials', MAX_RECENT, (v, p) => decodeNewCredentials(v, read, p)),
    weakTgts: section['weakTgts'] === undefined ? [] : read.list(section['weakTgts'], 'weakTgts', MAX_RECENT, (v, p) => decodeWeakTgt(v, read, p)),
  };
}

/** `[host, origin]`: the logon's time is its origin's. */
function decodeNewCredentials(v: unknown, read: SavedReader, path: string): NewCredentials {
  const [host, origin] = read.tuple(v, path, 2);
  const o = decodeOrigin(origin, read, `${path}.1`);
  return { host: read.string(host, `${path}.0`), time: o.time, origin: o };
}

/**
 * `[ip, origin, account, etype, preAuthType, why]`: what the late corroboration's alert reports of
 * the TGT. Only successful RC4 TGTs from an address are kept (onTgt), so the ticket says status 0.
 */
function decodeWeakTgt(v: unknown, read: SavedReader, path: string): WeakTgt {
  const [ip, origin, account, etype, preAuthType, why] = read.tuple(v, path, 6);
  const o = decodeOrigin(origin, read, `${path}.1`);
  const address = read.string(ip, `${path}.0`);
  const encryption = read.optional(etype, `${path}.3`, (x, p) => read.count(x, p));
  const preAuth = read.optional(preAuthType, `${path}.4`, (x, p) => read.count(x, p));
  const ev: KerberosTgtRequest = {
    kind: 'kerberos_tgt_request', ...o, account: decodeAccount(account, read, `${path}.2`), ip: address, status: 0,
    ...(encryption !== undefined ? { encryptionType: encryption } : {}), ...(preAuth !== undefined ? { preAuthType: preAuth } : {}),
  };
  return { ip: address, time: o.time, ev, why: read.string(why, `${path}.5`) };
}

class OverpassDetector implements Detector {
  readonly declaration = declaration;
  private readonly windowMs: number;

  constructor(private readonly settings: DetectorSettings, private readonly state: OverpassState) {
    this.windowMs = threshold(settings, 'corroborationMinutes') * MINUTE;
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'kerberos_tgt_request') this.onTgt(ev, ctx);
    else if (ev.kind === 'logon' && isNewCredentialsLogon(ev)) this.onNewCredentials(ev, ctx);
  }

  private onTgt(ev: KerberosTgtRequest, ctx: DetectionContext): void {
    if (ev.status !== 0 || ev.encryptionType === undefined) return;
    this.state.since ??= ev.time;
    // The AES and RC4 days themselves (per account, and per device: an AES-capable device that
    // turns to RC4 is the attack, issue 15) are the ledger's, learned before this detector runs.
    if (isAesEtype(ev.encryptionType)) {
      this.state.org.aes++;
      return;
    }
    if (!isCrackableEtype(ev.encryptionType) || !isKeyPreAuth(ev.preAuthType)) return;
    const { account, source } = ctx.kerberos.etypesBefore(ev);
    const verdict = this.judge(ev, account, source, Math.floor(ev.time / DAY));
    this.state.org.weak++;
    if (!verdict) return;
    const corroboration = ev.ip ? this.newCredentialsAt(ev.ip, ev.time, ctx) : undefined;
    if (ev.ip && !corroboration) trim(this.state.weakTgts, { ip: ev.ip, time: ev.time, ev, why: verdict.why }, this.windowMs);
    this.emit(ctx, ev, verdict.why, verdict.learning && !corroboration, corroboration);
  }

  /**
   * Why an RC4 TGT is abnormal, or undefined when the baselines explain it. RC4 is part of the
   * per-device and per-account baseline (issue 15):
   * - a device that has only ever received RC4 TGTs, on legacyDays days, cannot do AES (an
   *   RC4-only client: old NAS, appliance, Java keytab): quiet, whoever logs on there;
   * - an account that has only ever received RC4, on legacyDays days, has no AES keys: quiet;
   * - an account that received AES before getting RC4 now, from a device that negotiated AES
   *   before (or one not yet RC4-routine), is a downgrade: that is overpass-the-hash, and it
   *   fires whatever else the device does (a device that gets RC4 for accounts without AES
   *   keys still negotiates AES for an account that has them);
   * - otherwise RC4 routine for the account or device (legacyDays days) is explained, and a
   *   newcomer is judged on the estate's mix once learning is over.
   * A pattern seen during learning becomes the baseline: legacyDays of RC4 with no AES makes
   * the device (or account) RC4-normal, before or after the learning period ends.
   */
  private judge(ev: KerberosTgtRequest, account: History, source: History | undefined, today: number): { why: string; learning: boolean } | undefined {
    const legacyDays = threshold(this.settings, 'legacyDays');
    const rc4Only = (h: History | undefined) => h !== undefined && h.aes === NO_DAYS && dayCount(h.rc4) >= legacyDays;
    if (rc4Only(source) || rc4Only(account)) return undefined;
    const accountAes = daysBefore(account.aes, today);
    const deviceAes = source ? daysBefore(source.aes, today) : 0;
    if (accountAes > 0 && (deviceAes > 0 || source === undefined || dayCount(source.rc4) < legacyDays)) {
      return {
        why: `${qualified(ev.account)} received AES tickets on ${accountAes} earlier day(s)`
          + (deviceAes > 0 ? ` and the device at ${ev.ip ?? ''} negotiated AES on ${deviceAes} earlier day(s)` : '')
          + ': this is a downgrade',
        learning: deviceAes === 0 && stillLearning(this.settings, account.firstSeen, ev.time),
      };
    }
    if (dayCount(account.rc4) >= legacyDays || (source ? dayCount(source.rc4) : 0) >= legacyDays) return undefined;
    if (stillLearning(this.settings, this.state.since, ev.time)) {
      return { why: `no encryption baseline exists yet for ${qualified(ev.account)}`, learning: true };
    }
    // The estate's own mix, before this ticket: where RC4 is common, a newcomer on RC4 is not news.
    const { aes, weak } = this.state.org;
    if (aes + weak === 0) return { why: `${qualified(ev.account)} has no RC4 history`, learning: false };
    const share = (100 * aes) / (aes + weak);
    if (share < threshold(this.settings, 'orgAesPercent')) return undefined;
    return { why: `${Math.round(share)}% of this estate's TGTs are AES and ${qualified(ev.account)} has no RC4 history`, learning: false };
  }

  /** A type-9 logon just after an RC4 TGT from the same host escalates the TGT's alert. */
  private onNewCredentials(ev: Logon, ctx: DetectionContext): void {
    trim(this.state.newCredentials, { host: ev.host, time: ev.time, origin: originOf(ev) }, this.windowMs);
    const addresses = ctx.directory.machineAddresses(ev.host);
    if (addresses.length === 0) return;
    for (const w of this.state.weakTgts) {
      if (addresses.includes(w.ip) && Math.abs(ev.time - w.time) <= this.windowMs) this.emit(ctx, w.ev, w.why, false, { host: ev.host, time: ev.time, origin: originOf(ev) });
    }
  }

  private newCredentialsAt(ip: string, time: number, ctx: DetectionContext): NewCredentials | undefined {
    return this.state.newCredentials.find((n) => Math.abs(time - n.time) <= this.windowMs && ctx.directory.machineAddresses(n.host).includes(ip));
  }

  private emit(ctx: DetectionContext, ev: KerberosTgtRequest, why: string, learning: boolean, corroboration: NewCredentials | undefined): void {
    const host = corroboration?.host;
    ctx.emit({
      keys: [accountKey(ev.account), ev.ip ?? ''],
      severity: corroboration ? 'high' : 'medium',
      description: `${qualified(ev.account)} received a TGT with ${etypeName(ev.encryptionType)} encryption${ev.ip ? ` from ${ev.ip}` : ''} on ${ev.host} after encrypted-timestamp pre-authentication. `
        + 'A client that knows the password negotiates AES; one that holds only the NT hash, which is the RC4 key, can only offer RC4 (overpass-the-hash). '
        + `Here ${why}.${host ? ` A new-credentials logon (runas /netonly, sekurlsa::pth) ran on ${host}, the host at that address, at the same time.` : ''}`,
      accounts: [accountEntity(ev.account, 'actor')],
      hosts: present([hostEntity('source', host, ev.ip), hostEntity('destination', ev.host)]),
      events: corroboration ? [ev, corroboration.origin] : [ev],
      details: { encryptionType: `0x${(ev.encryptionType ?? 0).toString(16)}`, preAuthType: ev.preAuthType, ...(host ? { corroboratedBy: host } : {}) },
      learning,
    });
  }

  snapshot(): unknown {
    const { since, org, newCredentials, weakTgts } = this.state;
    return {
      ...(since !== undefined ? { since } : {}),
      org: [org.aes, org.weak],
      newCredentials: newCredentials.map((n) => [n.host, encodeOrigin(n.origin)]),
      weakTgts: weakTgts.map((w) => [w.ip, encodeOrigin(w.ev), encodeAccount(w.ev.account), w.ev.encryptionType ?? null, w.ev.preAuthType ?? null, w.why]),
    };
  }

  evictIdle(): void {
    // The baselines are the ledger's, evicted there; the lists here trim themselves as they grow.
  }
}

function isNewCredentialsLogon(ev: Logon): boolean {
  return ev.logonType === 9 && ev.logonProcess?.trim().toLowerCase() === 'seclogo';
}

/** Appends to a short time-ordered list, dropping what is older than the window or over the cap. */
function trim<T extends { readonly time: number }>(list: T[], item: T, windowMs: number): void {
  while (list.length > 0 && ((list[0] as T).time < item.time - windowMs || list.length >= MAX_RECENT)) list.shift();
  list.push(item);
}

function etypeName(etype: number | undefined): string {
  return etype === 0x17 || etype === 0x18 ? `RC4 (0x${etype.toString(16)})` : `DES (0x${(etype ?? 0).toString(16)})`;
}


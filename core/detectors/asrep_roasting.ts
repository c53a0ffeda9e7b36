import type { Severity } from '../alerts/alert';
import { accountKey, type Account } from '../events/fields';
import type { AccountManagement, DirectoryObjectChange, IdentityEvent, KerberosTgtRequest } from '../events/identity-event';
import { MINUTE, stillLearning, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import { accountEntity, hostEntity, present, qualified } from '../alerts/entities';
import { crackableEtypeName, isCrackableEtype } from '../estate/kerberos-etypes';
import { none } from '../rules/tree';
import { KeyedTable, seenTable, valueTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * AS-REP roasting: for an account with DONT_REQ_PREAUTH, the KDC returns a TGT whose
 * enc-part is sealed with the account's key to anyone who asks, no password needed. With RC4
 * that is crackable offline. The DC logs the answer as 4768 with PreAuthType 0; the
 * preparation (turning pre-authentication off) as 4738 or 5136.
 */

/** SAM ACB flag in 4738 Old/NewUacValue (not the LDAP bit): ACB_DONT_REQUIRE_PREAUTH. */
const ACB_DONT_REQUIRE_PREAUTH = 0x10000;
/** userAccountControl LDAP bit (5136): DONT_REQ_PREAUTH. */
const UF_DONT_REQ_PREAUTH = 0x400000;
/** Message-table text of 4738 `UserAccountControl`: "'Don't Require Preauth' - Enabled". */
const PREAUTH_DISABLED_TEXT = '%%2096';

export const declaration: DetectorDeclaration = {
  id: 'asrep_roasting',
  title: 'Suspected AS-REP roasting',
  summary: 'TGTs issued without pre-authentication with RC4/DES (4768 PreAuthType 0) from a source not seen for that account, and pre-authentication being switched off (4738/5136).',
  severity: 'high',
  mitre: { tactics: ['credential-access'], techniques: ['T1558.004'] },
  requires: [{
    channel: 'Security', eventIds: [4768],
    fields: ['TargetUserName', 'Status', 'PreAuthType', 'TicketEncryptionType', 'IpAddress'],
    auditPolicy: 'Audit Kerberos Authentication Service (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [4738],
    fields: ['TargetUserName', 'SubjectUserName', 'UserAccountControl', 'OldUacValue', 'NewUacValue'],
    auditPolicy: 'Audit User Account Management (Success) on DCs',
  }, {
    channel: 'Security', eventIds: [5136],
    fields: ['ObjectDN', 'AttributeLDAPDisplayName', 'AttributeValue', 'OperationType', 'OpCorrelationID'],
    auditPolicy: 'Audit Directory Service Changes (Success) on DCs',
  }],
  consumes: ['kerberos_tgt_request', 'account_management', 'directory_object_change'],
  falsePositives: [
    'Legacy UNIX/Java clients configured for accounts without pre-authentication: learned per (account, source).',
  ],
  thresholds: {
    sweepAccounts: { default: 2, minimum: 2, integer: true, description: 'Distinct no-preauth accounts answered to one source within the window that make a sweep' },
    windowMinutes: { default: 30, minimum: 1, integer: false, description: 'Sweep window' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Re-enable Kerberos pre-authentication on the account unless a documented legacy client needs it.',
    'Reset the account\'s password to a long random value: the returned ticket can be cracked offline.',
    'Investigate the source host that asked for the ticket.',
  ],
  native: none("judges a TGT issued without pre-authentication against the sources learned for that account (14 days), and ties a pre-authentication switch-off to who made it"),
};

/** A source's accounts answered recently (sweep detection): account → last time. */
interface Sweep {
  accounts: Map<string, number>;
  lastSeen: number;
}

// More accounts than this in one window is a sweep many times over; restore refuses only what no run could write.
const MAX_SAVED_SWEEP = 1_000_000;

/** `[lastSeen, [account, time, …]]`, kept for the window: older answers are never counted. */
function sweepTable(horizonMs: number): TableSpec<Sweep> {
  return valueTable('sweeps', 'accounts', {
    read: (v, read, path) => new Map(read.pairs(v, path, MAX_SAVED_SWEEP, (x, p) => read.string(x, p), (x, p) => read.number(x, p))),
    write: (accounts) => [...accounts].flat(),
    horizonMs,
  });
}

export const asrepRoasting: DetectorModule = {
  declaration,
  create: (settings, saved) => new AsrepRoastingDetector(settings, saved),
};

class AsrepRoastingDetector implements Detector {
  readonly declaration = declaration;
  private readonly windowMs: number;
  private since: number | undefined;
  /** `account\tsource` → when the account last got a no-preauth TGT from there: its legitimate sources. */
  private readonly sources: KeyedTable<{ lastSeen: number }>;
  private readonly sweeps: KeyedTable<Sweep>;
  /** Pending 5136 "value deleted" UAC by `dn|correlation id`, to see what the change turned on. */
  private readonly oldUac: KeyedTable<{ value: number; lastSeen: number }>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    this.windowMs = threshold(settings, 'windowMinutes') * MINUTE;
    const { read, section, since } = openSection('asrep_roasting', saved);
    this.since = since;
    this.sources = new KeyedTable(seenTable('sources'), section['sources'], read);
    this.sweeps = new KeyedTable(sweepTable(this.windowMs), section['sweeps'], read);
    this.oldUac = new KeyedTable(valueTable('oldUac', 'value', { read: (v, r, p) => r.count(v, p) }), section['oldUac'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind === 'kerberos_tgt_request') this.onTgt(ev, ctx);
    else if (ev.kind === 'account_management') this.onAccountChange(ev, ctx);
    else if (ev.kind === 'directory_object_change') this.onDirectoryChange(ev, ctx);
  }

  private onTgt(ev: KerberosTgtRequest, ctx: DetectionContext): void {
    if (ev.status !== 0 || ev.preAuthType !== 0) return;
    if (!isCrackableEtype(ev.encryptionType)) return;
    this.since ??= ev.time;
    const account = accountKey(ev.account);
    const source = ev.ip ?? '';
    const key = `${account}\t${source}`;
    const knownSource = source !== '' && this.sources.has(key);
    this.sources.set(key, { lastSeen: ev.time });
    const swept = this.sweep(source, account, ev.time);
    const honey = ctx.directory.isHoneytoken(ev.account.name) || ctx.directory.isHoneytoken(ev.account.sid);
    const sweep = source !== '' && swept.length >= threshold(this.settings, 'sweepAccounts');
    if (knownSource && !honey && !sweep) return;

    const learning = !honey && !sweep && stillLearning(this.settings, this.since, ev.time);
    const severity: Severity = honey || sweep ? 'high' : 'medium';
    ctx.emit({
      keys: [source || account],
      severity,
      description: `The DC ${ev.host} issued a TGT for ${qualified(ev.account)} without pre-authentication, encrypted with ${crackableEtypeName(ev.encryptionType)}, `
        + `to ${source || 'an unknown address'}: whoever asked can crack the account's password offline. `
        + (honey ? 'The account is a honeytoken.' : sweep ? `${swept.length} such accounts were answered to this source within ${this.windowMs / MINUTE} minutes.` : 'This source has not received such a ticket for this account before.'),
      accounts: [accountEntity(ev.account, 'target')],
      hosts: present([hostEntity('source', undefined, ev.ip), hostEntity('destination', ev.host)]),
      events: [ev],
      details: { accounts: swept, encryptionType: `0x${ev.encryptionType.toString(16)}` },
      learning,
    });
  }

  /** A 4738 that turns DONT_REQ_PREAUTH on: the step that makes an account roastable. */
  private onAccountChange(ev: AccountManagement, ctx: DetectionContext): void {
    if (ev.action !== 'changed' || ev.objectClass !== 'user') return;
    const byFlags = ev.newUac !== undefined && ev.oldUac !== undefined
      && (ev.newUac & ACB_DONT_REQUIRE_PREAUTH) !== 0 && (ev.oldUac & ACB_DONT_REQUIRE_PREAUTH) === 0;
    const byText = ev.uacChanges?.includes(PREAUTH_DISABLED_TEXT) ?? false;
    if (!byFlags && !byText) return;
    this.emitPreauthDisabled(ev.target, ev.subject, ev, ctx);
  }

  /** 5136 writes userAccountControl as a delete of the old value and an add of the new one. */
  private onDirectoryChange(ev: DirectoryObjectChange, ctx: DetectionContext): void {
    if (ev.attribute?.toLowerCase() !== 'useraccountcontrol' || ev.value === undefined) return;
    const value = Number(ev.value);
    if (!Number.isInteger(value)) return;
    const key = `${ev.objectDn.toLowerCase()}|${ev.correlationId ?? ''}`;
    if (ev.action === 'value_deleted') {
      this.oldUac.set(key, { value, lastSeen: ev.time });
      return;
    }
    if (ev.action !== 'value_added') return;
    const old = this.oldUac.get(key);
    this.oldUac.delete(key);
    if ((value & UF_DONT_REQ_PREAUTH) === 0 || (old && (old.value & UF_DONT_REQ_PREAUTH) !== 0)) return;
    const cn = /^CN=((?:\\,|[^,])+)/i.exec(ev.objectDn)?.[1] ?? ev.objectDn;
    this.emitPreauthDisabled({ name: cn }, ev.subject, ev, ctx);
  }

  private emitPreauthDisabled(target: Account, subject: Account | undefined, ev: IdentityEvent, ctx: DetectionContext): void {
    ctx.emit({
      // Keyed by who made the change: one change is logged as 4738 (account name) and 5136 (DN).
      keys: ['preauth-disabled', subject ? accountKey(subject) : accountKey(target)],
      severity: 'medium',
      title: 'Kerberos pre-authentication disabled on an account',
      description: `${subject ? qualified(subject) : 'Someone'} turned off Kerberos pre-authentication (DONT_REQ_PREAUTH) for ${qualified(target)} on ${ev.host}. `
        + 'Anyone can then request a TGT for it and crack the password offline; attackers with write access do this before roasting.',
      accounts: present([subject ? accountEntity(subject, 'actor') : undefined, accountEntity(target, 'target')]),
      hosts: present([hostEntity('destination', ev.host)]),
      events: [ev],
    });
  }

  private sweep(source: string, account: string, time: number): string[] {
    if (source === '') return [account];
    let recent = this.sweeps.get(source);
    if (!recent) {
      recent = { accounts: new Map(), lastSeen: time };
      this.sweeps.set(source, recent);
    }
    recent.lastSeen = Math.max(recent.lastSeen, time);
    recent.accounts.set(account, time);
    const out: string[] = [];
    for (const [a, t] of recent.accounts) {
      if (t < time - this.windowMs) recent.accounts.delete(a);
      else out.push(a);
    }
    return out;
  }

  snapshot(): unknown {
    return {
      ...(this.since !== undefined ? { since: this.since } : {}),
      sources: this.sources.snapshot(), sweeps: this.sweeps.snapshot(), oldUac: this.oldUac.snapshot(),
    };
  }

  evictIdle(before: number, watermark?: number): void {
    this.sources.evict(before, watermark);
    this.sweeps.evict(before, watermark);
    this.oldUac.evict(before, watermark);
  }
}

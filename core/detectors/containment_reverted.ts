import type { CloudAccountChange, CloudPrincipal, EventOrigin, IdentityEvent } from '../events/identity-event';
import { iso } from '../estate/cloud/sign-ins';
import { DAY, threshold, type DetectionContext, type Detector, type DetectorDeclaration, type DetectorModule, type DetectorSettings } from './detector';
import type { DirectoryView } from '../estate/directory-model';

import { none } from '../rules/tree';
import { KeyedTable, type TableSpec } from '../state/keyed-table';
import { openSection } from '../state/saved-value';

/**
 * Containment reverted: a user disabled in Entra ID by a person or a response playbook is
 * enabled again by directory sync. For a synced user AD is the source of authority, so Entra
 * Connect writes AD's enabled state back at its next cycle (about every 30 minutes) and the
 * cloud disable silently undoes itself (research note §4; azure-docs#60671). Whoever was
 * contained is back in, and the analyst believes otherwise.
 */

export const declaration: DetectorDeclaration = {
  id: 'containment_reverted',
  title: 'Containment reverted by directory sync',
  summary: 'An Entra user disabled by an analyst or a playbook (AuditLogs "Disable account") is re-enabled by the directory-sync principal (Entra Connect / Cloud Sync) afterwards.',
  severity: 'high',
  mitre: { tactics: ['persistence', 'defense-evasion'], techniques: ['T1098', 'T1562'] },
  requires: [{
    channel: 'AuditLogs', eventIds: [0],
    fields: ['OperationName', 'Result', 'InitiatedBy', 'TargetResources'],
    auditPolicy: 'Entra ID diagnostic setting exporting AuditLogs to the SIEM',
  }],
  consumes: ['cloud_account_change'],
  falsePositives: [
    'An analyst deliberately re-enabled the account in AD (ending the containment) and sync carried it up: the AD side shows a 4722 by that analyst.',
  ],
  thresholds: {
    revertWindowDays: { default: 14, minimum: 1, integer: false, description: 'How long after a disable a sync-driven enable counts as undoing it' },
  },
  learningPeriodDays: 0,
  bucketHours: 24,
  recommendations: [
    'Disable the account in on-premises AD (the source of authority), then in Entra ID, and revoke its sessions.',
    'Use a sync-aware response (tierzero respond suspend) so the containment sticks.',
  ],
  native: none("needs the containment actions tierzero itself took (which only the engine knows) to recognise their undo by directory sync"),
};

interface Disabled {
  readonly at: number;
  readonly by: string;
  readonly upn?: string;
  readonly objectId?: string;
}

/** `[at, by, upn, objectId]` (null for absent), kept for revertWindowDays: a later enable by sync is not a revert. */
function disabledTable(horizonMs: number): TableSpec<Disabled> {
  return {
    name: 'disabled',
    horizonMs,
    lastSeen: (d) => d.at,
    encode: (d) => [d.at, d.by, d.upn ?? null, d.objectId ?? null],
    decode(v, read, path) {
      const [at, by, upn, objectId] = read.tuple(v, path, 4);
      const str = (x: unknown, p: string): string => read.string(x, p);
      const u = read.optional(upn, `${path}.2`, str);
      const o = read.optional(objectId, `${path}.3`, str);
      return { at: read.number(at, `${path}.0`), by: read.string(by, `${path}.1`), ...(u !== undefined ? { upn: u } : {}), ...(o !== undefined ? { objectId: o } : {}) };
    },
  };
}

/**
 * Entra Connect signs its changes as `Sync_<server>_<hex>@<tenant>.onmicrosoft.com` (the
 * Directory Synchronization Accounts role); Cloud Sync as `ADToAADSyncServiceAccount@…`.
 */
const SYNC_USER = /^(sync_[^@]+_[0-9a-f]+@.+\.onmicrosoft\.com|adtoaadsyncserviceaccount@.+)$/i;
const SYNC_APP = /\b(azure ad connect|entra connect|azure ad sync|aad connect|cloud sync|directory synchroni[sz]ation)\b/i;

export const containmentReverted: DetectorModule = {
  declaration,
  create: (settings, saved) => new ContainmentRevertedDetector(settings, saved),
};

class ContainmentRevertedDetector implements Detector {
  readonly declaration = declaration;
  /** Accounts disabled by someone other than sync, by object id (or UPN). */
  private readonly disabled: KeyedTable<Disabled>;

  constructor(private readonly settings: DetectorSettings, saved: unknown) {
    const { read, section } = openSection('containment_reverted', saved);
    this.disabled = new KeyedTable(disabledTable(threshold(settings, 'revertWindowDays') * DAY), section['disabled'], read);
  }

  handle(ev: IdentityEvent, ctx: DetectionContext): void {
    if (ev.kind !== 'cloud_account_change') return;
    const key = ev.target.objectId ?? ev.target.upn;
    if (!key) return;
    const bySync = isSyncPrincipal(ev.initiator, ctx.directory);
    if (ev.action === 'disabled') {
      // A disable that sync brought up from AD is AD's own state, not a containment to protect.
      if (!bySync) this.disabled.set(key, { at: ev.time, by: principalName(ev.initiator), ...(ev.target.upn ? { upn: ev.target.upn } : {}), ...(ev.target.objectId ? { objectId: ev.target.objectId } : {}) });
      return;
    }
    const disabled = this.disabled.get(key);
    if (!disabled) return;
    // A person enabling the account again is a decision (a rollback), not a revert.
    if (!bySync || ev.time < disabled.at) {
      if (!bySync) this.disabled.delete(key);
      return;
    }
    this.disabled.delete(key);
    if (ev.time - disabled.at > threshold(this.settings, 'revertWindowDays') * DAY) return;
    this.emit(ev, disabled, ctx);
  }

  private emit(ev: CloudAccountChange, disabled: Disabled, ctx: DetectionContext): void {
    const user = ev.target.upn ?? disabled.upn ?? ev.target.objectId ?? '?';
    const minutes = Math.round((ev.time - disabled.at) / 60_000);
    const containment: EventOrigin = { time: disabled.at, host: 'entra', eventId: 0, recordId: null };
    ctx.emit({
      keys: [user],
      severity: 'high',
      description: `${user} was disabled in Entra ID by ${disabled.by} at ${iso(disabled.at)}, and ${minutes} minutes later directory sync (${principalName(ev.initiator)}) enabled it again: `
        + 'the account is synced from AD, where it is still enabled, so the containment did not hold.',
      // The sync principal did its job; it is named in the details, not scored as an actor.
      accounts: [{ name: user, role: 'target' }],
      hosts: [],
      events: [ev, containment],
      details: {
        disabledBy: disabled.by, disabledAt: iso(disabled.at), enabledBy: principalName(ev.initiator), operation: ev.operation,
        ...(ev.target.objectId ?? disabled.objectId ? { objectId: ev.target.objectId ?? disabled.objectId } : {}),
        ...(ev.auditId ? { auditId: ev.auditId } : {}),
      },
    });
  }

  snapshot(): unknown {
    return { disabled: this.disabled.snapshot() };
  }

  evictIdle(before: number, watermark?: number): void {
    this.disabled.evict(before, watermark);
  }
}

export function isSyncPrincipal(p: CloudPrincipal, directory: DirectoryView): boolean {
  if (p.upn && (SYNC_USER.test(p.upn) || directory.isDirectorySyncAccount({ name: p.upn }))) return true;
  if (p.app && (SYNC_APP.test(p.app) || directory.isDirectorySyncAccount({ name: p.app }))) return true;
  return false;
}

function principalName(p: CloudPrincipal): string {
  return p.upn ?? p.app ?? p.objectId ?? p.appId ?? 'an unknown principal';
}

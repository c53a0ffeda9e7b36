import type { DetectorDeclaration, RequiredEvents, SharedNeeds } from '../detectors/detector';
import type { DetectorId } from '../detectors/detector-id';
import { integer, text } from '../events/fields';
import { isCloudSignIn, isEntraAudit } from '../events/windows-event';

/**
 * Data coverage (`tierzero doctor`): which of the events each detector declares it needs are
 * present in a body of canonical records, which declared fields those events lack, and which
 * detectors are blind — none of their inputs present — with the audit policy that would fix it.
 * The shared models (directory model, identity resolution) are reported the same way, as
 * "shared needs", since every detector degrades when they are starved.
 * Pure: fed records one by one, O(1) per record.
 */

export type CoverageStatus = 'ok' | 'partial' | 'blind';

export interface InputCoverage {
  readonly channel: RequiredEvents['channel'];
  readonly auditPolicy: string;
  /** Events seen per declared EventID (0 for Entra sign-ins and audit records). */
  readonly counts: Readonly<Record<number, number>>;
  readonly total: number;
  /** Declared fields no event of this input carried (only meaningful when `total` > 0). */
  readonly missingFields: readonly string[];
}

export interface DetectorCoverage {
  readonly id: DetectorId;
  readonly title: string;
  readonly enabled: boolean;
  /** ok: every input present with its fields; partial: some input or field missing; blind: no input at all. */
  readonly status: CoverageStatus;
  readonly inputs: readonly InputCoverage[];
}

/** A shared model's inputs, with what breaks when they are missing. */
export interface SharedNeedCoverage {
  readonly name: string;
  readonly purpose: string;
  readonly status: CoverageStatus;
  readonly inputs: readonly InputCoverage[];
}

export interface CoverageReport {
  readonly records: number;
  /** Records that were not canonical events at all (no EventID and not a sign-in). */
  readonly unrecognised: number;
  readonly detectors: readonly DetectorCoverage[];
  /** Enabled detectors with no input present. */
  readonly blind: readonly DetectorId[];
  readonly shared: readonly SharedNeedCoverage[];
}

interface Seen {
  count: number;
  /** Declared fields for this (channel, EventID) not yet seen on any of its events. */
  readonly unseen: Set<string>;
  readonly seenFields: Set<string>;
}

export class EventCoverage {
  /** `channel:EventID` → what was seen, for the pairs some declaration asks for. */
  private readonly seen = new Map<string, Seen>();
  /** EventIDs declared on the Security/System logs, to place records whose exporter dropped Channel. */
  private readonly securityIds = new Set<number>();
  private readonly systemIds = new Set<number>();
  private records = 0;
  private unrecognised = 0;

  constructor(private readonly declarations: readonly DetectorDeclaration[], private readonly sharedNeeds: readonly SharedNeeds[] = []) {
    for (const d of [...declarations, ...sharedNeeds]) {
      for (const r of d.requires) {
        const channel = r.channel.toLowerCase();
        for (const id of r.eventIds) {
          const key = `${channel}:${id}`;
          const s = this.seen.get(key) ?? { count: 0, unseen: new Set<string>(), seenFields: new Set<string>() };
          for (const f of r.fields) if (!s.seenFields.has(f)) s.unseen.add(f);
          this.seen.set(key, s);
          if (channel === 'security') this.securityIds.add(id);
          if (channel === 'system') this.systemIds.add(id);
        }
      }
    }
  }

  observe(record: unknown): void {
    this.records++;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      this.unrecognised++;
      return;
    }
    const r = record as Record<string, unknown>;
    const key = this.keyOf(r);
    if (key === undefined) {
      this.unrecognised++;
      return;
    }
    const s = this.seen.get(key);
    if (!s) return;
    s.count++;
    if (s.unseen.size === 0) return;
    for (const f of s.unseen) {
      // A field is present when the export kept it at all; `-` is how Windows writes "not applicable".
      if (f in r && r[f] !== null && r[f] !== undefined) {
        s.unseen.delete(f);
        s.seenFields.add(f);
      }
    }
  }

  /**
   * `count` events of one channel and EventID counted where they live (a SIEM's own count),
   * without the events themselves: their fields are not checked, so none is reported missing.
   */
  observeCount(channel: string, eventId: number, count: number): void {
    this.records += count;
    const s = this.seen.get(`${channel.toLowerCase()}:${eventId}`);
    if (!s || count <= 0) return;
    s.count += count;
    for (const f of s.unseen) s.seenFields.add(f);
    s.unseen.clear();
  }

  report(enabled: (id: DetectorId) => boolean = () => true): CoverageReport {
    const detectors = this.declarations.map((d) => this.detectorCoverage(d, enabled(d.id)));
    return {
      records: this.records,
      unrecognised: this.unrecognised,
      detectors,
      blind: detectors.filter((d) => d.enabled && d.status === 'blind').map((d) => d.id),
      shared: this.sharedNeeds.map((n) => {
        const inputs = this.inputs(n.requires);
        return { name: n.name, purpose: n.purpose, status: statusOf(inputs), inputs };
      }),
    };
  }

  private detectorCoverage(d: DetectorDeclaration, enabled: boolean): DetectorCoverage {
    const inputs = this.inputs(d.requires);
    return { id: d.id, title: d.title, enabled, status: statusOf(inputs), inputs };
  }

  private inputs(requires: readonly RequiredEvents[]): InputCoverage[] {
    return requires.map((r): InputCoverage => {
      const channel = r.channel.toLowerCase();
      const counts: Record<number, number> = {};
      let total = 0;
      const carried = new Set<string>();
      for (const id of r.eventIds) {
        const s = this.seen.get(`${channel}:${id}`);
        counts[id] = s?.count ?? 0;
        total += s?.count ?? 0;
        if (s?.count) for (const f of s.seenFields) carried.add(f);
      }
      return { channel: r.channel, auditPolicy: r.auditPolicy, counts, total, missingFields: total > 0 ? r.fields.filter((f) => !carried.has(f)) : [] };
    });
  }

  /** `security:4662`, `signinlogs:0`, `auditlogs:0`, …: the same channel/EventID reading the normaliser does. */
  private keyOf(r: Record<string, unknown>): string | undefined {
    if (isCloudSignIn(r)) return 'signinlogs:0';
    if (isEntraAudit(r)) return 'auditlogs:0';
    const eventId = integer(r['EventID']);
    if (eventId === undefined || eventId < 0 || eventId > 65535) return undefined;
    const channel = text(r['Channel'])?.toLowerCase()
      ?? (this.securityIds.has(eventId) ? 'security' : this.systemIds.has(eventId) ? 'system' : 'unknown');
    return `${channel}:${eventId}`;
  }
}

/** ok: every input present with its fields; partial: some input or field missing; blind: no input at all. */
function statusOf(inputs: readonly InputCoverage[]): CoverageStatus {
  const present = inputs.filter((i) => i.total > 0);
  if (present.length === 0) return 'blind';
  return present.length < inputs.length || present.some((i) => i.missingFields.length > 0) ? 'partial' : 'ok';
}

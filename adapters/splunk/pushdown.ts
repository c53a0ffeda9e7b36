import type { DetectorModule } from '../../core/detectors/detector';
import { eventFilter } from '../../core/engine/engine';
import { normalize, type EventFilter } from '../../core/events/normalize';
import { CLASSIC_LAYOUTS, CLASSIC_SYSTEM_LAYOUTS } from './classic-layouts';
import { SIGN_IN_FIELDS, taFieldName, WINDOWS_HEADER_FIELDS } from './field-map';

/**
 * What the enabled detectors need, worked out from the same sources the engine uses, so the
 * SIEM returns only events the engine would use (DESIGN §3.1):
 * - which (channel, EventID) pairs: the engine's own `eventFilter` (declarations' `requires`
 *   plus the directory model's needs), asked about every channel and 16-bit id;
 * - which fields: the declarations' `fields` plus every field the normaliser reads for that
 *   event, found by normalising a probe record that records each field it is asked for.
 *   Deriving both keeps the push-down in step as detectors and the normaliser change.
 */
export interface WindowsPull {
  readonly channel: string;
  readonly eventIds: readonly number[];
}

export interface PushDown {
  readonly windows: readonly WindowsPull[];
  readonly signIns: boolean;
  /** Field names to keep, in Splunk's names (XML EventData, classic TA labels, headers). */
  readonly fields: readonly string[];
}

/** Canonical channel (lower case, as normalize keys it) → the name in Splunk's `source`. */
const CHANNELS: Readonly<Record<string, string>> = {
  security: 'Security',
  system: 'System',
  'microsoft-windows-sysmon/operational': 'Microsoft-Windows-Sysmon/Operational',
};

const CANONICAL_HEADER = new Set(['TimeCreated', 'Computer', 'Channel', 'EventID', 'EventRecordID', 'Provider']);

const computed = new WeakMap<readonly DetectorModule[], PushDown>();

/** Worked out once per module list: probing every event id takes a few hundred milliseconds. */
export function pushDown(modules: readonly DetectorModule[]): PushDown {
  let p = computed.get(modules);
  if (!p) {
    p = compute(modules);
    computed.set(modules, p);
  }
  return p;
}

function compute(modules: readonly DetectorModule[]): PushDown {
  const wanted = eventFilter(modules);
  const declared = new Map<string, Set<string>>();
  for (const m of modules) {
    for (const r of m.declaration.requires) {
      for (const id of r.eventIds) {
        const key = `${r.channel.toLowerCase()}:${id}`;
        const set = declared.get(key) ?? new Set<string>();
        for (const f of r.fields) set.add(f);
        declared.set(key, set);
      }
    }
  }
  const fields = new Set<string>(WINDOWS_HEADER_FIELDS);
  const windows: WindowsPull[] = [];
  for (const [channel, name] of Object.entries(CHANNELS)) {
    const ids: number[] = [];
    for (let id = 0; id <= 0xffff; id++) {
      if (!wanted(channel, id)) continue;
      const read = fieldsRead(channel, id, wanted);
      // No builder for this id: the engine would count it unmodelled, so do not pull it.
      if (read === undefined) continue;
      ids.push(id);
      for (const f of [...read, ...(declared.get(`${channel}:${id}`) ?? [])]) if (!CANONICAL_HEADER.has(f)) fields.add(f);
      const layout = (channel === 'security' ? CLASSIC_LAYOUTS : channel === 'system' ? CLASSIC_SYSTEM_LAYOUTS : {})[id];
      for (const sec of layout?.sections ?? []) for (const it of sec.items) fields.add(taFieldName(it.label));
    }
    if (ids.length) windows.push({ channel: name, eventIds: ids });
  }
  const signIns = wanted('signinlogs', 0);
  if (signIns) for (const f of SIGN_IN_FIELDS) fields.add(f);
  return { windows, signIns, fields: [...fields].sort() };
}

/**
 * Every field `normalize` reads for one event id, or undefined when it has no builder for it.
 * A field behind `a ?? b` is read only when `a` is absent, so each field found is then made
 * absent in turn to surface its fallbacks.
 */
function fieldsRead(channel: string, eventId: number, wanted: EventFilter): Set<string> | undefined {
  const header: Record<string, unknown> = { TimeCreated: '2020-01-01T00:00:00.000Z', Computer: 'probe', Channel: channel, EventID: eventId, EventRecordID: 1 };
  const read = new Set<string>();
  const probe = (absent: ReadonlySet<string>): string => {
    const record = new Proxy({}, {
      get: (_t, key) => {
        if (typeof key !== 'string') return undefined;
        read.add(key);
        if (key in header) return header[key];
        // Header fields the probe leaves out (Provider) are absent: builders accept records without them.
        if (CANONICAL_HEADER.has(key)) return undefined;
        // A hex number passes every reader (text, integer, account, ip) so no branch bails out early.
        return absent.has(key) ? undefined : '0x1';
      },
      has: (_t, key) => typeof key === 'string' && (key in header || (!absent.has(key) && !CANONICAL_HEADER.has(key))),
    });
    return normalize(record, wanted).status;
  };
  if (probe(new Set()) === 'unmodelled') return undefined;
  for (const f of [...read]) if (!(f in header)) probe(new Set([f]));
  return read;
}

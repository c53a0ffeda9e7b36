import type { ResolvedConfig } from '../config/config';
import type { DetectorModule, RequiredEvents, SharedNeeds } from '../detectors/detector';
import { DIRECTORY_NEEDS } from '../estate/directory-model';
import { AUDIT_COLUMNS, fieldsRead, SIGN_IN_COLUMNS, WINDOWS_HEADER } from '../events/fields-read';
import type { EventFilter } from '../events/normalize';
import { IDENTITY_NEEDS } from '../identity/identity-learning';
import { necessaryTexts, textPattern } from './text-needs';
import type { CloudTable, Predicate, RuleSource, WindowsChannel } from './tree';

/**
 * What a pass reads (DESIGN §3.1), worked out once from declarations: the enabled detectors'
 * `requires`, and what the models every detector shares need (the directory model, identity
 * resolution). Every consumer compiles from it — the engine's event filter, the file source's
 * raw-text prefilter, each SIEM's pull query and `doctor`'s count query — so none keeps a list.
 * Plain data: it serialises to JSON as it is.
 */
export interface PullPlan {
  readonly sources: readonly PullSource[];
}

export interface PullSource {
  /** A Windows channel with the EventIDs pulled from it, or an Entra table. */
  readonly source: RuleSource;
  /** Canonical fields to fetch: the record header, what the normaliser reads, and the declared fields. */
  readonly fields: readonly string[];
  /**
   * A condition every declared use of these events requires (RequiredEvents `where`), so
   * events failing it cannot matter. Ignoring it only fetches more: a consumer that cannot
   * compile a predicate may pull the whole source.
   */
  readonly where?: Predicate;
}

/** The models every detector reads through, declared like detectors' `requires`. */
export const SHARED_NEEDS: readonly SharedNeeds[] = [DIRECTORY_NEEDS, IDENTITY_NEEDS];

const WINDOWS_CHANNELS: readonly WindowsChannel[] = ['Security', 'System', 'Microsoft-Windows-Sysmon/Operational'];
const CLOUD_COLUMNS: Readonly<Record<CloudTable, readonly string[]>> = { SigninLogs: SIGN_IN_COLUMNS, AuditLogs: AUDIT_COLUMNS };

/** The modules the config leaves enabled. */
export function enabledModules(config: ResolvedConfig, modules: readonly DetectorModule[]): DetectorModule[] {
  return modules.filter((m) => config.detectors.has(m.declaration.id));
}

/** The plan for these modules, or for those of them `config` enables. */
export function pullPlan(modules: readonly DetectorModule[], config?: ResolvedConfig): PullPlan {
  const enabled = config ? enabledModules(config, modules) : modules;
  const requires: RequiredEvents[] = [...SHARED_NEEDS.flatMap((n) => n.requires), ...enabled.flatMap((m) => m.declaration.requires)];
  const sources: PullSource[] = [];
  for (const channel of WINDOWS_CHANNELS) sources.push(...windowsSources(channel, requires.filter((r) => r.channel === channel)));
  for (const table of Object.keys(CLOUD_COLUMNS) as CloudTable[]) {
    const uses = requires.filter((r) => r.channel === table);
    if (uses.length === 0) continue;
    const where = commonCondition(uses);
    sources.push({ source: { kind: 'cloud', table }, fields: sorted([...CLOUD_COLUMNS[table], ...uses.flatMap((r) => r.fields)]), ...(where ? { where } : {}) });
  }
  return { sources };
}

/**
 * One source per distinct condition (nearly always one per channel). An EventID the normaliser
 * has no builder for is left out: the engine would count it unmodelled, never read it.
 */
function windowsSources(channel: WindowsChannel, uses: readonly RequiredEvents[]): PullSource[] {
  const byId = new Map<number, RequiredEvents[]>();
  for (const r of uses) for (const id of r.eventIds) byId.set(id, [...(byId.get(id) ?? []), r]);
  const groups = new Map<string, { ids: number[]; fields: Set<string>; where?: Predicate }>();
  for (const [id, users] of [...byId].sort(([a], [b]) => a - b)) {
    const read = fieldsRead(channel, id);
    if (read === undefined) continue;
    const where = commonCondition(users);
    const key = where ? JSON.stringify(where) : '';
    const g = groups.get(key) ?? { ids: [], fields: new Set<string>(WINDOWS_HEADER), ...(where ? { where } : {}) };
    g.ids.push(id);
    for (const f of [...read, ...users.flatMap((u) => u.fields)]) g.fields.add(f);
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({
    source: { kind: 'windows', channel, eventIds: g.ids }, fields: sorted(g.fields), ...(g.where ? { where: g.where } : {}),
  }));
}

/** The disjunction of every use's condition, or none as soon as one use takes the events unconditioned. */
function commonCondition(uses: readonly RequiredEvents[]): Predicate | undefined {
  const conditions = new Map<string, Predicate>();
  for (const u of uses) {
    if (!u.where) return undefined;
    conditions.set(JSON.stringify(u.where), u.where);
  }
  const list = [...conditions.values()];
  return list.length === 1 ? list[0] : { op: 'or', of: list };
}

/**
 * The plan as the normaliser's `(channel, EventID)` filter: channel lower case, an Entra table
 * as its name with id 0 (as `normalize` asks). Channel → ids, so the per-event check builds no
 * key string (it runs for every input line).
 */
export function planFilter(plan: PullPlan): EventFilter {
  const wanted = new Map<string, Set<number>>();
  const needs = new Map<string, Map<number, RegExp>>();
  const needTexts = new Map<string, Map<number, readonly string[]>>();
  for (const { source, where } of plan.sources) {
    const channel = (source.kind === 'windows' ? source.channel : source.table).toLowerCase();
    const ids = wanted.get(channel) ?? new Set<number>();
    const texts = where ? necessaryTexts(where) : undefined;
    const pattern = texts ? textPattern(texts) : undefined;
    const byId = needs.get(channel) ?? new Map<number, RegExp>();
    const textsById = needTexts.get(channel) ?? new Map<number, readonly string[]>();
    for (const id of source.kind === 'windows' ? source.eventIds : [0]) {
      ids.add(id);
      if (pattern && texts) {
        byId.set(id, pattern);
        textsById.set(id, texts.map((t) => t.toLowerCase()));
      }
    }
    if (byId.size) {
      needs.set(channel, byId);
      needTexts.set(channel, textsById);
    }
    wanted.set(channel, ids);
  }
  const filter = (channel: string, eventId: number): boolean => wanted.get(channel)?.has(eventId) === true;
  return Object.assign(filter, {
    textNeeds: (channel: string, eventId: number) => needs.get(channel)?.get(eventId),
    neededTexts: (channel: string, eventId: number) => needTexts.get(channel)?.get(eventId),
  });
}

/** The Windows sources of one channel, and whether an Entra table is pulled: what compilers ask. */
export function windowsPulls(plan: PullPlan): { readonly channel: WindowsChannel; readonly eventIds: readonly number[]; readonly fields: readonly string[]; readonly where?: Predicate }[] {
  return plan.sources.flatMap((s) => (s.source.kind === 'windows' ? [{ channel: s.source.channel, eventIds: s.source.eventIds, fields: s.fields, ...(s.where ? { where: s.where } : {}) }] : []));
}

export function cloudPull(plan: PullPlan, table: CloudTable): PullSource | undefined {
  return plan.sources.find((s) => s.source.kind === 'cloud' && s.source.table === table);
}

function sorted(fields: Iterable<string>): string[] {
  return [...new Set(fields)].sort();
}

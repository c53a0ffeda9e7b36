/**
 * The neutral query tree (DESIGN §7): what a native SIEM rule and a pull query say, in canonical
 * field names (Windows EventData names, SigninLogs / AuditLogs columns) and values as the logs
 * write them. Each platform compiles it with its own field map (SPL, query DSL, KQL); the core
 * evaluates it itself (`evaluate.ts`), so a test can hold every native rule to its detector.
 *
 * Semantics every compiler keeps:
 * - string comparisons ignore case (Windows writes `0xC000006A` and `0xc000006a`, `CORP\x` and
 *   `corp\x`; the SIEMs' own search operators ignore case the same way);
 * - a predicate on an absent field is false, except under `not`, where it is true;
 * - an aggregation counts, per `by` key, the matches within any window of `window` minutes
 *   (sliding, not clock-aligned bins), and fires once the count reaches `threshold`.
 */

export type WindowsChannel = 'Security' | 'System' | 'Microsoft-Windows-Sysmon/Operational';
export type CloudTable = 'SigninLogs' | 'AuditLogs';

export type RuleSource =
  | { readonly kind: 'windows'; readonly channel: WindowsChannel; readonly eventIds: readonly number[] }
  | { readonly kind: 'cloud'; readonly table: CloudTable };

export type Value = string | number;

export type Predicate =
  | { readonly op: 'in'; readonly field: string; readonly values: readonly Value[] }
  /** Status and result codes written in hex (`0x18`, `0xc000006a`): the numbers are the facts. */
  | { readonly op: 'code'; readonly field: string; readonly codes: readonly number[] }
  /**
   * A list the deployment configures (`honeytokens`), resolved when the rule is compiled:
   * `exact` compares the field with each entry (a GUID entry also in its `{…}` and `%{…}`
   * forms, as 4662 writes object names); `dn` matches a DN whose first RDN is `CN=<entry>`.
   */
  | { readonly op: 'in_setting'; readonly field: string; readonly setting: SettingList; readonly form: 'exact' | 'dn' }
  | { readonly op: 'prefix' | 'suffix' | 'contains'; readonly field: string; readonly value: string }
  | { readonly op: 'regex'; readonly field: string; readonly pattern: string }
  | { readonly op: 'cidr'; readonly field: string; readonly cidrs: readonly string[] }
  | { readonly op: 'compare'; readonly field: string; readonly cmp: '<' | '<=' | '>' | '>='; readonly value: number }
  /** (field & mask) ≠ 0; the field holds a number in decimal or 0x-hex (AccessMask, UAC bits). */
  | { readonly op: 'bits'; readonly field: string; readonly mask: number }
  | { readonly op: 'exists'; readonly field: string }
  | { readonly op: 'not'; readonly of: Predicate }
  | { readonly op: 'and' | 'or'; readonly of: readonly Predicate[] };

/** Config lists a native rule may name; the compilers resolve them from the resolved config. */
export type SettingList = 'honeytokens' | 'directorySyncAccounts';

/** One way a record matches: its source, and what must hold of it. */
export interface Branch {
  readonly source: RuleSource;
  readonly where?: Predicate;
}

/** An output field: the first present of its canonical fields, lower-cased. */
export interface Output {
  readonly name: OutputName;
  readonly fields: readonly string[];
}

/** The entity roles a native result carries (risk and threat objects are chosen from them). */
export type OutputName = 'user' | 'src' | 'dest' | 'object';

export interface Aggregation {
  readonly by: readonly OutputName[];
  /** `distinct`: count distinct values of that output instead of matches. */
  readonly distinct?: OutputName;
  /** Threshold names in the declaration's `thresholds`: a configured value reaches the rule. */
  readonly threshold: string;
  readonly window: string;
}

export interface NativeQuery {
  /** Short name of what this query catches, unique within the detector (`vertical`, `signal`). */
  readonly name: string;
  readonly match: readonly Branch[];
  readonly outputs: readonly Output[];
  readonly aggregate?: Aggregation;
  /** Which output the risk lands on: the actor, or the source for a spray. */
  readonly riskObject: OutputName;
}

/**
 * A detector's native form:
 * - `detector`: these queries raise the detector's own alert (the engine adds merging, tracing, escalation);
 * - `signal`: a narrower stateless condition that every alert of the detector satisfies, but that
 *   alone also fires on what the engine's baseline would call normal;
 * - `none`: the engine is the detector's only home, for the stated reason.
 */
export type NativeForm =
  | { readonly kind: 'detector'; readonly queries: readonly NativeQuery[] }
  | { readonly kind: 'signal'; readonly queries: readonly NativeQuery[]; readonly note: string }
  | { readonly kind: 'none'; readonly reason: string };

// Constructors keep declarations short and readable.
export const security = (...eventIds: number[]): RuleSource => ({ kind: 'windows', channel: 'Security', eventIds });
export const system = (...eventIds: number[]): RuleSource => ({ kind: 'windows', channel: 'System', eventIds });
export const cloud = (table: CloudTable): RuleSource => ({ kind: 'cloud', table });
export const anyOf = (field: string, values: readonly Value[]): Predicate => ({ op: 'in', field, values });
export const codeIn = (field: string, codes: Iterable<number>): Predicate => ({ op: 'code', field, codes: [...codes] });
export const not = (of: Predicate): Predicate => ({ op: 'not', of });
export const and = (...of: Predicate[]): Predicate => ({ op: 'and', of });
export const or = (...of: Predicate[]): Predicate => ({ op: 'or', of });
export const bits = (field: string, mask: number): Predicate => ({ op: 'bits', field, mask });
export const contains = (field: string, value: string): Predicate => ({ op: 'contains', field, value });
export const prefix = (field: string, value: string): Predicate => ({ op: 'prefix', field, value });
export const suffix = (field: string, value: string): Predicate => ({ op: 'suffix', field, value });
export const regex = (field: string, pattern: string): Predicate => ({ op: 'regex', field, pattern });
export const exists = (field: string): Predicate => ({ op: 'exists', field });
export const inSetting = (field: string, setting: SettingList, form: 'exact' | 'dn' = 'exact'): Predicate => ({ op: 'in_setting', field, setting, form });
export const none = (reason: string): NativeForm => ({ kind: 'none', reason });

/** Every canonical field a query reads: what a pull or a native search must keep. */
export function fieldsOf(q: NativeQuery): string[] {
  const out = new Set<string>();
  const walk = (p: Predicate): void => {
    if (p.op === 'not') walk(p.of);
    else if ('of' in p) p.of.forEach(walk);
    else out.add(p.field);
  };
  for (const b of q.match) if (b.where) walk(b.where);
  for (const o of q.outputs) for (const f of o.fields) out.add(f);
  return [...out].sort();
}

/**
 * The texts a status code is written as: `0x18` (4771), and zero-padded `0x00000018` (some
 * forwarders); compared ignoring case, so `0xC000006A` matches too.
 */
export function codeTexts(n: number): string[] {
  const hex = n.toString(16);
  return hex.length >= 8 ? [`0x${hex}`] : [`0x${hex}`, `0x${hex.padStart(8, '0')}`];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The texts a configured entry may appear as in a field, for an `in_setting` of form `exact`. */
export function settingTexts(entry: string): string[] {
  const e = entry.trim().replace(/^%?\{|\}$/g, '');
  if (GUID.test(e)) return [e, `{${e}}`, `%{${e}}`];
  // `CORP\\svc` names the account svc: account-name fields hold the bare name.
  const slash = e.lastIndexOf('\\');
  return slash >= 0 ? [e, e.slice(slash + 1)] : [e];
}

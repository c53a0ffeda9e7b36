import { sourceMacro, sourceMacroDefinition } from '../../../adapters/splunk/app/macros';
import { compileNativeSearch, settingMacros } from '../../../adapters/splunk/native-spl';
import type { ResolvedConfig } from '../../../core/config/config';
import type { NativeResult, RuleParams } from '../../../core/rules/evaluate';
import { listSettings } from '../../../core/rules/params';
import type { NativeQuery, OutputName } from '../../../core/rules/tree';
import { EventStore, flattenJson, type NewEvent } from '../../emulators/splunk/event-store';
import { Search } from '../../emulators/splunk/search';
import type { MacroDefinition, Row } from '../../emulators/splunk/spl-eval';
import { asAzureMonitorAad, asWinEventLog, asXmlWinEventLog } from '../../emulators/splunk/ta-format';
import { MACROS } from './harness';

/**
 * Native searches run in the emulator over canonical records, and their results set beside the
 * evaluator's (core/rules/evaluate.ts): what the parity test of issue 9 compares.
 */
export type WindowsFormat = 'xml' | 'classic';

/** The app's macros for one deployment: index macros as default/macros.conf, list settings from its config. */
export function nativeMacros(config: ResolvedConfig): Record<string, MacroDefinition> {
  const sources = Object.fromEntries(['Security', 'System', 'Microsoft-Windows-Sysmon/Operational'].map((c) => [sourceMacro(c), sourceMacroDefinition(c)]));
  return { ...MACROS, ...sources, ...settingMacros(listSettings(config)) };
}

/** The emulator's index holding `records` as the add-ons index them, Windows events in `format`. */
export function indexedStore(records: readonly Record<string, unknown>[], format: WindowsFormat): EventStore {
  const store = new EventStore();
  for (const r of records) store.add(indexed(r, format));
  return store;
}

/** The emulator's search over `store`, as the tierzero app with these macros sees it. */
export function searchOver(store: EventStore, macros: Record<string, MacroDefinition>): Search {
  const map = new Map(Object.entries(macros));
  return new Search(store, () => Date.now(), () => map);
}

/** One canonical record as its add-on indexes it, five seconds after it happened. */
export function indexed(r: Record<string, unknown>, format: WindowsFormat): NewEvent {
  const time = Date.parse(String(r['TimeCreated'] ?? r['TimeGenerated']));
  const placement = { index: r['EventID'] === undefined ? 'azure' : 'wineventlog', indexTime: Math.floor(time / 1000) + 5 };
  if (r['EventID'] !== undefined) return (format === 'xml' ? asXmlWinEventLog : asWinEventLog)(r, placement);
  if (r['OperationName'] !== undefined && r['TargetResources'] !== undefined) return asAzureMonitorAudit(r, placement);
  return asAzureMonitorAad(r, placement);
}

/**
 * An Entra audit record as the Event Hub input indexes it: the diagnostic envelope with
 * category `AuditLogs` and the record's columns, camel-cased, under `properties` (KV_MODE=json).
 */
function asAzureMonitorAudit(r: Record<string, unknown>, p: { index: string; indexTime: number }): NewEvent {
  const props: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (k !== 'TimeGenerated') props[k.charAt(0).toLowerCase() + k.slice(1)] = v;
  const fields = flattenJson({ time: r['TimeGenerated'], category: 'AuditLogs', operationName: r['OperationName'], properties: props });
  return { index: p.index, sourcetype: 'azure:monitor:aad', source: 'eventhub://tenant.servicebus.windows.net/insights-logs-auditlogs', host: 'eventhub', time: Date.parse(String(r['TimeGenerated'])), indexTime: p.indexTime, fields };
}

/** The compiled search of one query, run in-process as a search job would run it. */
export function runNative(search: Search, q: NativeQuery, params: RuleParams): Row[] {
  return search.run('tierzero', { search: compileNativeSearch(q, params).search, earliest_time: '0' });
}

/**
 * Decoys drawn from a corpus's own records (the first value of each field a honeytoken is
 * looked for in, DNs by their CN), so the honeytoken search is compared on events of every
 * kind it reads, not only on the two corpora that configure decoys.
 */
export function decoysOf(records: readonly Record<string, unknown>[]): string[] {
  const out = new Set<string>();
  const firstOf = (field: string, cn: boolean): void => {
    for (const r of records) {
      const v = r[field];
      if (typeof v !== 'string' || v === '' || v === '-') continue;
      const m = cn ? /^CN=([^,]+),/i.exec(v) : undefined;
      if (cn && !m) continue;
      out.add(m ? (m[1] as string) : v);
      return;
    }
  };
  for (const f of ['TargetUserName', 'TargetUserSid', 'TargetSid', 'ServiceName', 'ObjectName', 'ObjectGUID', 'MemberSid', 'UserPrincipalName', 'UserId']) firstOf(f, false);
  for (const f of ['ObjectDN', 'MemberName', 'AttributeValue']) firstOf(f, true);
  return [...out];
}

const OUTPUTS: readonly OutputName[] = ['user', 'src', 'dest', 'object'];

/**
 * What must agree. An aggregation: the `by` keys that fire, each with its largest count (the
 * evaluator reports one result per burst, the search one row per key). Otherwise: the multiset
 * of result keys over every output.
 */
export function summary(q: NativeQuery, results: readonly { keys: Partial<Record<OutputName, string>>; count: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  const names = q.aggregate ? q.aggregate.by : OUTPUTS;
  for (const r of results) {
    const key = JSON.stringify(names.map((n) => r.keys[n] ?? null));
    out.set(key, q.aggregate ? Math.max(out.get(key) ?? 0, r.count) : (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** A search's rows in the evaluator's shape. */
export function asResults(rows: readonly Row[]): { keys: Partial<Record<OutputName, string>>; count: number }[] {
  return rows.map((row) => {
    const keys: Partial<Record<OutputName, string>> = {};
    for (const n of OUTPUTS) {
      const v = row[n];
      // Non-key outputs of a grouped row are `values()`; the summary reads only the `by` keys.
      if (typeof v === 'string') keys[n] = v;
    }
    return { keys, count: Number(row['count']) };
  });
}

/** Every difference between the evaluator's results and the search's rows, as readable lines. */
export function divergences(q: NativeQuery, expected: readonly NativeResult[], rows: readonly Row[]): string[] {
  const want = summary(q, expected);
  const got = summary(q, asResults(rows));
  const out: string[] = [];
  for (const [k, n] of want) if (got.get(k) !== n) out.push(`${k}: evaluator ${n}, search ${got.get(k) ?? 'nothing'}`);
  for (const [k, n] of got) if (!want.has(k)) out.push(`${k}: search ${n}, evaluator nothing`);
  return out;
}

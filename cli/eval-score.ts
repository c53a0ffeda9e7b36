import type { Alert } from '../core/alerts/alert';
import { normaliseAccountName } from '../core/config/config';

/** One entry of a dataset manifest (format of ../shared/datasets/manifest.json). */
export interface ManifestEntry {
  readonly file: string;
  readonly role?: 'attack' | 'control' | 'ambiguous';
  readonly expected_alerts: readonly string[];
  readonly acceptable_alerts?: readonly string[];
  readonly attacker?: { readonly account?: string; readonly source_host_or_ip?: string };
  readonly context?: Readonly<Record<string, unknown>>;
}

export interface FileOutcome {
  readonly file: string;
  readonly detector: string;
  readonly kind: 'found' | 'missed' | 'wrong_actor' | 'false_alarm';
  readonly detail: string;
}

const UNKNOWN = new Set(['unknown', 'n/a', 'local', '']);

/**
 * Scores one file: each expected detector that is implemented must raise an alert naming the
 * attacker (its account, or its source address); any implemented detector that is neither
 * expected nor acceptable and fires is a false alarm.
 */
export function scoreFile(entry: ManifestEntry, alerts: readonly Alert[], implemented: ReadonlySet<string>): FileOutcome[] {
  const out: FileOutcome[] = [];
  const expected = entry.expected_alerts.filter((d) => d !== 'none');
  const allowed = new Set([...expected, ...(entry.acceptable_alerts ?? [])]);
  const actor = attackerOf(entry);
  for (const d of expected) {
    if (!implemented.has(d)) continue;
    const mine = alerts.filter((a) => a.detector === d);
    if (mine.length === 0) out.push({ file: entry.file, detector: d, kind: 'missed', detail: 'no alert' });
    else if (mine.some((a) => namesActor(a, actor))) out.push({ file: entry.file, detector: d, kind: 'found', detail: `${mine.length} alert(s)` });
    else out.push({ file: entry.file, detector: d, kind: 'wrong_actor', detail: `alert(s) name ${entityNames(mine)}, expected ${entry.attacker?.account ?? '?'} / ${entry.attacker?.source_host_or_ip ?? '?'}` });
  }
  const falseAlarms = new Map<string, Alert[]>();
  for (const a of alerts) {
    if (allowed.has(a.detector) || !implemented.has(a.detector)) continue;
    falseAlarms.set(a.detector, [...(falseAlarms.get(a.detector) ?? []), a]);
  }
  for (const [d, list] of falseAlarms) {
    out.push({ file: entry.file, detector: d, kind: 'false_alarm', detail: `${list.length} alert(s): ${list[0]?.description.slice(0, 160) ?? ''}` });
  }
  return out;
}

interface Actor {
  readonly account?: string;
  readonly addresses: readonly string[];
}

function attackerOf(entry: ManifestEntry): Actor {
  const raw = entry.attacker?.account?.trim() ?? '';
  const account = UNKNOWN.has(raw.toLowerCase()) ? undefined : normaliseAccountName(raw);
  const addresses = (entry.attacker?.source_host_or_ip ?? '').match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? [];
  return { ...(account ? { account } : {}), addresses };
}

/** An alert names the actor when one of its accounts is the attacker, or a host has its address. */
function namesActor(a: Alert, actor: Actor): boolean {
  if (!actor.account && actor.addresses.length === 0) return true;
  if (actor.account && a.entities.accounts.some((x) => normaliseAccountName(x.name) === actor.account)) return true;
  // An event may name the actor by SID only (7045); identity resolution gives the account name.
  const resolved = [a.identity?.sam, a.identity?.upn].filter((x): x is string => x !== undefined).map(normaliseAccountName);
  if (actor.account && resolved.includes(actor.account)) return true;
  return a.entities.hosts.some((h) => h.ip !== undefined && actor.addresses.includes(h.ip));
}

function entityNames(alerts: readonly Alert[]): string {
  const names = new Set<string>();
  for (const a of alerts) {
    for (const x of a.entities.accounts) names.add(x.name);
    for (const h of a.entities.hosts) if (h.role === 'source') names.add(h.ip ?? h.name ?? '');
  }
  return [...names].slice(0, 6).join(', ');
}

export interface DetectorScore {
  readonly detector: string;
  readonly expectedFiles: number;
  readonly found: number;
  readonly missed: number;
  readonly falseAlarmFiles: number;
  readonly recall: number | null;
  readonly precision: number | null;
}

/** Per-detector recall (files found / files expected) and precision (found / found + false-alarm files). */
export function summarise(outcomes: readonly FileOutcome[], implemented: readonly string[]): DetectorScore[] {
  return implemented.map((detector) => {
    const mine = outcomes.filter((o) => o.detector === detector);
    const found = mine.filter((o) => o.kind === 'found').length;
    const missed = mine.filter((o) => o.kind === 'missed' || o.kind === 'wrong_actor').length;
    const falseAlarmFiles = mine.filter((o) => o.kind === 'false_alarm').length;
    return {
      detector, expectedFiles: found + missed, found, missed, falseAlarmFiles,
      recall: found + missed ? found / (found + missed) : null,
      precision: found + falseAlarmFiles ? found / (found + falseAlarmFiles) : null,
    };
  });
}

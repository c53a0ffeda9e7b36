import { SEVERITY_RISK, severityRank, type Severity } from '../../../core/alerts/alert';
import type { DetectorDeclaration } from '../../../core/detectors/detector';
import { splString } from '../spl';
import { stanza } from './conf-stanza';
import { filterMacro } from './macros';
import type { NativeQuery } from '../../../core/rules/tree';
import type { NativeBody } from './native-body';

/**
 * One native search per stateless detector, shipped disabled, for sites that cannot run the
 * engine: the detection body (native-body.ts; a rule compiler's output) wrapped as ESCU wraps
 * its detections (splunk/security_content, contentctl's savedsearches_detections.j2):
 * - the detector's labels, severity and risk score on every result;
 * - the `tierzero_<id>_filter` macro as the last command, for local tuning;
 * - an ES notable with the detector's own severity, and risk events on the attacker side
 *   (`riskOn`: the user for actor detectors, the source address for a spray), with the
 *   source address as a typed threat object.
 */
/** `tierzero - brute_force - vertical - Native`: one saved search per query of a detector. */
export function nativeSearchName(d: DetectorDeclaration, q: NativeQuery): string {
  return `tierzero - ${d.id} - ${q.name} - Native`;
}

export function nativeStanza(d: DetectorDeclaration, q: NativeQuery, body: NativeBody): string {
  const name = nativeSearchName(d, q);
  const signal = d.native.kind === 'signal' ? ` Signal (${q.name}): ${d.native.note}.` : '';
  const score = SEVERITY_RISK[d.severity];
  const has = (e: string): boolean => body.entities.includes(e as never);
  // ES's ip_address threat object is for addresses; a src that is a workstation name is not one.
  const srcIp = has('src') ? ', src_ip=if(match(src, "^\\d{1,3}(\\.\\d{1,3}){3}$") OR match(src, ":"), src, null())' : '';
  const labels = `eval detector=${splString(d.id)}, signature=${splString(d.title)}, severity=${splString(d.severity)}, `
    + `risk_score=${score}, mitre_technique_id=${splString(d.mitre.techniques.join(','))}${srcIp}`;
  const subject = body.riskOn[0];
  if (subject === undefined) throw new Error(`native search for ${d.id} names no entity to put risk on`);
  const windowMinutes = Math.max(1, Math.round(body.windowMinutes));
  return stanza(name, {
    description: `${d.summary}${signal} Native SPL over ${body.data === 'entra' ? 'azure:monitor:aad' : 'XmlWinEventLog and classic WinEventLog'}, compiled from the detector's declaration, for sites without the engine; the engine also merges, traces and escalates.`,
    search: `${body.spl} | ${labels} | \`${filterMacro(d.id)}\``,
    cron_schedule: `*/${Math.min(30, Math.max(5, windowMinutes))} * * * *`,
    'dispatch.earliest_time': `-${windowMinutes * 2}m@m`,
    'dispatch.latest_time': 'now',
    enableSched: '1',
    disabled: '1',
    'alert.track': '1',
    'alert.severity': String(alertSeverity(d.severity)),
    'alert.suppress': '1',
    'alert.suppress.fields': body.riskOn.join(','),
    'alert.suppress.period': `${windowMinutes * 2}m`,
    'alert.digest_mode': '0',
    counttype: 'number of events',
    relation: 'greater than',
    quantity: '0',
    'action.correlationsearch.enabled': '1',
    'action.correlationsearch.label': name,
    'action.correlationsearch.annotations': JSON.stringify({ mitre_attack: d.mitre.techniques }),
    'action.notable': '1',
    'action.notable.param.rule_title': `${d.title}: $${subject}$`,
    'action.notable.param.rule_description': d.summary,
    'action.notable.param.security_domain': 'identity',
    'action.notable.param.severity': d.severity,
    'action.notable.param.nes_fields': body.entities.join(','),
    'action.notable.param.drilldown_name': `View the risk events of $${subject}$ in the last 7 days`,
    'action.notable.param.drilldown_search': `| from datamodel Risk.All_Risk | search normalized_risk_object="$${subject}$" starthoursago=168 `
      + '| stats count min(_time) AS firstTime max(_time) AS lastTime values(search_name) AS search_name values(risk_message) AS risk_message sum(risk_score) AS risk_score BY normalized_risk_object',
    'action.risk': '1',
    'action.risk.param._risk': JSON.stringify([
      ...body.riskOn.map((f) => ({ risk_object_field: f, risk_object_type: f === 'user' ? 'user' : 'system', risk_score: score })),
      ...(has('src') ? [{ threat_object_field: 'src_ip', threat_object_type: 'ip_address' }] : []),
    ]),
    'action.risk.param._risk_message': `${d.title}: $${subject}$ ($count$ events)`,
  });
}

/** savedsearches.conf alert.severity: 1 debug … 6 fatal. */
function alertSeverity(s: Severity): number {
  return Math.min(6, severityRank(s) + 2);
}

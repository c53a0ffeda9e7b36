import type { EntraAuditRecord } from '../../core/events/windows-event';

/**
 * Entra audit records as the Microsoft Cloud Services add-on indexes them (`sourcetype=
 * azure:monitor:aad`, `category=AuditLogs`): each event is one record of the Event Hub's
 * `records` array, Azure Monitor's envelope (`time`, `operationName`, `category`,
 * `correlationId`) around the Graph `directoryAudit` under `properties` (`activityDisplayName`,
 * `activityDateTime`, `result`, `initiatedBy`, `targetResources[]`). Microsoft Learn,
 * "Microsoft Entra activity logs in Azure Monitor: audit log schema".
 *
 * Read from the raw JSON, not from search-time extractions: KV_MODE=json flattens
 * `targetResources{}.modifiedProperties{}` into multivalue fields that no longer say which
 * resource a property belongs to, and drops nulls, which shifts old and new values apart.
 * The pull search copies `_raw` into this field for audit records only (sign-ins and Windows
 * events leave it out, so the pull stays small).
 */
export const AUDIT_RAW_FIELD = 'tz_raw';

export type AuditMapped =
  | { readonly ok: true; readonly value: EntraAuditRecord }
  | { readonly ok: false; readonly reason: string };

export function auditRecord(raw: string | undefined): AuditMapped {
  if (raw === undefined) return { ok: false, reason: `azure:monitor:aad AuditLogs event without its JSON (${AUDIT_RAW_FIELD} or _raw): the pull search keeps it` };
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'azure:monitor:aad AuditLogs event whose _raw is not JSON' };
  }
  const envelope = object(doc);
  if (!envelope) return { ok: false, reason: 'azure:monitor:aad AuditLogs event whose _raw is not a JSON object' };
  // Graph exports written straight to the index have no envelope: the record is the document.
  const p = object(envelope['properties']) ?? envelope;
  const operation = str(p['activityDisplayName']) ?? str(envelope['operationName']) ?? str(p['operationName']);
  if (operation === undefined) return { ok: false, reason: 'azure:monitor:aad AuditLogs event without properties.activityDisplayName or operationName' };
  const time = str(p['activityDateTime']) ?? str(envelope['time']);
  if (time === undefined || !Number.isFinite(Date.parse(time))) return { ok: false, reason: `AuditLogs ${JSON.stringify(operation)} without a usable properties.activityDateTime` };
  const out: Record<string, unknown> = {
    TimeGenerated: new Date(Date.parse(time)).toISOString(),
    ActivityDateTime: time,
    OperationName: operation,
    Category: str(p['category']),
    Result: str(p['result']),
    ResultReason: str(p['resultReason']),
    InitiatedBy: p['initiatedBy'] ?? {},
    // Always present, so the core recognises the record and reports a missing target itself.
    TargetResources: Array.isArray(p['targetResources']) ? p['targetResources'] : [],
    CorrelationId: str(p['correlationId']) ?? str(envelope['correlationId']),
    Id: str(p['id']),
    LoggedByService: str(p['loggedByService']),
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return { ok: true, value: out as unknown as EntraAuditRecord };
}

function object(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

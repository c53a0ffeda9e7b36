/**
 * The canonical raw shapes (DESIGN §4). Adapters map their platform's fields onto these;
 * the core reads nothing else.
 */

/** A Windows event flattened: System fields plus every EventData item by its `Name`. */
export interface WindowsEvent {
  readonly TimeCreated: string;
  readonly Computer: string;
  readonly Channel: string;
  readonly Provider?: string;
  readonly EventID: number | string;
  readonly EventRecordID?: number | string | null;
  readonly [field: string]: unknown;
}

/** An Entra ID sign-in record with the column names of the Log Analytics table `SigninLogs`. */
export interface CloudSignIn {
  readonly TimeGenerated: string;
  readonly UserPrincipalName: string;
  readonly UserId?: string;
  readonly IPAddress?: string;
  readonly ResultType?: string | number;
  readonly ResultDescription?: string;
  readonly AppDisplayName?: string;
  readonly CorrelationId?: string;
  readonly Id?: string;
  readonly AutonomousSystemNumber?: number | string;
  readonly LocationDetails?: {
    readonly city?: string;
    readonly state?: string;
    readonly countryOrRegion?: string;
    readonly geoCoordinates?: { readonly latitude?: number; readonly longitude?: number };
  };
  readonly DeviceDetail?: {
    readonly deviceId?: string;
    readonly displayName?: string;
    readonly operatingSystem?: string;
    readonly browser?: string;
    readonly isCompliant?: boolean;
    readonly isManaged?: boolean;
  };
  readonly AuthenticationRequirement?: string;
  readonly ConditionalAccessStatus?: string;
  /** `{errorCode, failureReason, additionalDetails}`; Graph exports carry it instead of ResultType. */
  readonly Status?: unknown;
  /** Every authentication step (`authenticationMethod`, `succeeded`, `authenticationStepResultDetail`): an array, or its JSON text as Log Analytics stores it. */
  readonly AuthenticationDetails?: unknown;
  /** `{authMethod, authDetail}` of the MFA step. */
  readonly MfaDetail?: unknown;
  readonly ClientAppUsed?: string;
  readonly [column: string]: unknown;
}

/**
 * An Entra ID audit record with the column names of the Log Analytics table `AuditLogs`. `InitiatedBy` is
 * `{user: {id, userPrincipalName, ipAddress}}` or `{app: {appId, displayName, servicePrincipalId}}`;
 * `TargetResources` is a list of `{id, userPrincipalName, type, modifiedProperties: [{displayName, oldValue, newValue}]}`.
 * Dynamic columns may arrive as JSON text.
 */
export interface EntraAuditRecord {
  readonly TimeGenerated: string;
  readonly OperationName: string;
  readonly Category?: string;
  readonly Result?: string;
  readonly InitiatedBy?: unknown;
  readonly TargetResources?: unknown;
  readonly CorrelationId?: string;
  readonly Id?: string;
  readonly [column: string]: unknown;
}

export type CanonicalRecord = WindowsEvent | CloudSignIn | EntraAuditRecord;

export function isCloudSignIn(record: Record<string, unknown>): boolean {
  return typeof record['UserPrincipalName'] === 'string' && 'TimeGenerated' in record && !('EventID' in record);
}

export function isEntraAudit(record: Record<string, unknown>): boolean {
  return typeof record['OperationName'] === 'string' && 'TargetResources' in record && !('EventID' in record) && !('UserPrincipalName' in record);
}

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

/** An Entra ID sign-in record with the column names of Sentinel's `SigninLogs`. */
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
  readonly [column: string]: unknown;
}

export type CanonicalRecord = WindowsEvent | CloudSignIn;

export function isCloudSignIn(record: Record<string, unknown>): boolean {
  return typeof record['UserPrincipalName'] === 'string' && 'TimeGenerated' in record && !('EventID' in record);
}

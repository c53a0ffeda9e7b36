/**
 * The Log Analytics tables tierzero reads and writes, as declared schemas: what the pull
 * compiler may name, what the field map reads, what the Kusto language service checks every
 * query against (test/support/kusto.ts), and what the emulator stores.
 *
 * Sources, checked while writing this:
 * - SecurityEvent: Microsoft Learn "Azure Monitor Logs reference — SecurityEvent" (the same
 *   column list Microsoft's own table-creation samples copy, e.g. markolauren/sentinel
 *   cef-multitable-ingest/create_table_with_securityevent_schema.ps1): typed columns for the
 *   common EventData names plus `EventData`, the event's whole `<EventData>` XML as a string.
 * - WindowsEvent (the Windows Forwarded Events connector, AMA): Microsoft Learn "Azure Monitor
 *   Logs reference — WindowsEvent": `EventData` is dynamic (a property bag of Data Name → value),
 *   `EventID` int, `Provider`, `Channel`, `Computer`, `RawEventData` the event's XML.
 * - AADNonInteractiveUserSignInLogs: Azure/Azure-Sentinel
 *   .script/tests/KqlvalidationsTests/CustomTables/AADNonInteractiveUserSignInLogs.json — note its
 *   `LocationDetails`, `DeviceDetail`, `Status`, `MfaDetail` are JSON *strings*, where
 *   SigninLogs holds them as dynamic (Microsoft Learn "SigninLogs").
 * - AuditLogs: Microsoft Learn "AuditLogs": `InitiatedBy`, `TargetResources`, `AdditionalDetails` dynamic.
 * - TierzeroAlerts_CL / TierzeroScores_CL: tierzero's own, the row shapes of
 *   adapters/sentinel/alert-row.ts (the sink), agreed column for column.
 *
 * Every table also carries the standard columns Log Analytics adds (Microsoft Learn "Standard
 * columns in Azure Monitor Logs"): `TenantId`, `Type`, `_ResourceId`, `_ItemId` (unique per
 * record: the pull's tiebreak), `_TimeReceived`, `_BilledSize`, `_IsBillable`.
 */

export type KustoType = 'string' | 'int' | 'long' | 'real' | 'bool' | 'datetime' | 'dynamic' | 'guid' | 'timespan';

export interface Column {
  readonly name: string;
  readonly type: KustoType;
}

export type WindowsTable = 'SecurityEvent' | 'WindowsEvent';
export type SignInTable = 'SigninLogs' | 'AADNonInteractiveUserSignInLogs';
export type EntraTable = SignInTable | 'AuditLogs';
export type TierzeroTable = 'TierzeroAlerts_CL' | 'TierzeroScores_CL';
export type TableName = WindowsTable | EntraTable | TierzeroTable;

const STANDARD: readonly Column[] = cols('TenantId:string, Type:string, _ResourceId:string, _ItemId:string, _TimeReceived:datetime, _BilledSize:real, _IsBillable:string');

/** SecurityEvent's typed EventData columns: string unless listed otherwise. */
const SECURITY_EVENT_DATA_COLUMNS = [
  'AccessList', 'AccessMask', 'AccessReason', 'AccountDomain', 'AccountExpires', 'AccountName', 'AccountSessionIdentifier',
  'AdditionalInfo', 'AdditionalInfo2', 'AllowedToDelegateTo', 'Attributes', 'AuditPolicyChanges', 'AuditsDiscarded:int',
  'AuthenticationLevel:int', 'AuthenticationPackageName', 'AuthenticationProvider', 'AuthenticationServer', 'AuthenticationService:int',
  'AuthenticationType', 'CACertificateHash', 'CalledStationID', 'CallerProcessId', 'CallerProcessName', 'CallingStationID',
  'CAPublicKeyHash', 'CategoryId', 'CertificateDatabaseHash', 'ClassId', 'ClassName', 'ClientAddress', 'ClientIPAddress',
  'ClientName', 'CommandLine', 'CompatibleIds', 'DCDNSName', 'DeviceDescription', 'DeviceId', 'DisplayName', 'Disposition',
  'DomainBehaviorVersion', 'DomainName', 'DomainPolicyChanged', 'DomainSid', 'EAPType', 'ElevatedToken', 'ErrorCode:int',
  'ExtendedQuarantineState', 'FailureReason', 'FileHash', 'FilePath', 'FilePathNoUser', 'ForceLogoff', 'Fqbn',
  'FullyQualifiedSubjectMachineName', 'FullyQualifiedSubjectUserName', 'GroupMembership', 'HandleId', 'HardwareIds',
  'HomeDirectory', 'HomePath', 'ImpersonationLevel', 'InterfaceUuid:guid', 'IpAddress', 'IpPort', 'KeyLength:int',
  'LmPackageName', 'LocationInformation', 'LockoutDuration', 'LockoutObservationWindow', 'LockoutThreshold', 'LoggingResult',
  'LogonGuid:guid', 'LogonHours', 'LogonID', 'LogonProcessName', 'LogonType:int', 'LogonTypeName', 'MachineAccountQuota',
  'MachineInventory', 'MachineLogon', 'MandatoryLabel', 'MaxPasswordAge', 'MemberName', 'MemberSid', 'MinPasswordAge',
  'MinPasswordLength', 'MixedDomainMode', 'NASIdentifier', 'NASIPv4Address', 'NASIPv6Address', 'NASPort', 'NASPortType',
  'NetworkPolicyName', 'NewDate', 'NewMaxUsers', 'NewProcessId', 'NewProcessName', 'NewRemark', 'NewShareFlags', 'NewTime',
  'NewUacValue', 'NewValue', 'NewValueType', 'ObjectName', 'ObjectServer', 'ObjectType', 'ObjectValueName', 'OemInformation',
  'OldMaxUsers', 'OldRemark', 'OldShareFlags', 'OldUacValue', 'OldValue', 'OldValueType', 'OperationType', 'PackageName',
  'ParentProcessName', 'PasswordHistoryLength', 'PasswordLastSet', 'PasswordProperties', 'PreviousDate', 'PreviousTime',
  'PrimaryGroupId', 'PrivateKeyUsageCount', 'PrivilegeList', 'Process', 'ProcessId', 'ProcessName', 'Properties', 'ProfilePath',
  'ProtocolSequence', 'ProxyPolicyName', 'QuarantineHelpURL', 'QuarantineSessionID', 'QuarantineSessionIdentifier',
  'QuarantineState', 'QuarantineSystemHealthResult', 'RelativeTargetName', 'RemoteIpAddress', 'RemotePort', 'Requester',
  'RequestId', 'RestrictedAdminMode', 'RowsDeleted', 'SamAccountName', 'ScriptPath', 'SecurityDescriptor', 'ServiceAccount',
  'ServiceFileName', 'ServiceName', 'ServiceStartType:int', 'ServiceType', 'SessionName', 'ShareLocalPath', 'ShareName',
  'SidHistory', 'Status', 'SubjectAccount', 'SubcategoryGuid:guid', 'SubcategoryId', 'Subject', 'SubjectDomainName',
  'SubjectKeyIdentifier', 'SubjectLogonId', 'SubjectMachineName', 'SubjectMachineSID', 'SubjectUserName', 'SubjectUserSid',
  'SubStatus', 'TableId', 'TargetAccount', 'TargetDomainName', 'TargetInfo', 'TargetLinkedLogonId', 'TargetLogonGuid:guid',
  'TargetLogonId', 'TargetOutboundDomainName', 'TargetOutboundUserName', 'TargetServerName', 'TargetSid', 'TargetUser',
  'TargetUserName', 'TargetUserSid', 'TemplateContent', 'TemplateDSObjectFQDN', 'TemplateInternalName', 'TemplateOID',
  'TemplateSchemaVersion', 'TemplateVersion', 'TokenElevationType', 'TransmittedServices', 'UserAccountControl',
  'UserParameters', 'UserPrincipalName', 'UserWorkstations', 'VirtualAccount', 'VendorIds', 'Workstation', 'WorkstationName',
];

/** The names of SecurityEvent's typed columns that hold EventData items (what the field map may read besides the XML). */
export const SECURITY_EVENT_DATA_NAMES: ReadonlySet<string> = new Set(SECURITY_EVENT_DATA_COLUMNS.map((c) => column(c).name));

export const SECURITY_EVENT: readonly Column[] = [
  ...cols('TimeGenerated:datetime, SourceSystem:string, Account:string, AccountType:string, Computer:string, EventSourceName:string, Channel:string, Task:int, Level:string, EventData:string, EventID:int, Activity:string, SourceComputerId:guid, EventOriginId:string, MG:guid, TimeCollected:datetime, ManagementGroupName:string'),
  ...SECURITY_EVENT_DATA_COLUMNS.map(column),
  ...cols('PartitionKey:string, RowKey:string, StorageAccount:string, AzureDeploymentID:string, AzureTableName:string'),
  ...STANDARD,
];

export const WINDOWS_EVENT: readonly Column[] = [
  ...cols('TimeGenerated:datetime, Channel:string, Computer:string, Data:dynamic, EventData:dynamic, EventID:int, EventLevel:int, EventLevelName:string, EventOriginId:string, ManagementGroupName:string, Provider:string, RawEventData:string, SourceSystem:string, SystemProcessId:int, SystemThreadId:int, SystemUserId:string, Task:int, TimeCreated:datetime'),
  ...STANDARD,
];

/** What both sign-in tables share, by name; the types that differ follow per table. */
const SIGN_IN_COMMON = 'AADTenantId:string, AlternateSignInName:string, AppDisplayName:string, AppId:string, AppliedEventListeners:dynamic, AuthenticationContextClassReferences:string, AuthenticationDetails:string, AuthenticationMethodsUsed:string, AuthenticationProcessingDetails:string, AuthenticationProtocol:string, AuthenticationRequirement:string, AuthenticationRequirementPolicies:string, AutonomousSystemNumber:string, Category:string, ClientAppUsed:string, ConditionalAccessStatus:string, CorrelationId:string, CreatedDateTime:datetime, CrossTenantAccessType:string, DurationMs:long, HomeTenantId:string, Id:string, Identity:string, IncomingTokenType:string, IPAddress:string, IsInteractive:bool, IsRisky:bool, Level:string, Location:string, NetworkLocationDetails:string, OperationName:string, OperationVersion:string, OriginalRequestId:string, ResourceDisplayName:string, ResourceIdentity:string, ResourceTenantId:string, ResultDescription:string, ResultSignature:string, ResultType:string, RiskDetail:string, RiskEventTypes:string, RiskEventTypes_V2:string, RiskLevelAggregated:string, RiskLevelDuringSignIn:string, RiskState:string, ServicePrincipalId:string, SessionId:string, SignInIdentifierType:string, SourceSystem:string, TimeGenerated:datetime, TokenIssuerName:string, TokenIssuerType:string, UniqueTokenIdentifier:string, UserAgent:string, UserDisplayName:string, UserId:string, UserPrincipalName:string, UserType:string';

export const SIGNIN_LOGS: readonly Column[] = [
  ...cols(SIGN_IN_COMMON),
  ...cols('ConditionalAccessPolicies:dynamic, DeviceDetail:dynamic, LocationDetails:dynamic, MfaDetail:dynamic, Status:dynamic'),
  ...STANDARD,
];

export const AAD_NON_INTERACTIVE: readonly Column[] = [
  ...cols(SIGN_IN_COMMON),
  ...cols('ConditionalAccessPolicies:string, DeviceDetail:string, LocationDetails:string, MfaDetail:string, Status:string'),
  ...STANDARD,
];

export const AUDIT_LOGS: readonly Column[] = [
  ...cols('TimeGenerated:datetime, AADOperationType:string, AADTenantId:string, ActivityDateTime:datetime, ActivityDisplayName:string, AdditionalDetails:dynamic, Category:string, CorrelationId:string, DurationMs:long, Id:string, Identity:string, InitiatedBy:dynamic, Level:string, Location:string, LoggedByService:string, OperationName:string, OperationVersion:string, Resource:string, ResourceGroup:string, ResourceProvider:string, Result:string, ResultDescription:string, ResultReason:string, ResultSignature:string, ResultType:string, SourceSystem:string, TargetResources:dynamic'),
  ...STANDARD,
];

/** One row per alert (adapters/sentinel/alert-row.ts); re-sent rows share `AlertId`, so readers dedupe with `arg_max(TimeGenerated, *) by AlertId`. */
export const TIERZERO_ALERTS: readonly Column[] = [
  ...cols('TimeGenerated:datetime, AlertId:string, DetectorId:string, Title:string, Severity:string, Learning:bool, RiskScore:int, Tactics:dynamic, Techniques:dynamic, FirstSeen:datetime, LastSeen:datetime, IdentityKey:string, AccountSid:string, AccountName:string, AccountUPNSuffix:string, AccountNTDomain:string, AadUserId:string, HostName:string, SourceIp:string, Why:string, Evidence:dynamic, Entities:dynamic, Recommendations:dynamic, Score:real, Band:string, Contributions:dynamic'),
  ...STANDARD,
];

/** One row per identity per pass (the latest per `IdentityKey` wins); `Removed` marks an identity that left the book. */
export const TIERZERO_SCORES: readonly Column[] = [
  ...cols('TimeGenerated:datetime, IdentityKey:string, IdentityName:string, AccountSid:string, AccountUpn:string, AccountName:string, AadUserId:string, Score:real, Band:string, Percentile:real, Change24h:real, Tier:string, TopContributions:string, Contributions:dynamic, Formula:dynamic, Removed:bool, MergedInto:string'),
  ...STANDARD,
];

export const TABLES: Readonly<Record<TableName, readonly Column[]>> = {
  SecurityEvent: SECURITY_EVENT,
  WindowsEvent: WINDOWS_EVENT,
  SigninLogs: SIGNIN_LOGS,
  AADNonInteractiveUserSignInLogs: AAD_NON_INTERACTIVE,
  AuditLogs: AUDIT_LOGS,
  TierzeroAlerts_CL: TIERZERO_ALERTS,
  TierzeroScores_CL: TIERZERO_SCORES,
};

/** The columns a custom table declares itself (the standard ones Log Analytics adds): what the ARM table resource and the DCR stream list. */
export function declaredColumns(table: TierzeroTable): readonly Column[] {
  const standard = new Set(STANDARD.map((c) => c.name));
  return TABLES[table].filter((c) => !standard.has(c.name));
}

/** A table's schema in Kusto's syntax, `(TimeGenerated:datetime, EventID:int, …)`, for the language service. */
export function kustoSchema(table: TableName): string {
  return `(${TABLES[table].map((c) => `${kustoName(c.name)}:${c.type}`).join(', ')})`;
}

/** Every table's Kusto schema, as test/support/kusto.ts `kqlDiagnostics` takes them. */
export function kustoSchemas(tables: readonly TableName[] = Object.keys(TABLES) as TableName[]): Record<string, string> {
  return Object.fromEntries(tables.map((t) => [t, kustoSchema(t)]));
}

/** The declared type of a column, or undefined when the table has none of that name. */
export function columnType(table: TableName, name: string): KustoType | undefined {
  return byName(table).get(name);
}

const INDEX = new Map<TableName, Map<string, KustoType>>();
function byName(table: TableName): Map<string, KustoType> {
  let m = INDEX.get(table);
  if (!m) {
    m = new Map(TABLES[table].map((c) => [c.name, c.type]));
    INDEX.set(table, m);
  }
  return m;
}

/** Names Kusto accepts bare in a schema; anything else is bracketed (none of the declared names today). */
function kustoName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `['${name}']`;
}

function column(spec: string): Column {
  const [name, type] = spec.split(':') as [string, KustoType | undefined];
  return { name: name.trim(), type: type ?? 'string' };
}

function cols(list: string): Column[] {
  return list.split(',').map((s) => column(s.trim()));
}

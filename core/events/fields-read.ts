/**
 * The canonical fields each normaliser builder reads, declared beside the builders so a pull
 * plan can ask a SIEM for exactly them (DESIGN §3.1). `normalize.ts` and `normalize-cloud.ts`
 * are the truth; `test/core/events/fields-read.test.ts` runs every builder over a probe record
 * that records each field it is asked for and holds this table equal to what it found, so a
 * builder that starts reading a new field fails that test until the field is listed here.
 */

/** What every Windows record is read for before its builder runs (normalize.ts `normalizeWindows`). */
export const WINDOWS_HEADER: readonly string[] = ['TimeCreated', 'Computer', 'Channel', 'EventID', 'EventRecordID'];

const SUBJECT = ['SubjectUserName', 'SubjectDomainName', 'SubjectUserSid'];
/** `target()`: the SID is TargetUserSid on logons, TargetSid on account management. */
const TARGET = ['TargetUserName', 'TargetDomainName', 'TargetUserSid', 'TargetSid'];

const ACCOUNT_ACTION = [...TARGET, 'NewTargetUserName', ...SUBJECT, 'OldUacValue', 'NewUacValue', 'UserAccountControl', 'ServicePrincipalNames', 'SubjectLogonId'];
const GROUP_CHANGE = ['TargetUserName', 'TargetDomainName', 'TargetSid', 'MemberName', 'MemberSid', ...SUBJECT, 'SubjectLogonId'];
const TASK_CHANGE = ['TaskName', ...SUBJECT, 'SubjectLogonId', 'TaskContent', 'TaskContentNew', 'ClientProcessId', 'RpcCallClientLocality'];
const DIRECTORY_CHANGE = ['ObjectDN', 'NewObjectDN', ...SUBJECT, 'ObjectGUID', 'ObjectClass', 'OpCorrelationID', 'SubjectLogonId'];
const GROUP_ENUMERATION = [...TARGET, ...SUBJECT, 'CallerProcessName'];
const REPLICA_SOURCE = ['SourceAddr', 'DestinationDRA', 'NamingContext', 'StatusCode'];
const SHARE_ACCESS = ['ShareName', ...SUBJECT, 'IpAddress', 'RelativeTargetName', 'AccessMask', 'SubjectLogonId'];

const each = (ids: readonly number[], fields: readonly string[]): [number, readonly string[]][] => ids.map((id) => [id, fields]);

/** Security EventID → the EventData fields its builder reads. */
export const SECURITY_FIELDS: Readonly<Record<number, readonly string[]>> = Object.fromEntries([
  [4624, [...TARGET, ...SUBJECT, 'LogonType', 'IpAddress', 'WorkstationName', 'AuthenticationPackageName', 'LogonProcessName', 'KeyLength', 'TargetLogonId', 'TargetOutboundUserName', 'TargetOutboundDomainName']],
  [4625, [...TARGET, ...SUBJECT, 'LogonType', 'IpAddress', 'WorkstationName', 'Status', 'SubStatus', 'AuthenticationPackageName', 'ProcessName']],
  [4648, [...TARGET, ...SUBJECT, 'TargetServerName', 'IpAddress', 'ProcessName']],
  [4661, [...SUBJECT, 'ObjectType', 'ObjectName', 'AccessMask', 'SubjectLogonId']],
  [4662, [...SUBJECT, 'SubjectLogonId', 'ObjectServer', 'ObjectType', 'ObjectName', 'AccessMask', 'Properties', 'AdditionalInfo']],
  [4672, [...SUBJECT, 'PrivilegeList', 'SubjectLogonId']],
  [4688, ['NewProcessName', 'TargetLogonId', ...SUBJECT, 'SubjectLogonId', 'NewProcessId', 'ProcessId', 'ParentProcessName', 'CommandLine', ...TARGET]],
  [4697, ['ServiceName', ...SUBJECT, 'SubjectLogonId', 'ServiceFileName', 'ServiceAccount', 'ServiceStartType', 'ServiceType']],
  ...each([4698, 4699, 4700, 4701, 4702], TASK_CHANGE),
  ...each([4720, 4722, 4723, 4724, 4725, 4726, 4738, 4740, 4741, 4742, 4743, 4767, 4781], ACCOUNT_ACTION),
  [4765, [...ACCOUNT_ACTION, 'SourceUserName', 'SourceSid']],
  ...each([4728, 4729, 4732, 4733, 4756, 4757], GROUP_CHANGE),
  [4768, ['TargetUserName', 'TargetDomainName', 'TargetSid', 'Status', 'IpAddress', 'TicketEncryptionType', 'PreAuthType', 'TicketOptions']],
  [4769, ['TargetUserName', 'TargetDomainName', 'ServiceName', 'Status', 'ServiceSid', 'IpAddress', 'TicketEncryptionType', 'TicketOptions', 'TransmittedServices']],
  [4770, ['TargetUserName', 'TargetDomainName', 'ServiceName', 'IpAddress', 'TicketEncryptionType', 'TicketOptions']],
  [4771, ['TargetUserName', 'TargetSid', 'Status', 'IpAddress', 'PreAuthType']],
  [4776, ['TargetUserName', 'Status', 'Workstation']],
  ...each([4798, 4799], GROUP_ENUMERATION),
  [5136, ['ObjectDN', 'OperationType', ...SUBJECT, 'ObjectGUID', 'ObjectClass', 'AttributeLDAPDisplayName', 'AttributeValue', 'OpCorrelationID', 'SubjectLogonId']],
  ...each([5137, 5139, 5141], DIRECTORY_CHANGE),
  ...each([4928, 4929], REPLICA_SOURCE),
  ...each([5140, 5145], SHARE_ACCESS),
]);

/** System EventID → fields (7045: the service installer's SID is the System block's UserID). */
export const SYSTEM_FIELDS: Readonly<Record<number, readonly string[]>> = {
  7045: ['ServiceName', 'UserID', 'ImagePath', 'AccountName', 'StartType', 'ServiceType'],
};

/** Sysmon EventID → fields. */
export const SYSMON_FIELDS: Readonly<Record<number, readonly string[]>> = {
  1: ['Image', 'ProcessId', 'ParentProcessId', 'ParentImage', 'CommandLine', 'User', 'LogonId'],
};

/** SigninLogs columns `normalizeSignIn` reads (and `isCloudSignIn` recognises a sign-in by). */
export const SIGN_IN_COLUMNS: readonly string[] = [
  'TimeGenerated', 'CreatedDateTime', 'UserPrincipalName', 'Status', 'ResultType', 'LocationDetails', 'DeviceDetail', 'UserId',
  'IPAddress', 'AppDisplayName', 'AutonomousSystemNumber', 'CorrelationId', 'Id', 'ClientAppUsed', 'AuthenticationRequirement',
  'AuthenticationDetails', 'MfaDetail',
];

/** AuditLogs columns `normalizeAudit` reads (and `isEntraAudit` recognises an audit record by). */
export const AUDIT_COLUMNS: readonly string[] = [
  'TimeGenerated', 'ActivityDateTime', 'OperationName', 'Result', 'TargetResources', 'InitiatedBy', 'CorrelationId', 'Id',
];

/** Canonical channel (lower case, as `normalize` keys it) → its builders' fields. */
const BY_CHANNEL: Readonly<Record<string, Readonly<Record<number, readonly string[]>>>> = {
  security: SECURITY_FIELDS,
  system: SYSTEM_FIELDS,
  'microsoft-windows-sysmon/operational': SYSMON_FIELDS,
};

/**
 * The fields the builder for one Windows event reads, or undefined when the normaliser has no
 * builder for it (the engine would count it unmodelled, so a pull need not fetch it).
 */
export function fieldsRead(channel: string, eventId: number): readonly string[] | undefined {
  const table = BY_CHANNEL[channel.toLowerCase()];
  return table && Object.hasOwn(table, eventId) ? table[eventId] : undefined;
}

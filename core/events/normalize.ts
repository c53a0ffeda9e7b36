import { account, guid, guids, integer, ip, text, timestamp, type Account } from './fields';
import type { AccountAction, EventOrigin, GroupScope, IdentityEvent } from './identity-event';
import { isCloudSignIn } from './windows-event';

/**
 * Canonical raw record → typed IdentityEvent. A record is *malformed* when it is not a
 * canonical event at all (not an object, no usable time, an EventID that is not a Windows
 * event id); a valid event that no detector models is *unmodelled* and simply not used.
 */
export type NormalizeResult =
  | { readonly status: 'event'; readonly event: IdentityEvent }
  | { readonly status: 'unmodelled'; readonly channel: string; readonly eventId: number }
  | { readonly status: 'malformed'; readonly reason: string };

/** Which (channel, EventID) pairs the enabled detectors need; others skip the builders. */
export type EventFilter = (channel: string, eventId: number) => boolean;

export const acceptAll: EventFilter = () => true;

export function normalize(record: unknown, wanted: EventFilter = acceptAll): NormalizeResult {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return malformed(`expected a JSON object, got ${describe(record)}`);
  }
  const r = record as Record<string, unknown>;
  if (isCloudSignIn(r)) return normalizeSignIn(r, wanted);
  return normalizeWindows(r, wanted);
}

function normalizeWindows(r: Record<string, unknown>, wanted: EventFilter): NormalizeResult {
  const eventId = integer(r['EventID']);
  if (eventId === undefined) return malformed(`EventID ${describe(r['EventID'])} is not a number`);
  // Windows event ids are 16-bit; anything else is not an event id (it is often a record id or junk).
  if (eventId < 0 || eventId > 65535) return malformed(`EventID ${eventId} is outside 0-65535`);
  // Some exporters drop Channel (seen: NXLog records with `"Channel": null`). Security and
  // System event ids do not overlap each other or Sysmon's, so the id says which log it was.
  const channel = text(r['Channel'])?.toLowerCase() ?? (SECURITY[eventId] ? 'security' : SYSTEM[eventId] ? 'system' : 'unknown');
  const time = timestamp(r['TimeCreated']);
  if (time === undefined) return malformed(`TimeCreated ${describe(r['TimeCreated'])} is not a timestamp`);
  const host = text(r['Computer']);
  if (host === undefined) return malformed('missing Computer');
  const build = channel === 'security' ? SECURITY[eventId] : channel === 'system' ? SYSTEM[eventId] : channel === SYSMON_CHANNEL ? SYSMON[eventId] : undefined;
  if (build === undefined || !wanted(channel, eventId)) return { status: 'unmodelled', channel, eventId };
  const origin: EventOrigin = { time, host, eventId, recordId: integer(r['EventRecordID']) ?? null };
  const event = build(r, origin);
  if (typeof event === 'string') return malformed(`${eventId}: ${event}`);
  return { status: 'event', event };
}

type Builder = (r: Record<string, unknown>, o: EventOrigin) => IdentityEvent | string;

const subject = (r: Record<string, unknown>): Account | undefined =>
  account(r['SubjectUserName'], r['SubjectDomainName'], r['SubjectUserSid']);

const target = (r: Record<string, unknown>): Account | undefined =>
  account(r['TargetUserName'], r['TargetDomainName'], r['TargetUserSid'] ?? r['TargetSid']);

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const accountAction = (action: AccountAction, objectClass: 'user' | 'computer'): Builder => (r, o) => {
  const t = target(r) ?? account(r['NewTargetUserName'], r['TargetDomainName'], r['TargetSid']);
  if (!t) return 'no target account';
  return {
    ...o, kind: 'account_management', action, objectClass, target: t,
    ...opt('subject', subject(r)),
    ...opt('oldUac', integer(r['OldUacValue'])),
    ...opt('newUac', integer(r['NewUacValue'])),
    ...opt('uacChanges', text(r['UserAccountControl'])),
    ...opt('servicePrincipalNames', text(r['ServicePrincipalNames'])),
    ...opt('callerComputer', action === 'locked_out' ? text(r['TargetDomainName']) : undefined),
  };
};

const groupChange = (action: 'added' | 'removed', scope: GroupScope): Builder => (r, o) => {
  const group = account(r['TargetUserName'], r['TargetDomainName'], r['TargetSid']);
  if (!group) return 'no group name';
  const memberDn = text(r['MemberName']);
  const memberSid = text(r['MemberSid']);
  return {
    ...o, kind: 'group_membership_change', action, scope, group,
    ...opt('subject', subject(r)),
    ...opt('member', memberSid || memberDn ? account(cnOf(memberDn), undefined, memberSid) : undefined),
    ...opt('memberDn', memberDn),
  };
};

const taskChange = (action: 'created' | 'deleted' | 'enabled' | 'disabled' | 'updated'): Builder => (r, o) => {
  const taskName = text(r['TaskName']);
  if (!taskName) return 'no TaskName';
  return {
    ...o, kind: 'scheduled_task', action, taskName,
    ...opt('subject', subject(r)),
    ...opt('logonId', text(r['SubjectLogonId'])?.toLowerCase()),
    ...opt('taskContent', text(r['TaskContent'] ?? r['TaskContentNew'])),
    ...opt('clientProcessId', integer(r['ClientProcessId'])),
    ...opt('rpcCallClientLocality', integer(r['RpcCallClientLocality'])),
  };
};

const directoryChange = (action: 'created' | 'moved' | 'deleted'): Builder => (r, o) => {
  const objectDn = text(r['ObjectDN'] ?? r['NewObjectDN']);
  if (!objectDn) return 'no ObjectDN';
  return {
    ...o, kind: 'directory_object_change', action, objectDn,
    ...opt('subject', subject(r)),
    ...opt('objectGuid', guid(r['ObjectGUID'])),
    ...opt('objectClass', text(r['ObjectClass'])),
    ...opt('correlationId', text(r['OpCorrelationID'])),
  };
};

const SECURITY: Record<number, Builder> = {
  4624: (r, o) => {
    const a = target(r);
    if (!a) return 'no TargetUserName';
    return {
      ...o, kind: 'logon', account: a,
      ...opt('subject', subject(r)),
      ...opt('logonType', integer(r['LogonType'])),
      ...opt('ip', ip(r['IpAddress'])),
      ...opt('workstation', text(r['WorkstationName'])),
      ...opt('authPackage', text(r['AuthenticationPackageName'])),
      ...opt('logonProcess', text(r['LogonProcessName'])),
      ...opt('keyLength', integer(r['KeyLength'])),
      ...opt('logonId', text(r['TargetLogonId'])?.toLowerCase()),
    };
  },
  4625: (r, o) => {
    // A failure for a name Windows could not resolve is logged with TargetUserName `-`: still a failure.
    const a = target(r) ?? { name: '(unknown)' };
    return {
      ...o, kind: 'logon_failure', account: a,
      ...opt('subject', subject(r)),
      ...opt('logonType', integer(r['LogonType'])),
      ...opt('ip', ip(r['IpAddress'])),
      ...opt('workstation', text(r['WorkstationName'])),
      ...opt('status', integer(r['Status'])),
      ...opt('subStatus', integer(r['SubStatus'])),
      ...opt('authPackage', text(r['AuthenticationPackageName'])),
      ...opt('processName', text(r['ProcessName'])),
    };
  },
  4648: (r, o) => {
    const a = target(r);
    if (!a) return 'no TargetUserName';
    return {
      ...o, kind: 'explicit_credential_logon', account: a,
      ...opt('subject', subject(r)),
      ...opt('targetServer', text(r['TargetServerName'])),
      ...opt('ip', ip(r['IpAddress'])),
      ...opt('processName', text(r['ProcessName'])),
    };
  },
  4661: (r, o) => ({
    ...o, kind: 'sam_object_access',
    ...opt('subject', subject(r)),
    ...opt('objectType', text(r['ObjectType'])),
    ...opt('objectName', text(r['ObjectName'])),
    ...opt('accessMask', integer(r['AccessMask'])),
    ...opt('logonId', text(r['SubjectLogonId'])?.toLowerCase()),
  }),
  4662: (r, o) => ({
    ...o, kind: 'directory_object_access',
    ...opt('subject', subject(r)),
    ...opt('logonId', text(r['SubjectLogonId'])?.toLowerCase()),
    ...opt('objectServer', text(r['ObjectServer'])),
    ...opt('objectType', guid(r['ObjectType']) ?? text(r['ObjectType'])),
    ...opt('objectName', guid(r['ObjectName']) ?? text(r['ObjectName'])),
    ...opt('accessMask', integer(r['AccessMask'])),
    properties: guids(r['Properties']),
  }),
  4672: (r, o) => {
    const a = subject(r);
    if (!a) return 'no SubjectUserName';
    return {
      ...o, kind: 'special_privilege_logon', account: a, privileges: text(r['PrivilegeList']) ?? '',
      ...opt('logonId', text(r['SubjectLogonId'])?.toLowerCase()),
    };
  },
  4688: (r, o) => {
    const processName = text(r['NewProcessName']);
    if (!processName) return 'no NewProcessName';
    // TargetLogonId 0x0 (or absent before Windows 10): the new process runs in the creator's session.
    const targetLogonId = text(r['TargetLogonId'])?.toLowerCase();
    return {
      ...o, kind: 'process_created', processName,
      ...opt('subject', subject(r)),
      ...opt('logonId', text(r['SubjectLogonId'])?.toLowerCase()),
      ...opt('processId', integer(r['NewProcessId'])),
      ...opt('parentProcessId', integer(r['ProcessId'])),
      ...opt('parentProcessName', text(r['ParentProcessName'])),
      ...opt('commandLine', text(r['CommandLine'])),
      ...opt('targetAccount', target(r)),
      ...opt('targetLogonId', targetLogonId === '0x0' ? undefined : targetLogonId),
    };
  },
  4697: (r, o) => {
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    return {
      ...o, kind: 'service_installed', serviceName,
      ...opt('subject', subject(r)),
      ...opt('logonId', text(r['SubjectLogonId'])?.toLowerCase()),
      ...opt('imagePath', text(r['ServiceFileName'])),
      ...opt('serviceAccount', text(r['ServiceAccount'])),
      ...opt('startType', text(r['ServiceStartType'])),
      ...opt('serviceType', text(r['ServiceType'])),
    };
  },
  4698: taskChange('created'),
  4699: taskChange('deleted'),
  4700: taskChange('enabled'),
  4701: taskChange('disabled'),
  4702: taskChange('updated'),
  4720: accountAction('created', 'user'),
  4722: accountAction('enabled', 'user'),
  4723: accountAction('password_change', 'user'),
  4724: accountAction('password_reset', 'user'),
  4725: accountAction('disabled', 'user'),
  4726: accountAction('deleted', 'user'),
  4738: accountAction('changed', 'user'),
  4740: accountAction('locked_out', 'user'),
  4741: accountAction('created', 'computer'),
  4742: accountAction('changed', 'computer'),
  4743: accountAction('deleted', 'computer'),
  4765: accountAction('sid_history_added', 'user'),
  4767: accountAction('unlocked', 'user'),
  4781: accountAction('renamed', 'user'),
  4728: groupChange('added', 'global'),
  4729: groupChange('removed', 'global'),
  4732: groupChange('added', 'local'),
  4733: groupChange('removed', 'local'),
  4756: groupChange('added', 'universal'),
  4757: groupChange('removed', 'universal'),
  4768: (r, o) => {
    const a = account(r['TargetUserName'], r['TargetDomainName'], r['TargetSid']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    return {
      ...o, kind: 'kerberos_tgt_request', account: a, status,
      ...opt('ip', ip(r['IpAddress'])),
      ...opt('encryptionType', integer(r['TicketEncryptionType'])),
      ...opt('preAuthType', integer(r['PreAuthType'])),
      ...opt('ticketOptions', integer(r['TicketOptions'])),
    };
  },
  4769: (r, o) => {
    const a = account(r['TargetUserName'], r['TargetDomainName']);
    if (!a) return 'no TargetUserName';
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    return {
      ...o, kind: 'kerberos_service_ticket', account: a, serviceName, status,
      ...opt('serviceSid', text(r['ServiceSid'])),
      ...opt('ip', ip(r['IpAddress'])),
      ...opt('encryptionType', integer(r['TicketEncryptionType'])),
      ...opt('ticketOptions', integer(r['TicketOptions'])),
    };
  },
  4771: (r, o) => {
    const a = account(r['TargetUserName'], undefined, r['TargetSid']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    return {
      ...o, kind: 'kerberos_preauth_failure', account: a, status,
      ...opt('ip', ip(r['IpAddress'])),
      ...opt('preAuthType', integer(r['PreAuthType'])),
    };
  },
  4776: (r, o) => {
    const a = account(r['TargetUserName']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    return { ...o, kind: 'ntlm_validation', account: a, status, ...opt('workstation', text(r['Workstation'])) };
  },
  4798: (r, o) => {
    const t = target(r);
    if (!t) return 'no TargetUserName';
    return { ...o, kind: 'group_enumeration', target: t, ...opt('subject', subject(r)), ...opt('processName', text(r['CallerProcessName'])) };
  },
  4799: (r, o) => {
    const t = target(r);
    if (!t) return 'no TargetUserName';
    return { ...o, kind: 'group_enumeration', target: t, ...opt('subject', subject(r)), ...opt('processName', text(r['CallerProcessName'])) };
  },
  5136: (r, o) => {
    const objectDn = text(r['ObjectDN']);
    if (!objectDn) return 'no ObjectDN';
    // %%14674 "Value Added", %%14675 "Value Deleted" (MS docs, event 5136).
    const op = text(r['OperationType']);
    return {
      ...o, kind: 'directory_object_change', action: op === '%%14675' ? 'value_deleted' : 'value_added', objectDn,
      ...opt('subject', subject(r)),
      ...opt('objectGuid', guid(r['ObjectGUID'])),
      ...opt('objectClass', text(r['ObjectClass'])),
      ...opt('attribute', text(r['AttributeLDAPDisplayName'])),
      ...opt('value', text(r['AttributeValue'])),
      ...opt('correlationId', text(r['OpCorrelationID'])),
    };
  },
  5137: directoryChange('created'),
  5139: directoryChange('moved'),
  5141: directoryChange('deleted'),
  5140: shareAccess,
  5145: shareAccess,
};

function shareAccess(r: Record<string, unknown>, o: EventOrigin): IdentityEvent | string {
  const shareName = text(r['ShareName']);
  if (!shareName) return 'no ShareName';
  return {
    ...o, kind: 'share_access', shareName,
    ...opt('subject', subject(r)),
    ...opt('ip', ip(r['IpAddress'])),
    ...opt('relativeTarget', text(r['RelativeTargetName'])),
    ...opt('accessMask', integer(r['AccessMask'])),
    ...opt('logonId', text(r['SubjectLogonId'])?.toLowerCase()),
  };
}

const SYSTEM: Record<number, Builder> = {
  7045: (r, o) => {
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    return {
      ...o, kind: 'service_installed', serviceName,
      ...opt('subject', account(undefined, undefined, r['UserID'])),
      ...opt('imagePath', text(r['ImagePath'])),
      ...opt('serviceAccount', text(r['AccountName'])),
      ...opt('startType', text(r['StartType'])),
      ...opt('serviceType', text(r['ServiceType'])),
    };
  },
};

const SYSMON_CHANNEL = 'microsoft-windows-sysmon/operational';

const SYSMON: Record<number, Builder> = {
  // Sysmon 1 names the new process's own user and session; there is no separate creator.
  1: (r, o) => {
    const processName = text(r['Image']);
    if (!processName) return 'no Image';
    return {
      ...o, kind: 'process_created', processName,
      ...opt('processId', integer(r['ProcessId'])),
      ...opt('parentProcessId', integer(r['ParentProcessId'])),
      ...opt('parentProcessName', text(r['ParentImage'])),
      ...opt('commandLine', text(r['CommandLine'])),
      ...opt('targetAccount', account(r['User'])),
      ...opt('targetLogonId', text(r['LogonId'])?.toLowerCase()),
    };
  },
};

function normalizeSignIn(r: Record<string, unknown>, wanted: EventFilter): NormalizeResult {
  const time = timestamp(r['TimeGenerated'] ?? r['CreatedDateTime']);
  if (time === undefined) return malformed(`TimeGenerated ${describe(r['TimeGenerated'])} is not a timestamp`);
  const upn = text(r['UserPrincipalName']);
  if (!upn) return malformed('sign-in without UserPrincipalName');
  if (!wanted('signinlogs', 0)) return { status: 'unmodelled', channel: 'signinlogs', eventId: 0 };
  const resultType = integer(r['ResultType']) ?? 0;
  const loc = (r['LocationDetails'] ?? {}) as Record<string, unknown>;
  const geo = (loc['geoCoordinates'] ?? {}) as Record<string, unknown>;
  const device = (r['DeviceDetail'] ?? {}) as Record<string, unknown>;
  const lat = geo['latitude'];
  const lon = geo['longitude'];
  return {
    status: 'event',
    event: {
      time, host: 'entra', eventId: 0, recordId: null, kind: 'cloud_sign_in', upn: upn.toLowerCase(), resultType,
      ...opt('userId', text(r['UserId'])),
      ...opt('ip', ip(r['IPAddress'])),
      ...opt('app', text(r['AppDisplayName'])),
      ...opt('country', text(loc['countryOrRegion'])),
      ...opt('city', text(loc['city'])),
      ...opt('latitude', typeof lat === 'number' ? lat : undefined),
      ...opt('longitude', typeof lon === 'number' ? lon : undefined),
      ...opt('asn', integer(r['AutonomousSystemNumber'])),
      ...opt('deviceId', text(device['deviceId'])),
      ...opt('correlationId', text(r['CorrelationId'])),
    },
  };
}

/** `CN=John Doe,OU=…` → `John Doe`; a DN is how 4728 names the member. */
function cnOf(dn: string | undefined): string | undefined {
  if (!dn) return undefined;
  const m = /^CN=((?:\\,|[^,])+)/i.exec(dn);
  return m?.[1] ? m[1].replace(/\\,/g, ',') : dn;
}

function malformed(reason: string): NormalizeResult {
  return { status: 'malformed', reason };
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** The Security/System EventIDs the normaliser models, for declarations and tests. */
export const MODELLED_EVENT_IDS = {
  security: Object.keys(SECURITY).map(Number),
  system: Object.keys(SYSTEM).map(Number),
  sysmon: Object.keys(SYSMON).map(Number),
} as const;

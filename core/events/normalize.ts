import { account, guid, guids, integer, intern, ip, text, timestamp, type Account } from './fields';
import type { AccountAction, EventOrigin, GroupScope, IdentityEvent } from './identity-event';
import { done, origin, put, subject, type Builder } from './draft';
import { normalizeCloud } from './normalize-cloud';
import type { EventFilter, NormalizeResult } from './normalize-result';
import { boundedJson } from './bounded-text';
import { securityLogCleared, systemLogCleared } from './normalize-eventlog';
import { NETLOGON_BUILDERS } from './normalize-netlogon';
import { registryValueModified, sysmonRegistryValueSet } from './normalize-registry';

/**
 * Canonical raw record → typed IdentityEvent. A record is *malformed* when it is not a
 * canonical event at all (not an object, no usable time, an EventID that is not a Windows
 * event id); a valid event that no detector models is *unmodelled* and simply not used.
 */
export type { EventFilter, NormalizeResult } from './normalize-result';

export const acceptAll: EventFilter = () => true;

export function normalize(record: unknown, wanted: EventFilter = acceptAll): NormalizeResult {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return malformed(`expected a JSON object, got ${describe(record)}`);
  }
  const r = record as Record<string, unknown>;
  return normalizeCloud(r, wanted) ?? normalizeWindows(r, wanted);
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
  const computer = text(r['Computer']);
  if (computer === undefined) return malformed('missing Computer');
  const host = intern(computer);
  const build = channel === 'security' ? SECURITY[eventId] : channel === 'system' ? SYSTEM[eventId] : channel === SYSMON_CHANNEL ? SYSMON[eventId] : undefined;
  if (build === undefined || !wanted(channel, eventId)) return { status: 'unmodelled', channel, eventId };
  const origin: EventOrigin = { time, host, eventId, recordId: integer(r['EventRecordID']) ?? null };
  const event = build(r, origin);
  if (event === null) return { status: 'unmodelled', channel, eventId };
  if (typeof event === 'string') return malformed(`${eventId}: ${event}`);
  return { status: 'event', event };
}

const target = (r: Record<string, unknown>): Account | undefined =>
  account(r['TargetUserName'], r['TargetDomainName'], r['TargetUserSid'] ?? r['TargetSid']);

const accountAction = (action: AccountAction, objectClass: 'user' | 'computer'): Builder => (r, o) => {
  // 4781 has no TargetUserName: name the account by its new name (with its SID), not by the SID alone.
  const renamedTo = action === 'renamed' ? account(r['NewTargetUserName'], r['TargetDomainName'], r['TargetSid']) : undefined;
  const t = renamedTo ?? target(r) ?? account(r['NewTargetUserName'], r['TargetDomainName'], r['TargetSid']);
  if (!t) return 'no target account';
  const e = origin(o, 'account_management');
  e['action'] = action;
  e['objectClass'] = objectClass;
  e['target'] = t;
  put(e, 'subject', subject(r));
  put(e, 'oldUac', integer(r['OldUacValue']));
  put(e, 'newUac', integer(r['NewUacValue']));
  put(e, 'uacChanges', text(r['UserAccountControl']));
  put(e, 'servicePrincipalNames', text(r['ServicePrincipalNames']));
  if (action === 'locked_out') put(e, 'callerComputer', text(r['TargetDomainName']));
  if (action === 'sid_history_added' || action === 'sid_history_failed') put(e, 'addedSidHistory', account(r['SourceUserName'], undefined, r['SourceSid']));
  if (action === 'renamed') put(e, 'oldName', text(r['OldTargetUserName']));
  put(e, 'samAccountName', text(r['SamAccountName']));
  put(e, 'passwordLastSet', text(r['PasswordLastSet']));
  put(e, 'sidHistory', text(r['SidHistory']));
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  return done(e);
};

const groupChange = (action: 'added' | 'removed', scope: GroupScope): Builder => (r, o) => {
  const group = account(r['TargetUserName'], r['TargetDomainName'], r['TargetSid']);
  if (!group) return 'no group name';
  const memberDn = text(r['MemberName']);
  const memberSid = text(r['MemberSid']);
  const e = origin(o, 'group_membership_change');
  e['action'] = action;
  e['scope'] = scope;
  e['group'] = group;
  put(e, 'subject', subject(r));
  if (memberSid || memberDn) put(e, 'member', account(cnOf(memberDn), undefined, memberSid));
  put(e, 'memberDn', memberDn);
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  return done(e);
};

const taskChange = (action: 'created' | 'deleted' | 'enabled' | 'disabled' | 'updated'): Builder => (r, o) => {
  const taskName = text(r['TaskName']);
  if (!taskName) return 'no TaskName';
  const e = origin(o, 'scheduled_task');
  e['action'] = action;
  e['taskName'] = taskName;
  put(e, 'subject', subject(r));
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  put(e, 'taskContent', text(r['TaskContent'] ?? r['TaskContentNew']));
  put(e, 'clientProcessId', integer(r['ClientProcessId']));
  put(e, 'rpcCallClientLocality', integer(r['RpcCallClientLocality']));
  return done(e);
};

const directoryChange = (action: 'created' | 'moved' | 'deleted'): Builder => (r, o) => {
  const objectDn = text(r['ObjectDN'] ?? r['NewObjectDN']);
  if (!objectDn) return 'no ObjectDN';
  const e = origin(o, 'directory_object_change');
  e['action'] = action;
  e['objectDn'] = objectDn;
  put(e, 'subject', subject(r));
  put(e, 'objectGuid', guid(r['ObjectGUID']));
  put(e, 'objectClass', text(r['ObjectClass']));
  put(e, 'correlationId', text(r['OpCorrelationID']));
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  return done(e);
};

const groupEnumeration: Builder = (r, o) => {
  const t = target(r);
  if (!t) return 'no TargetUserName';
  const e = origin(o, 'group_enumeration');
  e['target'] = t;
  put(e, 'subject', subject(r));
  put(e, 'processName', text(r['CallerProcessName']));
  return done(e);
};

const SECURITY: Record<number, Builder> = {
  1102: securityLogCleared,
  4657: registryValueModified,
  4794: (r, o) => {
    const e = origin(o, 'dsrm_password_set');
    put(e, 'subject', subject(r));
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    put(e, 'workstation', text(r['Workstation']));
    put(e, 'status', integer(r['Status']));
    return done(e);
  },
  4624: (r, o) => {
    const a = target(r);
    if (!a) return 'no TargetUserName';
    const e = origin(o, 'logon');
    e['account'] = a;
    put(e, 'subject', subject(r));
    put(e, 'logonType', integer(r['LogonType']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'workstation', text(r['WorkstationName']));
    put(e, 'authPackage', text(r['AuthenticationPackageName']));
    put(e, 'logonProcess', text(r['LogonProcessName']));
    put(e, 'keyLength', integer(r['KeyLength']));
    put(e, 'logonId', text(r['TargetLogonId'])?.toLowerCase());
    put(e, 'outboundAccount', account(r['TargetOutboundUserName'], r['TargetOutboundDomainName']));
    return done(e);
  },
  4625: (r, o) => {
    // A failure for a name Windows could not resolve is logged with TargetUserName `-`: still a failure.
    const e = origin(o, 'logon_failure');
    e['account'] = target(r) ?? { name: '(unknown)' };
    put(e, 'subject', subject(r));
    put(e, 'logonType', integer(r['LogonType']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'workstation', text(r['WorkstationName']));
    put(e, 'status', integer(r['Status']));
    put(e, 'subStatus', integer(r['SubStatus']));
    put(e, 'authPackage', text(r['AuthenticationPackageName']));
    put(e, 'processName', text(r['ProcessName']));
    return done(e);
  },
  4648: (r, o) => {
    const a = target(r);
    if (!a) return 'no TargetUserName';
    const e = origin(o, 'explicit_credential_logon');
    e['account'] = a;
    put(e, 'subject', subject(r));
    put(e, 'targetServer', text(r['TargetServerName']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'processName', text(r['ProcessName']));
    return done(e);
  },
  4661: (r, o) => {
    const e = origin(o, 'sam_object_access');
    put(e, 'subject', subject(r));
    put(e, 'objectType', text(r['ObjectType']));
    put(e, 'objectName', text(r['ObjectName']));
    put(e, 'accessMask', integer(r['AccessMask']));
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    return done(e);
  },
  4662: (r, o) => {
    const e = origin(o, 'directory_object_access');
    put(e, 'subject', subject(r));
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    put(e, 'objectServer', text(r['ObjectServer']));
    put(e, 'objectType', guid(r['ObjectType']) ?? text(r['ObjectType']));
    put(e, 'objectName', guid(r['ObjectName']) ?? text(r['ObjectName']));
    put(e, 'accessMask', integer(r['AccessMask']));
    e['properties'] = guids(r['Properties']);
    // A DS object is named by its GUID alone; anything else (an LSA secret's path) is kept as written.
    put(e, 'objectPath', text(r['ObjectName'])?.replace(/^%?\{?[0-9a-fA-F-]{36}\}?$/, '') || undefined);
    put(e, 'additionalInfo', text(r['AdditionalInfo']));
    return done(e);
  },
  4672: (r, o) => {
    const a = subject(r);
    if (!a) return 'no SubjectUserName';
    const e = origin(o, 'special_privilege_logon');
    e['account'] = a;
    e['privileges'] = text(r['PrivilegeList']) ?? '';
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    return done(e);
  },
  4688: (r, o) => {
    const processName = text(r['NewProcessName']);
    if (!processName) return 'no NewProcessName';
    // TargetLogonId 0x0 (or absent before Windows 10): the new process runs in the creator's session.
    const targetLogonId = text(r['TargetLogonId'])?.toLowerCase();
    const e = origin(o, 'process_created');
    e['processName'] = processName;
    put(e, 'subject', subject(r));
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    put(e, 'processId', integer(r['NewProcessId']));
    put(e, 'parentProcessId', integer(r['ProcessId']));
    put(e, 'parentProcessName', text(r['ParentProcessName']));
    put(e, 'commandLine', text(r['CommandLine']));
    put(e, 'targetAccount', target(r));
    put(e, 'targetLogonId', targetLogonId === '0x0' ? undefined : targetLogonId);
    return done(e);
  },
  4697: (r, o) => {
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    const e = origin(o, 'service_installed');
    e['serviceName'] = serviceName;
    put(e, 'subject', subject(r));
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    put(e, 'imagePath', text(r['ServiceFileName']));
    put(e, 'serviceAccount', text(r['ServiceAccount']));
    put(e, 'startType', text(r['ServiceStartType']));
    put(e, 'serviceType', text(r['ServiceType']));
    return done(e);
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
  4766: accountAction('sid_history_failed', 'user'),
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
    const e = origin(o, 'kerberos_tgt_request');
    e['account'] = a;
    e['status'] = status;
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'encryptionType', integer(r['TicketEncryptionType']));
    put(e, 'preAuthType', integer(r['PreAuthType']));
    put(e, 'ticketOptions', integer(r['TicketOptions']));
    return done(e);
  },
  4769: (r, o) => {
    const a = account(r['TargetUserName'], r['TargetDomainName']);
    if (!a) return 'no TargetUserName';
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    const e = origin(o, 'kerberos_service_ticket');
    e['account'] = a;
    e['serviceName'] = serviceName;
    e['status'] = status;
    put(e, 'serviceSid', text(r['ServiceSid']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'encryptionType', integer(r['TicketEncryptionType']));
    put(e, 'ticketOptions', integer(r['TicketOptions']));
    put(e, 'transitedServices', text(r['TransmittedServices']));
    return done(e);
  },
  4770: (r, o) => {
    const a = account(r['TargetUserName'], r['TargetDomainName']);
    if (!a) return 'no TargetUserName';
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    const e = origin(o, 'kerberos_ticket_renewal');
    e['account'] = a;
    e['serviceName'] = serviceName;
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'encryptionType', integer(r['TicketEncryptionType']));
    put(e, 'ticketOptions', integer(r['TicketOptions']));
    return done(e);
  },
  4771: (r, o) => {
    const a = account(r['TargetUserName'], undefined, r['TargetSid']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    const e = origin(o, 'kerberos_preauth_failure');
    e['account'] = a;
    e['status'] = status;
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'preAuthType', integer(r['PreAuthType']));
    return done(e);
  },
  4776: (r, o) => {
    const a = account(r['TargetUserName']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    const e = origin(o, 'ntlm_validation');
    e['account'] = a;
    e['status'] = status;
    put(e, 'workstation', text(r['Workstation']));
    return done(e);
  },
  4798: groupEnumeration,
  4799: groupEnumeration,
  5136: (r, o) => {
    const objectDn = text(r['ObjectDN']);
    if (!objectDn) return 'no ObjectDN';
    // %%14674 "Value Added", %%14675 "Value Deleted" (MS docs, event 5136); exporters that render
    // message tables (NXLog, classic WinEventLog) write the text.
    const operation = text(r['OperationType']);
    const e = origin(o, 'directory_object_change');
    e['action'] = operation === '%%14675' || operation?.toLowerCase() === 'value deleted' ? 'value_deleted' : 'value_added';
    e['objectDn'] = objectDn;
    put(e, 'subject', subject(r));
    put(e, 'objectGuid', guid(r['ObjectGUID']));
    put(e, 'objectClass', text(r['ObjectClass']));
    put(e, 'attribute', text(r['AttributeLDAPDisplayName']));
    put(e, 'value', text(r['AttributeValue']));
    put(e, 'correlationId', text(r['OpCorrelationID']));
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    return done(e);
  },
  5137: directoryChange('created'),
  5139: directoryChange('moved'),
  5141: directoryChange('deleted'),
  4928: replicaSource('added'),
  4929: replicaSource('removed'),
  5140: shareAccess,
  5145: shareAccess,
};

function replicaSource(action: 'added' | 'removed'): Builder {
  return (r, o) => {
    const sourceAddress = text(r['SourceAddr']);
    if (!sourceAddress) return 'no SourceAddr';
    const e = origin(o, 'replica_source_change');
    e['action'] = action;
    e['sourceAddress'] = sourceAddress;
    put(e, 'destinationDsa', text(r['DestinationDRA']));
    put(e, 'namingContext', text(r['NamingContext']));
    put(e, 'status', integer(r['StatusCode']));
    return done(e);
  };
}

function shareAccess(r: Record<string, unknown>, o: EventOrigin): IdentityEvent | string {
  const shareName = text(r['ShareName']);
  if (!shareName) return 'no ShareName';
  const e = origin(o, 'share_access');
  e['shareName'] = shareName;
  put(e, 'subject', subject(r));
  put(e, 'ip', ip(r['IpAddress']));
  put(e, 'relativeTarget', text(r['RelativeTargetName']));
  put(e, 'accessMask', integer(r['AccessMask']));
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  return done(e);
}

const SYSTEM: Record<number, Builder> = {
  104: systemLogCleared,
  ...NETLOGON_BUILDERS,
  7045: (r, o) => {
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    const e = origin(o, 'service_installed');
    e['serviceName'] = serviceName;
    put(e, 'subject', account(undefined, undefined, r['UserID']));
    put(e, 'imagePath', text(r['ImagePath']));
    put(e, 'serviceAccount', text(r['AccountName']));
    put(e, 'startType', text(r['StartType']));
    put(e, 'serviceType', text(r['ServiceType']));
    return done(e);
  },
};

const SYSMON_CHANNEL = 'microsoft-windows-sysmon/operational';

const SYSMON: Record<number, Builder> = {
  // Sysmon 1 names the new process's own user and session; there is no separate creator.
  1: (r, o) => {
    const processName = text(r['Image']);
    if (!processName) return 'no Image';
    const e = origin(o, 'process_created');
    e['processName'] = processName;
    put(e, 'processId', integer(r['ProcessId']));
    put(e, 'parentProcessId', integer(r['ParentProcessId']));
    put(e, 'parentProcessName', text(r['ParentImage']));
    put(e, 'commandLine', text(r['CommandLine']));
    put(e, 'targetAccount', account(r['User']));
    put(e, 'targetLogonId', text(r['LogonId'])?.toLowerCase());
    return done(e);
  },
  13: sysmonRegistryValueSet,
};

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
  // Bounded and non-recursive: the value is attacker-shaped (issue 12, item 12: `[object Object]`).
  if (typeof v === 'object') return boundedJson(v, 60);
  return `${typeof v} ${String(v)}`;
}

/** The Security/System EventIDs the normaliser models, for declarations and tests. */
export const MODELLED_EVENT_IDS = {
  security: Object.keys(SECURITY).map(Number),
  system: Object.keys(SYSTEM).map(Number),
  sysmon: Object.keys(SYSMON).map(Number),
} as const;

/**
 * Builders for the canonical events (DESIGN §4) exactly as Windows renders them and as the
 * exports in ../shared/datasets carry them: EventData items in schema order, every value a
 * string, hex unpadded (`0x17`), `-` for empty, Kerberos addresses as `::ffff:a.b.c.d`,
 * multi-line values with `\n\t`. `TimeCreated` and `EventRecordID` are filled in when the
 * timeline writes the event out, because only then is its place in the host's log known.
 */

export interface GeneratedEvent {
  TimeCreated: string;
  Computer: string;
  Channel: string;
  Provider: string;
  EventID: number;
  EventRecordID: number;
  [field: string]: string | number;
}

/** Who did it, as the Subject* fields name them. */
export interface Subject {
  readonly sid: string;
  readonly name: string;
  readonly domain: string;
  readonly logonId: string;
}

export const NULL_SID = 'S-1-0-0';
const AUDITING = 'Microsoft-Windows-Security-Auditing';
const NO_GUID = '{00000000-0000-0000-0000-000000000000}';

/** The System fields of a Security-log event; builders spread it first (V8 clones it cheaply) and add EventData. */
export function header(computer: string, eventId: number): GeneratedEvent {
  return { TimeCreated: '', Computer: computer, Channel: 'Security', Provider: AUDITING, EventID: eventId, EventRecordID: 0 };
}

export function security(computer: string, eventId: number, data: Record<string, string>): GeneratedEvent {
  return Object.assign(header(computer, eventId), data);
}

function subject(s: Subject): Record<string, string> {
  return { SubjectUserSid: s.sid, SubjectUserName: s.name, SubjectDomainName: s.domain, SubjectLogonId: s.logonId };
}

/** Header plus the four Subject fields, the start of most Security events. */
function withSubject(computer: string, eventId: number, s: Subject): GeneratedEvent {
  const e = header(computer, eventId);
  e['SubjectUserSid'] = s.sid;
  e['SubjectUserName'] = s.name;
  e['SubjectDomainName'] = s.domain;
  e['SubjectLogonId'] = s.logonId;
  return e;
}

/** The local SYSTEM logon session of a host, as Windows names it in Subject fields. */
export function systemSubject(machineAccount: string, netbios: string): Subject {
  return { sid: 'S-1-5-18', name: machineAccount, domain: netbios, logonId: '0x3e7' };
}

/** 4768: AS-REQ answered (or refused) by the KDC. */
export function tgtRequest(dc: string, o: {
  account: string; realm: string; sid: string; krbtgtSid: string; status: string; etype: string;
  preAuthType: string; ticketOptions: string; ip: string; port: number;
}): GeneratedEvent {
  // An unknown principal (0x6) has no SID and no ticket: Windows writes S-1-0-0, 0xffffffff and `-`.
  const unknown = o.status === '0x6';
  return security(dc, 4768, {
    TargetUserName: o.account, TargetDomainName: o.realm, TargetSid: unknown ? NULL_SID : o.sid,
    ServiceName: unknown ? `krbtgt/${o.realm}` : 'krbtgt', ServiceSid: unknown ? NULL_SID : o.krbtgtSid,
    TicketOptions: o.ticketOptions, Status: o.status, TicketEncryptionType: unknown ? '0xffffffff' : o.etype,
    PreAuthType: unknown ? '-' : o.preAuthType, IpAddress: o.ip, IpPort: String(o.port),
    CertIssuerName: '', CertSerialNumber: '', CertThumbprint: '',
  });
}

/** 4769: TGS-REQ. `TargetUserName` is `user@REALM`; `ServiceName` is the service's account, not the SPN. */
export function serviceTicket(dc: string, o: {
  account: string; realm: string; service: string; serviceSid: string; ticketOptions: string; etype: string;
  ip: string; port: number; logonGuid: string;
}): GeneratedEvent {
  return security(dc, 4769, {
    TargetUserName: `${o.account}@${o.realm}`, TargetDomainName: o.realm, ServiceName: o.service, ServiceSid: o.serviceSid,
    TicketOptions: o.ticketOptions, TicketEncryptionType: o.etype, IpAddress: o.ip, IpPort: String(o.port),
    Status: '0x0', LogonGuid: `{${o.logonGuid}}`, TransmittedServices: '-',
  });
}

/** 4771: Kerberos pre-authentication failed (0x18: wrong password). */
export function preauthFailure(dc: string, o: { account: string; sid: string; realm: string; status: string; ip: string; port: number }): GeneratedEvent {
  return security(dc, 4771, {
    TargetUserName: o.account, TargetSid: o.sid, ServiceName: `krbtgt/${o.realm}`, TicketOptions: '0x40810010',
    Status: o.status, PreAuthType: '2', IpAddress: o.ip, IpPort: String(o.port), CertIssuerName: '', CertSerialNumber: '', CertThumbprint: '',
  });
}

/** 4776: the DC validated NTLM credentials on behalf of `workstation`. */
export function ntlmValidation(dc: string, o: { account: string; workstation: string; status: string }): GeneratedEvent {
  return security(dc, 4776, { PackageName: 'MICROSOFT_AUTHENTICATION_PACKAGE_V1_0', TargetUserName: o.account, Workstation: o.workstation, Status: o.status });
}

export interface LogonFields {
  readonly account: string;
  readonly sid: string;
  readonly domain: string;
  readonly logonId: string;
  readonly logonType: number;
  readonly ip: string;
  readonly port: number;
  /** Kerberos, NTLM (network), Negotiate (interactive), or seclogo (runas /netonly). */
  readonly auth: 'kerberos' | 'ntlm' | 'interactive' | 'newcredentials';
  readonly workstation?: string;
  readonly logonGuid?: string;
  readonly keyLength?: number;
  readonly subject?: Subject;
  readonly processName?: string;
  readonly elevated?: boolean;
  readonly outboundAccount?: string;
  readonly outboundDomain?: string;
}

/** LogonProcessName (padded as Windows pads it) and AuthenticationPackageName per kind of logon. */
const LOGON_PACKAGES = {
  kerberos: ['Kerberos', 'Kerberos'], ntlm: ['NtLmSsp ', 'NTLM'], interactive: ['User32 ', 'Negotiate'], newcredentials: ['seclogo', 'Negotiate'],
} as const;
const NO_SUBJECT: Subject = { sid: NULL_SID, name: '-', domain: '-', logonId: '0x0' };

/** 4624 (version 2, Windows 10 / Server 2016 and later). */
export function logon(computer: string, o: LogonFields): GeneratedEvent {
  const pkg = LOGON_PACKAGES[o.auth];
  return Object.assign(withSubject(computer, 4624, o.subject ?? NO_SUBJECT), {
    TargetUserSid: o.sid, TargetUserName: o.account, TargetDomainName: o.domain, TargetLogonId: o.logonId,
    LogonType: String(o.logonType), LogonProcessName: pkg[0], AuthenticationPackageName: pkg[1],
    WorkstationName: o.workstation ?? '-', LogonGuid: o.logonGuid ? `{${o.logonGuid}}` : NO_GUID, TransmittedServices: '-',
    LmPackageName: o.auth === 'ntlm' ? 'NTLM V2' : '-', KeyLength: String(o.keyLength ?? 0),
    ProcessId: o.processName ? '0x2f4' : '0x0', ProcessName: o.processName ?? '-', IpAddress: o.ip, IpPort: String(o.port),
    ImpersonationLevel: '%%1833', RestrictedAdminMode: '-',
    TargetOutboundUserName: o.outboundAccount ?? '-', TargetOutboundDomainName: o.outboundDomain ?? '-',
    VirtualAccount: '%%1843', TargetLinkedLogonId: '0x0', ElevatedToken: o.elevated === false ? '%%1843' : '%%1842',
  });
}

/** 4625: a logon failed; network logons carry the NULL SID as subject. */
export function logonFailure(computer: string, o: {
  account: string; domain: string; status: string; subStatus: string; logonType: number; auth: 'ntlm' | 'kerberos';
  workstation: string; ip: string; port: number;
}): GeneratedEvent {
  return security(computer, 4625, {
    SubjectUserSid: NULL_SID, SubjectUserName: '-', SubjectDomainName: '-', SubjectLogonId: '0x0',
    TargetUserSid: NULL_SID, TargetUserName: o.account, TargetDomainName: o.domain, Status: o.status, FailureReason: '%%2313',
    SubStatus: o.subStatus, LogonType: String(o.logonType), LogonProcessName: o.auth === 'ntlm' ? 'NtLmSsp ' : 'Kerberos',
    AuthenticationPackageName: o.auth === 'ntlm' ? 'NTLM' : 'Kerberos', WorkstationName: o.workstation, TransmittedServices: '-',
    LmPackageName: '-', KeyLength: '0', ProcessId: '0x0', ProcessName: '-', IpAddress: o.ip, IpPort: String(o.port),
  });
}

export function logoff(computer: string, o: { account: string; sid: string; domain: string; logonId: string; logonType: number }): GeneratedEvent {
  return security(computer, 4634, { TargetUserSid: o.sid, TargetUserName: o.account, TargetDomainName: o.domain, TargetLogonId: o.logonId, LogonType: String(o.logonType) });
}

export const ADMIN_PRIVILEGES = ['SeSecurityPrivilege', 'SeBackupPrivilege', 'SeRestorePrivilege', 'SeTakeOwnershipPrivilege', 'SeDebugPrivilege',
  'SeSystemEnvironmentPrivilege', 'SeLoadDriverPrivilege', 'SeImpersonatePrivilege', 'SeDelegateSessionUserImpersonatePrivilege', 'SeEnableDelegationPrivilege'].join('\n\t\t\t');

/** 4672: special privileges assigned to a new logon (admins, service accounts with backup rights). */
export function specialLogon(computer: string, s: Subject, privileges = ADMIN_PRIVILEGES): GeneratedEvent {
  return Object.assign(withSubject(computer, 4672, s), {
 PrivilegeList: privileges });
}

/** 4662 on a DC: an operation on a directory object (ObjectServer DS). */
export function directoryAccess(dc: string, s: Subject, o: { objectClassGuid: string; objectGuid: string; accessMask: string; accessCode: string; properties: string }): GeneratedEvent {
  return Object.assign(withSubject(dc, 4662, s), {
    ObjectServer: 'DS', ObjectType: `%{${o.objectClassGuid}}`, ObjectName: `%{${o.objectGuid}}`, OperationType: 'Object Access',
    HandleId: '0x0', AccessList: `${o.accessCode}\n\t\t\t\t`, AccessMask: o.accessMask, Properties: o.properties, AdditionalInfo: '-', AdditionalInfo2: '',
  });
}

/** 4661: a handle to a SAM object was requested (needs a SACL on the SAM objects). */
export function samAccess(dc: string, s: Subject, o: { objectType: string; objectName: string; accessMask: string; handleId: string; properties: string }): GeneratedEvent {
  return Object.assign(withSubject(dc, 4661, s), {
    ObjectServer: 'Security Account Manager', ObjectType: o.objectType, ObjectName: o.objectName, HandleId: o.handleId,
    TransactionId: NO_GUID, AccessList: '%%5392\n\t\t\t\t%%5394\n\t\t\t\t%%5395\n\t\t\t\t', AccessReason: '-', AccessMask: o.accessMask,
    PrivilegeList: '-', Properties: o.properties, RestrictedSidCount: '0', ProcessId: '0x2a4', ProcessName: 'C:\\Windows\\System32\\lsass.exe',
  });
}

/** 5136: a directory object attribute was modified (%%14674 value added, %%14675 value deleted). */
export function directoryChange(dc: string, s: Subject, o: {
  dnsName: string; objectDn: string; objectGuid: string; objectClass: string; attribute: string; syntaxOid: string; value: string;
  correlationId: string; operation: '%%14674' | '%%14675';
}): GeneratedEvent {
  return security(dc, 5136, {
    OpCorrelationID: `{${o.correlationId}}`, AppCorrelationID: '-', ...subject(s), DSName: o.dnsName, DSType: '%%14676',
    ObjectDN: o.objectDn, ObjectGUID: `{${o.objectGuid}}`, ObjectClass: o.objectClass, AttributeLDAPDisplayName: o.attribute,
    AttributeSyntaxOID: o.syntaxOid, AttributeValue: o.value, OperationType: o.operation,
  });
}

/** 4738: a user account was changed; fields that did not change are `-`. */
export function userChanged(dc: string, s: Subject, o: {
  account: string; domain: string; sid: string; passwordLastSet?: string; oldUac?: string; newUac?: string; uacChanges?: string;
}): GeneratedEvent {
  return security(dc, 4738, {
    Dummy: '-', TargetUserName: o.account, TargetDomainName: o.domain, TargetSid: o.sid, ...subject(s), PrivilegeList: '-',
    SamAccountName: '-', DisplayName: '-', UserPrincipalName: '-', HomeDirectory: '-', HomePath: '-', ScriptPath: '-', ProfilePath: '-',
    UserWorkstations: '-', PasswordLastSet: o.passwordLastSet ?? '-', AccountExpires: '-', PrimaryGroupId: '-', AllowedToDelegateTo: '-',
    OldUacValue: o.oldUac ?? '-', NewUacValue: o.newUac ?? '-', UserAccountControl: o.uacChanges ?? '-', UserParameters: '-', SidHistory: '-', LogonHours: '-',
  });
}

/** 4724: an attempt was made to reset an account's password. */
export function passwordReset(dc: string, s: Subject, o: { account: string; domain: string; sid: string }): GeneratedEvent {
  return security(dc, 4724, { TargetUserName: o.account, TargetDomainName: o.domain, TargetSid: o.sid, ...subject(s) });
}

const GROUP_ADD_EVENT = { global: 4728, local: 4732, universal: 4756 } as const;

/** 4728 / 4732 / 4756: a member was added to a security-enabled global / local / universal group. */
export function memberAdded(dc: string, s: Subject, o: { scope: 'global' | 'local' | 'universal'; memberDn: string; memberSid: string; group: string; groupDomain: string; groupSid: string }): GeneratedEvent {
  return security(dc, GROUP_ADD_EVENT[o.scope], {
    MemberName: o.memberDn, MemberSid: o.memberSid, TargetUserName: o.group, TargetDomainName: o.groupDomain, TargetSid: o.groupSid, ...subject(s), PrivilegeList: '-',
  });
}

/** 7045 (System log): the Service Control Manager installed a service; UserID is the installer. */
export function serviceInstalledSystem(computer: string, o: { installerSid: string; serviceName: string; imagePath: string; startType: string; account: string }): GeneratedEvent {
  return {
    TimeCreated: '', Computer: computer, Channel: 'System', Provider: 'Service Control Manager', EventID: 7045, EventRecordID: 0,
    UserID: o.installerSid, ServiceName: o.serviceName, ImagePath: o.imagePath, ServiceType: 'user mode service', StartType: o.startType, AccountName: o.account,
  };
}

/** 4697 (Security System Extension): the same install, seen by the audit log. */
export function serviceInstalledSecurity(computer: string, s: Subject, o: { serviceName: string; imagePath: string; startType: string; account: string }): GeneratedEvent {
  return Object.assign(withSubject(computer, 4697, s), {
    ServiceName: o.serviceName, ServiceFileName: o.imagePath, ServiceType: '0x10', ServiceStartType: o.startType, ServiceAccount: o.account,
  });
}

/** 4698: a scheduled task was created. RpcCallClientLocality 0 means the call came over the network. */
export function taskCreated(computer: string, s: Subject, o: { taskName: string; command: string; author: string; date: string; fqdn: string; remote: boolean }): GeneratedEvent {
  return Object.assign(withSubject(computer, 4698, s), {
    TaskName: o.taskName, TaskContent: taskXml(o.taskName, o.command, o.author, o.date),
    ClientProcessStartKey: o.remote ? '0' : '1688849860263983', ClientProcessId: o.remote ? '0' : '1312', ParentProcessId: o.remote ? '0' : '784',
    RpcCallClientLocality: o.remote ? '0' : '1', FQDN: o.fqdn,
  });
}

function taskXml(uri: string, command: string, author: string, date: string): string {
  return `<?xml version="1.0" encoding="UTF-16"?>\n<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">\n  <RegistrationInfo>\n    <Date>${date}</Date>\n    <Author>${author}</Author>\n    <URI>${uri}</URI>\n  </RegistrationInfo>\n  <Triggers>\n    <CalendarTrigger>\n      <StartBoundary>${date}</StartBoundary>\n      <Enabled>true</Enabled>\n      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n    </CalendarTrigger>\n  </Triggers>\n  <Settings>\n    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n    <StartWhenAvailable>true</StartWhenAvailable>\n    <Enabled>true</Enabled>\n    <ExecutionTimeLimit>PT72H</ExecutionTimeLimit>\n    <Priority>7</Priority>\n  </Settings>\n  <Actions Context="Author">\n    <Exec>\n      <Command>${command}</Command>\n    </Exec>\n  </Actions>\n  <Principals>\n    <Principal id="Author">\n      <UserId>S-1-5-18</UserId>\n      <RunLevel>HighestAvailable</RunLevel>\n    </Principal>\n  </Principals>\n</Task>`;
}

/** 5140: a network share was accessed (once per session and share). */
export function shareAccess(computer: string, s: Subject, o: { ip: string; port: number; share: string; localPath: string }): GeneratedEvent {
  return Object.assign(withSubject(computer, 5140, s), {
    ObjectType: 'File', IpAddress: o.ip, IpPort: String(o.port), ShareName: `\\\\*\\${o.share}`, ShareLocalPath: o.localPath,
    AccessMask: '0x1', AccessList: '%%4416\n\t\t\t\t',
  });
}

/** 5145: detailed file share access check; named pipes appear under IPC$ by pipe name. */
export function shareObjectCheck(computer: string, s: Subject, o: { ip: string; port: number; share: string; localPath: string; target: string; accessMask: string; accessList: string }): GeneratedEvent {
  return Object.assign(withSubject(computer, 5145, s), {
    ObjectType: 'File', IpAddress: o.ip, IpPort: String(o.port), ShareName: `\\\\*\\${o.share}`, ShareLocalPath: o.localPath,
    RelativeTargetName: o.target, AccessMask: o.accessMask, AccessList: o.accessList, AccessReason: '-',
  });
}

/** 4799: a security-enabled local group's membership was enumerated. */
export function localGroupEnumerated(computer: string, s: Subject, o: { group: string; groupSid: string; process: string }): GeneratedEvent {
  return security(computer, 4799, {
    TargetUserName: o.group, TargetDomainName: 'Builtin', TargetSid: o.groupSid, ...subject(s), CallerProcessId: '0x1a3c', CallerProcessName: o.process,
  });
}

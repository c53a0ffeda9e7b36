/**
 * How Windows renders each event's message in the classic (non-XML) event log, as the Splunk
 * Add-on for Windows indexes it with `renderXml = false`: sections ("Subject:", "New Logon:")
 * of "Label: value" lines, from the message templates in Microsoft's per-event docs
 * (learn.microsoft.com, "4624(S): An account was successfully logged on." and siblings).
 * Each item names the EventData field the XML form carries, so one table maps classic → canonical
 * (and, in tests, renders canonical events as classic ones).
 */
export interface ClassicItem {
  readonly label: string;
  readonly field: string;
}

export interface ClassicSection {
  /** '' for items printed before any section header (e.g. 4624 "Impersonation Level"). */
  readonly title: string;
  readonly items: readonly ClassicItem[];
}

export interface ClassicLayout {
  readonly message: string;
  readonly sections: readonly ClassicSection[];
}

const s = (title: string, ...items: [string, string][]): ClassicSection => ({ title, items: items.map(([label, field]) => ({ label, field })) });
const who = (title: string, prefix: 'Subject' | 'Target'): ClassicSection =>
  s(title, ['Security ID', `${prefix}UserSid`], ['Account Name', `${prefix}UserName`], ['Account Domain', `${prefix}DomainName`], ['Logon ID', `${prefix}LogonId`]);
const SUBJECT = who('Subject', 'Subject');
const TARGET_ACCOUNT = (title: string): ClassicSection => s(title, ['Security ID', 'TargetSid'], ['Account Name', 'TargetUserName'], ['Account Domain', 'TargetDomainName']);
const GROUP = s('Group', ['Security ID', 'TargetSid'], ['Group Name', 'TargetUserName'], ['Group Domain', 'TargetDomainName']);
const MEMBER = s('Member', ['Security ID', 'MemberSid'], ['Account Name', 'MemberName']);
const KERBEROS_ACCOUNT = s('Account Information', ['Account Name', 'TargetUserName'], ['Supplied Realm Name', 'TargetDomainName'], ['User ID', 'TargetSid']);
const KERBEROS_NETWORK = s('Network Information', ['Client Address', 'IpAddress'], ['Client Port', 'IpPort']);
const TASK = (content: string): ClassicSection => s('Task Information', ['Task Name', 'TaskName'], [content, content === 'Task New Content' ? 'TaskContentNew' : 'TaskContent']);
const DS_OBJECT = s('Object', ['DN', 'ObjectDN'], ['GUID', 'ObjectGUID'], ['Class', 'ObjectClass']);
const DIRECTORY = s('Directory Service', ['Name', 'DSName'], ['Type', 'DSType']);
const SHARE_NETWORK = s('Network Information', ['Object Type', 'ObjectType'], ['Source Address', 'IpAddress'], ['Source Port', 'IpPort']);
const USER_ATTRIBUTES = s('Attributes',
  ['SAM Account Name', 'SamAccountName'], ['Display Name', 'DisplayName'], ['User Principal Name', 'UserPrincipalName'],
  ['Home Directory', 'HomeDirectory'], ['Home Drive', 'HomePath'], ['Script Path', 'ScriptPath'], ['Profile Path', 'ProfilePath'],
  ['User Workstations', 'UserWorkstations'], ['Password Last Set', 'PasswordLastSet'], ['Account Expires', 'AccountExpires'],
  ['Primary Group ID', 'PrimaryGroupId'], ['Allowed To Delegate To', 'AllowedToDelegateTo'], ['Old UAC Value', 'OldUacValue'],
  ['New UAC Value', 'NewUacValue'], ['User Account Control', 'UserAccountControl'], ['User Parameters', 'UserParameters'],
  ['SID History', 'SidHistory'], ['Logon Hours', 'LogonHours'], ['Service Principal Names', 'ServicePrincipalNames'], ['DNS Host Name', 'DnsHostName']);
const account = (message: string, target: string): ClassicLayout => ({ message, sections: [SUBJECT, TARGET_ACCOUNT(target)] });
const userChange = (message: string, target: string): ClassicLayout => ({ message, sections: [SUBJECT, TARGET_ACCOUNT(target), USER_ATTRIBUTES, s('Additional Information', ['Privileges', 'PrivilegeList'])] });
const groupChange = (message: string): ClassicLayout => ({ message, sections: [SUBJECT, MEMBER, GROUP, s('Additional Information', ['Privileges', 'PrivilegeList'])] });
const dsChange = (message: string): ClassicLayout => ({
  message,
  sections: [SUBJECT, DIRECTORY, DS_OBJECT, s('Operation', ['Correlation ID', 'OpCorrelationID'], ['Application Correlation ID', 'AppCorrelationID'])],
});
const task = (message: string, content = 'Task Content'): ClassicLayout => ({ message, sections: [SUBJECT, TASK(content)] });
const shareAccess = (message: string, extra: ClassicItem[]): ClassicLayout => ({
  message,
  sections: [SUBJECT, SHARE_NETWORK, { title: 'Share Information', items: [{ label: 'Share Name', field: 'ShareName' }, { label: 'Share Path', field: 'ShareLocalPath' }, ...extra] },
    s('Access Request Information', ['Access Mask', 'AccessMask'], ['Accesses', 'AccessList'])],
});

export const CLASSIC_LAYOUTS: Readonly<Record<number, ClassicLayout>> = {
  1102: { message: 'The audit log was cleared.', sections: [s('Subject', ['Security ID', 'SubjectUserSid'], ['Account Name', 'SubjectUserName'], ['Domain Name', 'SubjectDomainName'], ['Logon ID', 'SubjectLogonId'])] },
  4657: {
    message: 'A registry value was modified.',
    sections: [SUBJECT, s('Object', ['Object Name', 'ObjectName'], ['Object Value Name', 'ObjectValueName'], ['Handle ID', 'HandleId'], ['Operation Type', 'OperationType']),
      s('Process Information', ['Process ID', 'ProcessId'], ['Process Name', 'ProcessName']),
      s('Change Information', ['Old Value Type', 'OldValueType'], ['Old Value', 'OldValue'], ['New Value Type', 'NewValueType'], ['New Value', 'NewValue'])],
  },
  4794: { message: 'An attempt was made to set the Directory Services Restore Mode administrator password.', sections: [SUBJECT, s('Additional Information', ['Caller Workstation', 'Workstation'], ['Status Code', 'Status'])] },
  4624: {
    message: 'An account was successfully logged on.',
    sections: [SUBJECT,
      s('Logon Information', ['Logon Type', 'LogonType'], ['Restricted Admin Mode', 'RestrictedAdminMode'], ['Virtual Account', 'VirtualAccount'], ['Elevated Token', 'ElevatedToken']),
      s('', ['Impersonation Level', 'ImpersonationLevel']),
      s('New Logon', ['Security ID', 'TargetUserSid'], ['Account Name', 'TargetUserName'], ['Account Domain', 'TargetDomainName'], ['Logon ID', 'TargetLogonId'],
        ['Linked Logon ID', 'TargetLinkedLogonId'], ['Network Account Name', 'TargetOutboundUserName'], ['Network Account Domain', 'TargetOutboundDomainName'], ['Logon GUID', 'LogonGuid']),
      s('Process Information', ['Process ID', 'ProcessId'], ['Process Name', 'ProcessName']),
      s('Network Information', ['Workstation Name', 'WorkstationName'], ['Source Network Address', 'IpAddress'], ['Source Port', 'IpPort']),
      s('Detailed Authentication Information', ['Logon Process', 'LogonProcessName'], ['Authentication Package', 'AuthenticationPackageName'],
        ['Transited Services', 'TransmittedServices'], ['Package Name (NTLM only)', 'LmPackageName'], ['Key Length', 'KeyLength'])],
  },
  4625: {
    message: 'An account failed to log on.',
    sections: [SUBJECT, s('', ['Logon Type', 'LogonType']),
      s('Account For Which Logon Failed', ['Security ID', 'TargetUserSid'], ['Account Name', 'TargetUserName'], ['Account Domain', 'TargetDomainName']),
      s('Failure Information', ['Failure Reason', 'FailureReason'], ['Status', 'Status'], ['Sub Status', 'SubStatus']),
      s('Process Information', ['Caller Process ID', 'ProcessId'], ['Caller Process Name', 'ProcessName']),
      s('Network Information', ['Workstation Name', 'WorkstationName'], ['Source Network Address', 'IpAddress'], ['Source Port', 'IpPort']),
      s('Detailed Authentication Information', ['Logon Process', 'LogonProcessName'], ['Authentication Package', 'AuthenticationPackageName'],
        ['Transited Services', 'TransmittedServices'], ['Package Name (NTLM only)', 'LmPackageName'], ['Key Length', 'KeyLength'])],
  },
  4648: {
    message: 'A logon was attempted using explicit credentials.',
    sections: [SUBJECT,
      s('Account Whose Credentials Were Used', ['Account Name', 'TargetUserName'], ['Account Domain', 'TargetDomainName'], ['Logon GUID', 'TargetLogonGuid']),
      s('Target Server', ['Target Server Name', 'TargetServerName'], ['Additional Information', 'TargetInfo']),
      s('Process Information', ['Process ID', 'ProcessId'], ['Process Name', 'ProcessName']),
      s('Network Information', ['Network Address', 'IpAddress'], ['Port', 'IpPort'])],
  },
  4661: {
    message: 'A handle to an object was requested.',
    sections: [SUBJECT,
      s('Object', ['Object Server', 'ObjectServer'], ['Object Type', 'ObjectType'], ['Object Name', 'ObjectName'], ['Handle ID', 'HandleId']),
      s('Process Information', ['Process ID', 'ProcessId'], ['Process Name', 'ProcessName']),
      s('Access Request Information', ['Transaction ID', 'TransactionId'], ['Accesses', 'AccessList'], ['Access Reasons', 'AccessReason'], ['Access Mask', 'AccessMask'],
        ['Privileges Used for Access Check', 'PrivilegeList'], ['Properties', 'Properties'], ['Restricted SID Count', 'RestrictedSidCount'])],
  },
  4662: {
    message: 'An operation was performed on an object.',
    sections: [SUBJECT,
      s('Object', ['Object Server', 'ObjectServer'], ['Object Type', 'ObjectType'], ['Object Name', 'ObjectName'], ['Handle ID', 'HandleId']),
      s('Operation', ['Operation Type', 'OperationType'], ['Accesses', 'AccessList'], ['Access Mask', 'AccessMask'], ['Properties', 'Properties']),
      s('Additional Information', ['Parameter 1', 'AdditionalInfo'], ['Parameter 2', 'AdditionalInfo2'])],
  },
  4672: { message: 'Special privileges assigned to new logon.', sections: [SUBJECT, s('', ['Privileges', 'PrivilegeList'])] },
  4688: {
    message: 'A new process has been created.',
    sections: [s('Creator Subject', ['Security ID', 'SubjectUserSid'], ['Account Name', 'SubjectUserName'], ['Account Domain', 'SubjectDomainName'], ['Logon ID', 'SubjectLogonId']),
      who('Target Subject', 'Target'),
      s('Process Information', ['New Process ID', 'NewProcessId'], ['New Process Name', 'NewProcessName'], ['Token Elevation Type', 'TokenElevationType'],
        ['Mandatory Label', 'MandatoryLabel'], ['Creator Process ID', 'ProcessId'], ['Creator Process Name', 'ParentProcessName'], ['Process Command Line', 'CommandLine'])],
  },
  4697: {
    message: 'A service was installed in the system.',
    sections: [SUBJECT, s('Service Information', ['Service Name', 'ServiceName'], ['Service File Name', 'ServiceFileName'], ['Service Type', 'ServiceType'],
      ['Service Start Type', 'ServiceStartType'], ['Service Account', 'ServiceAccount'])],
  },
  4698: task('A scheduled task was created.'),
  4699: task('A scheduled task was deleted.'),
  4700: task('A scheduled task was enabled.'),
  4701: task('A scheduled task was disabled.'),
  4702: task('A scheduled task was updated.', 'Task New Content'),
  4720: userChange('A user account was created.', 'New Account'),
  4722: account('A user account was enabled.', 'Target Account'),
  4723: account("An attempt was made to change an account's password.", 'Target Account'),
  4724: account("An attempt was made to reset an account's password.", 'Target Account'),
  4725: account('A user account was disabled.', 'Target Account'),
  4726: account('A user account was deleted.', 'Target Account'),
  4738: userChange('A user account was changed.', 'Target Account'),
  4740: { message: 'A user account was locked out.', sections: [SUBJECT, s('Account That Was Locked Out', ['Security ID', 'TargetSid'], ['Account Name', 'TargetUserName']), s('Additional Information', ['Caller Computer Name', 'TargetDomainName'])] },
  4741: userChange('A computer account was created.', 'New Computer Account'),
  4742: userChange('A computer account was changed.', 'Computer Account That Was Changed'),
  4743: account('A computer account was deleted.', 'Target Computer'),
  4728: groupChange('A member was added to a security-enabled global group.'),
  4729: groupChange('A member was removed from a security-enabled global group.'),
  4732: groupChange('A member was added to a security-enabled local group.'),
  4733: groupChange('A member was removed from a security-enabled local group.'),
  4756: groupChange('A member was added to a security-enabled universal group.'),
  4757: groupChange('A member was removed from a security-enabled universal group.'),
  4765: { message: 'SID History was added to an account.', sections: [SUBJECT, TARGET_ACCOUNT('Target Account'), s('Source Account', ['Security ID', 'SourceSid'], ['Account Name', 'SourceUserName']), s('Additional Information', ['Privileges', 'PrivilegeList'], ['SID List', 'SidList'])] },
  4766: { message: 'An attempt to add SID History to an account failed.', sections: [SUBJECT, TARGET_ACCOUNT('Target Account'), s('Source Account', ['Security ID', 'SourceSid'], ['Account Name', 'SourceUserName']), s('Additional Information', ['Privileges', 'PrivilegeList'])] },
  4767: account('A user account was unlocked.', 'Target Account'),
  4768: {
    message: 'A Kerberos authentication ticket (TGT) was requested.',
    sections: [KERBEROS_ACCOUNT, s('Service Information', ['Service Name', 'ServiceName'], ['Service ID', 'ServiceSid']), KERBEROS_NETWORK,
      s('Additional Information', ['Ticket Options', 'TicketOptions'], ['Result Code', 'Status'], ['Ticket Encryption Type', 'TicketEncryptionType'], ['Pre-Authentication Type', 'PreAuthType']),
      s('Certificate Information', ['Certificate Issuer Name', 'CertIssuerName'], ['Certificate Serial Number', 'CertSerialNumber'], ['Certificate Thumbprint', 'CertThumbprint'])],
  },
  4769: {
    message: 'A Kerberos service ticket was requested.',
    sections: [s('Account Information', ['Account Name', 'TargetUserName'], ['Account Domain', 'TargetDomainName'], ['Logon GUID', 'LogonGuid']),
      s('Service Information', ['Service Name', 'ServiceName'], ['Service ID', 'ServiceSid']), KERBEROS_NETWORK,
      s('Additional Information', ['Ticket Options', 'TicketOptions'], ['Ticket Encryption Type', 'TicketEncryptionType'], ['Failure Code', 'Status'], ['Transited Services', 'TransmittedServices'])],
  },
  4770: {
    message: 'A Kerberos service ticket was renewed.',
    sections: [s('Account Information', ['Account Name', 'TargetUserName'], ['Account Domain', 'TargetDomainName']),
      s('Service Information', ['Service Name', 'ServiceName'], ['Service ID', 'ServiceSid']), KERBEROS_NETWORK,
      s('Additional Information', ['Ticket Options', 'TicketOptions'], ['Ticket Encryption Type', 'TicketEncryptionType'])],
  },
  4771: {
    message: 'Kerberos pre-authentication failed.',
    sections: [s('Account Information', ['Security ID', 'TargetSid'], ['Account Name', 'TargetUserName']),
      s('Service Information', ['Service Name', 'ServiceName']), KERBEROS_NETWORK,
      s('Additional Information', ['Ticket Options', 'TicketOptions'], ['Failure Code', 'Status'], ['Pre-Authentication Type', 'PreAuthType']),
      s('Certificate Information', ['Certificate Issuer Name', 'CertIssuerName'], ['Certificate Serial Number', 'CertSerialNumber'], ['Certificate Thumbprint', 'CertThumbprint'])],
  },
  4776: {
    message: 'The computer attempted to validate the credentials for an account.',
    sections: [s('', ['Authentication Package', 'PackageName'], ['Logon Account', 'TargetUserName'], ['Source Workstation', 'Workstation'], ['Error Code', 'Status'])],
  },
  4781: { message: 'The name of an account was changed.', sections: [SUBJECT, s('Target Account', ['Security ID', 'TargetSid'], ['Account Domain', 'TargetDomainName'], ['Old Account Name', 'OldTargetUserName'], ['New Account Name', 'NewTargetUserName']), s('Additional Information', ['Privileges', 'PrivilegeList'])] },
  4798: {
    message: "A user's local group membership was enumerated.",
    sections: [SUBJECT, s('User', ['Security ID', 'TargetSid'], ['Account Name', 'TargetUserName'], ['Account Domain', 'TargetDomainName']), s('Process Information', ['Process ID', 'CallerProcessId'], ['Process Name', 'CallerProcessName'])],
  },
  4799: {
    message: 'A security-enabled local group membership was enumerated.',
    sections: [SUBJECT, GROUP, s('Process Information', ['Process ID', 'CallerProcessId'], ['Process Name', 'CallerProcessName'])],
  },
  5136: {
    message: 'A directory service object was modified.',
    sections: [SUBJECT, DIRECTORY, DS_OBJECT,
      s('Attribute', ['LDAP Display Name', 'AttributeLDAPDisplayName'], ['Syntax (OID)', 'AttributeSyntaxOID'], ['Value', 'AttributeValue']),
      s('Operation', ['Type', 'OperationType'], ['Correlation ID', 'OpCorrelationID'], ['Application Correlation ID', 'AppCorrelationID'])],
  },
  5137: dsChange('A directory service object was created.'),
  5139: {
    message: 'A directory service object was moved.',
    sections: [SUBJECT, DIRECTORY, s('Object', ['Old DN', 'OldObjectDN'], ['New DN', 'NewObjectDN'], ['GUID', 'ObjectGUID'], ['Class', 'ObjectClass']),
      s('Operation', ['Correlation ID', 'OpCorrelationID'], ['Application Correlation ID', 'AppCorrelationID'])],
  },
  5141: dsChange('A directory service object was deleted.'),
  5140: shareAccess('A network share object was accessed.', []),
  5145: shareAccess('A network share object was checked to see whether client can be granted desired access.', [{ label: 'Relative Target Name', field: 'RelativeTargetName' }]),
};

/** System log. */
export const CLASSIC_SYSTEM_LAYOUTS: Readonly<Record<number, ClassicLayout>> = {
  7045: {
    message: 'A service was installed in the system.',
    sections: [s('', ['Service Name', 'ServiceName'], ['Service File Name', 'ImagePath'], ['Service Type', 'ServiceType'], ['Service Start Type', 'StartType'], ['Service Account', 'AccountName'])],
  },
};

/**
 * Message-table insertion strings (`%%n`) the classic log renders as text but detectors match
 * by code: 5136 OperationType, 4738 UserAccountControl changes, "<value not set>".
 */
export const INSERTION_STRINGS: Readonly<Record<string, string>> = {
  '%%14674': 'Value Added',
  '%%14675': 'Value Deleted',
  '%%2096': "'Don't Require Preauth' - Enabled",
  '%%2064': "'Don't Require Preauth' - Disabled",
  '%%1793': '<value not set>',
};

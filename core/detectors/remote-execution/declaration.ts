import type { DetectorDeclaration } from '../detector';
import { none } from '../../rules/tree';

export const declaration: DetectorDeclaration = {
  id: 'remote_code_execution',
  title: 'Remote code execution attempt',
  summary: 'Code started on a host from another machine: a service installed (7045/4697), a scheduled task created or changed (4698/4702), or a process started by WMI, WinRM or any other means (DCOM, SSH) inside a network logon from elsewhere (4688/Sysmon 1); an executable copied to an admin share then the service manager opened, or the service manager driven at machine speed (5145). High on domain controllers and tier-0 hosts, medium elsewhere; routine (source, account) pairs are learned per target.',
  severity: 'high',
  mitre: { tactics: ['lateral-movement', 'execution'], techniques: ['T1021.002', 'T1021.006', 'T1047', 'T1053.005', 'T1543.003', 'T1569.002'] },
  requires: [{
    channel: 'Security', eventIds: [4624],
    fields: ['TargetLogonId', 'LogonType', 'IpAddress', 'WorkstationName', 'TargetUserName', 'TargetUserSid'],
    auditPolicy: 'Audit Logon (Success) on every host to protect: the network logon each remote action happens in',
  }, {
    channel: 'Security', eventIds: [4769],
    fields: ['TargetUserName', 'ServiceName', 'IpAddress', 'Status'],
    auditPolicy: 'Audit Kerberos Service Ticket Operations (Success) on DCs: the client address of WinRM logons, which log none on the target',
  }, {
    channel: 'System', eventIds: [7045],
    fields: ['ServiceName', 'ImagePath', 'AccountName', 'UserID'],
    auditPolicy: 'None: the Service Control Manager always writes 7045 to the System log (collect the System log)',
  }, {
    channel: 'Security', eventIds: [4697],
    fields: ['SubjectUserName', 'SubjectUserSid', 'SubjectLogonId', 'ServiceName', 'ServiceFileName'],
    auditPolicy: 'Audit Security System Extension (Success)',
  }, {
    channel: 'Security', eventIds: [4698, 4702],
    fields: ['SubjectUserName', 'SubjectUserSid', 'SubjectLogonId', 'TaskName', 'RpcCallClientLocality'],
    auditPolicy: 'Audit Other Object Access Events (Success)',
  }, {
    channel: 'Security', eventIds: [5145],
    fields: ['ShareName', 'RelativeTargetName', 'AccessMask', 'IpAddress', 'SubjectUserName', 'SubjectUserSid', 'SubjectLogonId'],
    auditPolicy: 'Audit Detailed File Share (Success): IPC$\\svcctl and IPC$\\atsvc pipe opens, writes to ADMIN$ and C$',
  }, {
    channel: 'Security', eventIds: [4688],
    fields: ['NewProcessName', 'NewProcessId', 'ProcessId', 'ParentProcessName', 'CommandLine', 'SubjectLogonId', 'TargetUserName', 'TargetLogonId'],
    auditPolicy: 'Audit Process Creation (Success), with "Include command line in process creation events"',
  }, {
    channel: 'Microsoft-Windows-Sysmon/Operational', eventIds: [1],
    fields: ['Image', 'ParentImage', 'ProcessId', 'ParentProcessId', 'CommandLine', 'User', 'LogonId'],
    auditPolicy: 'Sysmon with ProcessCreate (event 1) enabled: an alternative to 4688',
  }],
  consumes: ['service_installed', 'scheduled_task', 'process_created', 'share_access', 'logon', 'kerberos_service_ticket'],
  falsePositives: [
    'Software deployment and management (SCCM, PDQ, Ansible over WinRM) and backup agents: they recur from the same host with the same account and are learned per target; a pair learned on many hosts is recognised as a deployment system on the others. Exclude their account or host to silence them at once.',
    'Administrators managing servers remotely from their workstation: learned per target, except on tier-0 hosts after the learning period, where a new admin path is reported on purpose.',
    'A 7045 or pre-Windows 10 WMI child is tied to its origin by timing (same account within correlationSeconds, or the logon just before within wmiTimingSeconds): on a busy host a coincidence is possible; the description says which evidence was used.',
  ],
  thresholds: {
    correlationSeconds: { default: 10, minimum: 1, maximum: 600, integer: false, description: 'How far apart a service install or task change and the network logon or RPC pipe open that explains it may be logged' },
    wmiTimingSeconds: { default: 2, minimum: 0.1, maximum: 60, integer: false, description: 'Pre-Windows 10 4688s do not name the new process\'s session: a WmiPrvSE child is tied to a network logon at most this long before it' },
    stagingMinutes: { default: 2, minimum: 0.1, integer: false, description: 'An executable written to ADMIN$/C$ and the service manager pipe opened by the same account from the same address within this time are one remote service execution' },
    scmBurst: { default: 10, minimum: 3, integer: true, description: 'Service manager pipe (IPC$\\svcctl) sessions by one account from one address on one host within scmBurstMinutes that mean service-based command execution' },
    scmBurstMinutes: { default: 5, minimum: 1, integer: false, description: 'Window for scmBurst' },
    learnAfterDays: { default: 3, minimum: 2, integer: true, description: 'Distinct days a (source, account) pair must run code remotely on a target to be learned as routine there' },
    deployerTargets: { default: 10, minimum: 2, integer: true, description: 'Targets on which a (source, account) pair must be learned to be treated as a deployment system on further non-tier-0 hosts' },
  },
  learningPeriodDays: 14,
  bucketHours: 24,
  recommendations: [
    'Confirm with the account owner whether they ran this from the source machine; if not, isolate the source and reset the account\'s password.',
    'Look at what the service, task or process ran on the target (evidence details) and for persistence it left behind.',
    'Restrict who can administer tier-0 hosts remotely to dedicated admin workstations (firewall SMB/RPC/WinRM to DCs from elsewhere).',
  ],
  native: none("joins a service or task creation to the remote logon and Kerberos tickets behind it, against the host's learned baseline of remote administration"),
};

import { account, integer, text } from './fields';
import { done, origin, put, subject, target, type Builder } from './draft';

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

/** Code started on a host, Security log: 4688 process creation, 4697 service installation, 4698-4702 scheduled tasks. */
export const EXECUTION_BUILDERS: Readonly<Record<number, Builder>> = {
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
};

/** The System log's service installation (7045, Service Control Manager). */
export const SERVICE_BUILDERS: Readonly<Record<number, Builder>> = {
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

/** Sysmon's process creation (event 1). */
export const SYSMON_PROCESS_BUILDERS: Readonly<Record<number, Builder>> = {
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
};

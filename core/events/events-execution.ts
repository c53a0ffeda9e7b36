import type { Account } from './fields';
import type { EventOrigin } from './event-origin';

// Code started on a host (services, scheduled tasks, processes) and network share access.

/** 4697 (Security) or 7045 (System): a service was installed. */
export interface ServiceInstalled extends EventOrigin {
  readonly kind: 'service_installed';
  readonly subject?: Account;
  /** 4697 only: the installer's logon session (7045 names the installer by SID alone). */
  readonly logonId?: string;
  readonly serviceName: string;
  readonly imagePath?: string;
  readonly serviceAccount?: string;
  readonly startType?: string;
  readonly serviceType?: string;
}

/** 4698 created, 4699 deleted, 4700 enabled, 4701 disabled, 4702 updated. */
export interface ScheduledTaskChange extends EventOrigin {
  readonly kind: 'scheduled_task';
  readonly action: 'created' | 'deleted' | 'enabled' | 'disabled' | 'updated';
  readonly subject?: Account;
  /** The changer's logon session (SubjectLogonId). */
  readonly logonId?: string;
  readonly taskName: string;
  readonly taskContent?: string;
  /** 0 = the change came over RPC from another machine (`ClientProcessId`-era 4698s). */
  readonly clientProcessId?: number;
  /**
   * Windows 10 1903+ RPC client locality (rpcasync.h: 1 local, 2 remote). Calls that did not
   * come over local RPC are logged as 0 with ClientProcessId 0: the client had no local process.
   */
  readonly rpcCallClientLocality?: number;
}

/** 5140 (share accessed) / 5145 (share object checked). */
export interface ShareAccess extends EventOrigin {
  readonly kind: 'share_access';
  readonly subject?: Account;
  readonly ip?: string;
  readonly shareName: string;
  readonly relativeTarget?: string;
  readonly accessMask?: number;
  readonly logonId?: string;
}

/**
 * 4688 (Security) or Sysmon 1: a process was created. The new process runs in the creator's
 * session unless `targetLogonId` says otherwise (4688 on Windows 10+ logs the new token when it
 * differs; Sysmon always logs it).
 */
export interface ProcessCreated extends EventOrigin {
  readonly kind: 'process_created';
  /** The creator (4688 Subject*); absent for Sysmon, which names only the new process's user. */
  readonly subject?: Account;
  readonly logonId?: string;
  readonly processName: string;
  readonly processId?: number;
  readonly parentProcessId?: number;
  /** 4688 `ParentProcessName` (Windows 10+), Sysmon `ParentImage`. */
  readonly parentProcessName?: string;
  readonly commandLine?: string;
  /** The new process's own account and session when they differ from the creator's. */
  readonly targetAccount?: Account;
  readonly targetLogonId?: string;
}

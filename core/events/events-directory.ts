import type { Account } from './fields';
import type { EventOrigin } from './event-origin';

// Directory service access and change (4661, 4662, 5136-5141, 4928/4929).

/** 4661: a handle to a SAM object was requested. */
export interface SamObjectAccess extends EventOrigin {
  readonly kind: 'sam_object_access';
  readonly subject?: Account;
  readonly objectType?: string;
  readonly objectName?: string;
  readonly accessMask?: number;
  readonly logonId?: string;
}

/** 4662: an operation was performed on a directory object. */
export interface DirectoryObjectAccess extends EventOrigin {
  readonly kind: 'directory_object_access';
  readonly subject?: Account;
  readonly logonId?: string;
  readonly objectServer?: string;
  /** Schema class GUID of the object, lower case. */
  readonly objectType?: string;
  /** Object GUID (or DN) of the object, lower case GUID when it is one. */
  readonly objectName?: string;
  readonly accessMask?: number;
  /** Every GUID in `Properties`: control access rights, property sets, attributes. */
  readonly properties: readonly string[];
  /** `ObjectName` as logged when it is a path, not a bare GUID (LSA: `Policy\Secrets\G$BCKUPKEY_…`). */
  readonly objectPath?: string;
  /** `AdditionalInfo`: for a directory create-child, the DN of the object being created. */
  readonly additionalInfo?: string;
}

/** 5136 modified, 5137 created, 5139 moved, 5141 deleted: directory service changes. */
export interface DirectoryObjectChange extends EventOrigin {
  readonly kind: 'directory_object_change';
  readonly action: 'value_added' | 'value_deleted' | 'created' | 'moved' | 'deleted';
  readonly subject?: Account;
  readonly objectDn: string;
  readonly objectGuid?: string;
  readonly objectClass?: string;
  readonly attribute?: string;
  readonly value?: string;
  readonly correlationId?: string;
  /** The changer's logon session (SubjectLogonId). */
  readonly logonId?: string;
}

/**
 * 4928 established / 4929 removed: a DC added or dropped another DSA as a replication source
 * for a naming context (Audit Detailed Directory Service Replication).
 */
export interface ReplicaSourceChange extends EventOrigin {
  readonly kind: 'replica_source_change';
  readonly action: 'added' | 'removed';
  /** `SourceAddr`: the source DSA's DNS name (`host.domain` or `<DSA GUID>._msdcs.forest`). */
  readonly sourceAddress: string;
  readonly destinationDsa?: string;
  readonly namingContext?: string;
  /** Win32 status of the operation; 0 when it succeeded. */
  readonly status?: number;
}

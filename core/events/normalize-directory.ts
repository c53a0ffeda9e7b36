import { guid, guids, integer, text } from './fields';
import { done, origin, put, subject, type Builder } from './draft';

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

/** Directory service access and change: 4661/4662 object access, 5136-5141 object changes, 4928/4929 replica sources. */
export const DIRECTORY_BUILDERS: Readonly<Record<number, Builder>> = {
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
};

import { text } from './fields';
import { done, origin, put, subject, type Builder } from './draft';

/**
 * A registry value was set: 4657 (Audit Registry, written only for keys with an auditing SACL)
 * or Sysmon 13 (`TargetObject` is the key and value name in one path).
 */
export const registryValueModified: Builder = (r, o) => {
  const keyPath = text(r['ObjectName']);
  const valueName = text(r['ObjectValueName']);
  if (!keyPath || !valueName) return 'no ObjectName/ObjectValueName';
  const e = origin(o, 'registry_value_set');
  e['keyPath'] = keyPath;
  e['valueName'] = valueName;
  put(e, 'subject', subject(r));
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  put(e, 'newValue', text(r['NewValue']));
  put(e, 'oldValue', text(r['OldValue']));
  put(e, 'processName', text(r['ProcessName']));
  return done(e);
};

export const sysmonRegistryValueSet: Builder = (r, o) => {
  const target = text(r['TargetObject']);
  if (!target) return 'no TargetObject';
  const slash = target.lastIndexOf('\\');
  const e = origin(o, 'registry_value_set');
  e['keyPath'] = slash > 0 ? target.slice(0, slash) : target;
  e['valueName'] = slash > 0 ? target.slice(slash + 1) : target;
  // `DWORD (0x00000002)`: the value as Sysmon renders it.
  put(e, 'newValue', text(r['Details']));
  put(e, 'processName', text(r['Image']));
  return done(e);
};

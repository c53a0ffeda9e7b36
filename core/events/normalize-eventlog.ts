import { account, text } from './fields';
import { done, fromProvider, origin, put, subject, type Builder } from './draft';

/**
 * Log clearing, as the Eventlog service itself reports it (MS docs "1102(S): The audit log was
 * cleared"; System 104 "The <log> log file was cleared"). Both carry the clearer in UserData
 * (SubjectUserName/SubjectDomainName, and the SID in the System block's UserID for 104).
 */
const EVENTLOG = ['Microsoft-Windows-Eventlog', 'Eventlog'];

export const securityLogCleared: Builder = (r, o) => {
  // Only the Eventlog service writes 1102 into the Security log; a record saying otherwise is not this event.
  if (fromProvider(r, ...EVENTLOG) === false) return null;
  const e = origin(o, 'log_cleared');
  e['log'] = 'Security';
  put(e, 'subject', subject(r) ?? account(undefined, undefined, r['UserID']));
  put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
  return done(e);
};

export const systemLogCleared: Builder = (r, o) => {
  const provider = fromProvider(r, ...EVENTLOG);
  // Other providers write their own, unrelated 104s into the System log.
  if (provider === false) return null;
  // The UserData item `Channel` collides with the System field and is exported as `EventData_Channel`.
  const log = text(r['EventData_Channel']) ?? text(r['LogName']) ?? text(r['Data_1']);
  const clearer = account(r['SubjectUserName'], r['SubjectDomainName'], r['UserID']);
  // Without a Provider, only the Eventlog 104's own shape (who cleared it) says it is one.
  if (provider === undefined && !text(r['SubjectUserName'])) return null;
  const e = origin(o, 'log_cleared');
  e['log'] = log ?? 'System';
  put(e, 'subject', clearer);
  put(e, 'backupPath', text(r['BackupPath']));
  return done(e);
};

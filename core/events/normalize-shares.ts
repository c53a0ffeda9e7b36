import { integer, ip, text } from './fields';
import type { EventOrigin, IdentityEvent } from './identity-event';
import { done, origin, put, subject, type Builder } from './draft';

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

/** Network share access: 5140 (share) and 5145 (object in a share, with the access checked). */
export const SHARE_BUILDERS: Readonly<Record<number, Builder>> = {
  5140: shareAccess,
  5145: shareAccess,
};

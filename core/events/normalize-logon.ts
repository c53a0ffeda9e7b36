import { account, integer, ip, text } from './fields';
import { done, origin, put, subject, target, type Builder } from './draft';

/** Logons and credential use: 4624/4625 logon success and failure, 4648 explicit credentials, 4672 special privileges, 4776 NTLM credential validation. */
export const LOGON_BUILDERS: Readonly<Record<number, Builder>> = {
  4624: (r, o) => {
    const a = target(r);
    if (!a) return 'no TargetUserName';
    const e = origin(o, 'logon');
    e['account'] = a;
    put(e, 'subject', subject(r));
    put(e, 'logonType', integer(r['LogonType']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'workstation', text(r['WorkstationName']));
    put(e, 'authPackage', text(r['AuthenticationPackageName']));
    put(e, 'logonProcess', text(r['LogonProcessName']));
    put(e, 'keyLength', integer(r['KeyLength']));
    put(e, 'logonId', text(r['TargetLogonId'])?.toLowerCase());
    put(e, 'outboundAccount', account(r['TargetOutboundUserName'], r['TargetOutboundDomainName']));
    return done(e);
  },
  4625: (r, o) => {
    // A failure for a name Windows could not resolve is logged with TargetUserName `-`: still a failure.
    const e = origin(o, 'logon_failure');
    e['account'] = target(r) ?? { name: '(unknown)' };
    put(e, 'subject', subject(r));
    put(e, 'logonType', integer(r['LogonType']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'workstation', text(r['WorkstationName']));
    put(e, 'status', integer(r['Status']));
    put(e, 'subStatus', integer(r['SubStatus']));
    put(e, 'authPackage', text(r['AuthenticationPackageName']));
    put(e, 'processName', text(r['ProcessName']));
    return done(e);
  },
  4648: (r, o) => {
    const a = target(r);
    if (!a) return 'no TargetUserName';
    const e = origin(o, 'explicit_credential_logon');
    e['account'] = a;
    put(e, 'subject', subject(r));
    put(e, 'targetServer', text(r['TargetServerName']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'processName', text(r['ProcessName']));
    return done(e);
  },
  4672: (r, o) => {
    const a = subject(r);
    if (!a) return 'no SubjectUserName';
    const e = origin(o, 'special_privilege_logon');
    e['account'] = a;
    e['privileges'] = text(r['PrivilegeList']) ?? '';
    put(e, 'logonId', text(r['SubjectLogonId'])?.toLowerCase());
    return done(e);
  },
  4776: (r, o) => {
    const a = account(r['TargetUserName']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    const e = origin(o, 'ntlm_validation');
    e['account'] = a;
    e['status'] = status;
    put(e, 'workstation', text(r['Workstation']));
    return done(e);
  },
};

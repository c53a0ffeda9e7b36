import { account, integer, ip, text } from './fields';
import { done, origin, put, type Builder } from './draft';

/** Kerberos on a DC's KDC: TGT requests (4768), service tickets (4769), renewals (4770), pre-authentication failures (4771). */
export const KERBEROS_BUILDERS: Readonly<Record<number, Builder>> = {
  4768: (r, o) => {
    const a = account(r['TargetUserName'], r['TargetDomainName'], r['TargetSid']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    const e = origin(o, 'kerberos_tgt_request');
    e['account'] = a;
    e['status'] = status;
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'encryptionType', integer(r['TicketEncryptionType']));
    put(e, 'preAuthType', integer(r['PreAuthType']));
    put(e, 'ticketOptions', integer(r['TicketOptions']));
    return done(e);
  },
  4769: (r, o) => {
    const a = account(r['TargetUserName'], r['TargetDomainName']);
    if (!a) return 'no TargetUserName';
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    const e = origin(o, 'kerberos_service_ticket');
    e['account'] = a;
    e['serviceName'] = serviceName;
    e['status'] = status;
    put(e, 'serviceSid', text(r['ServiceSid']));
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'encryptionType', integer(r['TicketEncryptionType']));
    put(e, 'ticketOptions', integer(r['TicketOptions']));
    put(e, 'transitedServices', text(r['TransmittedServices']));
    return done(e);
  },
  4770: (r, o) => {
    const a = account(r['TargetUserName'], r['TargetDomainName']);
    if (!a) return 'no TargetUserName';
    const serviceName = text(r['ServiceName']);
    if (!serviceName) return 'no ServiceName';
    const e = origin(o, 'kerberos_ticket_renewal');
    e['account'] = a;
    e['serviceName'] = serviceName;
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'encryptionType', integer(r['TicketEncryptionType']));
    put(e, 'ticketOptions', integer(r['TicketOptions']));
    return done(e);
  },
  4771: (r, o) => {
    const a = account(r['TargetUserName'], undefined, r['TargetSid']);
    if (!a) return 'no TargetUserName';
    const status = integer(r['Status']);
    if (status === undefined) return 'no Status';
    const e = origin(o, 'kerberos_preauth_failure');
    e['account'] = a;
    e['status'] = status;
    put(e, 'ip', ip(r['IpAddress']));
    put(e, 'preAuthType', integer(r['PreAuthType']));
    return done(e);
  },
};

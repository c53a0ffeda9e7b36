import type { Account } from './fields';
import type { EventOrigin } from './event-origin';

// Kerberos events a KDC writes (4768-4771).

/** 4768: a TGT was requested (AS-REQ). Logged only by domain controllers. */
export interface KerberosTgtRequest extends EventOrigin {
  readonly kind: 'kerberos_tgt_request';
  readonly account: Account;
  readonly ip?: string;
  readonly status: number;
  readonly encryptionType?: number;
  readonly preAuthType?: number;
  readonly ticketOptions?: number;
}

/** 4769: a service ticket was requested (TGS-REQ). */
export interface KerberosServiceTicket extends EventOrigin {
  readonly kind: 'kerberos_service_ticket';
  readonly account: Account;
  readonly ip?: string;
  readonly serviceName: string;
  readonly serviceSid?: string;
  readonly status: number;
  readonly encryptionType?: number;
  readonly ticketOptions?: number;
  /** `TransmittedServices`: the services a delegated (S4U2Proxy) request passed through. */
  readonly transitedServices?: string;
}

/**
 * 4770: a ticket was renewed. Renewing the TGT (`serviceName` krbtgt) extends a logon's
 * Kerberos session past the TGT lifetime without a new 4768. Logged only by domain controllers.
 */
export interface KerberosTicketRenewal extends EventOrigin {
  readonly kind: 'kerberos_ticket_renewal';
  readonly account: Account;
  readonly ip?: string;
  readonly serviceName: string;
  readonly encryptionType?: number;
  readonly ticketOptions?: number;
}

/** 4771: Kerberos pre-authentication failed. */
export interface KerberosPreauthFailure extends EventOrigin {
  readonly kind: 'kerberos_preauth_failure';
  readonly account: Account;
  readonly ip?: string;
  readonly status: number;
  readonly preAuthType?: number;
}

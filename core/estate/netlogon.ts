/**
 * Netlogon's secure-channel events (System log, provider NETLOGON, written by DCs): 5805 a
 * session setup failed to authenticate; 5827/5828 a vulnerable Netlogon secure channel from a
 * machine / trust account was denied; 5829 one was allowed; 5830/5831 allowed because the
 * account is in the "Domain controller: Allow vulnerable Netlogon secure channel connections"
 * policy (KB4557222, "How to manage the changes in Netlogon secure channel connections
 * associated with CVE-2020-1472").
 */
export const NETLOGON_AUTH_FAILED = 5805;
export const NETLOGON_VULNERABLE_DENIED = [5827, 5828] as const;
export const NETLOGON_VULNERABLE_ALLOWED = [5829, 5830, 5831] as const;
export const NETLOGON_EVENTS: readonly number[] = [NETLOGON_AUTH_FAILED, ...NETLOGON_VULNERABLE_DENIED, ...NETLOGON_VULNERABLE_ALLOWED];

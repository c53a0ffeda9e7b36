import { text } from './fields';
import { done, fromProvider, insertionStrings, origin, put, type Builder } from './draft';
import type { NetlogonSecureChannel } from './identity-event';
import { NETLOGON_AUTH_FAILED, NETLOGON_VULNERABLE_ALLOWED, NETLOGON_VULNERABLE_DENIED } from '../estate/netlogon';

/**
 * Netlogon's secure-channel events on a DC (System log, provider NETLOGON). Their EventData
 * items are unnamed in most exports, so the fields are read by position, in the order of the
 * message templates (KB4557222 for 5827–5831: "Machine SamAccountName, Domain, Account Type,
 * Machine Operating System, Build, Service Pack"; 5805: "The session setup from the computer
 * %1 failed to authenticate. The following error occurred: %2").
 */
const NETLOGON = ['NETLOGON', 'Microsoft-Windows-Netlogon'];

const secureChannel = (outcome: NetlogonSecureChannel['outcome']): Builder => (r, o) => {
  if (fromProvider(r, ...NETLOGON) === false) return null;
  const strings = insertionStrings(r);
  const named = (key: string, index: number): string | undefined => text(r[key]) ?? text(strings[index]);
  const accountName = text(r['AccountName']) ?? text(r['MachineSamAccountName']) ?? text(r['ComputerName']) ?? named('SamAccountName', 0);
  const e = origin(o, 'netlogon_secure_channel');
  e['outcome'] = outcome;
  put(e, 'accountName', accountName);
  if (outcome === 'authentication_failed') {
    put(e, 'error', named('Error', 1));
  } else {
    put(e, 'domain', named('Domain', 1));
    put(e, 'accountType', named('AccountType', 2));
    put(e, 'operatingSystem', named('MachineOperatingSystem', 3));
  }
  return done(e);
};

export const NETLOGON_BUILDERS: Record<number, Builder> = {
  [NETLOGON_AUTH_FAILED]: secureChannel('authentication_failed'),
  ...Object.fromEntries(NETLOGON_VULNERABLE_DENIED.map((id) => [id, secureChannel('vulnerable_denied')])),
  ...Object.fromEntries(NETLOGON_VULNERABLE_ALLOWED.map((id) => [id, secureChannel('vulnerable_allowed')])),
};

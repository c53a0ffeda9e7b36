import { Client } from 'ldapts';
import type { AdEnabledSource } from './graph-emulator';

/**
 * The sync tick's view of on-prem AD: reads userAccountControl of the user's
 * onPremisesDistinguishedName from the real DC, as Entra Connect would, and maps the
 * ACCOUNTDISABLE bit (0x2) to accountEnabled. Deliberately independent of playbooks/ code.
 */
export function sambaSyncSource(dc: { ldapsUrl: string; ca: Buffer; servername: string; bindDn: string; password: string }): AdEnabledSource {
  return async (user) => {
    if (!user.onPremisesDistinguishedName) return undefined;
    const c = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [dc.ca], servername: dc.servername } });
    try {
      await c.bind(dc.bindDn, dc.password);
      const { searchEntries } = await c.search(user.onPremisesDistinguishedName, { scope: 'base', attributes: ['userAccountControl'] });
      const uac = searchEntries[0]?.userAccountControl;
      return uac === undefined ? undefined : (Number(uac) & 0x2) === 0;
    } finally {
      await c.unbind().catch(() => undefined);
    }
  };
}

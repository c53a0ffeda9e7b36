/**
 * The DACL of a security descriptor in SDDL, as 5136 writes `nTSecurityDescriptor` and
 * `msDS-AllowedToActOnBehalfOfOtherIdentity` values (MS docs "ACE strings"):
 * `(type;flags;rights;object guid;inherit object guid;trustee)`.
 */

export interface Ace {
  /** `A` allow, `D` deny, `OA`/`OD` object allow/deny. */
  readonly type: string;
  /** Two-letter flags: `CI`, `OI`, `IO` (inherit only), `ID` (inherited), … */
  readonly flags: readonly string[];
  /** Two-letter rights (`CR`, `WD`, `GA`, …); a hex mask is kept in `mask`. */
  readonly rights: readonly string[];
  readonly mask?: number;
  /** Lower-case GUID the right is limited to (a control access right, a property), if any. */
  readonly objectGuid?: string;
  readonly inheritedObjectGuid?: string;
  /** An SDDL alias (`BA`, `DA`) or a SID, upper case. */
  readonly trustee: string;
  /** The ACE as written, for diffing and evidence. */
  readonly text: string;
}

const ACE = /\(([^;()]*);([^;()]*);([^;()]*);([^;()]*);([^;()]*);([^;()]*)(?:;[^()]*)?\)/g;

/** The ACEs of the DACL (`D:` part); the SACL (`S:`), owner and group are left out. */
export function daclAces(sddl: string): Ace[] {
  const start = sddl.indexOf('D:');
  if (start < 0) return [];
  const sacl = sddl.indexOf(')S:', start);
  const dacl = sddl.slice(start, sacl >= 0 ? sacl + 1 : undefined);
  const out: Ace[] = [];
  for (const m of dacl.matchAll(ACE)) {
    const [text, type = '', flags = '', rights = '', objectGuid = '', inherited = '', trustee = ''] = m;
    if (!trustee.trim()) continue;
    const hex = /^0x[0-9a-f]+$/i.test(rights.trim()) ? parseInt(rights.trim(), 16) : undefined;
    out.push({
      type: type.trim().toUpperCase(),
      flags: pairs(flags),
      rights: hex === undefined ? pairs(rights) : [],
      ...(hex !== undefined ? { mask: hex } : {}),
      ...(objectGuid.trim() ? { objectGuid: objectGuid.trim().toLowerCase() } : {}),
      ...(inherited.trim() ? { inheritedObjectGuid: inherited.trim().toLowerCase() } : {}),
      trustee: trustee.trim().toUpperCase(),
      text,
    });
  }
  return out;
}

/** Whether the ACE allows (rather than denies) and applies to the object itself (not inherit-only). */
export function allowsOnObject(ace: Ace): boolean {
  return (ace.type === 'A' || ace.type === 'OA') && !ace.flags.includes('IO');
}

function pairs(s: string): string[] {
  const t = s.trim().toUpperCase();
  const out: string[] = [];
  for (let i = 0; i + 1 < t.length; i += 2) out.push(t.slice(i, i + 2));
  return out;
}

/** SDDL trustee aliases a grant can name instead of a SID (MS docs "SID strings"), spelled out for analysts. */
const ALIASES: Readonly<Record<string, string>> = {
  WD: 'Everyone', AU: 'Authenticated Users', AN: 'Anonymous Logon', BU: 'BUILTIN\\Users', BG: 'BUILTIN\\Guests',
  DU: 'Domain Users', DG: 'Domain Guests', DC: 'Domain Computers', CO: 'Creator Owner', PS: 'Principal Self',
  AO: 'Account Operators', SO: 'Server Operators', PO: 'Print Operators', BO: 'Backup Operators',
};

/** The trustee as an analyst reads it: a SID as written, an alias by its name. */
export function trusteeName(trustee: string): string {
  return ALIASES[trustee] ?? trustee;
}

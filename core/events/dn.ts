/** Distinguished names as 4728 and 5136 log them. */

/** `CN=Domain Admins,CN=Users,…` → `Domain Admins` (escaped commas unescaped); not a DN → undefined. */
export function cnOf(dn: string | undefined): string | undefined {
  if (!dn) return undefined;
  const m = /^CN=((?:\\,|[^,])+)/i.exec(dn);
  return m?.[1] ? m[1].replace(/\\,/g, ',') : undefined;
}

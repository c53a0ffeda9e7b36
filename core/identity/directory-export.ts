import { sidOf } from '../events/normalize-cloud';
import type { IdentitySeed } from './identity-config';

/**
 * A directory export → identity seeds. Two shapes are read, as JSON (an array, or Graph's
 * `{"value": [...]}` page) or JSON Lines:
 * - Microsoft Graph users: `GET /v1.0/users?$select=id,userPrincipalName,displayName,
 *   accountEnabled,onPremisesSecurityIdentifier,onPremisesSamAccountName` — the
 *   `onPremisesSecurityIdentifier` is what links the Entra user to its AD account;
 * - UEBA `IdentityInfo` rows (Log Analytics): `AccountObjectId`, `AccountUPN`, `AccountSID`,
 *   `AccountName`, `AccountDisplayName`, `IsAccountEnabled`, `AssignedRoles`.
 * Only these fields are kept: whatever else an export carries never reaches state.
 */
export class DirectoryExportError extends Error {
  constructor(readonly where: string, detail: string) {
    super(`directory export ${where}: ${detail}`);
    this.name = 'DirectoryExportError';
  }
}

export function parseDirectoryExport(text: string, where: string): IdentitySeed[] {
  const rows = parseRows(text, where);
  const seeds: IdentitySeed[] = [];
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new DirectoryExportError(where, `entry ${i + 1} is not an object`);
    const seed = seedOf(row as Record<string, unknown>);
    if (seed) seeds.push(seed);
  });
  return seeds;
}

function parseRows(text: string, where: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed[0] === '[' || trimmed[0] === '{') {
    try {
      const doc = JSON.parse(trimmed) as unknown;
      if (Array.isArray(doc)) return doc;
      const value = (doc as Record<string, unknown>)['value'];
      if (Array.isArray(value)) return value;
      return [doc];
    } catch {
      // Not one JSON document: JSON Lines, read below.
    }
  }
  return trimmed.split(/\r?\n/).filter((l) => l.trim() !== '').map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch (e) {
      throw new DirectoryExportError(where, `line ${i + 1} is not JSON (${(e as Error).message})`);
    }
  });
}

function seedOf(r: Record<string, unknown>): IdentitySeed | undefined {
  const str = (k: string): string | undefined => (typeof r[k] === 'string' && (r[k] as string).trim() !== '' ? (r[k] as string).trim() : undefined);
  const upn = str('userPrincipalName') ?? str('AccountUPN');
  const objectId = str('id') ?? str('AccountObjectId');
  const sid = sidOf(r['onPremisesSecurityIdentifier'] ?? r['AccountSID'] ?? r['OnPremisesSecurityIdentifier']);
  const sam = str('onPremisesSamAccountName') ?? str('AccountName');
  const displayName = str('displayName') ?? str('AccountDisplayName');
  const enabled = typeof r['accountEnabled'] === 'boolean' ? r['accountEnabled'] : typeof r['IsAccountEnabled'] === 'boolean' ? r['IsAccountEnabled'] : undefined;
  const roles = stringList(r['AssignedRoles']);
  if (!upn && !objectId && !sid && !sam) return undefined;
  return {
    ...(upn ? { upn } : {}), ...(objectId ? { objectId } : {}), ...(sid ? { sid } : {}), ...(sam ? { sam } : {}),
    ...(displayName ? { displayName } : {}), ...(enabled !== undefined ? { enabled } : {}), ...(roles.length ? { roles } : {}),
  };
}

/** `AssignedRoles` is a dynamic column: a list, or its JSON text. */
function stringList(value: unknown): string[] {
  let v: unknown = value;
  if (typeof value === 'string') {
    try {
      v = JSON.parse(value);
    } catch {
      return value.trim() ? [value.trim()] : [];
    }
  }
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

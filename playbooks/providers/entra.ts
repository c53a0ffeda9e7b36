import type { UserIdentifier } from '../identifiers';
import { AmbiguousUserError, GraphRequestError, VerificationError } from '../errors';
import type { GraphClient } from './graph-client';

/** What the playbooks need to know about an Entra user; `onPremises*` link it to AD. */
export interface EntraUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly accountEnabled: boolean;
  /** True when Entra Connect syncs it from AD: AD is then the source of authority. */
  readonly onPremisesSyncEnabled: boolean;
  readonly onPremisesSecurityIdentifier?: string;
  readonly onPremisesSamAccountName?: string;
  readonly onPremisesDistinguishedName?: string;
}

export interface ChangeReport {
  readonly changed: boolean;
  readonly detail: string;
}

/** Least-privileged application permissions per operation (see playbooks/README.md). */
export const GRAPH_PERMISSIONS = {
  read: 'User.Read.All',
  enableDisable: 'User.EnableDisableAccount.All',
  revoke: 'User.RevokeSessions.All',
  password: 'User-PasswordProfile.ReadWrite.All',
  groups: 'GroupMember.Read.All',
} as const;

const SELECT = [
  'id',
  'userPrincipalName',
  'accountEnabled',
  'onPremisesSyncEnabled',
  'onPremisesSecurityIdentifier',
  'onPremisesSamAccountName',
  'onPremisesDistinguishedName',
].join(',');

/** Entra ID over Microsoft Graph: look up, enable/disable, revoke sessions, reset password. */
export class EntraProvider {
  constructor(private readonly graph: GraphClient) {}

  /** By object id or UPN; undefined when Graph answers 404. */
  async getUser(idOrUpn: string): Promise<EntraUser | undefined> {
    const r = await this.graph.call({
      method: 'GET',
      path: `/users/${encodeURIComponent(idOrUpn)}`,
      query: { $select: SELECT },
      operation: 'read the Entra user',
      permission: GRAPH_PERMISSIONS.read,
    });
    return r.status === 404 ? undefined : toUser(r.data);
  }

  async findUser(id: UserIdentifier): Promise<EntraUser | undefined> {
    switch (id.kind) {
      case 'objectId':
        return this.getUser(id.objectId);
      case 'upn':
        return this.getUser(id.upn);
      case 'sid':
        return this.findOne('onPremisesSecurityIdentifier', id.sid);
      case 'sam':
        return this.findOne('onPremisesSamAccountName', id.sam);
    }
  }

  /** The cloud twin of an AD account: the SID is the one identifier both sides share. */
  findBySid(sid: string): Promise<EntraUser | undefined> {
    return this.findOne('onPremisesSecurityIdentifier', sid);
  }

  async setAccountEnabled(user: EntraUser, enabled: boolean): Promise<ChangeReport> {
    const what = enabled ? 'enable the Entra account' : 'disable the Entra account';
    const before = await this.mustGet(user.id);
    if (before.accountEnabled === enabled) return { changed: false, detail: `already ${enabled ? 'enabled' : 'disabled'} in Entra ID` };
    await this.graph.call({
      method: 'PATCH',
      path: `/users/${encodeURIComponent(user.id)}`,
      body: { accountEnabled: enabled },
      operation: what,
      permission: GRAPH_PERMISSIONS.enableDisable,
    });
    const after = await this.mustGet(user.id);
    if (after.accountEnabled !== enabled) throw new VerificationError('entra', what, `accountEnabled=${enabled}`, `accountEnabled=${after.accountEnabled}`);
    return { changed: true, detail: `accountEnabled ${before.accountEnabled} → ${enabled} (read back)` };
  }

  /** Resets signInSessionsValidFromDateTime: refresh tokens and session cookies stop working. */
  async revokeSessions(user: EntraUser): Promise<ChangeReport> {
    const r = await this.graph.call({
      method: 'POST',
      path: `/users/${encodeURIComponent(user.id)}/revokeSignInSessions`,
      operation: 'revoke sign-in sessions',
      permission: GRAPH_PERMISSIONS.revoke,
    });
    const value = (r.data as { value?: unknown } | undefined)?.value;
    if (value !== true) throw new VerificationError('entra', 'revoke sign-in sessions', 'value=true', `value=${JSON.stringify(value)}`);
    return {
      changed: true,
      detail: 'refresh tokens and session cookies revoked; access tokens already issued stay valid until they expire (about an hour)',
    };
  }

  /** Cloud-only users: a synced user's password is mastered in AD and Graph refuses to set it. */
  async resetPassword(user: EntraUser, password: string): Promise<ChangeReport> {
    await this.graph.call({
      method: 'PATCH',
      path: `/users/${encodeURIComponent(user.id)}`,
      body: { passwordProfile: { password, forceChangePasswordNextSignIn: true } },
      operation: 'reset the Entra password',
      permission: `${GRAPH_PERMISSIONS.password} plus the Password Administrator or User Administrator directory role`,
    });
    return { changed: true, detail: 'password replaced, change forced at next sign-in (Graph never returns passwords: confirmed by its 204)' };
  }

  /** Which of `groupIds` the user belongs to, transitively (POST checkMemberGroups). */
  async memberOfAny(user: EntraUser, groupIds: readonly string[]): Promise<string[]> {
    if (groupIds.length === 0) return [];
    const r = await this.graph.call({
      method: 'POST',
      path: `/users/${encodeURIComponent(user.id)}/checkMemberGroups`,
      body: { groupIds },
      operation: 'check break-glass group membership',
      permission: GRAPH_PERMISSIONS.groups,
    });
    const value = (r.data as { value?: unknown } | undefined)?.value;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  private async mustGet(id: string): Promise<EntraUser> {
    const u = await this.getUser(id);
    if (!u) throw new GraphRequestError('read the Entra user', 404, 'Request_ResourceNotFound', `user ${id} vanished during the action`);
    return u;
  }

  private async findOne(property: string, value: string): Promise<EntraUser | undefined> {
    // OData string literals double their single quotes; the value can carry nothing else.
    const literal = `'${value.replace(/'/g, "''")}'`;
    const r = await this.graph.call({
      method: 'GET',
      path: '/users',
      // onPremises* filters are "advanced queries": Graph wants ConsistencyLevel + $count.
      query: { $filter: `${property} eq ${literal}`, $select: SELECT, $count: 'true', $top: '2' },
      headers: { ConsistencyLevel: 'eventual' },
      operation: 'search Entra users',
      permission: GRAPH_PERMISSIONS.read,
    });
    const list = (r.data as { value?: unknown[] } | undefined)?.value ?? [];
    const users = list.map(toUser);
    if (users.length > 1) throw new AmbiguousUserError(value, users.map((u) => u.userPrincipalName));
    return users[0];
  }
}

function toUser(data: unknown): EntraUser {
  const d = (data ?? {}) as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const id = str('id');
  if (id === undefined) throw new GraphRequestError('read the Entra user', undefined, 'UnexpectedResponse', 'user object without an id');
  return {
    id,
    userPrincipalName: str('userPrincipalName') ?? id,
    accountEnabled: d.accountEnabled === true,
    onPremisesSyncEnabled: d.onPremisesSyncEnabled === true,
    ...(str('onPremisesSecurityIdentifier') !== undefined && { onPremisesSecurityIdentifier: str('onPremisesSecurityIdentifier') }),
    ...(str('onPremisesSamAccountName') !== undefined && { onPremisesSamAccountName: str('onPremisesSamAccountName') }),
    ...(str('onPremisesDistinguishedName') !== undefined && { onPremisesDistinguishedName: str('onPremisesDistinguishedName') }),
  };
}

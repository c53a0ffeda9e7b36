import { AndFilter, Attribute, Change, EqualityFilter, escapeFilter, NoSuchAttributeError, NoSuchObjectError, type Client, type Entry, type Filter } from 'ldapts';
import type { ActiveDirectorySettings } from '../config';
import { AmbiguousUserError, DirectoryError, VerificationError } from '../errors';
import type { UserIdentifier } from '../identifiers';
import { sidFromBytes, sidToBytes } from '../sid';
import type { ChangeReport } from './entra';
import { openLdap, toDirectoryError, type ClientFactory } from './ldap-session';

/** userAccountControl ACCOUNTDISABLE (MS-ADTS 2.2.16; KB 305144). */
export const UF_ACCOUNTDISABLE = 0x2;
/** LDAP_MATCHING_RULE_IN_CHAIN: walks nested group membership on the DC. */
const IN_CHAIN = '1.2.840.113556.1.4.1941';

/** Rights to delegate to the service account, named in MissingPermissionError messages. */
export const AD_RIGHTS = {
  enableDisable: 'Write userAccountControl on user objects (delegate "Read and write userAccountControl" on the OU)',
  resetPassword: 'the Reset Password extended right and Write pwdLastSet on user objects',
  read: 'Read on user objects (Authenticated Users have it by default)',
} as const;

export interface AdUser {
  readonly dn: string;
  readonly sam: string;
  readonly upn?: string;
  readonly sid: string;
  readonly userAccountControl: number;
  readonly enabled: boolean;
  readonly pwdLastSet: string;
}

const ATTRIBUTES = ['sAMAccountName', 'userPrincipalName', 'objectSid', 'userAccountControl', 'pwdLastSet'];

/** On-prem Active Directory over LDAP(S); one bound connection per action. */
export class ActiveDirectoryProvider {
  constructor(readonly settings: ActiveDirectorySettings, private readonly factory?: ClientFactory) {}

  async open(): Promise<AdSession> {
    return new AdSession(await openLdap(this.settings, this.factory), this.settings.baseDn);
  }
}

export class AdSession {
  constructor(private readonly client: Client, private readonly baseDn: string) {}

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }

  /** Every value goes through RFC 4515 escaping: `*)(objectClass=*` is a literal name here. */
  async findUser(id: UserIdentifier): Promise<AdUser | undefined> {
    switch (id.kind) {
      case 'sam':
        return this.findOne(escapeFilter`(sAMAccountName=${id.sam})`, id.sam);
      case 'upn':
        return this.findOne(escapeFilter`(userPrincipalName=${id.upn})`, id.upn);
      case 'sid':
        return this.findBySid(id.sid);
      case 'objectId':
        return undefined; // an Entra object id never names an AD object
    }
  }

  findBySid(sid: string): Promise<AdUser | undefined> {
    // The binary SID works on every DC (string SIDs in filters are an AD extension). It goes in
    // as a filter object: ldapts decodes `\xx` escapes of a string filter as UTF-8, which
    // mangles SID bytes above 0x7f.
    return this.findOne(new EqualityFilter({ attribute: 'objectSid', value: sidToBytes(sid) }), sid);
  }

  async readUser(dn: string): Promise<AdUser> {
    const { searchEntries } = await this.op('read the AD user', AD_RIGHTS.read, () =>
      this.client.search(dn, { scope: 'base', filter: '(objectClass=user)', attributes: ATTRIBUTES, explicitBufferAttributes: ['objectSid'] }),
    );
    const entry = searchEntries[0];
    if (!entry) throw new DirectoryError('read the AD user', undefined, `${dn} is not a user`);
    return toAdUser(entry);
  }

  /**
   * Flips ACCOUNTDISABLE and reads it back. The write is "delete old value, add new value" in
   * one request, so a concurrent UAC change by someone else fails it (noSuchAttribute) instead
   * of being silently overwritten; we then re-read and try again.
   */
  async setEnabled(user: AdUser, enabled: boolean): Promise<ChangeReport> {
    const what = enabled ? 'enable the AD account' : 'disable the AD account';
    for (let attempt = 1; ; attempt++) {
      const before = await this.readUser(user.dn);
      if (before.enabled === enabled) return { changed: false, detail: `already ${enabled ? 'enabled' : 'disabled'} in AD` };
      const next = enabled ? before.userAccountControl & ~UF_ACCOUNTDISABLE : before.userAccountControl | UF_ACCOUNTDISABLE;
      try {
        await this.op(what, AD_RIGHTS.enableDisable, () =>
          this.client.modify(user.dn, [
            new Change({ operation: 'delete', modification: new Attribute({ type: 'userAccountControl', values: [String(before.userAccountControl)] }) }),
            new Change({ operation: 'add', modification: new Attribute({ type: 'userAccountControl', values: [String(next)] }) }),
          ]),
        );
      } catch (err) {
        if (err instanceof RaceError && attempt < 3) continue;
        throw err instanceof RaceError ? new DirectoryError(what, 16, 'userAccountControl kept changing under us') : err;
      }
      const after = await this.readUser(user.dn);
      if (after.enabled !== enabled) {
        throw new VerificationError('activeDirectory', what, `userAccountControl without 0x2=${!enabled}`, `userAccountControl=0x${after.userAccountControl.toString(16)}`);
      }
      return { changed: true, detail: `userAccountControl 0x${before.userAccountControl.toString(16)} → 0x${after.userAccountControl.toString(16)} (read back)` };
    }
  }

  /**
   * Admin reset: one `replace` of unicodePwd (the password in double quotes, UTF-16LE; MS-ADTS
   * 3.1.1.3.1.5.1) plus pwdLastSet=0, which forces a change at next logon. unicodePwd can never
   * be read, so the read-back confirms pwdLastSet=0.
   */
  async resetPassword(user: AdUser, password: string): Promise<ChangeReport> {
    await this.op('reset the AD password', AD_RIGHTS.resetPassword, () =>
      this.client.modify(user.dn, [
        new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }) }),
        new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLastSet', values: ['0'] }) }),
      ]),
    );
    const after = await this.readUser(user.dn);
    if (after.pwdLastSet !== '0') throw new VerificationError('activeDirectory', 'reset the AD password', 'pwdLastSet=0', `pwdLastSet=${after.pwdLastSet}`);
    return { changed: true, detail: 'password replaced; pwdLastSet=0 read back, so a change is required at next logon' };
  }

  /** Nested membership, evaluated by the DC. A missing group fails closed: it is a config error. */
  async isMemberOf(user: AdUser, groupDn: string): Promise<boolean> {
    try {
      await this.client.search(groupDn, { scope: 'base', filter: '(objectClass=group)', attributes: ['cn'] });
    } catch (err) {
      if (err instanceof NoSuchObjectError) {
        throw new DirectoryError('check break-glass membership', err.code, `group ${groupDn} (response.activeDirectory.breakGlassGroups) does not exist`);
      }
      throw toDirectoryError(err, 'check break-glass membership', AD_RIGHTS.read);
    }
    const { searchEntries } = await this.op('check break-glass membership', AD_RIGHTS.read, () =>
      this.client.search(user.dn, { scope: 'base', filter: `(memberOf:${IN_CHAIN}:=${escapeFilter`${groupDn}`})`, attributes: ['cn'] }),
    );
    return searchEntries.length > 0;
  }

  private async findOne(clause: string | Filter, shown: string): Promise<AdUser | undefined> {
    // objectCategory=person keeps computer accounts (also objectClass=user) out.
    const filter =
      typeof clause === 'string'
        ? `(&(objectCategory=person)(objectClass=user)${clause})`
        : new AndFilter({
            filters: [new EqualityFilter({ attribute: 'objectCategory', value: 'person' }), new EqualityFilter({ attribute: 'objectClass', value: 'user' }), clause],
          });
    const { searchEntries } = await this.op('search AD users', AD_RIGHTS.read, () =>
      this.client.search(this.baseDn, {
        scope: 'sub',
        filter,
        attributes: ATTRIBUTES,
        explicitBufferAttributes: ['objectSid'],
      }),
    );
    if (searchEntries.length > 1) throw new AmbiguousUserError(shown, searchEntries.map((e) => e.dn));
    const entry = searchEntries[0];
    return entry ? toAdUser(entry) : undefined;
  }

  private async op<T>(operation: string, right: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof NoSuchAttributeError) throw new RaceError();
      throw toDirectoryError(err, operation, right);
    }
  }
}

class RaceError extends Error {}

function toAdUser(e: Entry): AdUser {
  const uac = Number(first(e.userAccountControl) ?? 'NaN');
  const sidValue = e.objectSid;
  const sidBytes = Array.isArray(sidValue) ? sidValue[0] : sidValue;
  if (!Buffer.isBuffer(sidBytes) || Number.isNaN(uac)) throw new DirectoryError('read the AD user', undefined, `${e.dn} has no objectSid or userAccountControl (missing read rights?)`);
  const upn = first(e.userPrincipalName);
  return {
    dn: e.dn,
    sam: first(e.sAMAccountName) ?? '',
    ...(upn !== undefined && { upn }),
    sid: sidFromBytes(sidBytes),
    userAccountControl: uac,
    enabled: (uac & UF_ACCOUNTDISABLE) === 0,
    pwdLastSet: first(e.pwdLastSet) ?? '',
  };
}

function first(v: Entry[string] | undefined): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return x === undefined ? undefined : Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
}

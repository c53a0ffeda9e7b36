import type { Alert, AlertAccount, AlertIdentity } from '../alerts/alert';
import type { DirectoryView } from '../estate/directory-model';
import type { NameSidPairs } from '../estate/name-sid-pairs';
import type { IdentityEvent } from '../events/identity-event';
import type { Criticality } from '../scoring/model';
import { CriticalityRules } from './criticality';
import type { ResolvedIdentities } from './identity-config';
import { IdentityDirectory, type IdentityRecord, type IdentitySnapshot } from './identity-directory';
import { accountKeys, keyValue } from './identity-keys';
import { learnFromEvent } from './identity-learning';

/**
 * The engine's view of identities: learns from every event, resolves the accounts an alert
 * names into identities, and says how critical each one is.
 */
export class Identities {
  readonly directory: IdentityDirectory;
  private readonly rules: CriticalityRules;

  constructor(config: { readonly identities: ResolvedIdentities }, saved?: IdentitySnapshot) {
    this.directory = new IdentityDirectory(config.identities.seeds, saved);
    this.rules = new CriticalityRules(config.identities);
  }

  observe(ev: IdentityEvent, directory: DirectoryView): void {
    learnFromEvent(this.directory, ev, directory);
  }

  /** The identity of an account an alert names; created when the logs never showed it before. */
  resolve(account: Pick<AlertAccount, 'name' | 'sid'>, time?: number): IdentityRecord | undefined {
    return this.directory.link(accountKeys(account), time);
  }

  criticality(record: IdentityRecord, directory: DirectoryView): Criticality {
    return this.rules.of(record, directory);
  }

  /** The alert with its `identity`: the actor if it names one, else its first target. */
  annotate(alert: Alert, directory: DirectoryView): Alert {
    const accounts = alert.entities.accounts;
    const primary = accounts.find((a) => a.role === 'actor') ?? accounts.find((a) => a.role === 'target') ?? accounts.find((a) => a.role !== 'group');
    const record = primary ? this.resolve(primary, Date.parse(alert.lastSeen)) : undefined;
    if (!record) return alert;
    return { ...alert, identity: this.describe(record, directory) };
  }

  describe(record: IdentityRecord, directory: DirectoryView): AlertIdentity {
    const keys = record.keys;
    const first = (prefix: string) => keys.find((k) => k.startsWith(prefix));
    const upn = first('upn:');
    const sam = first('sam:');
    const sid = first('sid:');
    const oid = first('oid:');
    return {
      id: record.id,
      name: this.directory.label(record),
      ...(upn ? { upn: keyValue(upn) } : {}),
      ...(sam ? { sam: keyValue(sam) } : {}),
      ...(sid ? { sid: keyValue(sid) } : {}),
      ...(oid ? { objectId: keyValue(oid) } : {}),
      tier: this.criticality(record, directory).tier,
    };
  }

  /** The name↔SID pairs detectors read and teach (ctx.nameSids), on the account table's keys. */
  get nameSids(): NameSidPairs {
    return this.directory.nameSids;
  }

  evictIdle(before: number, keep?: ReadonlySet<string>): void {
    this.directory.evictIdle(before, keep);
  }

  snapshot(): IdentitySnapshot {
    return this.directory.snapshot();
  }
}

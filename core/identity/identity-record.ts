import { KEY_KIND } from '../estate/account-keys';
import { ROW_FLAG, type AccountTable, type Row } from '../estate/account-table';
import type { IdentitySeed } from './identity-config';
import type { IdentityKey } from './identity-keys';
import { IDENTITY_TIERS } from './identity-snapshot';

/** What a record view reads its row through (the identity directory). */
export interface RecordSource {
  readonly table: AccountTable;
  idOf(row: Row): string;
  displayNameOf(row: Row): string | undefined;
  reasonsOf(row: Row, tier: 'tier0' | 'tier1'): string[] | undefined;
}

/**
 * One identity as the table holds it, read through at each access: a view made per call, so
 * it must not be kept past the next `link` or eviction (a freed row is reused).
 */
export class IdentityRecord {
  constructor(private readonly directory: RecordSource, readonly row: Row) {}

  get id(): string {
    return this.directory.idOf(this.row);
  }

  /** Creation order: on a merge the older identity survives. */
  get seq(): number {
    return this.directory.table.seq[this.row] as number;
  }

  get keys(): IdentityKey[] {
    return this.directory.table.keyTexts(this.row);
  }

  get displayName(): string | undefined {
    return this.directory.displayNameOf(this.row);
  }

  /** Last event time anything named it; idle identities are evicted. */
  get lastSeen(): number {
    return this.directory.table.lastSeen[this.row] as number;
  }

  /** Successful authentications: when first and last, and how many (maturity, active users). */
  get firstActive(): number | undefined {
    const v = this.directory.table.firstActive[this.row] as number;
    return Number.isNaN(v) ? undefined : v;
  }

  get lastActive(): number | undefined {
    const v = this.directory.table.lastActive[this.row] as number;
    return Number.isNaN(v) ? undefined : v;
  }

  get activeEvents(): number {
    return this.directory.table.activeEvents[this.row] as number;
  }

  /** Why the logs say it is tier 0 / tier 1 (a few reasons kept, newest last). */
  get tier0(): readonly string[] | undefined {
    return this.directory.reasonsOf(this.row, 'tier0');
  }

  get tier1(): readonly string[] | undefined {
    return this.directory.reasonsOf(this.row, 'tier1');
  }

  get disabled(): boolean | undefined {
    const flags = this.directory.table.flags[this.row] as number;
    return (flags & ROW_FLAG.disabledKnown) === 0 ? undefined : (flags & ROW_FLAG.disabled) !== 0;
  }

  set disabled(value: boolean) {
    const t = this.directory.table;
    const flags = (t.flags[this.row] as number) & ~ROW_FLAG.disabled;
    t.flags[this.row] = flags | ROW_FLAG.disabledKnown | (value ? ROW_FLAG.disabled : 0);
  }

  /** From config or a directory export: never evicted. */
  get seeded(): true | undefined {
    return ((this.directory.table.flags[this.row] as number) & ROW_FLAG.seeded) !== 0 ? true : undefined;
  }

  get configuredTier(): IdentitySeed['tier'] | undefined {
    return IDENTITY_TIERS[(this.directory.table.tier[this.row] as number) - 1];
  }

  /** Its key of one kind (the first, as added), without building the others' text. */
  keyOfKind(kind: 'sid' | 'upn' | 'sam' | 'oid'): IdentityKey | undefined {
    const t = this.directory.table;
    const id = t.keyIds(this.row).find((k) => t.keys.kind(k) === KEY_KIND[kind]);
    return id === undefined ? undefined : t.keys.text(id);
  }
}

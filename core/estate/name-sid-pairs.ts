/**
 * The name ↔ SID pairs events that carry both taught (golden_ticket's forged-PAC check): SID →
 * name as last seen, and per domain SID, lower-case name → RID. Held in Maps with the RID as a
 * number, not in records keyed `domainSid|name` with the RID as a string: over 100,000
 * accounts that spent two strings per account on keys and values (issue 13). The snapshot
 * keeps the records of state version 1, so no migration is needed.
 */
export interface NameOfSid {
  name: string;
  lastSeen: number;
}

export interface NameSidSnapshot {
  readonly sidNames: Readonly<Record<string, NameOfSid>>;
  /** `domain SID|lower-case name` → RID. */
  readonly nameRids: Readonly<Record<string, string>>;
}

export class NameSidPairs {
  private readonly bySid = new Map<string, NameOfSid>();
  private readonly ridsByDomain = new Map<string, Map<string, number>>();

  constructor(saved?: Partial<NameSidSnapshot>) {
    for (const [sid, known] of Object.entries(saved?.sidNames ?? {})) this.bySid.set(sid, { name: known.name, lastSeen: known.lastSeen });
    for (const [key, rid] of Object.entries(saved?.nameRids ?? {})) {
      const bar = key.indexOf('|');
      if (bar > 0) this.setRid(key.slice(0, bar), key.slice(bar + 1), Number(rid));
    }
  }

  nameOf(sid: string): NameOfSid | undefined {
    return this.bySid.get(sid);
  }

  /** The RID `lowerName` was last seen with in the domain, as the decimal text of a SID. */
  ridOf(domainSid: string, lowerName: string): string | undefined {
    const rid = this.ridsByDomain.get(domainSid)?.get(lowerName);
    return rid === undefined ? undefined : String(rid);
  }

  /** `sid` belongs to `name` now; the name it had before (a rename) is freed for a new account. */
  set(sid: string, name: string, time: number): void {
    const { domainSid, rid } = split(sid);
    const before = this.bySid.get(sid);
    if (before) this.ridsByDomain.get(domainSid)?.delete(before.name.toLowerCase());
    this.bySid.set(sid, { name, lastSeen: time });
    this.setRid(domainSid, name.toLowerCase(), Number(rid));
  }

  /** Forgets pairs last seen before `before`, name and SID together. */
  evictBefore(before: number): void {
    for (const [sid, known] of this.bySid) {
      if (known.lastSeen >= before) continue;
      const { domainSid, rid } = split(sid);
      const rids = this.ridsByDomain.get(domainSid);
      const name = known.name.toLowerCase();
      if (rids?.get(name) === Number(rid)) {
        rids.delete(name);
        if (rids.size === 0) this.ridsByDomain.delete(domainSid);
      }
      this.bySid.delete(sid);
    }
  }

  snapshot(): NameSidSnapshot {
    const nameRids: Record<string, string> = {};
    for (const [domainSid, rids] of this.ridsByDomain) for (const [name, rid] of rids) nameRids[`${domainSid}|${name}`] = String(rid);
    return { sidNames: Object.fromEntries(this.bySid), nameRids };
  }

  private setRid(domainSid: string, lowerName: string, rid: number): void {
    if (!Number.isSafeInteger(rid)) return;
    let rids = this.ridsByDomain.get(domainSid);
    if (!rids) this.ridsByDomain.set(domainSid, (rids = new Map()));
    rids.set(lowerName, rid);
  }
}

function split(sid: string): { domainSid: string; rid: string } {
  const cut = sid.lastIndexOf('-');
  return { domainSid: sid.slice(0, cut), rid: sid.slice(cut + 1) };
}

/**
 * The key pool of the account table (issue 13, item 1): every identifier an account is known
 * by — `sid:`, `sam:`, `upn:`, `oid:` keys (core/identity/identity-keys.ts) — interned once as
 * an integer id, so the identity directory and golden_ticket's name↔SID pairs hold integers,
 * not one copy each of the same strings. A SID is kept as its domain prefix's id and its RID
 * (100,000 SIDs share a handful of domain prefixes: 45 bytes of string each became 12 bytes
 * of columns). Each key counts its holders; the last `release` frees it, so evicted accounts
 * give their keys back instead of the pool growing with every account ever seen.
 */

import { SidIndex } from './sid-index';
import { TextIndex } from './text-index';
import { copiedInto, grownLength } from '../state/growth';

export type KeyId = number;

export const KEY_KIND = { oid: 0, sid: 1, upn: 2, sam: 3, other: 4 } as const;
export type KeyKind = (typeof KEY_KIND)[keyof typeof KEY_KIND];

const PREFIX_KIND: Readonly<Record<string, KeyKind>> = { 'oid:': KEY_KIND.oid, 'sid:': KEY_KIND.sid, 'upn:': KEY_KIND.upn, 'sam:': KEY_KIND.sam };
/** Domain prefixes are few and never freed; past this many a SID is interned as text. */
const MAX_DOMAINS = 4096;

export class AccountKeys {
  private kinds = new Uint8Array(1024);
  private refs = new Uint32Array(1024);
  private domainOf = new Int32Array(1024);
  private ridOf = new Uint32Array(1024);
  /** Key text of non-SID keys; undefined for SIDs and free ids. */
  private readonly texts: (string | undefined)[] = [];
  private readonly byText = new TextIndex(this.texts);
  private readonly domains: string[] = [];
  private readonly domainIds = new Map<string, number>();
  /** SID keys by domain id and RID. */
  private readonly sids = new SidIndex({ domainOf: this.domainOf, ridOf: this.ridOf });
  private readonly free: KeyId[] = [];
  private next = 0;
  private live = 0;
  /** The last domain prefix a SID was looked up in, and the last SID looked up (cleared when keys change). */
  private lastDomain = '\u0000';
  private lastDomainId = -1;
  private lastSid: string | undefined;
  private lastSidId: KeyId | undefined;

  /** Keys held by at least one holder. */
  get size(): number {
    return this.live;
  }

  /** Ids are below this: per-key columns of the pool's users are sized by it. */
  get capacity(): number {
    return this.kinds.length;
  }

  /** The id of a key, if any holder has it. */
  find(key: string): KeyId | undefined {
    const sid = key.startsWith('sid:') ? splitSid(key, 4) : undefined;
    if (!sid) return this.byText.find(key);
    const domain = this.domainIds.get(sid.domain);
    return domain === undefined ? this.byText.find(key) : this.sids.find(domain, sid.rid);
  }

  /**
   * The id of a SID as events write it (`S-1-5-21-…`), without building its `sid:` key or
   * slicing it: the domain prefix is compared with the last one looked up (a handful of
   * prefixes serve 100,000 SIDs) and the RID read digit by digit — this runs on every logon.
   */
  findSid(sid: string): KeyId | undefined {
    // Identity learning and then golden_ticket look up the same string of one event.
    if (sid === this.lastSid) return this.lastSidId;
    const found = this.lookUpSid(sid);
    this.lastSid = sid;
    this.lastSidId = found;
    return found;
  }

  private lookUpSid(sid: string): KeyId | undefined {
    const known = this.lastDomain.length;
    let domain: number | undefined;
    let rid: number | undefined;
    if (sid.charCodeAt(known) === 45 /* - */ && (rid = ridAt(sid, known + 1)) !== undefined && sid.startsWith(this.lastDomain)) {
      domain = this.lastDomainId;
    } else {
      const cut = sid.lastIndexOf('-');
      rid = ridAt(sid, cut + 1);
      if (rid === undefined || cut < 4 || sid.charCodeAt(0) !== 83 /* S */ || sid.charCodeAt(1) !== 45 /* - */) return this.byText.find(`sid:${sid}`);
      const prefix = sid.slice(0, cut);
      domain = this.domainIds.get(prefix);
      if (domain === undefined) return this.domains.length >= MAX_DOMAINS ? this.byText.find(`sid:${sid}`) : undefined;
      this.lastDomain = prefix;
      this.lastDomainId = domain;
    }
    return this.sids.find(domain, rid);
  }

  /** The key's id, interned if new, with one more holder. */
  acquire(key: string): KeyId {
    const known = this.find(key);
    if (known !== undefined) {
      this.refs[known] = (this.refs[known] as number) + 1;
      return known;
    }
    const id = this.allocate();
    this.lastSid = undefined;
    const sid = key.startsWith('sid:') ? splitSid(key, 4) : undefined;
    const domain = sid ? this.domainId(sid.domain) : undefined;
    if (sid && domain !== undefined) {
      this.kinds[id] = KEY_KIND.sid;
      this.domainOf[id] = domain;
      this.ridOf[id] = sid.rid;
      this.sids.add(id);
    } else {
      this.kinds[id] = PREFIX_KIND[key.slice(0, 4)] ?? KEY_KIND.other;
      this.domainOf[id] = -1;
      this.texts[id] = key;
      this.byText.add(id);
    }
    this.refs[id] = 1;
    return id;
  }

  /** One more holder of a key already held. */
  retain(id: KeyId): void {
    this.refs[id] = (this.refs[id] as number) + 1;
  }

  /** One holder fewer; the last one frees the key (its id may then name another key). */
  release(id: KeyId): void {
    const left = (this.refs[id] as number) - 1;
    this.refs[id] = Math.max(0, left);
    if (left > 0) return;
    this.lastSid = undefined;
    const domain = this.domainOf[id] as number;
    if (domain >= 0) this.sids.delete(id);
    else this.byText.delete(id);
    this.texts[id] = undefined;
    this.live--;
    this.free.push(id);
  }

  kind(id: KeyId): KeyKind {
    return this.kinds[id] as KeyKind;
  }

  /** The key as text (`sid:S-1-5-21-…-1105`): built for SIDs, so for output, not per event. */
  text(id: KeyId): string {
    const domain = this.domainOf[id] as number;
    return domain >= 0 ? `sid:${this.domains[domain]}-${this.ridOf[id]}` : (this.texts[id] as string);
  }

  /** The value without its `kind:` prefix. */
  value(id: KeyId): string {
    const domain = this.domainOf[id] as number;
    return domain >= 0 ? `${this.domains[domain]}-${this.ridOf[id]}` : (this.texts[id] as string).slice(4);
  }

  /** A SID key's domain prefix id and RID (other keys: domain -1). */
  sidParts(id: KeyId): { readonly domain: number; readonly rid: number } {
    return { domain: this.domainOf[id] as number, rid: this.ridOf[id] as number };
  }

  /** The id of a SID domain prefix (`S-1-5-21-a-b-c`) some key holds. */
  domainIdOf(prefix: string): number | undefined {
    return this.domainIds.get(prefix);
  }

  domainText(domain: number): string | undefined {
    return this.domains[domain];
  }

  /** The id of a SID domain prefix, interned if new (undefined past the cap). */
  domainId(prefix: string): number | undefined {
    const known = this.domainIds.get(prefix);
    if (known !== undefined) return known;
    if (this.domains.length >= MAX_DOMAINS) return undefined;
    const id = this.domains.length;
    this.domains.push(prefix);
    this.domainIds.set(prefix, id);
    return id;
  }

  private allocate(): KeyId {
    this.live++;
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    const id = this.next++;
    // Kept packed (a hole per SID key turned the array into a dictionary: 3× slower lookups).
    this.texts.push(undefined);
    if (id >= this.kinds.length) {
      const n = grownLength(this.kinds.length);
      this.kinds = copiedInto(this.kinds, new Uint8Array(n));
      this.refs = copiedInto(this.refs, new Uint32Array(n));
      this.domainOf = copiedInto(this.domainOf, new Int32Array(n));
      this.ridOf = copiedInto(this.ridOf, new Uint32Array(n));
      this.sids.use({ domainOf: this.domainOf, ridOf: this.ridOf });
    }
    return id;
  }
}

/**
 * `S-1-5-21-a-b-c-1105` → domain `S-1-5-21-a-b-c`, RID 1105; undefined unless the tail is a
 * RID (a 32-bit sub-authority) and the text is the canonical upper-case form, so text → id → text round-trips.
 */
export function splitSid(text: string, from: number): { readonly domain: string; readonly rid: number } | undefined {
  const cut = text.lastIndexOf('-');
  if (cut <= from + 3 || text.charCodeAt(from) !== 83 /* S */ || text.charCodeAt(from + 1) !== 45 /* - */) return undefined;
  const tail = text.slice(cut + 1);
  if (tail.length === 0 || tail.length > 10 || (tail.length > 1 && tail.charCodeAt(0) === 48 /* 0 */)) return undefined;
  for (let i = 0; i < tail.length; i++) {
    const c = tail.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const rid = Number(tail);
  return rid <= 0xffffffff ? { domain: text.slice(from, cut), rid } : undefined;
}

/** The RID written from `from` to the end of `text`: decimal, no leading zero, 32 bits; else undefined. */
function ridAt(text: string, from: number): number | undefined {
  const length = text.length - from;
  if (length <= 0 || length > 10 || (length > 1 && text.charCodeAt(from) === 48)) return undefined;
  let rid = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    rid = rid * 10 + c;
  }
  return rid <= 0xffffffff ? rid : undefined;
}

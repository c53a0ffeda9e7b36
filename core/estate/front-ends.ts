import Ajv from 'ajv';
import { compileAddresses, isAddressOrCidr, type AddressMatcher } from '../config/cidr';
import { sectionError } from '../config/section-error';
import { hostKey } from '../events/fields';
import { DAY } from '../events/time';

/**
 * Front-ends: hosts many identities authenticate *through* — Exchange/OWA, AD FS and its Web
 * Application Proxy, VPN concentrators, RDS/VDI gateways, NAT. Every user's typo behind one
 * of them reaches the DC from the front-end's address (4771) or name (4776), so "many
 * accounts failing from one source" is their normal day, not a spray (issue 15).
 *
 * Known two ways:
 * - configured: `frontEnds`, host names (short or FQDN), addresses or CIDR ranges;
 * - learned from their own traffic: a source through which at least
 *   `LEARN_MIN_IDENTITIES` (30) distinct accounts authenticated successfully in one day, on
 *   at least `LEARN_MIN_DAYS` (2) days. A workstation sees one to three people a day, a
 *   jump or file-share client a handful; 30 separates a shared entry point from a shared PC
 *   with room to spare, and two days keep one busy afternoon (a migration, a training room)
 *   from teaching it. A spray's successes are few (the one password that worked), so a
 *   sprayer does not learn itself as a front-end.
 */
export const LEARN_MIN_IDENTITIES = 30;
export const LEARN_MIN_DAYS = 2;
const MAX_SOURCES = 100_000;

export interface FrontEndView {
  /** Whether the source (address, or host name) is a configured or learned front-end. */
  isFrontEnd(source: { readonly ip?: string; readonly name?: string }): boolean;
}

interface SourceDays {
  day: number;
  /** Distinct accounts today, kept only until the bar is reached. */
  today: string[];
  /** Days on which the bar was reached (at most LEARN_MIN_DAYS kept). */
  days: number[];
}

export type FrontEndsSnapshot = readonly (readonly [string, SourceDays])[];

export class FrontEnds implements FrontEndView {
  private readonly names: ReadonlySet<string>;
  private readonly ranges: AddressMatcher;
  private readonly learned = new Map<string, SourceDays>();

  constructor(configured: readonly string[], saved?: FrontEndsSnapshot) {
    this.names = new Set(configured.filter((e) => !isAddressOrCidr(e)).map(hostKey));
    this.ranges = compileAddresses(configured.filter(isAddressOrCidr));
    for (const [k, v] of saved ?? []) this.learned.set(k, { day: v.day, today: [...v.today], days: [...v.days] });
  }

  /** One successful authentication of `account` through `source` (its address, else its name key). */
  observeSuccess(source: string, account: string, time: number): void {
    const day = Math.floor(time / DAY);
    let s = this.learned.get(source);
    if (!s) {
      if (this.learned.size >= MAX_SOURCES) this.dropOldest();
      s = { day, today: [], days: [] };
      this.learned.set(source, s);
    }
    if (s.day !== day) { s.day = day; s.today = []; }
    if (s.days.includes(day) || s.today.includes(account)) return;
    // Copied, not pushed: a pushed array reserves 16 more slots, and most of up to 100,000
    // sources (workstations) only ever see one to three accounts (issue 13).
    s.today = [...s.today, account];
    if (s.today.length < LEARN_MIN_IDENTITIES) return;
    s.today = [];
    s.days = [...s.days, day].slice(-LEARN_MIN_DAYS);
  }

  isFrontEnd(source: { readonly ip?: string; readonly name?: string }): boolean {
    if (source.ip !== undefined && (this.ranges.matches(source.ip) || this.isLearned(source.ip))) return true;
    return source.name !== undefined && (this.names.has(hostKey(source.name)) || this.isLearned(hostKey(source.name)));
  }

  private isLearned(key: string): boolean {
    return (this.learned.get(key)?.days.length ?? 0) >= LEARN_MIN_DAYS;
  }

  private dropOldest(): void {
    let drop = MAX_SOURCES / 10;
    for (const [k, s] of this.learned) {
      if (drop <= 0) break;
      if (s.days.length >= LEARN_MIN_DAYS) continue; // a learned front-end is worth its slot
      this.learned.delete(k);
      drop--;
    }
  }

  evictIdle(before: number): void {
    const day = Math.floor(before / DAY);
    for (const [k, s] of this.learned) if (s.day < day) this.learned.delete(k);
  }

  snapshot(): FrontEndsSnapshot {
    // Every source, however few accounts so far: a scheduled pass every few minutes sees a
    // front-end's day a handful of sign-ins at a time.
    return [...this.learned];
  }
}

const schema = { type: 'array', items: { type: 'string', format: 'front-end' } };
let validator: ReturnType<Ajv['compile']> | undefined;

/** A front-end entry: an address or CIDR range, or a host name (letters, digits, dots, hyphens). */
function isFrontEndEntry(entry: string): boolean {
  return isAddressOrCidr(entry) || /^[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*$/.test(entry);
}

/** Validates `frontEnds`; a bad entry names its index and what was expected. */
export function resolveFrontEnds(raw: unknown): readonly string[] {
  if (raw === undefined) return [];
  validator ??= new Ajv({ allErrors: false, strict: true }).addFormat('front-end', { type: 'string', validate: isFrontEndEntry }).compile(schema);
  if (!validator(raw)) {
    const e = validator.errors?.[0];
    if (e?.keyword === 'format') throw sectionError('frontEnds', { ...e, params: { format: 'host name, IP address or CIDR range (e.g. adfs01, mail.corp.example, 203.0.113.0/28)' } });
    throw sectionError('frontEnds', e);
  }
  return raw as readonly string[];
}

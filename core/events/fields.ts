/**
 * Tolerant readers for the values real exports contain: numbers as strings, hex in either
 * case, `-` for empty, `DOMAIN\user` vs `user@domain`, IPv6-mapped IPv4, odd timestamps.
 * Every reader returns `undefined` for "absent" so callers never test for `'-'` themselves.
 */

export type Sid = string & { readonly __brand: 'Sid' };

export interface Account {
  /** As logged, without the domain part. */
  readonly name: string;
  readonly domain?: string;
  readonly sid?: Sid;
}

/** A string field, or undefined when missing, empty or Windows' `-` placeholder. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' || trimmed === '-' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** `0x17`, `0X17`, `23`, 23 → 23. Message-table references (`%%1234`) and junk → undefined. */
export function integer(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const s = text(value);
  if (s === undefined) return undefined;
  // Read by char codes: Status, TicketOptions, encryption types and logon ids make this several
  // calls per event, and the regex tests and the slice were most of its cost.
  if (s.length > 2 && s.charCodeAt(0) === 0x30 && (s.charCodeAt(1) | 0x20) === 0x78) return digits(s, 2, 16, 13);
  return s.charCodeAt(0) === 0x2d ? negate(digits(s, 1, 10, 15)) : digits(s, 0, 10, 15);
}

/** `s` from `from` on as 1..`max` digits of `radix` (10 or 16), or undefined if anything else is there. */
function digits(s: string, from: number, radix: 10 | 16, max: number): number | undefined {
  const n = s.length - from;
  if (n < 1 || n > max) return undefined;
  let v = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (radix === 16 && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) d = (c | 0x20) - 0x57;
    else return undefined;
    v = v * radix + d;
  }
  return v;
}

function negate(n: number | undefined): number | undefined {
  return n === undefined ? undefined : -n;
}

export function asSid(value: unknown): Sid | undefined {
  const s = text(value);
  if (s === undefined) return undefined;
  const upper = s.toUpperCase();
  // S-1-0-0 is the NULL SID Windows writes when it has no account: not an identity.
  if (!isSidText(upper) || upper === 'S-1-0-0') return undefined;
  return upper as Sid;
}

/**
 * `/^S-1-\d+(-\d+)*$/` read by char codes: every logon and ticket event carries two or three
 * SIDs, and the regex test was asSid's self time (116 ms at 1 M events).
 */
function isSidText(s: string): boolean {
  if (s.length < 5 || s.charCodeAt(0) !== 0x53 || s.charCodeAt(1) !== 0x2d || s.charCodeAt(2) !== 0x31 || s.charCodeAt(3) !== 0x2d) return false;
  let digitsInGroup = 0;
  for (let i = 4; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digitsInGroup++;
    else if (c === 0x2d && digitsInGroup > 0) digitsInGroup = 0;
    else return false;
  }
  return digitsInGroup > 0;
}

/**
 * An account from a name field and optional domain/SID fields. Splits `DOMAIN\user`
 * and `user@realm` so the same person logged both ways gets one name.
 */
export function account(nameValue: unknown, domainValue?: unknown, sidValue?: unknown): Account | undefined {
  const raw = text(nameValue);
  const sid = asSid(sidValue);
  let domain = text(domainValue);
  if (raw === undefined) return sid ? { name: sid, sid, ...(domain ? { domain } : {}) } : undefined;
  let name = raw;
  const slash = raw.indexOf('\\');
  if (slash > 0) {
    domain ??= raw.slice(0, slash);
    name = raw.slice(slash + 1);
  } else {
    const at = raw.lastIndexOf('@');
    if (at > 0 && at < raw.length - 1) {
      domain ??= raw.slice(at + 1);
      name = raw.slice(0, at);
    }
  }
  if (name === '') return undefined;
  const a: { name: string; domain?: string; sid?: Sid } = { name };
  if (domain) a.domain = domain;
  if (sid) a.sid = sid;
  return a;
}

/**
 * The key accounts are matched by: case-insensitive name, domain left out (formats vary).
 *
 * No memo, and names are not interned any more: a global intern table (up to 200,000 names,
 * cleared wholesale) and a memo of lower-cased names held 176,000 + 81,000 entries after a 1 M
 * pass over 100 k accounts, and without the intern table the live heap after the pass was
 * 8 MB smaller (190.9 against 198.8 MB) at the same CPU: state holds names as interned integer
 * ids now, so the table deduplicated nothing that stays.
 */
export function accountKey(a: Account): string {
  return a.name.toLowerCase();
}

export function isMachineAccount(a: Account): boolean {
  return a.name.endsWith('$');
}

/**
 * An IP address as a plain string: `::ffff:10.0.0.5` → `10.0.0.5`, `[::1]:445` → `::1`,
 * `10.0.0.5:3389` → `10.0.0.5`. Empty and `-` → undefined.
 */
export function ip(value: unknown): string | undefined {
  let s = text(value);
  if (s === undefined) return undefined;
  if (s[0] === '[') {
    const end = s.indexOf(']');
    s = end > 0 ? s.slice(1, end) : s;
  }
  const lower = s.toLowerCase();
  if (lower.startsWith('::ffff:') && lower.indexOf('.') > 0) return lower.slice(7);
  const colon = lower.indexOf(':');
  if (colon > 0 && lower.indexOf('.') > 0 && colon === lower.lastIndexOf(':')) return lower.slice(0, colon);
  return lower;
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/** `DC1.corp.local` → `dc1`; `\\WS01` → `ws01`. The key hosts are matched by. */
export function hostKey(value: string): string {
  // Several detectors key the same event by its host, one after the other: the last answer
  // spares them the map's hashing of a fresh string (hostKey was 359 ms self at 1 M events).
  if (value === lastHost) return lastHostKey;
  // Detectors key nearly every event by host, and an estate has few distinct host strings.
  const cached = hostKeys.get(value);
  if (cached !== undefined) {
    lastHost = value;
    lastHostKey = cached;
    return cached;
  }
  let s = value.trim().toLowerCase();
  if (s.startsWith('\\\\')) s = s.slice(2);
  const dot = s.indexOf('.');
  // An IPv4 address is its own key, not a host name to shorten.
  if (dot > 0 && !/^\d+\.\d+\.\d+\.\d+$/.test(s)) s = s.slice(0, dot);
  if (hostKeys.size >= HOST_KEY_CACHE) hostKeys.clear();
  hostKeys.set(value, s);
  lastHost = value;
  lastHostKey = s;
  return s;
}

let lastHost = '';
let lastHostKey = '';

/**
 * Drops the module's memo (host keys), so a long-lived process (scheduled passes) holds none of
 * one pass's strings into the next: the engine calls it when a pass ends.
 */
export function forgetMemos(): void {
  hostKeys.clear();
  lastHost = '';
  lastHostKey = '';
}

/**
 * The host a 4769 `ServiceName` points at, as a host key: a machine account (`TARGET01$`) or an
 * SPN (`cifs/target01.corp.example`, `HOST/TARGET01:445`) → `target01`.
 */
export function serviceHostKey(serviceName: string): string {
  const s = serviceName.trim();
  const slash = s.indexOf('/');
  const host = slash >= 0 ? (s.slice(slash + 1).split(/[:/]/)[0] ?? '') : s.replace(/\$$/, '');
  return hostKey(host.replace(/@.*$/, ''));
}

const HOST_KEY_CACHE = 50_000;
const hostKeys = new Map<string, string>();

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every GUID in a field such as 4662 `Properties`, lower case, braces dropped. */
export function guids(value: unknown): string[] {
  const s = typeof value === 'string' ? value : '';
  const found = s.match(GUID);
  return found ? found.map((g) => g.toLowerCase()) : [];
}

export function guid(value: unknown): string | undefined {
  return guids(value)[0];
}

/**
 * Event time in epoch milliseconds. Accepts ISO-8601 with or without zone (no zone means UTC,
 * as exporters write it), a space instead of `T`, and epoch seconds or milliseconds.
 */
export function timestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return epoch(value);
  // Fast path for the canonical form (`2019-05-08T02:10:43.487Z`), which is nearly every event.
  if (typeof value === 'string' && value.length === 24 && value.charCodeAt(23) === 0x5a && value.charCodeAt(10) === 0x54) {
    const ms = canonicalMs(value);
    if (ms !== undefined) return inRange(ms);
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return inRange(parsed);
  }
  const s = text(value);
  if (s === undefined) return undefined;
  if (/^\d{9,13}(\.\d+)?$/.test(s)) return epoch(Number(s));
  const iso = s.replace(' ', 'T');
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? inRange(ms) : undefined;
}

/**
 * `YYYY-MM-DDTHH:MM:SS.mmmZ` read by char codes, or undefined for anything this does not read
 * with certainty (a field out of its plain range, such as hour 24 or day 31 of a short month:
 * `Date.parse` then decides, as before). `Date.parse` was 220 ms self at 1 M events; days are
 * counted as in H. Hinnant's days_from_civil (chrono-Compatible Low-Level Date Algorithms).
 */
function canonicalMs(s: string): number | undefined {
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a || s.charCodeAt(19) !== 0x2e) return undefined;
  const y = num(s, 0, 4);
  const m = num(s, 5, 2);
  const d = num(s, 8, 2);
  const hh = num(s, 11, 2);
  const mm = num(s, 14, 2);
  const ss = num(s, 17, 2);
  const ms = num(s, 20, 3);
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > 28 + (m === 2 ? 0 : 2) || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59 || ms < 0) return undefined;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return ((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms;
}

/** `n` decimal digits of `s` from `at`, or -1 if any is not a digit. */
function num(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The largest time a `Date` holds (ECMA-262 §21.4.1.1). `9e15` passed `epoch()` and then made
 * `toISOString` throw deep in alert building, failing every rerun (issue 12, item 1).
 */
export const MAX_TIME_MS = 8.64e15;

function epoch(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return inRange(n < 1e11 ? Math.round(n * 1000) : Math.round(n));
}

/** Before 1970 is a zeroed FILETIME or junk, not an event time. */
function inRange(ms: number): number | undefined {
  return ms > 0 && ms <= MAX_TIME_MS ? ms : undefined;
}

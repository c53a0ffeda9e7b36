import type { FieldValue, Row } from './spl-eval';

/**
 * The emulator's indexes: events with the fields a search head would show after search-time
 * extraction, plus the internal fields the pull relies on (`_time`, `_indextime`, `_bkt`, `_cd`).
 */
export interface StoredEvent {
  readonly index: string;
  readonly sourcetype: string;
  readonly source: string;
  readonly host: string;
  /** Epoch milliseconds (event time). */
  readonly time: number;
  /** Epoch seconds (index time). */
  readonly indexTime: number;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly raw?: string;
  readonly bkt: string;
  readonly cd: string;
  /** The row searches see, built once: stored events never change. */
  readonly row: Row;
}

export interface NewEvent {
  readonly index: string;
  readonly sourcetype: string;
  readonly source: string;
  readonly host: string;
  readonly time: number;
  readonly indexTime: number;
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly raw?: string;
}

/** Events per bucket before the next one starts, so `_bkt` varies as it does in Splunk. */
const BUCKET_SIZE = 10_000;

export class EventStore {
  readonly events: StoredEvent[] = [];
  private counter = 0;

  add(e: NewEvent): StoredEvent {
    const n = this.counter++;
    const bucket = Math.floor(n / BUCKET_SIZE);
    const bkt = `${e.index}~${bucket}~2F1D5C51-EMUL-ATED-0000-000000000000`;
    const cd = `${bucket}:${n % BUCKET_SIZE * 64}`;
    const stored: StoredEvent = { ...e, bkt, cd, row: EventStore.row({ ...e, bkt, cd }) };
    this.events.push(stored);
    return stored;
  }

  clear(): void {
    this.events.length = 0;
  }

  /** The row a search sees, with Splunk's JSON rendering of the internal fields. */
  static row(e: Omit<StoredEvent, 'row'>): Row {
    return {
      ...e.fields,
      _time: isoWithOffset(e.time),
      _indextime: String(e.indexTime),
      _bkt: e.bkt,
      _cd: e.cd,
      _serial: '0',
      _si: ['emulator', e.index],
      _sourcetype: e.sourcetype,
      ...(e.raw !== undefined ? { _raw: e.raw } : {}),
      index: e.index,
      host: e.host,
      source: e.source,
      sourcetype: e.sourcetype,
      splunk_server: 'emulator',
      linecount: '1',
    };
  }
}

/** `2019-05-08T02:10:43.487+00:00`, as Splunk renders `_time` in JSON output for a UTC user. */
export function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/**
 * KV_MODE=json field names: nested objects joined with `.`, arrays as `{}` multivalues
 * (`entities.accounts{}.name`), as Splunk's automatic JSON extraction names them.
 */
export function flattenJson(value: unknown, prefix = '', out: Record<string, FieldValue> = {}): Record<string, FieldValue> {
  if (value === null || value === undefined) return out;
  if (Array.isArray(value)) {
    for (const v of value) flattenJson(v, `${prefix}{}`, out);
    return out;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenJson(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
  }
  const s = String(value);
  const existing = out[prefix];
  out[prefix] = existing === undefined ? s : Array.isArray(existing) ? [...existing, s] : [existing, s];
  return out;
}

/** Splunk time arguments: epoch seconds (fractional), `0`, `now`, or relative (`-24h`, `-7d`, `+1d`). */
export function parseTimeArg(value: string | undefined, nowSeconds: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'now') return nowSeconds;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  const m = /^([+-])(\d+)([smhd])$/.exec(value);
  if (m) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[3] as 's' | 'm' | 'h' | 'd'];
    return nowSeconds + (m[1] === '-' ? -1 : 1) * Number(m[2]) * unit;
  }
  const t = Date.parse(value);
  return Number.isFinite(t) ? t / 1000 : undefined;
}

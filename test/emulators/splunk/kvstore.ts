import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { messages, sendJson, type RecordedRequest } from './http-util';

/**
 * KV store REST (`/servicesNS/{owner}/{app}/storage/collections/...`): collections declared per
 * app (as collections.conf does), records with `_key`, `query` filters with equality,
 * `$lt`/`$gt` and `$or`, `batch_save` upserts (docs.splunk.com RESTREF "KV store endpoints").
 */
type KvRecord = Record<string, unknown> & { _key: string };

export class KvStore {
  /** app → collection → key → record. */
  readonly data = new Map<string, Map<string, Map<string, KvRecord>>>();
  disabled = false;

  declare(app: string, collection: string): void {
    const colls = this.data.get(app) ?? new Map<string, Map<string, KvRecord>>();
    if (!colls.has(collection)) colls.set(collection, new Map());
    this.data.set(app, colls);
  }

  records(app: string, collection: string): KvRecord[] {
    return [...(this.data.get(app)?.get(collection)?.values() ?? [])];
  }

  /**
   * A collection as `inputlookup` returns it: every value a string, arrays as multivalue fields.
   * The KV store promises no order without a sort; this one returns `_key` order, so a search
   * that relies on write order instead of sorting gets caught.
   */
  rows(app: string, collection: string): Record<string, string | string[]>[] {
    return this.records(app, collection).sort((a, b) => (a._key < b._key ? -1 : a._key > b._key ? 1 : 0)).map((rec) => Object.fromEntries(Object.entries(rec)
      .filter(([k, v]) => k !== '_user' && v !== null && v !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)])));
  }

  /** Handles `rest` = `storage/collections/...`; returns the status sent. */
  handle(app: string | undefined, rest: string, r: RecordedRequest, res: ServerResponse): number {
    if (this.disabled) return reply(res, 503, messages('ERROR', 'KV Store is disabled. Please enable it to start the data store.'));
    const m = /^storage\/collections\/(config|data)\/([^/]+)(?:\/([^/]+))?$/.exec(rest);
    if (!m || app === undefined || app === '-') return reply(res, 404, messages('ERROR', 'Not Found: KV store needs an app namespace (/servicesNS/{owner}/{app}/…)'));
    const [, kind, rawColl, rawKey] = m;
    const collection = decodeURIComponent(rawColl as string);
    const coll = this.data.get(app)?.get(collection);
    if (kind === 'config') {
      if (r.method !== 'GET') return reply(res, 405, messages('ERROR', 'method not allowed'));
      return coll ? reply(res, 200, { entry: [{ name: collection, content: {} }] }) : reply(res, 404, messages('ERROR', `Could not find object id=${collection}`));
    }
    if (!coll) return reply(res, 404, messages('ERROR', `Collection: ${collection} not found`));
    const key = rawKey === undefined ? undefined : decodeURIComponent(rawKey);
    if (key === 'batch_save') {
      if (r.method !== 'POST') return reply(res, 405, messages('ERROR', 'method not allowed'));
      const docs = JSON.parse(r.body) as KvRecord[];
      if (!Array.isArray(docs)) return reply(res, 400, messages('ERROR', 'batch_save expects a JSON array'));
      const keys = docs.map((d) => {
        const k = d._key ?? randomUUID();
        coll.set(k, { ...d, _key: k, _user: 'nobody' });
        return k;
      });
      return reply(res, 200, keys);
    }
    if (key !== undefined) {
      if (r.method === 'GET') {
        const rec = coll.get(key);
        return rec ? reply(res, 200, rec) : reply(res, 404, messages('ERROR', 'Could not find object.'));
      }
      if (r.method === 'POST') {
        if (!coll.has(key)) return reply(res, 404, messages('ERROR', 'Could not find object.'));
        coll.set(key, { ...(JSON.parse(r.body) as object), _key: key, _user: 'nobody' });
        return reply(res, 200, { _key: key });
      }
      if (r.method === 'DELETE') {
        coll.delete(key);
        return reply(res, 200, {});
      }
    }
    const filter = r.query['query'] ? (JSON.parse(r.query['query']) as Record<string, unknown>) : {};
    const matching = [...coll.values()].filter((rec) => matches(rec, filter));
    if (r.method === 'GET') return reply(res, 200, matching);
    if (r.method === 'DELETE') {
      for (const rec of matching) coll.delete(rec._key);
      return reply(res, 200, {});
    }
    if (r.method === 'POST') {
      const doc = JSON.parse(r.body) as KvRecord;
      const k = doc._key ?? randomUUID();
      if (coll.has(k)) return reply(res, 409, messages('ERROR', 'A document with the same key and user already exists.'));
      coll.set(k, { ...doc, _key: k, _user: 'nobody' });
      return reply(res, 201, { _key: k });
    }
    return reply(res, 405, messages('ERROR', 'method not allowed'));
  }
}

function matches(rec: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([k, cond]) => {
    if (k === '$or') return Array.isArray(cond) && cond.some((c) => matches(rec, c as Record<string, unknown>));
    const v = rec[k];
    if (cond && typeof cond === 'object') {
      const c = cond as { $lt?: number; $gt?: number };
      if (c.$lt !== undefined && !(typeof v === 'number' && v < c.$lt)) return false;
      if (c.$gt !== undefined && !(typeof v === 'number' && v > c.$gt)) return false;
      return true;
    }
    return v === cond;
  });
}

function reply(res: ServerResponse, status: number, body: unknown): number {
  sendJson(res, status, body);
  return status;
}

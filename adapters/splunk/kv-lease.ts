import { randomUUID } from 'node:crypto';
import { StateConflictError } from '../../core/state/state';
import { SplunkRequestError } from './errors';
import type { SplunkSession } from './sdk';

/**
 * A commit lease in the KV store. The KV store REST API has no conditional write (no version
 * or If-Match on `storage/collections/data/{collection}/{key}`; docs.splunk.com RESTREF "KV store
 * endpoints"), but inserting a record whose `_key` exists is refused with 409 Conflict. So the
 * record `<key>:lease` (holder, expiry) is created before a commit and deleted after it: of two
 * passes exactly one creates it. A lease left by a crashed pass expires; taking over an expired
 * lease goes through a second insert, `<key>:lease:takeover:<expired holder>`, so two passes that
 * both found it expired cannot both take it.
 */
export interface LeaseOptions {
  readonly session: SplunkSession;
  /** `storage/collections/data/<collection>`. */
  readonly dataPath: string;
  readonly key: string;
  readonly where: string;
  readonly clock: () => number;
  /** How long a commit may take before another pass may assume its holder died. */
  readonly ttlMs: number;
  readonly holder?: string;
}

interface LeaseRecord {
  readonly _key: string;
  readonly holder: string;
  readonly expires: number;
}

export class KvLease {
  readonly holder: string;
  private takeover: string | undefined;

  constructor(private readonly o: LeaseOptions) {
    this.holder = o.holder ?? randomUUID();
  }

  private get leaseKey(): string {
    return `${this.o.key}:lease`;
  }

  /** Takes the lease, or throws `StateConflictError` when a live pass holds it. */
  async take(): Promise<void> {
    const mine: LeaseRecord = { _key: this.leaseKey, holder: this.holder, expires: this.o.clock() + this.o.ttlMs };
    if (await this.insert(mine)) return;
    const held = await this.current();
    if (held === undefined) {
      // Released between our insert and our read: one more try, then it is a race we lost.
      if (await this.insert(mine)) return;
      throw this.conflict('another pass took the commit lease at the same moment');
    }
    // Our own insert, answered 409 on a retry after its first try went through unseen.
    if (held.holder === this.holder) return;
    if (held.expires > this.o.clock()) throw this.conflict(`pass ${held.holder} holds the commit lease until ${new Date(held.expires).toISOString()}`);
    const marker = `${this.leaseKey}:takeover:${held.holder}`;
    if (!(await this.insert({ _key: marker, holder: this.holder, expires: mine.expires }))) throw this.conflict('another pass is taking over an expired commit lease');
    this.takeover = marker;
    // Still the expired lease we judged? Then it is ours to overwrite.
    const again = await this.current();
    if (again?.holder !== held.holder) throw this.conflict('the expired commit lease changed hands');
    await this.o.session.call({ method: 'POST', path: `${this.o.dataPath}/${encodeURIComponent(this.leaseKey)}`, json: mine });
  }

  /** Deletes the lease if this pass still holds it (a pass that outlived its lease leaves the new holder's). */
  async release(): Promise<void> {
    const held = await this.current();
    if (held?.holder === this.holder) await this.o.session.call({ method: 'DELETE', path: `${this.o.dataPath}/${encodeURIComponent(this.leaseKey)}` });
    if (this.takeover !== undefined) await this.o.session.call({ method: 'DELETE', path: `${this.o.dataPath}/${encodeURIComponent(this.takeover)}` });
    this.takeover = undefined;
  }

  private async insert(record: LeaseRecord): Promise<boolean> {
    try {
      await this.o.session.call({ method: 'POST', path: this.o.dataPath, json: record });
      return true;
    } catch (e) {
      if (e instanceof SplunkRequestError && e.status === 409) return false;
      throw e;
    }
  }

  private async current(): Promise<LeaseRecord | undefined> {
    const res = await this.o.session.call({ method: 'GET', path: `${this.o.dataPath}/${encodeURIComponent(this.leaseKey)}` });
    if (res.status === 404) return undefined;
    const r = res.data as Partial<LeaseRecord> | undefined;
    return typeof r?.holder === 'string' && typeof r.expires === 'number' ? { _key: this.leaseKey, holder: r.holder, expires: r.expires } : undefined;
  }

  private conflict(detail: string): StateConflictError {
    return new StateConflictError(this.o.where, detail);
  }
}

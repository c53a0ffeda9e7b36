import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FileStateStore } from '../file/file-state-store';
import { assembleNewest, nextGeneration, splitState } from '../../core/state/chunked-state';
import { checkState, StateConflictError, type EngineState, type LoadedState, type StateStore, type StateToken } from '../../core/state/state';
import { SplunkRequestError } from './errors';
import { KvLease } from './kv-lease';
import type { SplunkSession } from './sdk';
import { messages } from './sdk';

/**
 * Engine state in a KV store collection (declared in the app's collections.conf), which
 * survives search-head restarts and is replicated across a search-head cluster. The state is
 * one JSON document split into generations of parts (core/state/chunked-state.ts), so no record
 * nears the KV store's per-document limit and a crash mid-save leaves the previous state readable.
 *
 * Commits are compare-and-set: the version token is the generation loaded, and `save` checks
 * it again under a commit lease (kv-lease.ts), since the KV store itself has no conditional write.
 *
 * Where the KV store is off (`[kvstore] disabled = true`, e.g. a heavy forwarder) or the
 * collection does not exist (the app is not installed), state lives in a local file instead,
 * and the log says so. A KV store that is only failing right now fails the pass: starting
 * afresh would skip everything between the lost checkpoint and the initial lookback.
 */
export interface KvStateOptions {
  readonly session: SplunkSession;
  readonly collection: string;
  readonly key: string;
  readonly fallbackFile: string;
  readonly clock: () => number;
  readonly partChars?: number;
  readonly log?: (entry: Record<string, unknown>) => void;
  /** Longest a commit may hold the lease before another pass may take it over. */
  readonly leaseMs?: number;
}

/** What a token says: the KV generation loaded, and the fallback file's own token. */
interface KvToken {
  readonly generation: number | null;
  readonly file: StateToken | null;
}

export class KvStateStore implements StateStore {
  /** Where this pass keeps state, decided by `load`. */
  mode: 'kvstore' | 'file' | undefined;
  private readonly file: FileStateStore;

  constructor(private readonly o: KvStateOptions) {
    this.file = new FileStateStore(o.fallbackFile);
  }

  async load(): Promise<LoadedState | undefined> {
    this.mode = await this.kvStoreUsable() ? 'kvstore' : 'file';
    const fromFile = await this.file.load();
    if (this.mode === 'file') return fromFile && { state: fromFile.state, token: encode({ generation: null, file: fromFile.token }) };
    const { generation, text } = await this.newest();
    // A fallback file exists only if the KV store was unusable at the last save: it is newer.
    if (fromFile) {
      this.o.log?.({ level: 'warn', msg: 'state taken from the fallback file, written while the KV store was unusable; it moves to the KV store on this save', file: this.o.fallbackFile });
      return { state: fromFile.state, token: encode({ generation, file: fromFile.token }) };
    }
    if (text === undefined) return undefined;
    return { state: checkState(JSON.parse(text), this.where()), token: encode({ generation, file: null }) };
  }

  async save(state: EngineState, expected: StateToken | null): Promise<StateToken> {
    if (this.mode === undefined) this.mode = await this.kvStoreUsable() ? 'kvstore' : 'file';
    const want = expected === null ? { generation: null, file: null } : decode(expected, this.where());
    if (this.mode === 'file') {
      await mkdir(dirname(this.o.fallbackFile), { recursive: true });
      return encode({ generation: null, file: await this.file.save(state, want.file) });
    }
    const lease = new KvLease({ session: this.o.session, dataPath: this.dataPath(), key: this.o.key, where: this.where(), clock: this.o.clock, ttlMs: this.o.leaseMs ?? 300_000 });
    await lease.take();
    try {
      const { generation: found } = await this.newest();
      if (found !== want.generation) throw new StateConflictError(this.where(), `generation ${found ?? 'none'} is stored, this pass loaded ${want.generation ?? 'none'}`);
      const fileNow = (await this.file.load())?.token ?? null;
      if (fileNow !== want.file) throw new StateConflictError(this.o.fallbackFile, 'the fallback state file changed since this pass loaded it');
      const generation = nextGeneration(found, this.o.clock());
      const parts = splitState(this.o.key, generation, JSON.stringify(state), this.o.partChars ?? 4 * 1024 * 1024);
      // batch_save upserts by _key; groups stay well under limits.conf max_size_per_batch_save_mb (50).
      for (let i = 0; i < parts.length; i += 8) {
        await this.o.session.call({ method: 'POST', path: `${this.dataPath()}/batch_save`, json: parts.slice(i, i + 8) });
      }
      await this.o.session.call({ method: 'DELETE', path: this.dataPath(), query: { query: JSON.stringify({ name: this.o.key, generation: { $lt: generation } }) } });
      await unlink(this.o.fallbackFile).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      return encode({ generation, file: null });
    } finally {
      await lease.release();
    }
  }

  private where(): string {
    return `KV store collection ${this.o.collection}`;
  }

  private dataPath(): string {
    return `storage/collections/data/${encodeURIComponent(this.o.collection)}`;
  }

  /** The newest complete generation (lease records carry no `name` and are not read). */
  private async newest(): Promise<{ generation: number | null; text: string | undefined }> {
    const res = await this.o.session.call({ method: 'GET', path: this.dataPath(), query: { query: JSON.stringify({ name: this.o.key }) } });
    if (res.status === 404) return { generation: null, text: undefined };
    if (!Array.isArray(res.data)) throw new SplunkRequestError(`GET ${this.dataPath()}`, res.status, 'expected a JSON array of records');
    const a = assembleNewest(res.data);
    if (a.kind === 'incomplete') throw new SplunkRequestError(this.where(), undefined, 'holds only incomplete state generations');
    return a.kind === 'complete' ? { generation: a.generation, text: a.text } : { generation: null, text: undefined };
  }

  /** The collection exists and the KV store is on; transient KV store failures throw. */
  private async kvStoreUsable(): Promise<boolean> {
    const path = `storage/collections/config/${encodeURIComponent(this.o.collection)}`;
    let res: { status: number; data: unknown };
    try {
      res = await this.o.session.call({ method: 'GET', path });
    } catch (e) {
      if (e instanceof SplunkRequestError && e.status === 503 && /disabled/i.test(e.message)) {
        this.fallback('the KV store is disabled on this Splunk instance');
        return false;
      }
      throw e;
    }
    if (res.status === 404) {
      this.fallback(`KV store collection ${this.o.collection} does not exist (is the tierzero app installed?): ${messages(res.data)}`);
      return false;
    }
    return true;
  }

  private fallback(why: string): void {
    this.o.log?.({ level: 'warn', msg: `engine state kept in a local file: ${why}`, file: this.o.fallbackFile });
  }
}

function encode(t: KvToken): StateToken {
  return JSON.stringify(t);
}

function decode(token: StateToken, where: string): KvToken {
  try {
    const t = JSON.parse(token) as Partial<KvToken>;
    if ((typeof t.generation === 'number' || t.generation === null) && (typeof t.file === 'string' || t.file === null)) return { generation: t.generation, file: t.file };
  } catch {
    // fall through
  }
  throw new StateConflictError(where, 'the version token was not issued by this store');
}

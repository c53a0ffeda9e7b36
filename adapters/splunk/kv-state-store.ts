import { mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FileStateStore } from '../file/file-state-store';
import { checkState, type EngineState, type StateStore } from '../../core/state/state';
import { SplunkRequestError } from './errors';
import type { SplunkSession } from './sdk';
import { messages } from './sdk';

/**
 * Engine state in a KV store collection (declared in the app's collections.conf), which
 * survives search-head restarts and is replicated across a search-head cluster. The state is
 * one JSON document, split into parts so no record nears the KV store's per-document limit;
 * each save is a new generation, readers take the newest complete one, and older generations
 * are deleted afterwards, so a crash mid-save leaves the previous state readable.
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
}

interface StatePart {
  readonly _key: string;
  readonly name: string;
  readonly generation: number;
  readonly part: number;
  readonly parts: number;
  readonly state: string;
}

export class KvStateStore implements StateStore {
  /** Where this pass keeps state, decided by `load`. */
  mode: 'kvstore' | 'file' | undefined;
  private generation = 0;
  private readonly file: FileStateStore;

  constructor(private readonly o: KvStateOptions) {
    this.file = new FileStateStore(o.fallbackFile);
  }

  async load(): Promise<EngineState | undefined> {
    this.mode = await this.kvStoreUsable() ? 'kvstore' : 'file';
    const fromFile = await this.file.load();
    if (this.mode === 'file') return fromFile;
    const parts = await this.parts();
    this.generation = Math.max(0, ...parts.map((p) => p.generation));
    const fromKv = assemble(parts, this.o.collection);
    // A fallback file exists only if the KV store was unusable at the last save: it is newer.
    if (fromFile) {
      this.o.log?.({ level: 'warn', msg: 'state taken from the fallback file, written while the KV store was unusable; it moves to the KV store on this save', file: this.o.fallbackFile });
      return fromFile;
    }
    return fromKv ? checkState(JSON.parse(fromKv), `KV store collection ${this.o.collection}`) : undefined;
  }

  async save(state: EngineState): Promise<void> {
    if (this.mode === undefined) this.mode = await this.kvStoreUsable() ? 'kvstore' : 'file';
    if (this.mode === 'file') {
      await mkdir(dirname(this.o.fallbackFile), { recursive: true });
      await this.file.save(state);
      return;
    }
    const text = JSON.stringify(state);
    const size = this.o.partChars ?? 4 * 1024 * 1024;
    const generation = Math.max(this.generation + 1, this.o.clock());
    const count = Math.max(1, Math.ceil(text.length / size));
    const parts: StatePart[] = [];
    for (let i = 0; i < count; i++) {
      parts.push({ _key: `${this.o.key}:${generation}:${i}`, name: this.o.key, generation, part: i, parts: count, state: text.slice(i * size, (i + 1) * size) });
    }
    // batch_save upserts by _key; groups stay well under limits.conf max_size_per_batch_save_mb (50).
    for (let i = 0; i < parts.length; i += 8) {
      await this.o.session.call({ method: 'POST', path: `${this.dataPath()}/batch_save`, json: parts.slice(i, i + 8) });
    }
    this.generation = generation;
    await this.o.session.call({ method: 'DELETE', path: this.dataPath(), query: { query: JSON.stringify({ name: this.o.key, generation: { $lt: generation } }) } });
    await unlink(this.o.fallbackFile).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }

  private dataPath(): string {
    return `storage/collections/data/${encodeURIComponent(this.o.collection)}`;
  }

  private async parts(): Promise<StatePart[]> {
    const res = await this.o.session.call({ method: 'GET', path: this.dataPath(), query: { query: JSON.stringify({ name: this.o.key }) } });
    if (res.status === 404) return [];
    if (!Array.isArray(res.data)) throw new SplunkRequestError(`GET ${this.dataPath()}`, res.status, 'expected a JSON array of records');
    return res.data as StatePart[];
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

/** The newest generation with every part present, as one string. */
function assemble(parts: readonly StatePart[], collection: string): string | undefined {
  const byGeneration = new Map<number, StatePart[]>();
  for (const p of parts) {
    if (typeof p.generation !== 'number' || typeof p.part !== 'number' || typeof p.state !== 'string') continue;
    byGeneration.set(p.generation, [...(byGeneration.get(p.generation) ?? []), p]);
  }
  for (const g of [...byGeneration.keys()].sort((a, b) => b - a)) {
    const list = (byGeneration.get(g) ?? []).sort((a, b) => a.part - b.part);
    if (list.length && list.length === list[0]?.parts && list.every((p, i) => p.part === i)) return list.map((p) => p.state).join('');
  }
  if (byGeneration.size) throw new SplunkRequestError(`KV store collection ${collection}`, undefined, 'holds only incomplete state generations');
  return undefined;
}


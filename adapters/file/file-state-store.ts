import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { checkState, StateConflictError, StateInvalidError, type EngineState, type LoadedState, type StateStore, type StateToken } from '../../core/state/state';
import { FileIoError } from './io-error';
import { writeChunksAtomic } from './atomic-write';
import { jsonChunks } from './json-chunks';
import { withCommitLock, type CommitLockOptions } from './commit-lock';

/**
 * State in one local JSON file, replaced atomically on every commit. The version token is a
 * hash of the file's bytes; `save` compares it under an exclusive commit lock, so of two
 * writers that loaded the same state only the first to commit succeeds.
 *
 * `save` streams: the current file is hashed as it is read and the new document is written and
 * hashed piece by piece (json-chunks), so the end of a pass no longer holds the old file's text
 * and the new one's (140 MB each at 10 M events) beside the snapshot they came from.
 */
export class FileStateStore implements StateStore {
  constructor(private readonly path: string, private readonly lock: CommitLockOptions = {}) {}

  async load(): Promise<LoadedState | undefined> {
    const bytes = await this.read();
    if (bytes === undefined) return undefined;
    const token = tokenOf(bytes);
    const text = bytes.toString('utf8');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new StateInvalidError(this.path, '(document)', `is not valid JSON (${(e as Error).message})`);
    }
    return { state: checkState(doc, this.path), token };
  }

  async save(state: EngineState, expected: StateToken | null): Promise<StateToken> {
    return withCommitLock(`${this.path}.commit-lock`, async () => {
      const found = await this.currentToken();
      if (found !== expected) throw new StateConflictError(this.path, expected === null ? 'the file appeared since this pass started' : 'the file changed since this pass loaded it');
      const hash = createHash('sha256');
      const pieces = (function* (): Generator<string> {
        for (const piece of jsonChunks(state)) {
          hash.update(piece, 'utf8');
          yield piece;
        }
      })();
      await writeChunksAtomic(this.path, pieces).catch((e: unknown) => {
        throw FileIoError.from('cannot save state to', this.path, e);
      });
      return `sha256:${hash.digest('hex')}`;
    }, this.lock);
  }

  private async read(): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw FileIoError.from('cannot read state', this.path, e);
    }
  }

  /** The token of the file as it is now, hashed as it streams in; null when there is none. */
  private async currentToken(): Promise<StateToken | null> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(this.path)) hash.update(chunk as Buffer);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw FileIoError.from('cannot read state', this.path, e);
    }
    return `sha256:${hash.digest('hex')}`;
  }
}

/** The hash of the file's bytes (not of their decoding: a stray invalid byte must not change it). */
function tokenOf(bytes: Buffer): StateToken {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** State kept in memory only: `detect` without `--state`, and `eval`. The token is a generation. */
export class MemoryStateStore implements StateStore {
  private stored: { state: EngineState; generation: number } | undefined;

  async load(): Promise<LoadedState | undefined> {
    return this.stored && { state: this.stored.state, token: String(this.stored.generation) };
  }

  async save(state: EngineState, expected: StateToken | null): Promise<StateToken> {
    const found = this.stored ? String(this.stored.generation) : null;
    if (found !== expected) throw new StateConflictError('memory', `generation ${found ?? 'none'}, expected ${expected ?? 'none'}`);
    const generation = (this.stored?.generation ?? 0) + 1;
    this.stored = { state, generation };
    return String(generation);
  }
}

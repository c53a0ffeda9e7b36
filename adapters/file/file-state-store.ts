import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { checkState, StateConflictError, StateInvalidError, type EngineState, type LoadedState, type StateStore, type StateToken } from '../../core/state/state';
import { FileIoError } from './io-error';
import { writeFileAtomic } from './atomic-write';
import { withCommitLock, type CommitLockOptions } from './commit-lock';

/**
 * State in one local JSON file, replaced atomically on every commit. The version token is a
 * hash of the file's bytes; `save` compares it under an exclusive commit lock, so of two
 * writers that loaded the same state only the first to commit succeeds.
 */
export class FileStateStore implements StateStore {
  constructor(private readonly path: string, private readonly lock: CommitLockOptions = {}) {}

  async load(): Promise<LoadedState | undefined> {
    const text = await this.read();
    if (text === undefined) return undefined;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new StateInvalidError(this.path, '(document)', `is not valid JSON (${(e as Error).message})`);
    }
    return { state: checkState(doc, this.path), token: tokenOf(text) };
  }

  async save(state: EngineState, expected: StateToken | null): Promise<StateToken> {
    const text = JSON.stringify(state);
    return withCommitLock(`${this.path}.commit-lock`, async () => {
      const current = await this.read();
      const found = current === undefined ? null : tokenOf(current);
      if (found !== expected) throw new StateConflictError(this.path, expected === null ? 'the file appeared since this pass started' : 'the file changed since this pass loaded it');
      await writeFileAtomic(this.path, text).catch((e: unknown) => {
        throw FileIoError.from('cannot save state to', this.path, e);
      });
      return tokenOf(text);
    }, this.lock);
  }

  private async read(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw FileIoError.from('cannot read state', this.path, e);
    }
  }
}

function tokenOf(text: string): StateToken {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
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

import { readFile } from 'node:fs/promises';
import { checkState, StateInvalidError, type EngineState, type StateStore } from '../../core/state/state';
import { FileIoError } from './io-error';
import { writeFileAtomic } from './atomic-write';

/** State in one local JSON file, replaced atomically on every commit. */
export class FileStateStore implements StateStore {
  constructor(private readonly path: string) {}

  async load(): Promise<EngineState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw FileIoError.from('cannot read state', this.path, e);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new StateInvalidError(this.path, '(document)', `is not valid JSON (${(e as Error).message})`);
    }
    return checkState(doc, this.path);
  }

  async save(state: EngineState): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(state)).catch((e: unknown) => {
      throw FileIoError.from('cannot save state to', this.path, e);
    });
  }
}

/** State kept in memory only: `detect` without `--state`, and `eval`. */
export class MemoryStateStore implements StateStore {
  private state: EngineState | undefined;
  async load(): Promise<EngineState | undefined> {
    return this.state;
  }
  async save(state: EngineState): Promise<void> {
    this.state = state;
  }
}

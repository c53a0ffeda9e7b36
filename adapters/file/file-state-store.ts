import { readFile } from 'node:fs/promises';
import { checkState, type EngineState, type StateStore } from '../../core/state/state';
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
      throw e;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new Error(`state file ${this.path} is not valid JSON (${(e as Error).message}); move it aside to start fresh`);
    }
    return checkState(doc, this.path);
  }

  async save(state: EngineState): Promise<void> {
    await writeFileAtomic(this.path, JSON.stringify(state));
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

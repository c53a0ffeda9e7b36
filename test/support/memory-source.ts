import type { Source, SourceRecord } from '../../core/engine/ports';

/** Records from memory, in pages of `pageSize`: the engine's view of a source, minus I/O. */
export class MemorySource implements Source {
  constructor(private readonly records: readonly unknown[], private readonly pageSize = 1000, private readonly checkpoint: unknown = null) {}

  async *pull(): AsyncIterable<readonly SourceRecord[]> {
    for (let i = 0; i < this.records.length; i += this.pageSize) {
      yield this.records.slice(i, i + this.pageSize).map((value, j) => ({ kind: 'record' as const, value, origin: `memory:${i + j + 1}` }));
    }
  }

  checkpointAfterPull(): unknown {
    return this.checkpoint;
  }
}
